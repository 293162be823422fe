#include "gatehouse/service/sign_in_attributes.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "../store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

struct AttributesFixture : StoreFixture {
    core::Org org = turned_on(make_org("acme"));

    core::Org turned_on(core::Org o) {
        o.apply_sign_in_attributes = true;
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.update_org(o); }));
        return o;
    }

    core::Member member_with(core::Role role, bool scim = false) {
        core::Member m = make_member(org.id, "ada");
        m.role = role;
        m.idp_managed = scim;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto updated = tx.update_member(m);
            if (!updated) return updated.error();
            m = *updated;
            return {};
        }));
        return m;
    }

    core::Team team(const std::string& slug, bool sign_in = false, bool scim = false) {
        core::Team t;
        t.org_id = org.id;
        t.slug = slug;
        t.display_name = slug;
        t.sign_in_managed = sign_in;
        t.idp_managed = scim;
        core::Team created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_team(t);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    }

    void join(const core::Team& t, const core::Member& m) {
        REQUIRE(db->write(
            [&](store::Transaction& tx) { return tx.add_team_member(org.id, t.id, m.id); }));
    }

    // Applies in a write transaction that commits only when applying succeeded.
    Result<service::AppliedAttributes> apply(core::Member& m, const std::string& role,
                                             std::vector<std::string> groups = {},
                                             bool groups_mapped = false) {
        std::optional<Result<service::AppliedAttributes>> out;
        (void)db->write([&](store::Transaction& tx) -> Status {
            out = service::apply_sign_in_attributes(
                tx, org, m, service::SignInAttributes{role, std::move(groups), groups_mapped},
                1000);
            return out->ok() ? Status{} : Status{out->error()};
        });
        return *out;
    }

    core::Member stored(const core::Member& m) {
        std::optional<core::Member> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_id(org.id, m.id);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    std::vector<std::string> team_slugs(const core::Member& m) {
        std::vector<std::string> slugs;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            for (const auto& t : tx.teams_of_member(org.id, m.id)) slugs.push_back(t.slug);
            return {};
        }));
        std::sort(slugs.begin(), slugs.end());
        return slugs;
    }

    std::optional<core::Team> team_named(const std::string& slug) {
        std::optional<core::Team> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.team_by_slug(org.id, slug);
            return {};
        }));
        return found;
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action;
            entries = tx.list_audit(org.id, query).items;
            return {};
        }));
        return entries;
    }
};

}  // namespace

TEST_CASE("sign-in roles parse by SCIM's orgRole rules: each assignable role, any case, trimmed") {
    CHECK(*service::role_from_sign_in("admin").value() == core::Role::admin);
    CHECK(*service::role_from_sign_in("Manager").value() == core::Role::manager);
    CHECK(*service::role_from_sign_in(" billing ").value() == core::Role::billing);
    CHECK(*service::role_from_sign_in("MEMBER").value() == core::Role::member);
    CHECK_FALSE(service::role_from_sign_in("").value().has_value());
    CHECK_FALSE(service::role_from_sign_in("   ").value().has_value());
}

TEST_CASE("a sign-in role of owner is refused with sso.role_invalid naming the value") {
    const auto owner = service::role_from_sign_in("Owner");
    REQUIRE_FALSE(owner.ok());
    CHECK(owner.error().code == "sso.role_invalid");
    CHECK(owner.error().message.find("\"Owner\"") != std::string::npos);
}

TEST_CASE("an unknown sign-in role is refused with sso.role_invalid naming the value") {
    const auto unknown = service::role_from_sign_in("superuser");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == "sso.role_invalid");
    CHECK(unknown.error().message.find("\"superuser\"") != std::string::npos);
}

TEST_CASE("groups name teams by the SCIM slug rule, once each, skipping values with no letters") {
    const auto teams =
        service::teams_named_by({"Platform Team", " platform  team ", "QA/Ops", "--", "Eng"});
    REQUIRE(teams.size() == 3);
    CHECK(teams[0].slug == "platform-team");
    CHECK(teams[0].display_name == "Platform Team");
    CHECK(teams[1].slug == "qaops");
    CHECK(teams[2].slug == "eng");
}

TEST_CASE("a sign-in role becomes the member's role, audited as a role change by the IdP") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto applied = f.apply(m, "admin");
    REQUIRE(applied.ok());
    CHECK(applied->role_changed);
    CHECK(f.stored(m).role == core::Role::admin);
    const auto entries = f.audit("member.role_change");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].actor == "idp");
    CHECK(entries[0].target == m.public_id);
    CHECK(entries[0].details.find("\"new\":\"admin\"") != std::string::npos);
}

TEST_CASE("the same role as before changes nothing and writes no audit entry") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::billing);
    const auto version = m.version;
    const auto applied = f.apply(m, "billing");
    REQUIRE(applied.ok());
    CHECK_FALSE(applied->role_changed);
    CHECK(f.stored(m).version == version);
    CHECK(f.audit("member.role_change").empty());
}

TEST_CASE("an unknown sign-in role refuses and changes nothing, teams included") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::manager);
    const auto applied = f.apply(m, "root", {"eng"}, true);
    REQUIRE_FALSE(applied.ok());
    CHECK(applied.error().code == "sso.role_invalid");
    CHECK(f.stored(m).role == core::Role::manager);
    CHECK(f.team_slugs(m).empty());
    CHECK_FALSE(f.team_named("eng").has_value());
}

TEST_CASE("a sign-in role of owner refuses even an existing owner") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::owner);
    const auto applied = f.apply(m, "owner");
    REQUIRE_FALSE(applied.ok());
    CHECK(applied.error().code == "sso.role_invalid");
}

TEST_CASE("a blank role leaves an existing member's role as it is") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::manager);
    const auto applied = f.apply(m, "  ");
    REQUIRE(applied.ok());
    CHECK_FALSE(applied->role_changed);
    CHECK(f.stored(m).role == core::Role::manager);
}

TEST_CASE("an owner stays owner whatever role is sent, and that is audited") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::owner);
    const auto applied = f.apply(m, "member");
    REQUIRE(applied.ok());
    CHECK(applied->owner_kept);
    CHECK_FALSE(applied->role_changed);
    CHECK(f.stored(m).role == core::Role::owner);
    CHECK(f.audit("member.role_change").empty());
    const auto kept = f.audit("sso.owner_role_kept");
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].details.find("\"sent\":\"member\"") != std::string::npos);
}

TEST_CASE("a member managed over SCIM keeps SCIM's role and teams") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::billing, true);
    const auto own = f.team("old", true);
    f.join(own, m);
    const auto applied = f.apply(m, "admin", {"eng"}, true);
    REQUIRE(applied.ok());
    CHECK(applied->skipped == "scim_managed");
    CHECK(f.stored(m).role == core::Role::billing);
    CHECK(f.team_slugs(m) == std::vector<std::string>{"old"});
    CHECK_FALSE(f.team_named("eng").has_value());
}

TEST_CASE("a member managed over SCIM is not refused for a role the org would not accept") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::billing, true);
    const auto applied = f.apply(m, "owner");
    REQUIRE(applied.ok());
    CHECK(applied->skipped == "scim_managed");
}

TEST_CASE("with the org option off nothing from the sign-in is applied, nor refused") {
    AttributesFixture f;
    f.org.apply_sign_in_attributes = false;
    auto m = f.member_with(core::Role::member);
    const auto applied = f.apply(m, "nonsense", {"eng"}, true);
    REQUIRE(applied.ok());
    CHECK(applied->skipped == "off");
    CHECK(f.stored(m).role == core::Role::member);
    CHECK(f.team_slugs(m).empty());
    CHECK_FALSE(f.team_named("eng").has_value());
}

TEST_CASE("groups create missing teams as sign-in teams and the member joins them") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto applied = f.apply(m, "", {"Platform Team", "eng"}, true);
    REQUIRE(applied.ok());
    CHECK(f.team_slugs(m) == std::vector<std::string>{"eng", "platform-team"});
    const auto created = f.team_named("platform-team");
    REQUIRE(created.has_value());
    CHECK(created->sign_in_managed);
    CHECK_FALSE(created->idp_managed);
    CHECK(created->display_name == "Platform Team");
    const auto entries = f.audit("member.teams_change");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].actor == "idp");
    CHECK(entries[0].details.find("platform-team") != std::string::npos);
}

TEST_CASE("groups join existing teams an admin made, without marking them as sign-in teams") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    f.team("eng");
    REQUIRE(f.apply(m, "", {"ENG"}, true).ok());
    CHECK(f.team_slugs(m) == std::vector<std::string>{"eng"});
    CHECK_FALSE(f.team_named("eng")->sign_in_managed);
}

TEST_CASE("a member leaves sign-in teams no longer named, and keeps teams an admin added") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto gone = f.team("gone", true);
    const auto manual = f.team("manual");
    f.join(gone, m);
    f.join(manual, m);
    const auto applied = f.apply(m, "", {"eng"}, true);
    REQUIRE(applied.ok());
    CHECK(applied->left == std::vector<std::string>{"gone"});
    CHECK(f.team_slugs(m) == std::vector<std::string>{"eng", "manual"});
}

TEST_CASE("teams SCIM manages are neither joined nor left by sign-in") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto scim_named = f.team("named-scim", false, true);
    const auto scim_member = f.team("member-scim", true, true);
    f.join(scim_member, m);
    const auto applied = f.apply(m, "", {"named-scim"}, true);
    REQUIRE(applied.ok());
    CHECK(applied->scim_teams == std::vector<std::string>{"named-scim"});
    CHECK(f.team_slugs(m) == std::vector<std::string>{"member-scim"});
    (void)scim_named;
}

TEST_CASE("without a groups attribute mapped, teams are left as they are") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto own = f.team("own", true);
    f.join(own, m);
    const auto applied = f.apply(m, "", {"eng"}, false);
    REQUIRE(applied.ok());
    CHECK_FALSE(applied->teams_followed);
    CHECK(f.team_slugs(m) == std::vector<std::string>{"own"});
    CHECK(f.audit("member.teams_change").empty());
}

TEST_CASE("a mapped groups attribute that names no group takes the member out of sign-in teams") {
    AttributesFixture f;
    auto m = f.member_with(core::Role::member);
    const auto own = f.team("own", true);
    f.join(own, m);
    REQUIRE(f.apply(m, "", {}, true).ok());
    CHECK(f.team_slugs(m).empty());
}

TEST_CASE("the plan of a member the sign-in would create gives the org's default role") {
    AttributesFixture f;
    f.org.default_role = core::Role::billing;
    std::optional<Result<service::AppliedAttributes>> plan;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        plan = service::plan_sign_in_attributes(tx, f.org, std::nullopt,
                                                service::SignInAttributes{"", {"eng"}, true});
        return {};
    }));
    REQUIRE(plan->ok());
    CHECK((*plan)->role == core::Role::billing);
    CHECK(service::describe_sign_in_attributes(*plan) ==
          "role billing (unchanged); teams: join eng; create eng");
    CHECK_FALSE(f.team_named("eng").has_value());
}

TEST_CASE("the plan in words says why it would refuse or apply nothing") {
    CHECK(service::describe_sign_in_attributes(service::role_from_sign_in("root").error())
              .find("(sso.role_invalid)") != std::string::npos);
    service::AppliedAttributes off;
    off.skipped = "off";
    CHECK(service::describe_sign_in_attributes(off) ==
          "not applied: the organization's option is off");
}
