// The OpenID service tests' org "acme" with an OidcService whose requests go to a fake
// provider in memory: a discovery document, a JWKS of test keys, a token endpoint that
// answers with whatever ID token the test signs, and GitHub's OAuth and REST endpoints.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../store/store_fixture.hpp"
#include "gatehouse/oidc/authorization.hpp"
#include "gatehouse/service/oidc_config.hpp"
#include "gatehouse/service/oidc_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/jws_signer.hpp"

namespace gatehouse::testing {

inline constexpr const char* kOidcBaseUrl = "https://gatehouse.example.test";
inline constexpr const char* kIssuer = "https://op.example.test";
inline constexpr const char* kGithubUrl = "https://github.example.test";
inline constexpr const char* kGithubApiUrl = "https://api.github.example.test";
inline constexpr const char* kClientId = "gatehouse-client";
inline constexpr const char* kClientSecret = "s3cret:with/odd chars";

// Answers the gateway's requests as an OpenID provider and GitHub would; records them.
class FakeProvider final : public service::OutboundHttp {
  public:
    std::vector<oidc::testing::SigningKey> published{oidc::testing::SigningKey::shared_rsa()};
    std::string id_token;  // what the token endpoint hands out next
    int token_status = 200;
    std::string github_user = R"({"id": 4242, "login": "ada", "name": "Ada Lovelace"})";
    std::string github_emails =
        R"([{"email": "ada@example.com", "primary": true, "verified": true}])";
    std::string github_orgs = R"([{"login": "Analytical-Engines"}])";

    std::vector<service::OutboundRequest> requests;
    int jwks_fetches = 0;

    Result<service::OutboundAnswer> send(const service::OutboundRequest& request) override {
        std::lock_guard lock(mutex_);
        requests.push_back(request);
        const std::string& url = request.url;
        if (url == std::string(kIssuer) + "/.well-known/openid-configuration") {
            return ok(
                nlohmann::json{{"issuer", kIssuer},
                               {"authorization_endpoint", std::string(kIssuer) + "/authorize"},
                               {"token_endpoint", std::string(kIssuer) + "/token"},
                               {"jwks_uri", std::string(kIssuer) + "/jwks"},
                               {"code_challenge_methods_supported", {"S256"}},
                               {"id_token_signing_alg_values_supported", {"RS256", "ES256"}}}
                    .dump());
        }
        if (url == std::string(kIssuer) + "/jwks") {
            ++jwks_fetches;
            std::vector<nlohmann::json> keys;
            for (const auto& key : published) keys.push_back(key.jwk());
            return ok(oidc::testing::jwks_text(keys));
        }
        if (url == std::string(kIssuer) + "/token") {
            return service::OutboundAnswer{
                token_status,
                nlohmann::json{
                    {"access_token", "at-1"}, {"token_type", "Bearer"}, {"id_token", id_token}}
                    .dump(),
                "application/json"};
        }
        if (url == std::string(kGithubUrl) + "/login/oauth/access_token") {
            return ok(
                R"({"access_token": "gho_test", "token_type": "bearer", "scope": "read:org"})");
        }
        if (url == std::string(kGithubApiUrl) + "/user") return ok(github_user);
        if (url == std::string(kGithubApiUrl) + "/user/emails") return ok(github_emails);
        if (url == std::string(kGithubApiUrl) + "/user/orgs?per_page=100") return ok(github_orgs);
        return service::OutboundAnswer{404, "not found", "text/plain"};
    }

    // The last request sent to `url`.
    service::OutboundRequest last_to(const std::string& url) {
        std::lock_guard lock(mutex_);
        for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
            if (it->url == url) return *it;
        }
        FAIL("no request was sent to " << url);
        return {};
    }

  private:
    static service::OutboundAnswer ok(std::string body) {
        return {200, std::move(body), "application/json"};
    }
    std::mutex mutex_;
};

// The query parameter `name` of `url`, decoded.
inline std::string query_param(const std::string& url, const std::string& name) {
    const auto query = url.find('?');
    REQUIRE(query != std::string::npos);
    auto form = util::parse_form(url.substr(query + 1));
    REQUIRE(form.has_value());
    const auto found = form->find(name);
    return found == form->end() ? std::string() : found->second;
}

struct OidcFixture : StoreFixture {
    util::FixedClock clock{util::SystemClock{}.now()};
    core::Org org = make_org("acme");
    std::shared_ptr<FakeProvider> provider = std::make_shared<FakeProvider>();
    service::OidcService oidc{*db, clock, settings(), provider};
    std::string browser = util::random_token(32);

    static service::OidcSettings settings() {
        service::OidcSettings settings;
        settings.base_url = kOidcBaseUrl;
        settings.github_url = kGithubUrl;
        settings.github_api_url = kGithubApiUrl;
        return settings;
    }

    // Configures the org's provider as its owner would.
    void configure(core::OidcKind kind = core::OidcKind::oidc,
                   std::vector<std::string> hosted_domains = {},
                   std::vector<std::string> allowed_orgs = {}) {
        service::OidcProviderInput input;
        input.kind = kind;
        input.issuer = kIssuer;
        input.client_id = kClientId;
        input.client_secret = kClientSecret;
        input.hosted_domains = std::move(hosted_domains);
        input.allowed_orgs = std::move(allowed_orgs);
        auto configured = service::configure_oidc_provider(
            *db, clock, "acme", input, service::Caller::cli(), provider.get(), kGithubUrl);
        REQUIRE_MESSAGE(configured.ok(), (configured.ok() ? "" : configured.error().message));
    }

    // A started sign-in: the URL the browser is sent to and what it carries.
    struct Started {
        std::string url, state, nonce, challenge;
    };
    Started start(const std::string& next = "") {
        auto started = oidc.start_login(org, next, browser);
        REQUIRE(std::holds_alternative<std::string>(started));
        const std::string url = std::get<std::string>(started);
        return {url, query_param(url, "state"), query_param(url, "nonce"),
                query_param(url, "code_challenge")};
    }

    // Claims an honest provider signs for the sign-in `started`.
    nlohmann::json claims(const Started& started, const std::string& sub = "okta-user-1") const {
        return {{"iss", kIssuer},
                {"sub", sub},
                {"aud", kClientId},
                {"exp", clock.now() + 300},
                {"iat", clock.now()},
                {"nonce", started.nonce},
                {"email", "ada@example.com"},
                {"email_verified", true},
                {"given_name", "Ada"},
                {"family_name", "Lovelace"}};
    }

    // Makes the token endpoint hand out `claims` signed by `key`.
    void issue(const nlohmann::json& claims,
               const oidc::testing::SigningKey& key = oidc::testing::SigningKey::shared_rsa(),
               std::string_view alg = "RS256") {
        provider->id_token =
            oidc::testing::sign_compact(oidc::testing::header_for(key, alg), claims, key);
    }

    service::SsoResult<service::OidcOutcome> callback(const Started& started,
                                                      const std::string& code = "code-1",
                                                      const std::string& from_browser = "") {
        return oidc.complete(org, {code, started.state, "", "", ""},
                             from_browser.empty() ? browser : from_browser);
    }

    std::string refusal_code(const service::SsoResult<service::OidcOutcome>& outcome) {
        REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
        return std::get<service::SsoFailure>(outcome).error.code;
    }

    service::SignIn signed_in(const service::SsoResult<service::OidcOutcome>& outcome) {
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            FAIL("refused: " << failure->error.code << ": " << failure->error.message);
        }
        const auto& done = std::get<service::OidcOutcome>(outcome);
        REQUIRE(std::holds_alternative<service::SignIn>(done));
        return std::get<service::SignIn>(done);
    }

    std::int64_t member_count() {
        std::int64_t count = 0;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            count = tx.list_members(org.id, {}, {0, 1000}).total;
            return {};
        }));
        return count;
    }
};

}  // namespace gatehouse::testing
