// Sign-in with OpenID Connect (any issuer, Google Workspace) and with GitHub OAuth Apps: the
// authorization code flow with PKCE, from the login redirect to a session, and test sign-ins
// that only report. The same member model as SAML: link by subject, then verified email.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/service/outbound_http.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct OidcSettings {
    std::string base_url;         // public URL of the gateway, no trailing slash
    int login_ttl_seconds = 600;  // how long a sign-in may take at the provider
    SessionPolicy sessions;
    // Where GitHub's OAuth endpoints and REST API live. Changed only for GitHub Enterprise
    // Server and for the loopback stand-in the tests use.
    std::string github_url = "https://github.com";
    std::string github_api_url = "https://api.github.com";
    // The least time between two fetches of an issuer's JWKS when an ID token names a key
    // the cached set lacks: a key rotation is picked up at once, while a stream of unknown
    // key IDs cannot make the gateway hammer the provider.
    int jwks_refetch_seconds = 5;
    // The cached discovery document and keys are fetched again at the first sign-in after
    // they reach this age, so the provider's planned key rollovers are followed.
    int keys_max_age_seconds = 24 * 3600;
};

// What the provider sent the browser back with (the callback's query parameters).
struct OidcCallback {
    std::string code;
    std::string state;
    std::string error;  // set when the provider refused (access_denied, …)
    std::string error_description;
    // The issuer the provider names (RFC 9207); when sent it must be the org's, so an
    // answer from another provider cannot be passed off as this one's (a mix-up attack).
    std::string issuer;
};

// What a test sign-in found. Nothing in it was acted on.
struct OidcTestReport {
    bool passed = false;           // every check passed (would_match may still be a refusal)
    std::optional<Error> failure;  // the first failed check
    // What the provider said, once verified: the ID token's claims, or for GitHub the user,
    // its primary verified email and its organizations. Empty when verification failed.
    nlohmann::json claims = nlohmann::json::object();
    std::optional<saml::MappedIdentity> identity;  // what the claims map to
    std::string would_match;                       // as TestReport::would_match
    std::string would_apply;                       // as TestReport::would_apply
};

using OidcOutcome = std::variant<SignIn, OidcTestReport>;

struct PendingOidcLogin;  // oidc_sign_in.hpp
struct VerifiedIdentity;  // oidc_sign_in.hpp

class OidcService {
  public:
    // `store` and `clock` must outlive the service; `http` sends every request to the
    // provider (discovery, JWKS, token endpoint, GitHub's API) and may be null, in which
    // case every sign-in fails with "oidc.fetch.unavailable". Thread-safe.
    OidcService(store::Store& store, const util::Clock& clock, OidcSettings settings,
                std::shared_ptr<OutboundHttp> http);

    // The org's provider; nullopt when it has none (or the store cannot be read).
    std::optional<core::OidcProvider> provider(const core::Org& org);

    // The redirect URI registered at the provider: <base>/auth/callback/<org>/.
    std::string callback_url(const core::Org& org) const;

    // Records a pending sign-in (state, nonce and PKCE verifier, kept for
    // login_ttl_seconds, bound to the browser whose login cookie value is `browser_key`)
    // and returns the provider's authorization URL. `next` is kept only when it is a safe
    // path on this site. Errors: "oidc.not_configured", store errors.
    SsoResult<std::string> start_login(const core::Org& org, std::string_view next,
                                       std::string_view browser_key);
    // The same with the org's provider as the caller has just read it (provider()).
    SsoResult<std::string> start_login(const core::Org& org, const core::OidcProvider& provider,
                                       std::string_view next, std::string_view browser_key);

    // Starts a test sign-in for an org admin: like start_login, but the callback reports
    // instead of signing anyone in. Audited ("oidc.test.start"). An empty `browser_key`
    // leaves it unbound (the API and the CLI hand the URL to a browser never seen here).
    SsoResult<std::string> start_test_login(const core::Org& org, const std::string& actor,
                                            std::string_view browser_key = {});

    // The callback. The state must name a pending sign-in of this org started by the same
    // browser (else "oidc.callback.unknown_state" or "oidc.callback.browser_mismatch", the
    // latter leaving it pending); it is consumed before anything else, so a state works
    // once. Then the code is exchanged at the token endpoint with the PKCE verifier and the
    // ID token verified (signature against the issuer's JWKS, iss, aud, azp, exp, iat,
    // nonce), or for GitHub the user, its primary verified email and its organizations
    // read. Links or creates the member (IdentitySpace::oidc) and starts a session; a test
    // sign-in returns its report instead. Every refusal is audited ("oidc.sign_in" or
    // "oidc.test") with its reason code and a reference, which is all the browser is shown.
    // Codes besides those above: "oidc.callback.error" (the provider refused),
    // "oidc.callback.issuer" (an `iss` parameter naming another issuer),
    // "oidc.callback.code_missing", "oidc.not_configured", the "oidc.fetch.*",
    // "oidc.token_endpoint.*", "oidc.discovery.*", "oidc.jwks.invalid" and "oidc.token.*"
    // codes of the exchange, "oidc.google.hosted_domain", "oidc.email_unverified",
    // "github.org_not_allowed", "github.*" codes of GitHub's answers, and the
    // "oidc.member.*" codes of link_or_create_member.
    SsoResult<OidcOutcome> complete(const core::Org& org, const OidcCallback& callback,
                                    std::string_view browser_key);

    const OidcSettings& settings() const { return settings_; }

  private:
    using Pending = PendingOidcLogin;
    using Verified = VerifiedIdentity;
    SsoResult<std::string> begin(const core::Org& org,
                                 const std::optional<core::OidcProvider>& configured,
                                 const std::string& action, const std::string& actor,
                                 const std::string& next, const std::string& test_actor,
                                 std::string_view browser_key);
    Result<Pending> take_pending(const core::Org& org, const OidcCallback& callback,
                                 std::string_view browser_key);
    Result<Verified> verify_oidc(const core::Org& org, core::OidcProvider provider,
                                 const Pending& pending, const std::string& code);
    Result<Verified> verify_github(const core::Org& org, const core::OidcProvider& provider,
                                   const std::string& code, const Pending& pending);
    Status refresh_keys(core::OidcProvider& provider);
    SsoFailure refuse(const core::Org& org, const std::string& action, Error error,
                      const std::string& subject = {}, const std::string& actor = "idp");

    store::Store& store_;
    const util::Clock& clock_;
    OidcSettings settings_;
    std::shared_ptr<OutboundHttp> http_;
};

}  // namespace gatehouse::service
