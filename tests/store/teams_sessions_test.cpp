#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

core::Team team_named(core::RowId org_id, const std::string& slug) {
    core::Team team;
    team.org_id = org_id;
    team.slug = slug;
    team.display_name = slug;
    return team;
}

core::Session session_for(const core::Member& m, core::SessionMethod method) {
    core::Session s;
    s.org_id = m.org_id;
    s.member_id = m.id;
    s.method = method;
    s.expires_at = 4102444800;  // 2100-01-01
    return s;
}

}  // namespace

TEST_CASE("team slugs are unique per org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_team(team_named(acme.id, "eng")).ok());
        auto clash = tx.insert_team(team_named(acme.id, "eng"));
        REQUIRE_FALSE(clash.ok());
        CHECK(clash.error().code == store::kConflict);
        CHECK(tx.insert_team(team_named(globex.id, "eng")).ok());
        return {};
    }));
}

TEST_CASE("a team keeps its SCIM attributes through insert, update and every read") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    const std::string first = R"({"urn:example:acme:2.0:Group":{"costCode":"7"}})";
    const std::string second = R"({"urn:example:acme:2.0:Group":{"costCode":"8"}})";
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::Team team = team_named(acme.id, "eng");
        team.scim_attributes = first;
        auto inserted = tx.insert_team(team);
        REQUIRE(inserted.ok());
        CHECK(tx.team_by_public_id(acme.id, inserted->public_id)->scim_attributes == first);
        inserted->scim_attributes = second;
        REQUIRE(tx.update_team(*inserted).ok());
        CHECK(tx.team_by_slug(acme.id, "eng")->scim_attributes == second);
        CHECK(tx.list_teams(acme.id, {}, store::Page{0, 10}).items.at(0).scim_attributes == second);
        REQUIRE(tx.add_team_member(acme.id, inserted->id, ada.id).ok());
        CHECK(tx.teams_of_member(acme.id, ada.id).at(0).scim_attributes == second);
        return {};
    }));
}

TEST_CASE("a member of another org cannot be added to a team") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto outsider = f.make_member(globex.id, "eve");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto team = tx.insert_team(team_named(acme.id, "eng"));
        REQUIRE(team.ok());
        REQUIRE(tx.add_team_member(acme.id, team->id, outsider.id).ok());
        CHECK(tx.team_members(acme.id, team->id).empty());
        REQUIRE(tx.add_team_member(globex.id, team->id, outsider.id).ok());
        CHECK(tx.team_members(acme.id, team->id).empty());
        return {};
    }));
}

TEST_CASE("adding a membership twice keeps one row") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto team = tx.insert_team(team_named(acme.id, "eng"));
        REQUIRE(tx.add_team_member(acme.id, team->id, ada.id).ok());
        REQUIRE(tx.add_team_member(acme.id, team->id, ada.id).ok());
        CHECK(tx.team_members(acme.id, team->id).size() == 1);
        CHECK(tx.teams_of_member(acme.id, ada.id).size() == 1);
        return {};
    }));
}

TEST_CASE("password sessions end together while SAML sessions stay") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_session(session_for(ada, core::SessionMethod::password), "p1").ok());
        REQUIRE(tx.insert_session(session_for(ada, core::SessionMethod::password), "p2").ok());
        REQUIRE(tx.insert_session(session_for(ada, core::SessionMethod::saml), "s1").ok());
        CHECK(tx.count_password_sessions(acme.id) == 2);
        CHECK(tx.count_password_sessions(acme.id + 1) == 0);
        CHECK(tx.delete_password_sessions(acme.id) == 2);
        CHECK(tx.count_password_sessions(acme.id) == 0);
        CHECK(tx.session_by_hash("s1").has_value());
        CHECK_FALSE(tx.session_by_hash("p1").has_value());
        return {};
    }));
}

TEST_CASE("SAML logout ends only the sessions of that NameID and SessionIndex") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto a = session_for(ada, core::SessionMethod::saml);
        a.saml_name_id = "ada@example.com";
        a.saml_session_index = "idx-1";
        auto b = a;
        b.saml_session_index = "idx-2";
        REQUIRE(tx.insert_session(a, "a").ok());
        REQUIRE(tx.insert_session(b, "b").ok());
        CHECK(tx.delete_saml_sessions(acme.id, "ada@example.com", {"idx-1"}) == 1);
        CHECK(tx.session_by_hash("b").has_value());
        CHECK(tx.delete_saml_sessions(acme.id, "ada@example.com", {}) == 1);
        return {};
    }));
}

TEST_CASE("a session cannot be created for a member of another org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto s = session_for(ada, core::SessionMethod::password);
        s.org_id = globex.id;
        CHECK(tx.insert_session(s, "x").error().code == store::kNotFound);
        return {};
    }));
}

TEST_CASE("SCIM tokens are found by hash until revoked, and only by their own org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto token = tx.insert_credential(store::CredentialKind::scim_token, acme.id,
                                          "hash-of-token", "okta");
        REQUIRE(token.ok());
        auto found = tx.active_credential(store::CredentialKind::scim_token, "hash-of-token");
        REQUIRE(found.has_value());
        CHECK(found->org_id == acme.id);
        CHECK(tx.revoke_credential(store::CredentialKind::scim_token, globex.id, token->id, 10)
                  .error()
                  .code == store::kNotFound);
        REQUIRE(
            tx.revoke_credential(store::CredentialKind::scim_token, acme.id, token->id, 10).ok());
        CHECK_FALSE(
            tx.active_credential(store::CredentialKind::scim_token, "hash-of-token").has_value());
        CHECK(tx.list_credentials(store::CredentialKind::scim_token, acme.id).at(0).revoked_at ==
              10);
        return {};
    }));
}

TEST_CASE("a pending AuthnRequest is consumed once and not after it expires") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_authn_request(acme.id, "_req1", "/next", 1000).ok());
        REQUIRE(tx.insert_authn_request(acme.id, "_req2", "", 1000).ok());
        CHECK_FALSE(tx.authn_request_pending(globex.id, "_req1", 500));
        CHECK_FALSE(tx.consume_authn_request(globex.id, "_req1", 500).has_value());
        CHECK(tx.authn_request_pending(acme.id, "_req1", 500));
        CHECK(tx.pending_authn_request_relay(acme.id, "_req1", 500) == "/next");
        CHECK_FALSE(tx.pending_authn_request_relay(globex.id, "_req1", 500).has_value());
        CHECK_FALSE(tx.pending_authn_request_relay(acme.id, "_req1", 1000).has_value());
        CHECK(tx.consume_authn_request(acme.id, "_req1", 500) == "/next");
        CHECK_FALSE(tx.consume_authn_request(acme.id, "_req1", 500).has_value());
        CHECK_FALSE(tx.consume_authn_request(acme.id, "_req2", 1000).has_value());
        return {};
    }));
}

TEST_CASE("the replay cache remembers an assertion ID until it expires, per org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.remember_assertion(acme.id, "_a1", 1000).ok());
        CHECK(tx.assertion_seen(acme.id, "_a1", 999));
        CHECK_FALSE(tx.assertion_seen(acme.id, "_a1", 1000));
        CHECK_FALSE(tx.assertion_seen(globex.id, "_a1", 999));
        CHECK(tx.purge_expired(2000) == 1);
        return {};
    }));
}

TEST_CASE("the audit log filters by action prefix, actor and time, newest first") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        for (int i = 0; i < 4; ++i) {
            core::AuditEntry e;
            e.org_id = acme.id;
            e.at = 100 + i;
            e.actor = i % 2 ? "scim-token:1" : "cli";
            e.action = i % 2 ? "scim.user.create" : "org.update";
            e.outcome = "success";
            REQUIRE(tx.append_audit(e).ok());
        }
        store::AuditQuery q;
        q.action_prefix = "scim.";
        auto scim = tx.list_audit(acme.id, q);
        CHECK(scim.total == 2);
        CHECK(scim.items.at(0).at == 103);
        q = {};
        q.actor = "cli";
        q.since = 101;
        CHECK(tx.list_audit(acme.id, q).total == 1);
        return {};
    }));
}

TEST_CASE("org slugs are unique") {
    StoreFixture f;
    f.make_org("acme");
    Status status = f.db->write([&](store::Transaction& tx) -> Status {
        core::Org org;
        org.slug = "acme";
        org.name = "Acme again";
        auto inserted = tx.insert_org(org);
        return inserted ? Status{} : Status{inserted.error()};
    });
    CHECK(status.error().code == store::kConflict);
}

TEST_CASE("the SAML provider configuration round-trips") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::SamlProvider p;
        p.org_id = acme.id;
        p.idp_entity_id = "https://idp.example.com";
        p.sso_url = "https://idp.example.com/sso";
        p.certificates = {"PEM-1", "PEM-2"};
        p.mapping.email = "email";
        p.options.allow_sha1 = true;
        REQUIRE(tx.put_saml_provider(p).ok());
        auto back = tx.saml_provider(acme.id);
        REQUIRE(back.has_value());
        CHECK(back->certificates.size() == 2);
        CHECK(back->mapping.email == "email");
        CHECK(back->options.allow_sha1);
        CHECK(back->options.clock_skew_seconds == 180);
        return {};
    }));
}
