// The rule that whatever decides who is who is owner-only, as the services enforce it for
// every way in: one case per owner-only action for a manager (refused with auth.owner_only,
// nothing changed, a failure audit entry), the callers with owner rights, and what a
// manager keeps.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/auth_settings.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/settings_view.hpp"
#include "metadata_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;
using service::Caller;
using service::CallerKind;

namespace {

const Caller kManager{"member:mia", CallerKind::manager};
const Caller kOwner{"member:olga", CallerKind::owner};

// An org whose IdP an owner configured from a metadata URL, with SCIM on and an admin key.
struct OwnerOnlyFixture : MetadataFixture {
    service::AdminService admin{*db, clock};
    core::ScimToken scim_token;
    core::AdminKey admin_key;

    OwnerOnlyFixture() {
        configure_from_url({});
        auto token = admin.create_scim_token("acme", "idp", Caller::cli());
        REQUIRE(token.ok());
        scim_token = token->record;
        auto key = admin.create_admin_key("acme", "deploy", Caller::cli());
        REQUIRE(key.ok());
        admin_key = key->record;
    }

    // Everything an owner-only action could change, to compare before and after.
    json snapshot() {
        json out;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            const auto o = tx.org_by_slug("acme");
            const auto p = tx.saml_provider(o->id);
            out["org"] = service::auth_settings_json(*o, p);
            out["scim_enabled"] = o->scim_enabled;
            out["entity_id"] = p ? p->idp_entity_id : "";
            out["metadata_url"] = p ? p->metadata_url : "";
            json tokens = json::array();
            for (const auto& t : tx.list_credentials(store::CredentialKind::scim_token, o->id))
                tokens.push_back(t.revoked_at.has_value());
            out["scim_tokens"] = tokens;
            json keys = json::array();
            for (const auto& k : tx.list_credentials(store::CredentialKind::admin_key, o->id))
                keys.push_back(k.revoked_at.has_value());
            out["admin_keys"] = keys;
            return {};
        }));
        return out;
    }

    // The failure audit entries, newest first.
    std::vector<core::AuditEntry> refusals() {
        store::AuditQuery query;
        query.outcome = "failure";
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            entries = tx.list_audit(org.id, query).items;
            return {};
        }));
        return entries;
    }

    // Runs `action` as the manager and checks the refusal the rule promises.
    template <typename Action>
    void expect_refused(const std::string& audited_action, Action action) {
        const json before = snapshot();
        const int fetches = source.fetches();
        const Error error = action();
        CHECK(error.code == service::kOwnerOnly);
        CHECK(error.message.rfind("Only an owner of the organization can change ", 0) == 0);
        CHECK(snapshot() == before);
        CHECK(source.fetches() == fetches);
        const auto entries = refusals();
        REQUIRE(entries.size() == 1);
        CHECK(entries[0].action == audited_action);
        CHECK(entries[0].actor == kManager.actor);
        CHECK(entries[0].reason_code == service::kOwnerOnly);
    }

    Error update_as_manager(const service::AuthSettingsChange& change) {
        auto updated = service::update_auth_settings(*db, clock, "acme", change, kManager);
        REQUIRE_FALSE(updated.ok());
        return updated.error();
    }
};

Error error_of(const Status& status) {
    REQUIRE_FALSE(status.ok());
    return status.error();
}

template <typename T>
Error error_of(const Result<T>& result) {
    REQUIRE_FALSE(result.ok());
    return result.error();
}

}  // namespace

TEST_CASE("the owner-only rule lets owners, admin keys and the CLI through and no one else") {
    for (const CallerKind kind : {CallerKind::owner, CallerKind::admin_key, CallerKind::cli}) {
        CHECK(service::check_identity_rule(Caller{"x", kind},
                                           service::IdentityRule::identity_provider));
    }
    for (const CallerKind kind :
         {CallerKind::manager, CallerKind::member, CallerKind::scim_token}) {
        const auto refused =
            service::check_identity_rule(Caller{"x", kind}, service::IdentityRule::require_sso);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == service::kOwnerOnly);
        CHECK(refused.error().message ==
              "Only an owner of the organization can change Require SSO: it decides who can "
              "sign in as whom.");
    }
}

TEST_CASE("a signed-in member's caller kind follows the role: owner, manager, else member") {
    core::Member m;
    m.public_id = "abc";
    m.role = core::Role::owner;
    CHECK(Caller::signed_in(m).kind == CallerKind::owner);
    CHECK(Caller::signed_in(m).actor == "member:abc");
    m.role = core::Role::manager;
    CHECK(Caller::signed_in(m).kind == CallerKind::manager);
    for (const core::Role role : {core::Role::admin, core::Role::billing, core::Role::member}) {
        m.role = role;
        CHECK(Caller::signed_in(m).kind == CallerKind::member);
    }
}

TEST_CASE("a manager cannot configure the identity provider, and nothing is fetched") {
    OwnerOnlyFixture f;
    IdpDocument own;
    own.entity_id = "https://manager-idp.example/entity";
    f.publish(own);
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    f.expect_refused("saml.provider.configure", [&] {
        return error_of(
            service::configure_provider(*f.db, f.clock, "acme", input, kManager, &f.source));
    });
}

TEST_CASE("a manager cannot enter an identity provider by hand") {
    OwnerOnlyFixture f;
    service::ProviderInput input;
    input.idp_entity_id = "https://manager-idp.example/entity";
    input.sso_url = "https://manager-idp.example/sso";
    input.certificates = {shared_test_idp().identity().certificate_pem};
    f.expect_refused("saml.provider.configure", [&] {
        return error_of(service::configure_provider(*f.db, f.clock, "acme", input, kManager));
    });
}

TEST_CASE("a manager cannot fetch the identity provider's metadata again") {
    OwnerOnlyFixture f;
    f.expect_refused("saml.provider.refresh", [&] {
        return error_of(service::refresh_provider(*f.db, f.clock, "acme", kManager, &f.source));
    });
}

TEST_CASE("a manager cannot remove the identity provider") {
    OwnerOnlyFixture f;
    f.expect_refused("saml.provider.remove", [&] {
        return error_of(service::remove_provider(*f.db, f.clock, "acme", kManager));
    });
}

TEST_CASE("a manager cannot change the attribute mapping") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    core::AttributeMapping mapping;
    mapping.email = "mail-the-manager-controls";
    change.mapping = mapping;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
    CHECK(json::parse(f.refusals()[0].details)["fields"].dump().find("mapping.email") !=
          std::string::npos);
}

TEST_CASE("a manager cannot apply an attribute mapping preset") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.preset = "okta";
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("a manager cannot allow IdP-initiated sign-in") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.allow_idp_initiated = true;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("a manager cannot turn just-in-time creation off or on") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.jit_provisioning = false;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("a manager cannot turn Require SSO on") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.require_sso = true;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("a manager cannot change any SAML validation option") {
    const std::vector<std::pair<const char*, std::function<void(service::AuthSettingsChange&)>>>
        changes = {
            {"clock_skew_seconds", [](auto& c) { c.clock_skew_seconds = 600; }},
            {"require_signed_assertion", [](auto& c) { c.require_signed_assertion = true; }},
            {"require_aes_gcm", [](auto& c) { c.require_aes_gcm = true; }},
            {"max_issue_age_seconds", [](auto& c) { c.max_issue_age_seconds = 86400; }},
        };
    for (const auto& [field, set] : changes) {
        CAPTURE(field);
        OwnerOnlyFixture f;
        service::AuthSettingsChange change;
        set(change);
        f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
    }
}

TEST_CASE("a manager cannot change how long the audit log is kept") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.audit_retention_days = 1;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("a manager cannot issue a SCIM token (which also turns SCIM on)") {
    OwnerOnlyFixture f;
    f.expect_refused("scim.token.create",
                     [&] { return error_of(f.admin.create_scim_token("acme", "mine", kManager)); });
}

TEST_CASE("a manager cannot revoke a SCIM token") {
    OwnerOnlyFixture f;
    f.expect_refused("scim.token.revoke", [&] {
        return error_of(f.admin.revoke_scim_token("acme", f.scim_token.id, kManager));
    });
}

TEST_CASE("a manager cannot disable SCIM") {
    OwnerOnlyFixture f;
    f.expect_refused("scim.disable",
                     [&] { return error_of(f.admin.disable_scim("acme", kManager)); });
}

TEST_CASE("a manager cannot issue an admin API key") {
    OwnerOnlyFixture f;
    f.expect_refused("admin_key.create",
                     [&] { return error_of(f.admin.create_admin_key("acme", "mine", kManager)); });
}

TEST_CASE("a manager cannot revoke an admin API key") {
    OwnerOnlyFixture f;
    f.expect_refused("admin_key.revoke", [&] {
        return error_of(f.admin.revoke_admin_key("acme", f.admin_key.id, kManager));
    });
}

TEST_CASE("a SCIM token caller is refused every owner-only change like a manager") {
    OwnerOnlyFixture f;
    const Caller scim = Caller::scim_token(f.scim_token.id);
    service::AuthSettingsChange change;
    change.jit_provisioning = false;
    CHECK(service::update_auth_settings(*f.db, f.clock, "acme", change, scim).error().code ==
          service::kOwnerOnly);
    CHECK(f.admin.create_scim_token("acme", "more", scim).error().code == service::kOwnerOnly);
}

TEST_CASE("a manager changes the default role, and owner-only fields sent unchanged pass") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.default_role = core::Role::billing;
    change.jit_provisioning = true;      // as stored
    change.allow_idp_initiated = false;  // as stored
    auto updated = service::update_auth_settings(*f.db, f.clock, "acme", change, kManager);
    REQUIRE_MESSAGE(updated.ok(), (updated.ok() ? "" : updated.error().message));
    CHECK(updated->org.default_role == core::Role::billing);
    CHECK(f.refusals().empty());
    const auto entries = f.audit("org.auth_settings.update");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].actor == kManager.actor);
    CHECK(json::parse(entries[0].details)["changes"] ==
          json{{"default_role", {{"old", "member"}, {"new", "billing"}}}});
}

TEST_CASE("an owner and an admin key change owner-only settings") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.allow_idp_initiated = true;
    REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner).ok());
    change.allow_idp_initiated = false;
    REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change,
                                          Caller::admin_key(f.admin_key.id))
                .ok());
    CHECK(f.audit("org.auth_settings.update").size() == 2);
    CHECK(f.refusals().empty());
}

TEST_CASE("the maximum IssueInstant age is accepted from 30 to 86400 seconds only") {
    OwnerOnlyFixture f;
    for (const int seconds : {29, 86401, -1}) {
        CAPTURE(seconds);
        service::AuthSettingsChange change;
        change.max_issue_age_seconds = seconds;
        auto refused = service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "saml.config.issue_age_invalid");
        CHECK(refused.error().message.find("30 to 86400 seconds") != std::string::npos);
    }
    CHECK(f.stored().options.max_issue_age_seconds == 300);
    for (const int seconds : {30, 86400}) {
        service::AuthSettingsChange change;
        change.max_issue_age_seconds = seconds;
        REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner).ok());
        CHECK(f.stored().options.max_issue_age_seconds == seconds);
    }
}

TEST_CASE("the audit retention is accepted from 1 to 3650 days only") {
    OwnerOnlyFixture f;
    for (const int days : {0, 3651}) {
        CAPTURE(days);
        service::AuthSettingsChange change;
        change.audit_retention_days = days;
        auto refused = service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "org.audit_retention_invalid");
        CHECK(refused.error().message.find("1 to 3650 days") != std::string::npos);
    }
    service::AuthSettingsChange change;
    change.audit_retention_days = 30;
    REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner).ok());
    CHECK(service::read_auth_settings(*f.db, "acme")->org.audit_retention_days == 30);
}

TEST_CASE("requiring AES-GCM is stored with the provider and audited as old and new") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.require_aes_gcm = true;
    REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner).ok());
    CHECK(f.stored().options.require_aes_gcm);
    const auto entries = f.audit("org.auth_settings.update");
    REQUIRE(entries.size() == 1);
    CHECK(json::parse(entries[0].details)["changes"]["require_aes_gcm"] ==
          json{{"old", false}, {"new", true}});
}

TEST_CASE("auth settings JSON shows the three new settings") {
    OwnerOnlyFixture f;
    const auto settings = service::read_auth_settings(*f.db, "acme");
    REQUIRE(settings.ok());
    const json shown = service::auth_settings_json(settings->org, settings->provider);
    CHECK(shown["audit_retention_days"] == 400);
    CHECK(shown["saml"]["require_aes_gcm"] == false);
    CHECK(shown["saml"]["max_issue_age_seconds"] == 300);
}

TEST_CASE("a manager cannot turn on roles and teams from sign-in") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.apply_sign_in_attributes = true;
    f.expect_refused("org.auth_settings.update", [&] { return f.update_as_manager(change); });
}

TEST_CASE("an owner turns roles and teams from sign-in on and off, audited as old and new") {
    OwnerOnlyFixture f;
    service::AuthSettingsChange change;
    change.apply_sign_in_attributes = true;
    auto updated = service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner);
    REQUIRE(updated.ok());
    CHECK(updated->org.apply_sign_in_attributes);
    CHECK(service::auth_settings_json(updated->org,
                                      updated->provider)["apply_sign_in_attributes"] == true);
    change.apply_sign_in_attributes = false;
    REQUIRE(service::update_auth_settings(*f.db, f.clock, "acme", change, kOwner).ok());
    CHECK_FALSE(service::read_auth_settings(*f.db, "acme")->org.apply_sign_in_attributes);
    const auto entries = f.audit("org.auth_settings.update");
    REQUIRE(entries.size() == 2);
    // Newest first.
    CHECK(json::parse(entries[1].details)["changes"]["apply_sign_in_attributes"] ==
          json{{"old", false}, {"new", true}});
    CHECK(json::parse(entries[0].details)["changes"]["apply_sign_in_attributes"] ==
          json{{"old", true}, {"new", false}});
}
