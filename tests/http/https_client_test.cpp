// The outbound client OpenID sign-in uses: the metadata fetcher's guard for any request,
// POST bodies and headers sent as given, every status answered, redirects only for GET.
#include <doctest/doctest.h>

#include <string>

#include "gatehouse/http/metadata_fetcher.hpp"
#include "support/tls_fixture.hpp"

using namespace gatehouse;
using gatehouse::http::HttpsClient;
using gatehouse::http::MetadataFetchOptions;
using gatehouse::service::OutboundRequest;
using gatehouse::testing::SilentListener;
using gatehouse::testing::TestHttpsServer;
using gatehouse::testing::TlsFiles;

namespace {

struct Fixture {
    TlsFiles files;
    std::string last_body, last_authorization, last_content_type;
    TestHttpsServer server{
        make_files(), [this](httplib::Server& s) {
            s.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
                last_body = req.body;
                last_authorization = req.get_header_value("Authorization");
                last_content_type = req.get_header_value("Content-Type");
                res.status = 400;
                res.set_content(R"({"error":"invalid_grant"})", "application/json");
            });
            s.Post("/moved", [](const httplib::Request&, httplib::Response& res) {
                res.set_redirect("/token", 307);
            });
            s.Get("/moved", [](const httplib::Request&, httplib::Response& res) {
                res.set_redirect("/jwks");
            });
            s.Get("/jwks", [](const httplib::Request&, httplib::Response& res) {
                res.set_content(R"({"keys":[]})", "application/json");
            });
        }};

    const TlsFiles& make_files() {
        gatehouse::testing::write_self_signed(files, "localhost", "127.0.0.1");
        return files;
    }

    HttpsClient client() const {
        MetadataFetchOptions options;
        options.allow_private_addresses = true;
        options.ca_file = files.certificate_file;
        options.timeout_seconds = 5;
        return HttpsClient(options, "oidc.fetch");
    }
};

}  // namespace

TEST_CASE("the HTTPS client posts the body and headers as given and returns a 400's body") {
    Fixture f;
    OutboundRequest request;
    request.method = "POST";
    request.url = f.server.url("/token");
    request.body = "grant_type=authorization_code&code=abc";
    request.headers = {{"Authorization", "Basic Zm9vOmJhcg=="}};
    auto answer = f.client().send(request);
    REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? "" : answer.error().message));
    CHECK(answer->status == 400);
    CHECK(answer->body == R"({"error":"invalid_grant"})");
    CHECK(f.last_body == request.body);
    CHECK(f.last_authorization == "Basic Zm9vOmJhcg==");
    CHECK(f.last_content_type == "application/x-www-form-urlencoded");
}

TEST_CASE("the HTTPS client follows a GET's redirect but never a POST's") {
    Fixture f;
    OutboundRequest get;
    get.url = f.server.url("/moved");
    auto followed = f.client().send(get);
    REQUIRE(followed.ok());
    CHECK(followed->body == R"({"keys":[]})");
    OutboundRequest post = get;
    post.method = "POST";
    auto refused = f.client().send(post);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "oidc.fetch.status");
    CHECK(f.last_body.empty());
}

TEST_CASE("the HTTPS client refuses a loopback address by default, under its own code prefix") {
    SilentListener listener;
    HttpsClient client(MetadataFetchOptions{}, "oidc.fetch");
    OutboundRequest request;
    request.method = "POST";
    request.url = "https://127.0.0.1:" + std::to_string(listener.port()) + "/token";
    auto answer = client.send(request);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == "oidc.fetch.private_address");
    CHECK_FALSE(listener.was_connected());
}

TEST_CASE("the HTTPS client refuses plain http") {
    HttpsClient client(MetadataFetchOptions{}, "oidc.fetch");
    OutboundRequest request;
    request.url = "http://op.example.test/.well-known/openid-configuration";
    auto answer = client.send(request);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == "oidc.fetch.scheme");
}

TEST_CASE("the HTTPS client refuses a server whose certificate it does not trust") {
    Fixture f;
    MetadataFetchOptions options;
    options.allow_private_addresses = true;
    HttpsClient client(options, "oidc.fetch");
    OutboundRequest request;
    request.url = f.server.url("/jwks");
    auto answer = client.send(request);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == "oidc.fetch.tls");
}
