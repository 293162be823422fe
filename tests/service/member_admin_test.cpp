#include "gatehouse/service/member_admin.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/session_service.hpp"
#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

service::Caller owner_caller(std::string actor) {
    return service::Caller{std::move(actor), service::CallerKind::owner};
}

service::Caller manager_caller(std::string actor) {
    return service::Caller{std::move(actor), service::CallerKind::manager};
}

struct MemberAdminFixture {
    StoreFixture storage;
    util::FixedClock clock{1'800'000'000};
    service::MemberAdmin admin{*storage.db, clock};
    core::Org org = storage.make_org("acme");

    core::Member add(const std::string& email, core::Role role, bool idp_managed = false) {
        core::Member m;
        m.org_id = org.id;
        m.email = email;
        m.user_name = email;
        m.role = role;
        m.state = core::MemberState::active;
        m.idp_managed = idp_managed;
        core::Member created;
        REQUIRE(storage.db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    }

    std::optional<core::Member> reload(const core::Member& m) {
        std::optional<core::Member> found;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_id(org.id, m.id);
            return {};
        }));
        return found;
    }
};

}  // namespace

TEST_CASE("a member the IdP provisioned cannot be changed or removed through the admin API") {
    MemberAdminFixture f;
    const auto pushed = f.add("ada@example.com", core::Role::member, true);
    auto changed =
        f.admin.change_role(f.org, pushed.public_id, core::Role::admin, owner_caller("test"));
    CHECK(changed.error().code == service::kIdpManaged);
    CHECK(f.admin.remove_member(f.org, pushed.public_id, owner_caller("test")).error().code ==
          service::kIdpManaged);
    CHECK(f.reload(pushed)->role == core::Role::member);
}

TEST_CASE("a manager changes a member's role; only an owner makes or unmakes an owner") {
    MemberAdminFixture f;
    f.add("owner@example.com", core::Role::owner);
    const auto bob = f.add("bob@example.com", core::Role::member);
    auto promoted =
        f.admin.change_role(f.org, bob.public_id, core::Role::manager, manager_caller("m"));
    REQUIRE(promoted.ok());
    CHECK(promoted->role == core::Role::manager);
    CHECK(f.admin.change_role(f.org, bob.public_id, core::Role::owner, manager_caller("m"))
              .error()
              .code == service::kOwnerRequired);
    REQUIRE(f.admin.change_role(f.org, bob.public_id, core::Role::owner, owner_caller("o")).ok());
    CHECK(f.admin.change_role(f.org, bob.public_id, core::Role::member, manager_caller("m"))
              .error()
              .code == service::kOwnerRequired);
}

TEST_CASE("the last active owner can be neither demoted nor removed") {
    MemberAdminFixture f;
    const auto owner = f.add("owner@example.com", core::Role::owner);
    CHECK(f.admin.change_role(f.org, owner.public_id, core::Role::admin, owner_caller("o"))
              .error()
              .code == service::kLastOwner);
    CHECK(f.admin.remove_member(f.org, owner.public_id, owner_caller("o")).error().code ==
          service::kLastOwner);
    f.add("second@example.com", core::Role::owner);
    CHECK(f.admin.change_role(f.org, owner.public_id, core::Role::admin, owner_caller("o")).ok());
}

TEST_CASE("removing a member ends their sessions and is audit-logged") {
    MemberAdminFixture f;
    const auto bob = f.add("bob@example.com", core::Role::member);
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        auto started =
            service::start_session(tx, bob, core::SessionMethod::password, {}, f.clock.now());
        return started ? Status{} : Status{started.error()};
    }));
    REQUIRE(f.admin.remove_member(f.org, bob.public_id, manager_caller("member:x")).ok());
    CHECK_FALSE(f.reload(bob).has_value());
    REQUIRE(f.storage.db->read([&](store::Transaction& tx) -> Status {
        store::AuditQuery q;
        q.action_prefix = "member.remove";
        auto log = tx.list_audit(f.org.id, q);
        REQUIRE(log.total == 1);
        CHECK(log.items[0].actor == "member:x");
        CHECK(log.items[0].details.find("\"sessions_ended\":1") != std::string::npos);
        return {};
    }));
}

TEST_CASE("unknown members and teams, and members of another org, are not found") {
    MemberAdminFixture f;
    const auto other_org = f.storage.make_org("globex");
    const auto stranger = f.storage.make_member(other_org.id, "eve@example.com");
    CHECK(f.admin.change_role(f.org, stranger.public_id, core::Role::admin, owner_caller("o"))
              .error()
              .code == service::kMemberNotFound);
    CHECK(f.admin.remove_member(f.org, "no-such-id", owner_caller("o")).error().code ==
          service::kMemberNotFound);
    CHECK(f.admin.remove_team(f.org, "no-such-id", owner_caller("o")).error().code ==
          service::kTeamNotFound);
}

TEST_CASE("a team the IdP pushed cannot be removed; one the org made can") {
    MemberAdminFixture f;
    auto make_team = [&](const std::string& slug, bool idp_managed) {
        core::Team team;
        team.org_id = f.org.id;
        team.slug = slug;
        team.display_name = slug;
        team.idp_managed = idp_managed;
        core::Team created;
        REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_team(team);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    };
    const auto pushed = make_team("engineering", true);
    const auto local = make_team("book-club", false);
    CHECK(f.admin.remove_team(f.org, pushed.public_id, owner_caller("o")).error().code ==
          service::kTeamIdpManaged);
    CHECK(f.admin.remove_team(f.org, local.public_id, owner_caller("o")).ok());
    auto teams = f.admin.list_teams(f.org, {});
    REQUIRE(teams.ok());
    REQUIRE(teams->total == 1);
    CHECK(teams->items[0].slug == "engineering");
}

TEST_CASE("deactivating a member ends their sessions; reactivating restores what they can use") {
    MemberAdminFixture f;
    auto bob = f.add("bob@example.com", core::Role::member);
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        auto started =
            service::start_session(tx, bob, core::SessionMethod::password, {}, f.clock.now());
        return started ? Status{} : Status{started.error()};
    }));
    auto off = f.admin.set_active(f.org, bob.public_id, false, manager_caller("member:x"));
    REQUIRE(off);
    CHECK(off->state == core::MemberState::deactivated);
    REQUIRE(f.storage.db->read([&](store::Transaction& tx) -> Status {
        store::AuditQuery q;
        q.action_prefix = "member.deactivate";
        auto log = tx.list_audit(f.org.id, q);
        REQUIRE(log.total == 1);
        CHECK(log.items[0].details.find("\"sessions_ended\":1") != std::string::npos);
        return {};
    }));
    // Neither a SAML link nor a password: back to invited, not active.
    auto on = f.admin.set_active(f.org, bob.public_id, true, manager_caller("member:x"));
    REQUIRE(on);
    CHECK(on->state == core::MemberState::invited);
    // Asking again for what is already the case writes nothing.
    REQUIRE(f.admin.set_active(f.org, bob.public_id, true, manager_caller("member:x")));
    REQUIRE(f.storage.db->read([&](store::Transaction& tx) -> Status {
        store::AuditQuery q;
        q.action_prefix = "member.reactivate";
        CHECK(tx.list_audit(f.org.id, q).total == 1);
        return {};
    }));
}

TEST_CASE("deactivation keeps the IdP lock, the owner rule and the last active owner") {
    MemberAdminFixture f;
    const auto owner = f.add("owner@example.com", core::Role::owner);
    const auto pushed = f.add("ada@example.com", core::Role::member, true);
    CHECK(f.admin.set_active(f.org, pushed.public_id, false, owner_caller("t")).error().code ==
          service::kIdpManaged);
    CHECK(f.admin.set_active(f.org, owner.public_id, false, manager_caller("t")).error().code ==
          service::kOwnerRequired);
    CHECK(f.admin.set_active(f.org, owner.public_id, false, owner_caller("t")).error().code ==
          service::kLastOwner);
    CHECK(f.reload(owner)->state == core::MemberState::active);
    CHECK(f.reload(pushed)->state == core::MemberState::active);
}

namespace {

std::vector<core::AuditEntry> failures(MemberAdminFixture& f) {
    std::vector<core::AuditEntry> entries;
    REQUIRE(f.storage.db->read([&](store::Transaction& tx) -> Status {
        store::AuditQuery q;
        q.outcome = "failure";
        entries = tx.list_audit(f.org.id, q).items;
        return {};
    }));
    return entries;
}

service::NewMember invitation(const std::string& email, core::Role role) {
    service::NewMember request;
    request.email = email;
    request.role = role;
    return request;
}

}  // namespace

TEST_CASE("only an owner invites an owner; a manager's attempt is refused and audited") {
    MemberAdminFixture f;
    auto refused = f.admin.invite(f.org, invitation("boss@example.com", core::Role::owner),
                                  manager_caller("member:mia"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kOwnerRequired);
    const auto entries = failures(f);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].action == "member.create");
    CHECK(entries[0].actor == "member:mia");
    CHECK(entries[0].reason_code == service::kOwnerRequired);

    auto invited = f.admin.invite(f.org, invitation("boss@example.com", core::Role::owner),
                                  owner_caller("member:olga"));
    REQUIRE(invited.ok());
    CHECK(invited->role == core::Role::owner);
    CHECK(invited->state == core::MemberState::invited);
}

TEST_CASE("a manager invites a member with any role but owner") {
    MemberAdminFixture f;
    auto invited = f.admin.invite(f.org, invitation("zoe@example.com", core::Role::manager),
                                  manager_caller("member:mia"));
    REQUIRE(invited.ok());
    CHECK(invited->role == core::Role::manager);
    CHECK(failures(f).empty());
}

TEST_CASE("a manager's attempt to make someone an owner is recorded as a failure") {
    MemberAdminFixture f;
    const auto bob = f.add("bob@example.com", core::Role::member);
    const auto owner = f.add("owner@example.com", core::Role::owner);
    CHECK_FALSE(
        f.admin.change_role(f.org, bob.public_id, core::Role::owner, manager_caller("member:mia")));
    CHECK_FALSE(f.admin.set_active(f.org, owner.public_id, false, manager_caller("member:mia")));
    CHECK_FALSE(f.admin.remove_member(f.org, owner.public_id, manager_caller("member:mia")));
    const auto entries = failures(f);
    REQUIRE(entries.size() == 3);
    CHECK(entries[2].action == "member.role_change");
    CHECK(entries[2].target == bob.public_id);
    CHECK(entries[1].action == "member.deactivate");
    CHECK(entries[0].action == "member.remove");
    CHECK(f.reload(bob)->role == core::Role::member);
    CHECK(f.reload(owner)->state == core::MemberState::active);
}

TEST_CASE("a caller who is neither owner nor manager changes no member or team") {
    MemberAdminFixture f;
    const auto bob = f.add("bob@example.com", core::Role::member);
    for (const auto kind : {service::CallerKind::member, service::CallerKind::scim_token}) {
        const service::Caller caller{"x", kind};
        CHECK(f.admin.change_role(f.org, bob.public_id, core::Role::admin, caller).error().code ==
              service::kMembersForbidden);
        CHECK(f.admin.set_active(f.org, bob.public_id, false, caller).error().code ==
              service::kMembersForbidden);
        CHECK(f.admin.remove_member(f.org, bob.public_id, caller).error().code ==
              service::kMembersForbidden);
        CHECK(f.admin.remove_team(f.org, "any", caller).error().code == service::kMembersForbidden);
        CHECK(f.admin.invite(f.org, invitation("x@example.com", core::Role::member), caller)
                  .error()
                  .code == service::kMembersForbidden);
    }
    CHECK(f.reload(bob)->role == core::Role::member);
}
