// Sign-in with a GitHub OAuth App: GitHub issues no ID token, so who signed in is read from
// its REST API with the access token the code is exchanged for.
#include <nlohmann/json.hpp>

#include "gatehouse/oidc/authorization.hpp"
#include "gatehouse/oidc/github.hpp"
#include "gatehouse/service/oidc_service.hpp"
#include "oidc_sign_in.hpp"

namespace gatehouse::service {

Result<OidcService::Verified> OidcService::verify_github(const core::Org& org,
                                                         const core::OidcProvider& provider,
                                                         const std::string& code,
                                                         const Pending& pending) {
    // GitHub takes the client secret in the body (client_secret_post) and answers JSON only
    // when asked to.
    OutboundRequest exchange;
    exchange.method = "POST";
    exchange.url = settings_.github_url + "/login/oauth/access_token";
    exchange.headers = {{"Accept", "application/json"}};
    exchange.body = oidc::token_request_body(code, callback_url(org), pending.verifier,
                                             provider.client_id, provider.client_secret, true);
    auto answer = http_->send(exchange);
    if (!answer) return answer.error();
    auto tokens = oidc::parse_token_response(answer->status, answer->body);
    if (!tokens) return tokens.error();
    if (tokens->access_token.empty()) {
        return fail("github.token.missing", "GitHub answered the code exchange without a token.");
    }

    auto api = [&](const std::string& path) -> Result<std::string> {
        OutboundRequest request;
        request.url = settings_.github_api_url + path;
        request.headers = {{"Accept", "application/vnd.github+json"},
                           {"X-GitHub-Api-Version", "2022-11-28"},
                           {"Authorization", "Bearer " + tokens->access_token}};
        auto reply = http_->send(request);
        if (!reply) return reply.error();
        if (reply->status != 200) {
            return fail("github.api.status", "GitHub's " + path + " answered with HTTP status " +
                                                 std::to_string(reply->status) + ".");
        }
        return std::move(reply->body);
    };
    auto user_json = api("/user");
    if (!user_json) return user_json.error();
    auto user = oidc::parse_github_user(*user_json);
    if (!user) return user.error();
    auto orgs_json = api("/user/orgs?per_page=100");
    if (!orgs_json) return orgs_json.error();
    auto orgs = oidc::parse_github_orgs(*orgs_json);
    if (!orgs) return orgs.error();

    Verified verified;
    verified.issuer = provider.issuer;
    verified.claims = {
        {"id", user->id}, {"login", user->login}, {"name", user->name}, {"orgs", *orgs}};
    if (auto allowed = check_github_orgs(*orgs, provider.allowed_orgs); !allowed) {
        return allowed.error();
    }
    auto emails_json = api("/user/emails");
    if (!emails_json) return emails_json.error();
    auto email = oidc::primary_verified_email(*emails_json);
    if (!email) return email.error();
    verified.claims["email"] = *email;
    verified.identity = identity_from_github(*user, *email);
    return verified;
}

}  // namespace gatehouse::service
