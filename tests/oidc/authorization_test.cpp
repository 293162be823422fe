#include "gatehouse/oidc/authorization.hpp"

#include <doctest/doctest.h>

#include "gatehouse/util/encoding.hpp"

using namespace gatehouse;
using namespace gatehouse::oidc;

namespace {

std::string error_code(int status, std::string_view body) {
    const auto tokens = parse_token_response(status, body);
    REQUIRE_FALSE(tokens.ok());
    return tokens.error().code;
}

}  // namespace

TEST_CASE("The PKCE S256 challenge matches RFC 7636 Appendix B") {
    CHECK(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("A new PKCE verifier is 43 unreserved characters and differs each time") {
    const std::string verifier = new_pkce_verifier();
    CHECK(verifier.size() == 43);
    CHECK(verifier.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") ==
          std::string::npos);
    CHECK(new_pkce_verifier() != verifier);
}

TEST_CASE("The authorization URL carries every parameter, percent-encoded, in order") {
    AuthorizationRequest request;
    request.endpoint = "https://accounts.example.com/o/oauth2/v2/auth";
    request.client_id = "client 1";
    request.redirect_uri = "https://gh.example/auth/callback/acme/";
    request.state = "s+t/a=te";
    request.nonce = "n&nce";
    request.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    request.extra = {{"hd", "example.com"}, {"prompt", "select_account"}};
    CHECK(authorization_url(request) ==
          "https://accounts.example.com/o/oauth2/v2/auth?response_type=code&client_id=client%201"
          "&redirect_uri=https%3A%2F%2Fgh.example%2Fauth%2Fcallback%2Facme%2F"
          "&scope=openid%20email%20profile&state=s%2Bt%2Fa%3Dte&nonce=n%26nce"
          "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
          "&code_challenge_method=S256&hd=example.com&prompt=select_account");
}

TEST_CASE("The authorization URL appends to an endpoint that already has a query") {
    AuthorizationRequest request;
    request.endpoint = "https://login.example.com/authorize?p=B2C_1_signin";
    request.client_id = "c";
    request.redirect_uri = "https://r.example/";
    request.state = "s";
    const std::string url = authorization_url(request);
    CHECK(
        url.starts_with("https://login.example.com/authorize?p=B2C_1_signin&response_type=code&"));
    request.endpoint = "https://login.example.com/authorize?";
    CHECK(authorization_url(request).starts_with(
        "https://login.example.com/authorize?response_type=code&client_id=c&"));
}

TEST_CASE("The authorization URL omits an empty nonce and an empty code challenge (GitHub)") {
    AuthorizationRequest request;
    request.endpoint = "https://github.com/login/oauth/authorize";
    request.client_id = "Iv1.abc";
    request.redirect_uri = "https://gh.example/cb";
    request.state = "xyz";
    request.scope = "read:user user:email";
    CHECK(authorization_url(request) ==
          "https://github.com/login/oauth/authorize?response_type=code&client_id=Iv1.abc"
          "&redirect_uri=https%3A%2F%2Fgh.example%2Fcb&scope=read%3Auser%20user%3Aemail&state=xyz");
}

TEST_CASE("The token request body carries the secret only for client_secret_post") {
    CHECK(token_request_body("c/1", "https://gh.example/cb", "v", "id", "s&cret", false) ==
          "grant_type=authorization_code&code=c%2F1&redirect_uri=https%3A%2F%2Fgh.example%2Fcb"
          "&code_verifier=v&client_id=id");
    CHECK(token_request_body("c", "https://r/", "", "my id", "s&cret", true) ==
          "grant_type=authorization_code&code=c&redirect_uri=https%3A%2F%2Fr%2F"
          "&client_id=my+id&client_secret=s%26cret");
}

TEST_CASE("client_secret_basic form-encodes the ID and secret before base64") {
    CHECK(client_secret_basic("client", "secret") ==
          "Basic " + util::base64_encode("client:secret"));
    // ':' in the ID would otherwise split the pair; a space becomes '+'.
    CHECK(client_secret_basic("a:b c", "p@ss/w+rd") ==
          "Basic " + util::base64_encode("a%3Ab+c:p%40ss%2Fw%2Brd"));
}

TEST_CASE("A successful token response yields the tokens") {
    const auto tokens = parse_token_response(
        200, R"({"access_token":"ya29.a0","id_token":"eyJ.eyJ.sig","token_type":"Bearer",
                 "expires_in":3599,"scope":"openid email"})");
    REQUIRE(tokens.ok());
    CHECK(tokens->access_token == "ya29.a0");
    CHECK(tokens->id_token == "eyJ.eyJ.sig");
    CHECK(tokens->token_type == "Bearer");
}

TEST_CASE("A token response without an id_token is not an error (GitHub)") {
    const auto tokens = parse_token_response(
        200, R"({"access_token":"gho_16C7","token_type":"bearer","scope":""})");
    REQUIRE(tokens.ok());
    CHECK(tokens->id_token.empty());
    CHECK(parse_token_response(200, R"({"access_token":"x"})").ok());
}

TEST_CASE("An OAuth error at 400 is reported with its code and description") {
    const auto tokens =
        parse_token_response(400, R"({"error":"invalid_grant","error_description":"Bad Request"})");
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().code == "oidc.token_endpoint.error");
    CHECK(tokens.error().message.find("invalid_grant") != std::string::npos);
    CHECK(tokens.error().message.find("Bad Request") != std::string::npos);
}

TEST_CASE("An OAuth error answered with status 200 is still an error (GitHub)") {
    const auto tokens = parse_token_response(
        200,
        R"({"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/"})");
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().code == "oidc.token_endpoint.error");
    CHECK(tokens.error().message.find("bad_verification_code") != std::string::npos);
}

TEST_CASE("An OAuth error description is cut and stripped of unprintable bytes") {
    const std::string long_description(500, 'd');
    const auto tokens = parse_token_response(
        400, R"({"error":"x\u0007y","error_description":")" + long_description + "\"}");
    REQUIRE_FALSE(tokens.ok());
    CHECK(tokens.error().message.find("x?y") != std::string::npos);
    CHECK(tokens.error().message.find(std::string(201, 'd')) == std::string::npos);
    CHECK(tokens.error().message.find(std::string(200, 'd')) != std::string::npos);
}

TEST_CASE("A token endpoint answer that is not JSON or has another status is invalid") {
    const auto html = parse_token_response(500, "<html>Internal Server Error</html>");
    REQUIRE_FALSE(html.ok());
    CHECK(html.error().code == "oidc.token_endpoint.invalid");
    CHECK(html.error().message.find("500") != std::string::npos);
    CHECK(error_code(200, "access_token=x&token_type=bearer") == "oidc.token_endpoint.invalid");
    CHECK(error_code(401, R"({"message":"Unauthorized"})") == "oidc.token_endpoint.invalid");
    CHECK(error_code(200, R"(["access_token"])") == "oidc.token_endpoint.invalid");
}

TEST_CASE("A token response whose token_type is not bearer is invalid") {
    CHECK(error_code(200, R"({"access_token":"x","token_type":"mac"})") ==
          "oidc.token_endpoint.invalid");
    CHECK(parse_token_response(200, R"({"access_token":"x","token_type":"BEARER"})").ok());
}

TEST_CASE("A token response without an access token or with a mistyped id_token is invalid") {
    CHECK(error_code(200, R"({"id_token":"a.b.c"})") == "oidc.token_endpoint.invalid");
    CHECK(error_code(200, R"({"access_token":""})") == "oidc.token_endpoint.invalid");
    CHECK(error_code(200, R"({"access_token":"x","id_token":5})") == "oidc.token_endpoint.invalid");
}
