// Proves the OpenID provider fixture without the gateway: a real oidc-provider
// (tests/interop/oidc_op.js) over loopback HTTPS with its test controls, and WebClient, the
// browser stand-in that drives it. The GitHub stand-in has its own file.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/oidc_op.hpp"
#include "support/tls_fixture.hpp"
#include "support/web_client.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr const char* kClientId = "gatehouse";
constexpr const char* kClientSecret = "a-client-secret-of-more-than-32-bytes";

OidcAccount ada() {
    return {.sub = "ada",
            .email = "ada@example.com",
            .email_verified = true,
            .given_name = "Ada",
            .family_name = "Lovelace",
            .name = "Ada Lovelace",
            .hd = "example.com"};
}

OidcAccount grace() {
    return {.sub = "grace",
            .email = "grace@example.org",
            .email_verified = false,
            .given_name = "Grace",
            .family_name = "Hopper",
            .name = "Grace Hopper",
            .hd = ""};
}

std::string base64url_decode(std::string text) {
    std::replace(text.begin(), text.end(), '-', '+');
    std::replace(text.begin(), text.end(), '_', '/');
    text.append((4 - text.size() % 4) % 4, '=');
    const auto bytes = util::base64_decode(text);
    REQUIRE(bytes.has_value());
    return *bytes;
}

struct Jwt {
    json header;
    json payload;
    std::string signing_input;  // header.payload, as signed
    std::string signature;      // base64url
};

Jwt decode_jwt(const std::string& token) {
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    REQUIRE(second != std::string::npos);
    return {.header = json::parse(base64url_decode(token.substr(0, first))),
            .payload = json::parse(base64url_decode(token.substr(first + 1, second - first - 1))),
            .signing_input = token.substr(0, second),
            .signature = token.substr(second + 1)};
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The query parameters of `url`.
std::map<std::string, std::string> query_of(const std::string& url) {
    const auto question = url.find('?');
    REQUIRE(question != std::string::npos);
    const auto params = util::parse_form(url.substr(question + 1));
    REQUIRE(params.has_value());
    return *params;
}

struct Pkce {
    std::string verifier = util::random_token(32);
    std::string challenge = util::base64url_encode(util::sha256(verifier));
};

// The provider every automatic-login case shares: starting Node.js and oidc-provider takes
// one to two seconds, so it is started once. Cases leave no state behind that another
// depends on (a mutation is used up by the case that sets it).
struct SharedProvider {
    // The relying party's callback: it listens but never answers, so a test can tell that
    // WebClient stopped before requesting it.
    SilentListener callback;
    std::string redirect_uri = "http://127.0.0.1:" + std::to_string(callback.port()) + "/cb";
    OidcProviderProcess op{{.clients = {{.client_id = kClientId,
                                         .client_secret = kClientSecret,
                                         .redirect_uris = {redirect_uri},
                                         .token_endpoint_auth_method = ""}},
                            .accounts = {ada(), grace()},
                            .signing = {"RS256", "ES256"},
                            .login = OidcLogin::automatic}};
};

SharedProvider& shared_provider() {
    static SharedProvider provider;
    return provider;
}

std::string authorization_url(const SharedProvider& provider, const Pkce& pkce,
                              const std::string& state, const std::string& nonce) {
    return provider.op.issuer() + "/auth?response_type=code&client_id=" + kClientId +
           "&redirect_uri=" + util::url_encode(provider.redirect_uri) +
           "&scope=openid%20email%20profile&state=" + state + "&nonce=" + nonce +
           "&code_challenge=" + pkce.challenge + "&code_challenge_method=S256";
}

// Runs the automatic login in a fresh browser; returns the parameters of the redirect to the
// callback.
std::map<std::string, std::string> sign_in(const SharedProvider& provider, const Pkce& pkce,
                                           const std::string& state = "state-1",
                                           const std::string& nonce = "nonce-1") {
    WebClient browser(provider.op.ca_file());
    const FollowResult result =
        browser.follow(authorization_url(provider, pkce, state, nonce), provider.redirect_uri);
    REQUIRE_MESSAGE(!result.stopped_at.empty(), result.last.status, " ", result.last.body);
    return query_of(result.stopped_at);
}

// POSTs to the token endpoint with client_secret_basic, as the gateway will.
httplib::Result exchange(const SharedProvider& provider, const std::string& code,
                         const std::string& verifier) {
    auto client = provider.op.client();
    client->set_basic_auth(kClientId, kClientSecret);
    const std::string form = "grant_type=authorization_code&code=" + util::url_encode(code) +
                             "&redirect_uri=" + util::url_encode(provider.redirect_uri) +
                             "&code_verifier=" + util::url_encode(verifier);
    return client->Post("/token", form, "application/x-www-form-urlencoded");
}

// Signs in and exchanges the code; returns the ID token.
std::string fresh_id_token(const SharedProvider& provider, const std::string& nonce = "nonce-1") {
    const Pkce pkce;
    const auto params = sign_in(provider, pkce, "state-1", nonce);
    const auto response = exchange(provider, params.at("code"), pkce.verifier);
    REQUIRE(response);
    REQUIRE_MESSAGE(response->status == 200, response->body);
    return json::parse(response->body).at("id_token").get<std::string>();
}

std::vector<std::string> published_kids(const OidcProviderProcess& op) {
    const auto response = op.client()->Get("/jwks");
    REQUIRE(response);
    REQUIRE(response->status == 200);
    const json jwks = json::parse(response->body);
    std::vector<std::string> kids;
    for (const auto& key : jwks.at("keys")) {
        kids.push_back(key.at("kid").get<std::string>());
    }
    return kids;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

std::string hmac_sha256_base64url(const std::string& key, const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
    return util::base64url_encode(std::string(reinterpret_cast<char*>(digest), length));
}

}  // namespace

TEST_CASE("OIDC harness: discovery names the issuer, the token endpoint and PKCE S256") {
    const auto& op = shared_provider().op;
    CHECK(op.issuer() == "https://localhost:" + std::to_string(op.port()));
    const auto response = op.client()->Get("/.well-known/openid-configuration");
    REQUIRE(response);
    REQUIRE(response->status == 200);
    const json discovery = json::parse(response->body);
    CHECK(discovery.at("issuer") == op.issuer());
    CHECK(discovery.at("token_endpoint") == op.issuer() + "/token");
    CHECK(discovery.at("jwks_uri") == op.issuer() + "/jwks");
    const auto methods = discovery.at("code_challenge_methods_supported");
    CHECK(std::find(methods.begin(), methods.end(), "S256") != methods.end());
    const auto algs = discovery.at("id_token_signing_alg_values_supported");
    CHECK(std::find(algs.begin(), algs.end(), "RS256") != algs.end());
    CHECK(std::find(algs.begin(), algs.end(), "ES256") != algs.end());
}

TEST_CASE("OIDC harness: automatic login redirects to the callback with a code, no form shown") {
    auto& provider = shared_provider();
    WebClient browser(provider.op.ca_file());
    const Pkce pkce;
    const FollowResult result = browser.follow(
        authorization_url(provider, pkce, "state-abc", "nonce-abc"), provider.redirect_uri);

    REQUIRE(result.stopped_at.starts_with(provider.redirect_uri + "?"));
    const auto params = query_of(result.stopped_at);
    CHECK(!params.at("code").empty());
    CHECK(params.at("state") == "state-abc");
    CHECK(params.at("iss") == provider.op.issuer());  // RFC 9207
    CHECK_FALSE(provider.callback.was_connected());
    // The provider's session cookie is Secure: WebClient sends it back over https only.
    const auto cookies = browser.cookies();
    const auto session = std::find_if(cookies.begin(), cookies.end(),
                                      [](const WebCookie& c) { return c.name == "_session"; });
    REQUIRE(session != cookies.end());
    CHECK(session->host == "localhost");
    CHECK(session->secure);
}

TEST_CASE("OIDC harness: the code exchanged with PKCE yields an ID token with the claims") {
    auto& provider = shared_provider();
    const Pkce pkce;
    const auto params = sign_in(provider, pkce, "state-2", "nonce-claims");
    const auto response = exchange(provider, params.at("code"), pkce.verifier);
    REQUIRE(response);
    REQUIRE_MESSAGE(response->status == 200, response->body);
    const json tokens = json::parse(response->body);
    CHECK(tokens.at("token_type") == "Bearer");
    const Jwt id_token = decode_jwt(tokens.at("id_token").get<std::string>());

    CHECK(id_token.header.at("alg") == "RS256");
    CHECK(contains(published_kids(provider.op), id_token.header.at("kid").get<std::string>()));
    const json& claims = id_token.payload;
    CHECK(claims.at("iss") == provider.op.issuer());
    CHECK(claims.at("aud") == kClientId);
    CHECK(claims.at("sub") == "ada");
    CHECK(claims.at("nonce") == "nonce-claims");
    CHECK(claims.at("email") == "ada@example.com");
    CHECK(claims.at("email_verified") == true);
    CHECK(claims.at("hd") == "example.com");
    CHECK(claims.at("given_name") == "Ada");
    CHECK(claims.at("family_name") == "Lovelace");
    CHECK(claims.at("name") == "Ada Lovelace");

    const TokenRequest last = provider.op.token_requests().back();
    CHECK(last.grant_type == "authorization_code");
    CHECK(last.code_verifier);
    CHECK(last.client_auth_method == "client_secret_basic");
    CHECK(last.status == 200);
}

TEST_CASE("OIDC harness: an authorization code is refused the second time") {
    auto& provider = shared_provider();
    const Pkce pkce;
    const auto code = sign_in(provider, pkce).at("code");
    const auto first = exchange(provider, code, pkce.verifier);
    REQUIRE(first);
    CHECK(first->status == 200);

    const auto second = exchange(provider, code, pkce.verifier);
    REQUIRE(second);
    CHECK(second->status == 400);
    CHECK(json::parse(second->body).at("error") == "invalid_grant");
    CHECK(provider.op.token_requests().back().error == "invalid_grant");
}

TEST_CASE("OIDC harness: an authorization request without a PKCE challenge is refused") {
    auto& provider = shared_provider();
    WebClient browser(provider.op.ca_file());
    const std::string url = provider.op.issuer() +
                            "/auth?response_type=code&client_id=" + kClientId +
                            "&redirect_uri=" + util::url_encode(provider.redirect_uri) +
                            "&scope=openid%20email&state=s&nonce=n";
    const FollowResult result = browser.follow(url, provider.redirect_uri);
    REQUIRE(!result.stopped_at.empty());
    const auto params = query_of(result.stopped_at);
    CHECK(params.at("error") == "invalid_request");
    CHECK(params.count("code") == 0);
}

TEST_CASE("OIDC harness: select_login makes automatic login sign in another account") {
    auto& provider = shared_provider();
    provider.op.select_login("grace");
    const Jwt id_token = decode_jwt(fresh_id_token(provider));
    provider.op.select_login("ada");
    CHECK(id_token.payload.at("sub") == "grace");
    CHECK(id_token.payload.at("email") == "grace@example.org");
    CHECK(id_token.payload.at("email_verified") == false);
    CHECK_FALSE(id_token.payload.contains("hd"));
    CHECK_THROWS_AS(provider.op.select_login("nobody"), std::runtime_error);
}

TEST_CASE("OIDC harness: each mutation makes only the next ID token hostile") {
    auto& provider = shared_provider();
    const auto kids = published_kids(provider.op);
    const auto current_kid = decode_jwt(fresh_id_token(provider)).header.at("kid");

    const auto mutated = [&](IdTokenMutation mutation) {
        provider.op.mutate_next_token(mutation);
        return decode_jwt(fresh_id_token(provider, "nonce-m"));
    };

    SUBCASE("wrong_nonce") {
        const Jwt token = mutated(IdTokenMutation::wrong_nonce);
        CHECK(token.payload.at("nonce") != "nonce-m");
        CHECK(token.header.at("kid") == current_kid);
    }
    SUBCASE("wrong_audience") {
        const Jwt token = mutated(IdTokenMutation::wrong_audience);
        CHECK(token.payload.at("aud") != kClientId);
        CHECK(token.header.at("kid") == current_kid);
    }
    SUBCASE("wrong_issuer") {
        const Jwt token = mutated(IdTokenMutation::wrong_issuer);
        CHECK(token.payload.at("iss") != provider.op.issuer());
    }
    SUBCASE("expired") {
        const Jwt token = mutated(IdTokenMutation::expired);
        CHECK(token.payload.at("exp").get<std::int64_t>() < now_seconds() - 3600);
        CHECK(token.payload.at("iat").get<std::int64_t>() < now_seconds() - 3600);
    }
    SUBCASE("tampered") {
        const Jwt token = mutated(IdTokenMutation::tampered);
        CHECK(token.header.at("alg") == "RS256");
        CHECK(token.payload.at("email") != "ada@example.com");
        CHECK(token.payload.at("nonce") == "nonce-m");
    }
    SUBCASE("alg_none") {
        const Jwt token = mutated(IdTokenMutation::alg_none);
        CHECK(token.header == json{{"alg", "none"}});
        CHECK(token.signature.empty());
        CHECK(token.payload.at("email") == "ada@example.com");
    }
    SUBCASE("unknown_kid") {
        const Jwt token = mutated(IdTokenMutation::unknown_kid);
        CHECK(token.header.at("alg") == "RS256");
        CHECK_FALSE(contains(kids, token.header.at("kid").get<std::string>()));
        CHECK_FALSE(
            contains(published_kids(provider.op), token.header.at("kid").get<std::string>()));
    }
    SUBCASE("hs256") {
        const Jwt token = mutated(IdTokenMutation::hs256);
        CHECK(token.header.at("alg") == "HS256");
        CHECK_FALSE(token.header.contains("kid"));
        CHECK(token.signature == hmac_sha256_base64url(kClientSecret, token.signing_input));
    }

    // The mutation was used up: the next token is as issued.
    const Jwt after = decode_jwt(fresh_id_token(provider, "nonce-after"));
    CHECK(after.payload.at("nonce") == "nonce-after");
    CHECK(after.payload.at("aud") == kClientId);
    CHECK(after.payload.at("email") == "ada@example.com");
    CHECK(after.header.at("alg") == "RS256");
}

TEST_CASE("OIDC harness: rotate_keys signs with a new kid that the JWKS publishes") {
    auto& provider = shared_provider();
    const std::string old_kid = decode_jwt(fresh_id_token(provider)).header.at("kid");

    const auto kept = provider.op.rotate_keys(true);
    REQUIRE(kept.size() == 2);  // RS256 and ES256
    const std::string new_kid = decode_jwt(fresh_id_token(provider)).header.at("kid");
    CHECK(new_kid != old_kid);
    CHECK(contains(kept, new_kid));
    CHECK(contains(published_kids(provider.op), new_kid));
    CHECK(contains(published_kids(provider.op), old_kid));

    const auto replaced = provider.op.rotate_keys(false);
    const auto kids = published_kids(provider.op);
    CHECK(kids.size() == 2);
    CHECK(contains(kids, replaced.front()));
    CHECK_FALSE(contains(kids, new_kid));
    CHECK_FALSE(contains(kids, old_kid));
}

TEST_CASE("OIDC harness: the login form signs in the account whose sub is typed") {
    const SilentListener callback;
    const std::string redirect_uri = "http://127.0.0.1:" + std::to_string(callback.port()) + "/cb";
    OidcProviderProcess op({.clients = {{.client_id = kClientId,
                                         .client_secret = kClientSecret,
                                         .redirect_uris = {redirect_uri},
                                         .token_endpoint_auth_method = "client_secret_post"}},
                            .accounts = {ada(), grace()},
                            .signing = {"ES256"},
                            .login = OidcLogin::form});
    WebClient browser(op.ca_file());
    const Pkce pkce;
    const FollowResult page = browser.follow(
        op.issuer() + "/auth?response_type=code&client_id=" + kClientId +
            "&redirect_uri=" + util::url_encode(redirect_uri) +
            "&scope=openid%20email%20profile&state=s&nonce=n&code_challenge=" + pkce.challenge +
            "&code_challenge_method=S256",
        redirect_uri);
    REQUIRE(page.stopped_at.empty());
    REQUIRE(page.last.status == 200);
    const std::string& html = page.last.body;
    const auto action_at = html.find("action=\"");
    REQUIRE(action_at != std::string::npos);
    const auto action_start = action_at + 8;
    const std::string action =
        html.substr(action_start, html.find('"', action_start) - action_start);

    const FollowResult done = browser.follow(
        browser.post_form(action, {{"prompt", "login"}, {"login", "grace"}, {"password", "x"}}),
        redirect_uri);
    REQUIRE(!done.stopped_at.empty());
    const auto code = query_of(done.stopped_at).at("code");

    httplib::Params form = {{"grant_type", "authorization_code"},
                            {"code", code},
                            {"redirect_uri", redirect_uri},
                            {"code_verifier", pkce.verifier},
                            {"client_id", kClientId},
                            {"client_secret", kClientSecret}};
    const auto response = op.client()->Post("/token", form);
    REQUIRE(response);
    REQUIRE_MESSAGE(response->status == 200, response->body);
    const Jwt id_token = decode_jwt(json::parse(response->body).at("id_token").get<std::string>());
    CHECK(id_token.header.at("alg") == "ES256");
    CHECK(id_token.payload.at("sub") == "grace");
    CHECK(op.token_requests().back().client_auth_method == "client_secret_post");
}

TEST_CASE("OIDC harness: WebClient refuses every host but localhost and 127.0.0.1") {
    WebClient browser;
    CHECK_THROWS_AS(browser.get("https://example.com/"), std::invalid_argument);
    CHECK_THROWS_AS(browser.get("http://10.0.0.1:8080/"), std::invalid_argument);
    CHECK_THROWS_AS(browser.get("http://localhost.example.com/"), std::invalid_argument);
    CHECK_THROWS_AS(browser.get("http://user@evil.test@127.0.0.1/"), std::invalid_argument);

    // A redirect away from loopback is refused too, before it is requested.
    const TlsFiles tls;
    write_self_signed(tls, "localhost", "127.0.0.1");
    const TestHttpsServer server(tls, [](httplib::Server& s) {
        s.Get("/away", [](const httplib::Request&, httplib::Response& response) {
            response.set_redirect("https://github.com/login");
        });
    });
    WebClient trusting(tls.certificate_file);
    CHECK_THROWS_AS(trusting.follow(server.url("/away", "localhost"), "http://nowhere/"),
                    std::invalid_argument);
}

TEST_CASE("OIDC harness: WebClient sends cookies by path and drops expired ones") {
    const TlsFiles tls;
    write_self_signed(tls, "localhost", "127.0.0.1");
    const TestHttpsServer server(tls, [](httplib::Server& s) {
        s.Get("/set", [](const httplib::Request&, httplib::Response& response) {
            response.set_header("Set-Cookie", "scoped=1; Path=/app; HttpOnly");
            response.set_header("Set-Cookie", "kept=2; Max-Age=60; Secure; SameSite=Lax");
            response.set_header("Set-Cookie", "gone=3; Max-Age=0");
            response.set_header("Set-Cookie", "old=4; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        });
        const auto echo = [](const httplib::Request& request, httplib::Response& response) {
            response.set_content(request.get_header_value("Cookie"), "text/plain");
        };
        s.Get("/app/page", echo);
        s.Get("/application", echo);
    });
    WebClient browser(tls.certificate_file);
    browser.get(server.url("/set", "localhost"));

    CHECK(browser.get(server.url("/app/page", "localhost")).body == "scoped=1; kept=2");
    CHECK(browser.get(server.url("/application", "localhost")).body == "kept=2");
    CHECK(browser.cookie("localhost", "gone") == std::nullopt);
    CHECK(browser.cookie("localhost", "old") == std::nullopt);
    // Cookies belong to the host name: 127.0.0.1 is another host.
    CHECK(browser.cookie("127.0.0.1", "kept") == std::nullopt);
}
