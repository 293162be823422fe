#include "gatehouse/service/auth_settings.hpp"
#include "oidc_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

service::OidcProviderInput input(core::OidcKind kind = core::OidcKind::oidc) {
    service::OidcProviderInput in;
    in.kind = kind;
    in.issuer = kIssuer;
    in.client_id = kClientId;
    in.client_secret = kClientSecret;
    return in;
}

Result<service::OidcProviderView> configure(
    OidcFixture& f, const service::OidcProviderInput& in,
    const service::Caller& caller = service::Caller::cli()) {
    return service::configure_oidc_provider(*f.db, f.clock, "acme", in, caller, f.provider.get(),
                                            kGithubUrl);
}

std::optional<core::OidcProvider> stored(OidcFixture& f) {
    std::optional<core::OidcProvider> provider;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        provider = tx.oidc_provider(f.org.id);
        return {};
    }));
    return provider;
}

}  // namespace

TEST_CASE("configure_oidc_provider checks the issuer's discovery document and keys, then stores") {
    OidcFixture f;
    auto view = configure(f, input());
    REQUIRE(view.ok());
    CHECK(view->authorization_endpoint == std::string(kIssuer) + "/authorize");
    CHECK(view->signing_keys == 1);
    CHECK(view->client_secret_set);
    const auto provider = stored(f);
    REQUIRE(provider.has_value());
    CHECK(provider->client_secret == kClientSecret);
    CHECK_FALSE(provider->jwks.empty());
}

TEST_CASE("configure_oidc_provider refuses a manager before fetching anything") {
    OidcFixture f;
    core::Member manager = f.make_member(f.org.id, "manager");
    manager.role = core::Role::manager;
    auto view = configure(f, input(), service::Caller::signed_in(manager));
    REQUIRE_FALSE(view.ok());
    CHECK(view.error().code == service::kOwnerOnly);
    CHECK(f.provider->requests.empty());
    CHECK_FALSE(stored(f).has_value());
}

TEST_CASE("configure_oidc_provider refuses an issuer whose document names another issuer") {
    OidcFixture f;
    auto in = input();
    in.issuer = std::string(kIssuer) + "/";
    auto view = configure(f, in);
    REQUIRE_FALSE(view.ok());
    CHECK(view.error().code.rfind("oidc.", 0) == 0);
    CHECK_FALSE(stored(f).has_value());
}

TEST_CASE("configure_oidc_provider refuses an http issuer") {
    OidcFixture f;
    auto in = input();
    in.issuer = "http://op.example.test";
    auto view = configure(f, in);
    REQUIRE_FALSE(view.ok());
    CHECK(view.error().code == "oidc.config.issuer_invalid");
    CHECK(f.provider->requests.empty());
}

TEST_CASE(
    "configure_oidc_provider needs a hosted domain for Google and an organization for GitHub") {
    OidcFixture f;
    auto google = input(core::OidcKind::google);
    google.issuer.clear();
    auto refused = configure(f, google);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "oidc.config.incomplete");
    auto github = input(core::OidcKind::github);
    auto no_org = configure(f, github);
    REQUIRE_FALSE(no_org.ok());
    CHECK(no_org.error().code == "oidc.config.incomplete");
    github.allowed_orgs = {"  Analytical-Engines ", "analytical-engines"};
    auto view = configure(f, github);
    REQUIRE(view.ok());
    CHECK(view->issuer == kGithubUrl);
    CHECK(view->allowed_orgs == std::vector<std::string>{"analytical-engines"});
}

TEST_CASE(
    "configure_oidc_provider keeps the stored secret when none is given for the same client") {
    OidcFixture f;
    REQUIRE(configure(f, input()).ok());
    auto again = input();
    again.client_secret.clear();
    again.clock_skew_seconds = 30;
    REQUIRE(configure(f, again).ok());
    CHECK(stored(f)->client_secret == kClientSecret);
    CHECK(stored(f)->clock_skew_seconds == 30);
    auto other_client = again;
    other_client.client_id = "another-client";
    auto refused = configure(f, other_client);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "oidc.config.incomplete");
}

TEST_CASE("configure_oidc_provider treats Google's issuer as Google Workspace, domains required") {
    OidcFixture f;
    auto plain = input();
    plain.issuer = service::kGoogleIssuer;
    auto refused = configure(f, plain);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "oidc.config.incomplete");
    CHECK(refused.error().message.find("hosted domain") != std::string::npos);
    CHECK(f.provider->requests.empty());
    CHECK_FALSE(stored(f).has_value());
}

TEST_CASE("configure_oidc_provider never writes the client secret to the audit log") {
    OidcFixture f;
    REQUIRE(configure(f, input()).ok());
    std::vector<core::AuditEntry> entries;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        entries = tx.list_audit(f.org.id, {}).items;
        return {};
    }));
    REQUIRE_FALSE(entries.empty());
    for (const auto& entry : entries) {
        CHECK(entry.details.find(kClientSecret) == std::string::npos);
    }
    CHECK(entries.front().action == "oidc.provider.configure");
}

TEST_CASE("an org signs in with one provider: OpenID Connect replaces SAML") {
    OidcFixture f;
    core::SamlProvider saml;
    saml.org_id = f.org.id;
    saml.idp_entity_id = "https://idp.example.test";
    saml.sso_url = "https://idp.example.test/sso";
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.put_saml_provider(saml); }));
    REQUIRE(configure(f, input()).ok());
    bool has_saml = true;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        has_saml = tx.saml_provider(f.org.id).has_value();
        return {};
    }));
    CHECK_FALSE(has_saml);
}

TEST_CASE("Require SSO can be turned on for an org that signs in with OpenID Connect") {
    OidcFixture f;
    REQUIRE(configure(f, input()).ok());
    core::Member owner = f.make_member(f.org.id, "owner");
    owner.role = core::Role::owner;
    owner.state = core::MemberState::active;
    owner.break_glass = true;
    owner.password_hash = "$argon2id$placeholder";
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto updated = tx.update_member(owner);
        if (!updated) return updated.error();
        return {};
    }));
    service::AuthSettingsChange change;
    change.require_sso = true;
    auto updated =
        service::update_auth_settings(*f.db, f.clock, "acme", change, service::Caller::cli());
    REQUIRE_MESSAGE(updated.ok(), (updated.ok() ? "" : updated.error().message));
    CHECK(updated->org.require_sso);
}

TEST_CASE("remove_oidc_provider is refused while Require SSO is on") {
    OidcFixture f;
    REQUIRE(configure(f, input()).ok());
    f.org.require_sso = true;
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.update_org(f.org); }));
    const Status removed =
        service::remove_oidc_provider(*f.db, f.clock, "acme", service::Caller::cli());
    REQUIRE_FALSE(removed.ok());
    CHECK(removed.error().code == "auth.require_sso.on");
    CHECK(stored(f).has_value());
}
