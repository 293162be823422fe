#include "gatehouse/service/auth_settings.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../store/store_fixture.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/util/password.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;
using nlohmann::json;

namespace {

struct SettingsFixture : StoreFixture {
    util::FixedClock clock{1'800'000'000};
    core::Org org = make_org("acme");

    void configure_saml() {
        core::SamlProvider provider;
        provider.org_id = org.id;
        provider.idp_entity_id = "https://idp.test";
        provider.sso_url = "https://idp.test/sso";
        provider.certificates = {"-----BEGIN CERTIFICATE-----"};
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    }

    core::Member add(const std::string& user_name, core::Role role, bool break_glass,
                     bool with_password, core::MemberState state = core::MemberState::active) {
        core::Member m;
        m.org_id = org.id;
        m.user_name = user_name;
        m.email = user_name + "@example.com";
        m.role = role;
        m.state = state;
        m.break_glass = break_glass;
        if (with_password) m.password_hash = *util::password::hash("a long enough password");
        core::Member created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_member(m);
            REQUIRE(inserted.ok());
            created = *inserted;
            return {};
        }));
        return created;
    }

    void add_break_glass_owner() { add("root", core::Role::owner, true, true); }

    void start_session(const core::Member& member, core::SessionMethod method,
                       const std::string& id) {
        core::Session s;
        s.org_id = org.id;
        s.member_id = member.id;
        s.method = method;
        s.created_at = s.last_seen_at = clock.now();
        s.expires_at = clock.now() + 3600;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_session(s, id);
            return inserted ? Status{} : Status{inserted.error()};
        }));
    }

    bool session_exists(const std::string& id) {
        bool found = false;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.session_by_hash(id).has_value();
            return {};
        }));
        return found;
    }

    Result<service::AuthSettingsUpdate> update(const service::AuthSettingsChange& change) {
        return service::update_auth_settings(*db, clock, "acme", change, service::Caller::cli());
    }

    service::AuthSettings stored() { return *service::read_auth_settings(*db, "acme"); }

    std::vector<core::AuditEntry> audit() {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            entries = tx.list_audit(org.id, {}).items;
            return {};
        }));
        return entries;
    }
};

service::AuthSettingsChange require_sso_on() {
    service::AuthSettingsChange change;
    change.require_sso = true;
    return change;
}

}  // namespace

TEST_CASE("update_auth_settings changes the org options and audits each as old and new") {
    SettingsFixture f;
    service::AuthSettingsChange change;
    change.default_role = core::Role::manager;
    change.jit_provisioning = false;
    change.allow_idp_initiated = true;
    auto updated = f.update(change);
    REQUIRE(updated.ok());
    CHECK(updated->org.default_role == core::Role::manager);
    const auto org = f.stored().org;
    CHECK(org.default_role == core::Role::manager);
    CHECK_FALSE(org.jit_provisioning);
    CHECK(org.allow_idp_initiated);
    const auto entries = f.audit();
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].action == "org.auth_settings.update");
    CHECK(entries[0].actor == "cli");
    const json details = json::parse(entries[0].details);
    CHECK(details["changes"]["default_role"] == json{{"old", "member"}, {"new", "manager"}});
    CHECK(details["changes"]["jit_provisioning"] == json{{"old", true}, {"new", false}});
    CHECK(details["changes"]["allow_idp_initiated"] == json{{"old", false}, {"new", true}});
    CHECK(details["sessions_ended"] == 0);
}

TEST_CASE("update_auth_settings leaves unchanged settings out of the audit entry") {
    SettingsFixture f;
    service::AuthSettingsChange change;
    change.jit_provisioning = true;  // already on
    REQUIRE(f.update(change).ok());
    CHECK(json::parse(f.audit()[0].details)["changes"].empty());
}

TEST_CASE("update_auth_settings refuses owner as the default role") {
    SettingsFixture f;
    service::AuthSettingsChange change;
    change.default_role = core::Role::owner;
    auto refused = f.update(change);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "auth.default_role.invalid");
    CHECK(f.stored().org.default_role == core::Role::member);
    CHECK(f.audit().empty());
}

TEST_CASE("update_auth_settings refuses an unknown org") {
    SettingsFixture f;
    auto refused =
        service::update_auth_settings(*f.db, f.clock, "nope", {}, service::Caller::cli());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "org.not_found");
    CHECK(service::read_auth_settings(*f.db, "nope").error().code == "org.not_found");
}

TEST_CASE("Require SSO is refused while the org has no SAML provider") {
    SettingsFixture f;
    f.add_break_glass_owner();
    auto refused = f.update(require_sso_on());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "auth.require_sso.not_configured");
    CHECK_FALSE(f.stored().org.require_sso);
}

TEST_CASE("Require SSO is refused without an active break-glass owner who has a password") {
    SettingsFixture f;
    f.configure_saml();
    f.add("plain-owner", core::Role::owner, false, true);
    f.add("no-password", core::Role::owner, true, false);
    f.add("gone", core::Role::owner, true, true, core::MemberState::deactivated);
    auto refused = f.update(require_sso_on());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "auth.require_sso.no_break_glass");
    CHECK_FALSE(f.stored().org.require_sso);
}

TEST_CASE("turning Require SSO on ends every password session of the org and no SAML session") {
    SettingsFixture f;
    f.configure_saml();
    f.add_break_glass_owner();
    const auto ada = f.add("ada", core::Role::member, false, true);
    f.start_session(ada, core::SessionMethod::password, "p1");
    f.start_session(ada, core::SessionMethod::password, "p2");
    f.start_session(ada, core::SessionMethod::saml, "s1");
    auto updated = f.update(require_sso_on());
    REQUIRE(updated.ok());
    CHECK(updated->org.require_sso);
    CHECK(updated->sessions_ended == 2);
    CHECK_FALSE(f.session_exists("p1"));
    CHECK_FALSE(f.session_exists("p2"));
    CHECK(f.session_exists("s1"));
    const json details = json::parse(f.audit()[0].details);
    CHECK(details["sessions_ended"] == 2);
    CHECK(details["changes"]["require_sso"] == json{{"old", false}, {"new", true}});
}

TEST_CASE("setting Require SSO when it is already on ends no sessions") {
    SettingsFixture f;
    f.configure_saml();
    f.add_break_glass_owner();
    REQUIRE(f.update(require_sso_on()).ok());
    const auto ada = f.add("ada", core::Role::member, false, true);
    f.start_session(ada, core::SessionMethod::password, "p1");
    auto again = f.update(require_sso_on());
    REQUIRE(again.ok());
    CHECK(again->sessions_ended == 0);
    CHECK(f.session_exists("p1"));
}

TEST_CASE("turning Require SSO off needs no break-glass owner") {
    SettingsFixture f;
    f.configure_saml();
    const auto owner = f.add("root", core::Role::owner, true, true);
    REQUIRE(f.update(require_sso_on()).ok());
    REQUIRE(f.db->write(
        [&](store::Transaction& tx) -> Status { return tx.delete_member(f.org.id, owner.id); }));
    service::AuthSettingsChange off;
    off.require_sso = false;
    auto updated = f.update(off);
    REQUIRE(updated.ok());
    CHECK_FALSE(updated->org.require_sso);
}

TEST_CASE("a preset refills the mapping under its canonical name, and a mapping applies after it") {
    SettingsFixture f;
    f.configure_saml();
    service::AuthSettingsChange change;
    change.preset = "Azure";
    auto updated = f.update(change);
    REQUIRE(updated.ok());
    REQUIRE(updated->provider.has_value());
    CHECK(updated->provider->preset == "entra");
    CHECK(f.stored().provider->mapping.user_id ==
          "http://schemas.microsoft.com/identity/claims/objectidentifier");

    change.preset = "okta";
    core::AttributeMapping mapping = *saml::mapping_preset("okta");
    mapping.role = "orgRole";
    change.mapping = mapping;
    REQUIRE(f.update(change).ok());
    const auto provider = *f.stored().provider;
    CHECK(provider.preset == "okta");
    CHECK(provider.mapping.email == "email");
    CHECK(provider.mapping.role == "orgRole");
    CHECK(provider.updated_at == f.clock.now());
    const json details = json::parse(f.audit()[0].details);
    CHECK(details["changes"]["mapping.role"] == json{{"old",
                                                      "http://schemas.microsoft.com/ws/2008/"
                                                      "06/identity/claims/role"},
                                                     {"new", "orgRole"}});
}

TEST_CASE("update_auth_settings refuses an unknown preset") {
    SettingsFixture f;
    f.configure_saml();
    service::AuthSettingsChange change;
    change.preset = "ping";
    auto refused = f.update(change);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.preset.unknown");
}

TEST_CASE("clock skew and signed-assertion options change on the provider; skew stays in 0..600") {
    SettingsFixture f;
    f.configure_saml();
    service::AuthSettingsChange change;
    change.clock_skew_seconds = 600;
    change.require_signed_assertion = true;
    REQUIRE(f.update(change).ok());
    CHECK(f.stored().provider->options.clock_skew_seconds == 600);
    CHECK(f.stored().provider->options.require_signed_assertion);
    for (int bad : {-1, 601}) {
        service::AuthSettingsChange skew;
        skew.clock_skew_seconds = bad;
        auto refused = f.update(skew);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "saml.config.skew_invalid");
    }
}

TEST_CASE("a provider setting without a provider is refused and nothing else changes") {
    SettingsFixture f;
    service::AuthSettingsChange change;
    change.default_role = core::Role::admin;
    change.clock_skew_seconds = 60;
    auto refused = f.update(change);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.not_configured");
    CHECK(f.stored().org.default_role == core::Role::member);
    change = {};
    change.mapping = core::AttributeMapping{};
    CHECK(f.update(change).error().code == "saml.not_configured");
}

TEST_CASE("a refused Require SSO leaves the other changes of the request unapplied") {
    SettingsFixture f;
    f.configure_saml();
    service::AuthSettingsChange change = require_sso_on();
    change.jit_provisioning = false;
    change.preset = "okta";
    REQUIRE_FALSE(f.update(change).ok());
    CHECK(f.stored().org.jit_provisioning);
    CHECK(f.stored().provider->preset == "generic");
}

TEST_CASE("auth_settings_json shows the org options and the provider's mapping, not its keys") {
    SettingsFixture f;
    json without = service::auth_settings_json(f.stored().org, std::nullopt);
    CHECK(without["default_role"] == "member");
    CHECK(without["require_sso"] == false);
    CHECK(without["jit_provisioning"] == true);
    CHECK(without["saml"].is_null());
    f.configure_saml();
    const auto settings = f.stored();
    json with = service::auth_settings_json(settings.org, settings.provider);
    CHECK(with["saml"]["preset"] == "generic");
    CHECK(with["saml"]["clock_skew_seconds"] == 180);
    CHECK(with["saml"]["mapping"].contains("email"));
    CHECK(with.dump().find("CERTIFICATE") == std::string::npos);
}

TEST_CASE("a mapping field that a preset changes and the mapping restores is not audited") {
    SettingsFixture f;
    f.configure_saml();
    service::AuthSettingsChange change;
    change.preset = "entra";
    change.mapping = f.stored().provider->mapping;  // the mapping as it was
    REQUIRE(f.update(change).ok());
    const json changes = json::parse(f.audit()[0].details)["changes"];
    CHECK(changes.contains("preset"));
    CHECK_FALSE(changes.contains("mapping.email"));
    CHECK(f.stored().provider->mapping.email.empty());
}
