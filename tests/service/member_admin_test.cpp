#include "gatehouse/service/member_admin.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/session_service.hpp"
#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

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
    auto changed = f.admin.change_role(f.org, pushed.public_id, core::Role::admin, true, "test");
    CHECK(changed.error().code == service::kIdpManaged);
    CHECK(f.admin.remove_member(f.org, pushed.public_id, true, "test").error().code ==
          service::kIdpManaged);
    CHECK(f.reload(pushed)->role == core::Role::member);
}

TEST_CASE("a manager changes a member's role; only an owner makes or unmakes an owner") {
    MemberAdminFixture f;
    f.add("owner@example.com", core::Role::owner);
    const auto bob = f.add("bob@example.com", core::Role::member);
    auto promoted = f.admin.change_role(f.org, bob.public_id, core::Role::manager, false, "m");
    REQUIRE(promoted.ok());
    CHECK(promoted->role == core::Role::manager);
    CHECK(f.admin.change_role(f.org, bob.public_id, core::Role::owner, false, "m").error().code ==
          service::kOwnerRequired);
    REQUIRE(f.admin.change_role(f.org, bob.public_id, core::Role::owner, true, "o").ok());
    CHECK(f.admin.change_role(f.org, bob.public_id, core::Role::member, false, "m").error().code ==
          service::kOwnerRequired);
}

TEST_CASE("the last active owner can be neither demoted nor removed") {
    MemberAdminFixture f;
    const auto owner = f.add("owner@example.com", core::Role::owner);
    CHECK(f.admin.change_role(f.org, owner.public_id, core::Role::admin, true, "o").error().code ==
          service::kLastOwner);
    CHECK(f.admin.remove_member(f.org, owner.public_id, true, "o").error().code ==
          service::kLastOwner);
    f.add("second@example.com", core::Role::owner);
    CHECK(f.admin.change_role(f.org, owner.public_id, core::Role::admin, true, "o").ok());
}

TEST_CASE("removing a member ends their sessions and is audit-logged") {
    MemberAdminFixture f;
    const auto bob = f.add("bob@example.com", core::Role::member);
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        auto started =
            service::start_session(tx, bob, core::SessionMethod::password, {}, f.clock.now());
        return started ? Status{} : Status{started.error()};
    }));
    REQUIRE(f.admin.remove_member(f.org, bob.public_id, false, "member:x").ok());
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
    CHECK(
        f.admin.change_role(f.org, stranger.public_id, core::Role::admin, true, "o").error().code ==
        service::kMemberNotFound);
    CHECK(f.admin.remove_member(f.org, "no-such-id", true, "o").error().code ==
          service::kMemberNotFound);
    CHECK(f.admin.remove_team(f.org, "no-such-id", "o").error().code == service::kTeamNotFound);
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
    CHECK(f.admin.remove_team(f.org, pushed.public_id, "o").error().code ==
          service::kTeamIdpManaged);
    CHECK(f.admin.remove_team(f.org, local.public_id, "o").ok());
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
    auto off = f.admin.set_active(f.org, bob.public_id, false, false, "member:x");
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
    auto on = f.admin.set_active(f.org, bob.public_id, true, false, "member:x");
    REQUIRE(on);
    CHECK(on->state == core::MemberState::invited);
    // Asking again for what is already the case writes nothing.
    REQUIRE(f.admin.set_active(f.org, bob.public_id, true, false, "member:x"));
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
    CHECK(f.admin.set_active(f.org, pushed.public_id, false, true, "t").error().code ==
          service::kIdpManaged);
    CHECK(f.admin.set_active(f.org, owner.public_id, false, false, "t").error().code ==
          service::kOwnerRequired);
    CHECK(f.admin.set_active(f.org, owner.public_id, false, true, "t").error().code ==
          service::kLastOwner);
    CHECK(f.reload(owner)->state == core::MemberState::active);
    CHECK(f.reload(pushed)->state == core::MemberState::active);
}
