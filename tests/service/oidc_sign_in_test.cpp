#include "gatehouse/oidc/authorization.hpp"
#include "oidc_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using oidc::testing::SigningKey;

namespace {

core::Member provisioned(OidcFixture& f, const std::string& email,
                         core::MemberState state = core::MemberState::invited) {
    core::Member m;
    m.org_id = f.org.id;
    m.email = email;
    m.user_name = email;
    m.state = state;
    m.source = core::MemberSource::scim;
    m.idp_managed = true;
    core::Member created;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_member(m);
        if (!inserted) return inserted.error();
        created = *inserted;
        return {};
    }));
    return created;
}

std::vector<core::AuditEntry> audit(OidcFixture& f, const std::string& action) {
    std::vector<core::AuditEntry> entries;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        store::AuditQuery query;
        query.action_prefix = action;
        entries = tx.list_audit(f.org.id, query).items;
        return {};
    }));
    return entries;
}

}  // namespace

TEST_CASE("OIDC sign-in links a SCIM-provisioned member by verified email and starts a session") {
    OidcFixture f;
    f.configure();
    const auto member = provisioned(f, "ada@example.com");
    const auto started = f.start("/organizations/acme/reports/");
    f.issue(f.claims(started));
    const auto sign_in = f.signed_in(f.callback(started));
    CHECK(sign_in.member.public_id == member.public_id);
    CHECK(sign_in.linked_now);
    CHECK(sign_in.member.state == core::MemberState::active);
    CHECK(sign_in.member.oidc_subject == std::string(kIssuer) + " okta-user-1");
    CHECK(sign_in.session.session.method == core::SessionMethod::oidc);
    CHECK(sign_in.redirect_path == "/organizations/acme/reports/");
    const auto entries = audit(f, "oidc.sign_in");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "success");
}

TEST_CASE("OIDC sign-in finds a linked member by subject even after the email changed") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    auto first = f.start();
    f.issue(f.claims(first));
    const auto linked = f.signed_in(f.callback(first));
    auto second = f.start();
    auto claims = f.claims(second);
    claims["email"] = "countess@example.com";
    f.issue(claims);
    const auto again = f.signed_in(f.callback(second));
    CHECK(again.member.public_id == linked.member.public_id);
    CHECK_FALSE(again.linked_now);
}

TEST_CASE("OIDC authorization URL carries PKCE S256 and the token request sends its verifier") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    CHECK(query_param(started.url, "code_challenge_method") == "S256");
    CHECK(query_param(started.url, "redirect_uri") ==
          std::string(kOidcBaseUrl) + "/auth/callback/acme/");
    CHECK(started.nonce.size() >= 32);
    f.issue(f.claims(started));
    f.signed_in(f.callback(started));
    const auto token_request = f.provider->last_to(std::string(kIssuer) + "/token");
    auto form = util::parse_form(token_request.body);
    REQUIRE(form.has_value());
    CHECK(oidc::pkce_challenge((*form)["code_verifier"]) == started.challenge);
    CHECK((*form)["code"] == "code-1");
    CHECK(form->count("client_secret") == 0);
    bool basic = false;
    for (const auto& [name, value] : token_request.headers) {
        if (name == "Authorization")
            basic = value == oidc::client_secret_basic(kClientId, kClientSecret);
    }
    CHECK(basic);
}

TEST_CASE("OIDC callback refuses a state that was already used, and signs nobody in twice") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    const auto started = f.start();
    f.issue(f.claims(started));
    f.signed_in(f.callback(started));
    CHECK(f.refusal_code(f.callback(started)) == "oidc.callback.unknown_state");
}

TEST_CASE("OIDC callback refuses a state it never issued") {
    OidcFixture f;
    f.configure();
    auto started = f.start();
    started.state = util::random_token(32);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.callback.unknown_state");
}

TEST_CASE("OIDC callback from another browser is refused and leaves the sign-in to its own") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    const auto started = f.start();
    f.issue(f.claims(started));
    CHECK(f.refusal_code(f.callback(started, "code-1", util::random_token(32))) ==
          "oidc.callback.browser_mismatch");
    CHECK(f.provider->requests.size() == 2);  // discovery and JWKS when configured: no exchange
    f.signed_in(f.callback(started));
}

TEST_CASE("OIDC callback with the provider's error is refused with the error named") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    auto outcome =
        f.oidc.complete(f.org, {"", started.state, "access_denied", "User said no", ""}, f.browser);
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    const auto& error = std::get<service::SsoFailure>(outcome).error;
    CHECK(error.code == "oidc.callback.error");
    CHECK(error.message.find("access_denied") != std::string::npos);
}

TEST_CASE("OIDC callback naming another issuer is refused before any code is exchanged") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    f.issue(f.claims(started));
    auto outcome = f.oidc.complete(
        f.org, {"code-1", started.state, "", "", "https://evil.example.test"}, f.browser);
    CHECK(f.refusal_code(outcome) == "oidc.callback.issuer");
    CHECK(f.provider->requests.size() == 2);  // the configuration's discovery and JWKS only
}

TEST_CASE("OIDC callback naming the org's issuer is accepted") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    f.issue(f.claims(started));
    f.signed_in(f.oidc.complete(f.org, {"code-1", started.state, "", "", kIssuer}, f.browser));
}

TEST_CASE("OIDC sign-in refuses an ID token whose nonce is not the one sent") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["nonce"] = util::random_token(32);
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.nonce");
}

TEST_CASE("OIDC sign-in refuses an ID token for another client") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["aud"] = "someone-else";
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.audience");
}

TEST_CASE("OIDC sign-in refuses an expired ID token beyond the clock skew") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["exp"] = f.clock.now() - 181;
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.expired");
}

TEST_CASE("OIDC sign-in refuses an ID token signed by a key the issuer does not publish") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    const auto stranger = SigningKey::rsa("rsa-1");  // same kid, other key
    f.issue(f.claims(started), stranger);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.signature");
}

TEST_CASE("OIDC sign-in refuses alg none") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    f.provider->id_token = oidc::testing::encode_part({{"alg", "none"}}) + "." +
                           oidc::testing::encode_part(f.claims(started)) + ".";
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.algorithm");
}

TEST_CASE("OIDC sign-in follows a key rotation: an unknown kid refetches the JWKS once") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    const int fetched_before = f.provider->jwks_fetches;
    f.provider->published = {SigningKey::second_rsa()};
    f.clock.advance(10);
    const auto started = f.start();
    f.issue(f.claims(started), SigningKey::second_rsa());
    f.signed_in(f.callback(started));
    CHECK(f.provider->jwks_fetches == fetched_before + 1);
}

TEST_CASE("OIDC sign-in does not refetch the JWKS again within the refetch interval") {
    OidcFixture f;
    f.configure();
    const int fetched_before = f.provider->jwks_fetches;
    const auto started = f.start();
    f.issue(f.claims(started), SigningKey::rsa("rsa-9"));
    CHECK(f.refusal_code(f.callback(started)) == "oidc.token.unknown_key");
    CHECK(f.provider->jwks_fetches == fetched_before);
}

TEST_CASE("OIDC sign-in with an unverified email links nobody and creates nobody") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    const auto before = f.member_count();
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["email_verified"] = false;
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.email_unverified");
    CHECK(f.member_count() == before);
}

TEST_CASE("OIDC sign-in creates a member just in time with the default role") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    f.issue(f.claims(started));
    const auto sign_in = f.signed_in(f.callback(started));
    CHECK(sign_in.created_now);
    CHECK(sign_in.member.role == f.org.default_role);
    CHECK(sign_in.member.email == "ada@example.com");
    CHECK(sign_in.member.given_name == "Ada");
    CHECK(sign_in.member.source == core::MemberSource::jit);
}

TEST_CASE("OIDC sign-in of a deactivated member is refused") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com", core::MemberState::deactivated);
    const auto started = f.start();
    f.issue(f.claims(started));
    CHECK(f.refusal_code(f.callback(started)) == "oidc.member.deactivated");
}

TEST_CASE("OIDC sign-in may not take over a member linked to another subject") {
    OidcFixture f;
    f.configure();
    provisioned(f, "ada@example.com");
    auto first = f.start();
    f.issue(f.claims(first, "subject-a"));
    f.signed_in(f.callback(first));
    auto second = f.start();
    f.issue(f.claims(second, "subject-b"));
    CHECK(f.refusal_code(f.callback(second)) == "oidc.member.subject_conflict");
}

TEST_CASE("Google sign-in refuses an account outside the hosted domains") {
    OidcFixture f;
    f.configure(core::OidcKind::google, {"example.com"});
    const auto started = f.start();
    CHECK(query_param(started.url, "hd") == "example.com");
    auto claims = f.claims(started);
    claims["hd"] = "elsewhere.org";
    f.issue(claims);
    CHECK(f.refusal_code(f.callback(started)) == "oidc.google.hosted_domain");
}

TEST_CASE("Google sign-in refuses a personal account, which carries no hd claim") {
    OidcFixture f;
    f.configure(core::OidcKind::google, {"example.com"});
    const auto started = f.start();
    f.issue(f.claims(started));
    CHECK(f.refusal_code(f.callback(started)) == "oidc.google.hosted_domain");
}

TEST_CASE("Google sign-in accepts an account of a hosted domain, compared without case") {
    OidcFixture f;
    f.configure(core::OidcKind::google, {"Example.com"});
    const auto started = f.start();
    auto claims = f.claims(started);
    claims["hd"] = "EXAMPLE.com";
    f.issue(claims);
    f.signed_in(f.callback(started));
}

TEST_CASE("hosted domains configured for any issuer restrict its sign-ins too") {
    OidcFixture f;
    f.configure(core::OidcKind::oidc, {"example.com"});
    const auto started = f.start();
    f.issue(f.claims(started));
    CHECK(f.refusal_code(f.callback(started)) == "oidc.google.hosted_domain");
}

TEST_CASE("GitHub sign-in reads the user, its primary verified email and organizations") {
    OidcFixture f;
    f.configure(core::OidcKind::github, {}, {"analytical-engines"});
    const auto started = f.start();
    CHECK(started.url.rfind(std::string(kGithubUrl) + "/login/oauth/authorize?", 0) == 0);
    CHECK(query_param(started.url, "scope").find("read:org") != std::string::npos);
    const auto sign_in = f.signed_in(f.callback(started));
    CHECK(sign_in.member.email == "ada@example.com");
    CHECK(sign_in.member.oidc_subject == std::string(kGithubUrl) + " 4242");
    CHECK(sign_in.member.family_name == "Lovelace");
    auto form = util::parse_form(
        f.provider->last_to(std::string(kGithubUrl) + "/login/oauth/access_token").body);
    REQUIRE(form.has_value());
    CHECK((*form)["client_secret"] == kClientSecret);
}

TEST_CASE("GitHub sign-in refuses a user outside the allowed organizations") {
    OidcFixture f;
    f.configure(core::OidcKind::github, {}, {"babbage-co"});
    const auto started = f.start();
    CHECK(f.refusal_code(f.callback(started)) == "github.org_not_allowed");
    CHECK(f.member_count() == 0);
}

TEST_CASE("GitHub sign-in refuses a user whose primary email is not verified") {
    OidcFixture f;
    f.configure(core::OidcKind::github, {}, {"analytical-engines"});
    f.provider->github_emails =
        R"([{"email": "ada@example.com", "primary": true, "verified": false},
            {"email": "ada@other.example", "primary": false, "verified": true}])";
    const auto started = f.start();
    CHECK(f.refusal_code(f.callback(started)) == "github.email.unverified");
}

TEST_CASE("OIDC test sign-in reports the claims and what they map to, changing nobody") {
    OidcFixture f;
    f.configure();
    const auto member = provisioned(f, "ada@example.com");
    auto url = f.oidc.start_test_login(f.org, "member:owner-1", f.browser);
    REQUIRE(std::holds_alternative<std::string>(url));
    OidcFixture::Started started{std::get<std::string>(url),
                                 query_param(std::get<std::string>(url), "state"),
                                 query_param(std::get<std::string>(url), "nonce"), ""};
    f.issue(f.claims(started));
    auto outcome = f.callback(started);
    REQUIRE(std::holds_alternative<service::OidcOutcome>(outcome));
    const auto& done = std::get<service::OidcOutcome>(outcome);
    REQUIRE(std::holds_alternative<service::OidcTestReport>(done));
    const auto& report = std::get<service::OidcTestReport>(done);
    CHECK(report.passed);
    CHECK(report.claims["email"] == "ada@example.com");
    REQUIRE(report.identity.has_value());
    CHECK(report.identity->email == "ada@example.com");
    CHECK(report.would_match == "link invited member ada@example.com");
    core::Member after;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        after = *tx.member_by_id(f.org.id, member.id);
        return {};
    }));
    CHECK(after.oidc_subject.empty());
    CHECK(after.state == core::MemberState::invited);
}

TEST_CASE("OIDC test sign-in reports a failed check instead of signing in") {
    OidcFixture f;
    f.configure();
    auto url = f.oidc.start_test_login(f.org, "cli");
    REQUIRE(std::holds_alternative<std::string>(url));
    OidcFixture::Started started{std::get<std::string>(url),
                                 query_param(std::get<std::string>(url), "state"), "", ""};
    auto claims = f.claims(started);
    claims["nonce"] = "not-the-one";
    f.issue(claims);
    auto outcome = f.oidc.complete(f.org, {"code-1", started.state, "", "", ""}, "");
    REQUIRE(std::holds_alternative<service::OidcOutcome>(outcome));
    const auto& report = std::get<service::OidcTestReport>(std::get<service::OidcOutcome>(outcome));
    CHECK_FALSE(report.passed);
    REQUIRE(report.failure.has_value());
    CHECK(report.failure->code == "oidc.token.nonce");
}

TEST_CASE("A SAML Response cannot answer a pending OpenID sign-in: their IDs never meet") {
    OidcFixture f;
    f.configure();
    const auto started = f.start();
    bool pending = false;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        pending = tx.authn_request_pending(f.org.id, started.state, f.clock.now());
        return {};
    }));
    CHECK_FALSE(pending);  // only the state's hash is stored, under its own prefix
}
