#include "gatehouse/http/metadata_fetcher.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "dribbling_server.hpp"
#include "support/tls_fixture.hpp"

using namespace gatehouse;
using gatehouse::http::HttpsMetadataSource;
using gatehouse::http::MetadataFetchOptions;
using gatehouse::testing::DribbledPart;
using gatehouse::testing::DribblingServer;
using gatehouse::testing::SilentListener;
using gatehouse::testing::TestHttpsServer;
using gatehouse::testing::TlsFiles;

namespace {

const std::string kDocument = "<md:EntityDescriptor entityID=\"https://idp.example.com\"/>";

void install_routes(httplib::Server& server, const int& port) {
    server.Get("/metadata", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kDocument, "application/samlmetadata+xml");
    });
    server.Get("/large", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(5000, 'x'), "application/xml");
    });
    // No Content-Length: the size cap has to hold while the body streams in.
    server.Get("/large-chunked", [](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("application/xml",
                                         [](std::size_t, httplib::DataSink& sink) {
                                             const std::string chunk(400, 'x');
                                             for (int i = 0; i < 10; ++i)
                                                 sink.write(chunk.data(), chunk.size());
                                             sink.done();
                                             return true;
                                         });
    });
    server.Get(R"(/redirect/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
        const int left = std::stoi(req.matches[1].str());
        res.set_redirect(left == 0 ? "/metadata" : "/redirect/" + std::to_string(left - 1));
    });
    server.Get("/relative-redirect", [](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("metadata", 307);
    });
    server.Get("/to-http", [&port](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("http://127.0.0.1:" + std::to_string(port) + "/metadata");
    });
    server.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content("not here", "text/plain");
    });
}

// A server with a certificate for "localhost" and 127.0.0.1, and a fetcher that trusts it.
struct Fixture {
    TlsFiles files;
    int port = 0;
    TestHttpsServer server{make_files(), [this](httplib::Server& s) { install_routes(s, port); }};
    MetadataFetchOptions options = trusting_options();

    Fixture() { port = server.port(); }

    const TlsFiles& make_files() {
        gatehouse::testing::write_self_signed(files, "localhost", "127.0.0.1");
        return files;
    }

    MetadataFetchOptions trusting_options() const {
        MetadataFetchOptions trusting;
        trusting.allow_private_addresses = true;
        trusting.ca_file = files.certificate_file;
        trusting.timeout_seconds = 5;
        return trusting;
    }

    Result<std::string> fetch(const std::string& path) {
        return HttpsMetadataSource(options).fetch(server.url(path));
    }
};

void check_refused(const Result<std::string>& fetched, const std::string& code) {
    REQUIRE_FALSE(fetched.ok());
    CHECK(fetched.error().code == code);
    CHECK_FALSE(fetched.error().message.empty());
}

// Fetches from a server that sends `part` a byte every 100 ms for 30 seconds, with a deadline
// of one second; returns how long the fetch took after checking that it timed out.
std::chrono::steady_clock::duration fetch_dribbled(DribbledPart part) {
    TlsFiles files;
    gatehouse::testing::write_self_signed(files, "localhost", "127.0.0.1");
    DribblingServer server(files, part);
    MetadataFetchOptions options;
    options.allow_private_addresses = true;
    options.ca_file = files.certificate_file;
    options.timeout_seconds = 1;
    const auto started = std::chrono::steady_clock::now();
    auto fetched = HttpsMetadataSource(options).fetch(server.url());
    const auto waited = std::chrono::steady_clock::now() - started;
    check_refused(fetched, "saml.metadata_url.unreachable");
    CHECK(fetched.error().message.find("within 1 second") != std::string::npos);
    return waited;
}

}  // namespace

TEST_CASE("the fetcher returns the document from a trusted HTTPS server") {
    Fixture f;
    auto fetched = f.fetch("/metadata");
    REQUIRE_MESSAGE(fetched.ok(), (fetched.ok() ? "" : fetched.error().message));
    CHECK(*fetched == kDocument);
}

TEST_CASE("the fetcher verifies the certificate against a host name as well as an IP") {
    Fixture f;
    auto fetched = HttpsMetadataSource(f.options).fetch(f.server.url("/metadata", "localhost"));
    REQUIRE_MESSAGE(fetched.ok(), (fetched.ok() ? "" : fetched.error().message));
    CHECK(*fetched == kDocument);
}

TEST_CASE("the fetcher refuses a loopback address without the flag and never connects") {
    SilentListener listener;
    MetadataFetchOptions options;
    auto fetched = HttpsMetadataSource(options).fetch(
        "https://127.0.0.1:" + std::to_string(listener.port()) + "/");
    check_refused(fetched, "saml.metadata_url.private_address");
    CHECK(fetched.error().message.find("127.0.0.1") != std::string::npos);
    CHECK(fetched.error().message.find("loopback") != std::string::npos);
    CHECK_FALSE(listener.was_connected());
}

TEST_CASE("the fetcher refuses a host name that resolves to loopback and names the address") {
    SilentListener listener;
    auto fetched = HttpsMetadataSource(MetadataFetchOptions{})
                       .fetch("https://localhost:" + std::to_string(listener.port()) + "/");
    check_refused(fetched, "saml.metadata_url.private_address");
    const bool names_address = fetched.error().message.find("127.0.0.1") != std::string::npos ||
                               fetched.error().message.find("::1") != std::string::npos;
    CHECK(names_address);
    CHECK_FALSE(listener.was_connected());
}

TEST_CASE("the fetcher refuses a server whose certificate no trusted CA issued") {
    Fixture f;
    f.options.ca_file.clear();
    check_refused(f.fetch("/metadata"), "saml.metadata_url.tls");
}

TEST_CASE("the fetcher refuses a trusted certificate that names another host") {
    Fixture f;
    TlsFiles other;
    gatehouse::testing::write_self_signed(other, "idp.example.org", "");
    const int unused_port = 0;
    TestHttpsServer impostor(other, [&](httplib::Server& s) { install_routes(s, unused_port); });
    f.options.ca_file = other.certificate_file;
    check_refused(HttpsMetadataSource(f.options).fetch(impostor.url("/metadata")),
                  "saml.metadata_url.tls");
}

TEST_CASE("the fetcher refuses a CA file it cannot read") {
    Fixture f;
    f.options.ca_file = f.files.dir.file("absent.pem");
    check_refused(f.fetch("/metadata"), "saml.metadata_url.ca_file");
}

TEST_CASE("the fetcher refuses an http URL without connecting") {
    SilentListener listener;
    MetadataFetchOptions options;
    options.allow_private_addresses = true;
    auto fetched = HttpsMetadataSource(options).fetch(
        "http://127.0.0.1:" + std::to_string(listener.port()) + "/");
    check_refused(fetched, "saml.metadata_url.scheme");
    CHECK_FALSE(listener.was_connected());
}

TEST_CASE("the fetcher refuses a URL that carries user info") {
    check_refused(
        HttpsMetadataSource(MetadataFetchOptions{}).fetch("https://admin:secret@idp.example.com/"),
        "saml.metadata_url.invalid");
}

TEST_CASE("the fetcher refuses malformed URLs") {
    HttpsMetadataSource source(MetadataFetchOptions{});
    for (const char* url : {"https://", "https:///metadata", "https://idp.example.com:0/",
                            "https://idp.example.com:99999/", "https://idp.example.com:/",
                            "https://[::1/", "https://[not-v6]/", "https://idp example.com/",
                            "https://idp.example.com/a b", "https://idp_example.com/"}) {
        CAPTURE(url);
        check_refused(source.fetch(url), "saml.metadata_url.invalid");
    }
}

TEST_CASE("the fetcher stops reading a body announced larger than the cap") {
    Fixture f;
    f.options.max_bytes = 1000;
    check_refused(f.fetch("/large"), "saml.metadata_url.too_large");
}

TEST_CASE("the fetcher stops reading a streamed body once it passes the cap") {
    Fixture f;
    f.options.max_bytes = 1000;
    check_refused(f.fetch("/large-chunked"), "saml.metadata_url.too_large");
}

TEST_CASE("the fetcher accepts a body of exactly the cap") {
    Fixture f;
    f.options.max_bytes = 4000;
    auto fetched = f.fetch("/large-chunked");
    REQUIRE(fetched.ok());
    CHECK(fetched->size() == 4000);
}

TEST_CASE("the fetcher follows redirects up to the limit") {
    Fixture f;
    f.options.max_redirects = 3;
    auto fetched = f.fetch("/redirect/2");  // 3 redirects: /redirect/1, /redirect/0, /metadata
    REQUIRE_MESSAGE(fetched.ok(), (fetched.ok() ? "" : fetched.error().message));
    CHECK(*fetched == kDocument);
}

TEST_CASE("the fetcher resolves a relative redirect against the URL that sent it") {
    Fixture f;
    auto fetched = f.fetch("/relative-redirect");
    REQUIRE_MESSAGE(fetched.ok(), (fetched.ok() ? "" : fetched.error().message));
    CHECK(*fetched == kDocument);
}

TEST_CASE("the fetcher refuses a redirect chain longer than the limit") {
    Fixture f;
    f.options.max_redirects = 3;
    check_refused(f.fetch("/redirect/3"), "saml.metadata_url.redirects");
}

TEST_CASE("the fetcher refuses a redirect to an http URL") {
    Fixture f;
    check_refused(f.fetch("/to-http"), "saml.metadata_url.scheme");
}

TEST_CASE("the fetcher refuses an answer other than 200 and names the status") {
    Fixture f;
    auto fetched = f.fetch("/missing");
    check_refused(fetched, "saml.metadata_url.status");
    CHECK(fetched.error().message.find("404") != std::string::npos);
}

TEST_CASE("the fetcher gives up on a server that never answers within the timeout") {
    SilentListener listener;
    MetadataFetchOptions options;
    options.allow_private_addresses = true;
    options.timeout_seconds = 1;
    const auto started = std::chrono::steady_clock::now();
    auto fetched = HttpsMetadataSource(options).fetch(
        "https://127.0.0.1:" + std::to_string(listener.port()) + "/");
    const auto waited = std::chrono::steady_clock::now() - started;
    check_refused(fetched, "saml.metadata_url.unreachable");
    CHECK(listener.was_connected());
    CHECK(waited < std::chrono::seconds(3));
}

TEST_CASE("the fetcher reports a port nobody listens on as unreachable") {
    int closed_port = 0;
    {
        SilentListener listener;
        closed_port = listener.port();
    }
    MetadataFetchOptions options;
    options.allow_private_addresses = true;
    check_refused(HttpsMetadataSource(options).fetch(
                      "https://127.0.0.1:" + std::to_string(closed_port) + "/"),
                  "saml.metadata_url.unreachable");
}

// Each read of a dribbling server finishes well within the per-read timeout; only a deadline
// for the whole fetch cuts it off. The servers would go on for 30 seconds.
TEST_CASE("the fetch deadline cuts off a server that dribbles its TLS handshake") {
    CHECK(fetch_dribbled(DribbledPart::handshake) < std::chrono::seconds(5));
}

TEST_CASE("the fetch deadline cuts off a server that dribbles its response headers") {
    CHECK(fetch_dribbled(DribbledPart::headers) < std::chrono::seconds(5));
}

TEST_CASE("the fetch deadline cuts off a server that dribbles its response body") {
    CHECK(fetch_dribbled(DribbledPart::body) < std::chrono::seconds(5));
}

TEST_CASE("the fetch deadline does not pass off a body cut short by it as the whole document") {
    // Without a length the body ends when the connection does, so the deadline's own cut
    // would otherwise read as the end of a complete document.
    CHECK(fetch_dribbled(DribbledPart::body_until_close) < std::chrono::seconds(5));
}
