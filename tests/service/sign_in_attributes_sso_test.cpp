// Roles and teams carried by real SAML and OpenID sign-ins, through SsoService and
// OidcService: applied in the sign-in's transaction, refused whole, shown by test sign-ins.
#include <doctest/doctest.h>

#include <algorithm>

#include "gatehouse/service/sign_in_attributes.hpp"
#include "oidc_fixture.hpp"
#include "sso_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

void turn_on(StoreFixture& f, core::Org& org) {
    org.apply_sign_in_attributes = true;
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.update_org(org); }));
}

std::vector<std::string> team_slugs(StoreFixture& f, core::RowId org_id, core::RowId member_id) {
    std::vector<std::string> slugs;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        for (const auto& t : tx.teams_of_member(org_id, member_id)) slugs.push_back(t.slug);
        return {};
    }));
    std::sort(slugs.begin(), slugs.end());
    return slugs;
}

// Sets attribute `name` of the Response to `values`, replacing what the spec had.
void set_attribute(ResponseSpec& spec, const std::string& name, std::vector<std::string> values) {
    for (auto& [attribute, held] : spec.attributes) {
        if (attribute == name) {
            held = std::move(values);
            return;
        }
    }
    spec.attributes.emplace_back(name, std::move(values));
}

service::SignIn saml_sign_in(const service::SsoResult<service::SignIn>& outcome) {
    if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
        FAIL("refused: " << failure->error.code << ": " << failure->error.message);
    }
    return std::get<service::SignIn>(outcome);
}

// An OpenID test sign-in started by `actor`, answered with `claims`.
service::OidcTestReport oidc_test_report(OidcFixture& f, nlohmann::json claims) {
    auto url = f.oidc.start_test_login(f.org, "cli");
    REQUIRE(std::holds_alternative<std::string>(url));
    OidcFixture::Started started{std::get<std::string>(url),
                                 query_param(std::get<std::string>(url), "state"),
                                 query_param(std::get<std::string>(url), "nonce"), ""};
    const nlohmann::json honest = f.claims(started);
    for (const auto& [name, value] : honest.items()) {
        if (!claims.contains(name)) claims[name] = value;
    }
    f.issue(claims);
    auto outcome = f.callback(started);
    REQUIRE(std::holds_alternative<service::OidcOutcome>(outcome));
    const auto& done = std::get<service::OidcOutcome>(outcome);
    REQUIRE(std::holds_alternative<service::OidcTestReport>(done));
    return std::get<service::OidcTestReport>(done);
}

// Configures the OpenID provider with role and groups claims.
void configure_claims(OidcFixture& f, const std::string& role_claim,
                      const std::string& groups_claim) {
    service::OidcProviderInput input;
    input.issuer = kIssuer;
    input.client_id = kClientId;
    input.client_secret = kClientSecret;
    input.role_claim = role_claim;
    input.groups_claim = groups_claim;
    auto configured = service::configure_oidc_provider(
        *f.db, f.clock, "acme", input, service::Caller::cli(), f.provider.get(), kGithubUrl);
    REQUIRE_MESSAGE(configured.ok(), (configured.ok() ? "" : configured.error().message));
}

}  // namespace

TEST_CASE("a SAML sign-in gives the member the role and teams its Response carries") {
    TestLoginFixture f;
    turn_on(f, f.org);
    auto spec = f.spec_for(f.start_real());
    set_attribute(spec, "role", {"manager"});
    set_attribute(spec, "groups", {"Platform Team", "eng"});
    const auto signed_in = saml_sign_in(
        f.sso.complete_login(f.org, TestLoginFixture::signed_response(spec), "", f.browser));
    CHECK(signed_in.created_now);
    CHECK(signed_in.member.role == core::Role::manager);
    CHECK(f.member(signed_in.member).role == core::Role::manager);
    CHECK(team_slugs(f, f.org.id, signed_in.member.id) ==
          std::vector<std::string>{"eng", "platform-team"});
}

TEST_CASE("a SAML sign-in with a role the org does not accept is refused and creates nobody") {
    TestLoginFixture f;
    turn_on(f, f.org);
    auto spec = f.spec_for(f.start_real());
    set_attribute(spec, "role", {"superuser"});
    const auto outcome =
        f.sso.complete_login(f.org, TestLoginFixture::signed_response(spec), "", f.browser);
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK(std::get<service::SsoFailure>(outcome).error.code == "sso.role_invalid");
    CHECK(f.member_count() == 0);
    const auto refusals = f.audit("saml.sign_in");
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0].reason_code == "sso.role_invalid");
    CHECK(refusals[0].details.find("superuser") != std::string::npos);
}

TEST_CASE("a SAML sign-in with the option off ignores the role and groups it carries") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_real());
    set_attribute(spec, "role", {"superuser"});
    const auto signed_in = saml_sign_in(
        f.sso.complete_login(f.org, TestLoginFixture::signed_response(spec), "", f.browser));
    CHECK(signed_in.member.role == f.org.default_role);
    CHECK(team_slugs(f, f.org.id, signed_in.member.id).empty());
}

TEST_CASE("a SAML test sign-in reports the role and teams a sign-in would apply") {
    TestLoginFixture f;
    turn_on(f, f.org);
    auto spec = f.spec_for(f.start_test());
    set_attribute(spec, "role", {"admin"});
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), "");
    CHECK(report.passed);
    CHECK(report.would_apply == "role admin; teams: join eng, ops; create eng, ops");
    CHECK(f.member_count() == 0);
}

TEST_CASE("a SAML test sign-in reports why a role would be refused") {
    TestLoginFixture f;
    turn_on(f, f.org);
    auto spec = f.spec_for(f.start_test());
    set_attribute(spec, "role", {"owner"});
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), "");
    CHECK(report.would_apply.find("(sso.role_invalid)") != std::string::npos);
}

TEST_CASE("an OpenID sign-in takes the role from a string claim and groups from an array claim") {
    OidcFixture f;
    turn_on(f, f.org);
    configure_claims(f, "gatehouse_role", "groups");
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["gatehouse_role"] = "billing";
    claims["groups"] = {"Eng", "Data Science"};
    f.issue(claims);
    const auto signed_in = f.signed_in(f.callback(started));
    CHECK(signed_in.member.role == core::Role::billing);
    CHECK(team_slugs(f, f.org.id, signed_in.member.id) ==
          std::vector<std::string>{"data-science", "eng"});
}

TEST_CASE("an OpenID sign-in takes groups from a string claim and the role from an array") {
    OidcFixture f;
    turn_on(f, f.org);
    configure_claims(f, "roles", "team");
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["roles"] = {"admin", "member"};
    claims["team"] = "Eng";
    f.issue(claims);
    const auto signed_in = f.signed_in(f.callback(started));
    CHECK(signed_in.member.role == core::Role::admin);
    CHECK(team_slugs(f, f.org.id, signed_in.member.id) == std::vector<std::string>{"eng"});
}

TEST_CASE("an OpenID sign-in with a role the org does not accept is refused and creates nobody") {
    OidcFixture f;
    turn_on(f, f.org);
    configure_claims(f, "gatehouse_role", "");
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["gatehouse_role"] = "owner";
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "sso.role_invalid");
    CHECK(f.member_count() == 0);
}

TEST_CASE("an OpenID test sign-in reports the role and teams a sign-in would apply") {
    OidcFixture f;
    turn_on(f, f.org);
    configure_claims(f, "gatehouse_role", "groups");
    const auto report = oidc_test_report(f, {{"gatehouse_role", "manager"}, {"groups", {"Eng"}}});
    CHECK(report.identity->role == "manager");
    CHECK(report.would_apply == "role manager; teams: join eng; create eng");
    CHECK(f.member_count() == 0);
}

TEST_CASE("the OpenID provider keeps its role and groups claims until they are changed") {
    OidcFixture f;
    configure_claims(f, " gatehouse_role ", "groups");
    auto view = service::oidc_provider_view(*f.db, "acme");
    REQUIRE(view.ok());
    CHECK((*view)->role_claim == "gatehouse_role");
    CHECK((*view)->groups_claim == "groups");
    f.configure();  // claims not given: kept
    view = service::oidc_provider_view(*f.db, "acme");
    CHECK((*view)->groups_claim == "groups");
    configure_claims(f, "", "");
    view = service::oidc_provider_view(*f.db, "acme");
    CHECK((*view)->role_claim.empty());
    CHECK((*view)->groups_claim.empty());
}

TEST_CASE("a GitHub provider stores no role or groups claims") {
    OidcFixture f;
    service::OidcProviderInput input;
    input.kind = core::OidcKind::github;
    input.client_id = kClientId;
    input.client_secret = kClientSecret;
    input.allowed_orgs = {"analytical-engines"};
    input.role_claim = "role";
    input.groups_claim = "groups";
    REQUIRE(service::configure_oidc_provider(*f.db, f.clock, "acme", input, service::Caller::cli(),
                                             f.provider.get(), kGithubUrl)
                .ok());
    auto view = service::oidc_provider_view(*f.db, "acme");
    CHECK((*view)->role_claim.empty());
    CHECK((*view)->groups_claim.empty());
}
