// A running gateway with one org whose IdP is the test IdP, for SAML integration tests:
// SP key pair and IdP certificate on disk, provider configured through the CLI, server on a
// free loopback port with base URL http://gatehouse.test.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/process.hpp"
#include "support/saml_idp.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

inline constexpr const char* kBaseUrl = "http://gatehouse.test";
inline constexpr const char* kIdpSso = "https://idp.test/sso";
inline constexpr const char* kIdpSlo = "https://idp.test/slo";
// The name of the login cookie over plain http, as kBaseUrl is.
inline constexpr const char* kLoginCookie = "gh_login";

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The value of query parameter `name` in a URL, URL-decoded.
inline std::string query_param(const std::string& url, const std::string& name) {
    const auto question = url.find('?');
    std::string_view query =
        question == std::string::npos ? "" : std::string_view(url).substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) return util::url_decode(pair.substr(eq + 1)).value_or("");
    }
    return {};
}

// Inflates the SAML message carried by a Redirect-binding URL.
inline std::string redirect_message_xml(const std::string& url, const std::string& param) {
    const auto raw = util::base64_decode(query_param(url, param));
    REQUIRE_MESSAGE(raw.has_value(), url);
    auto xml = util::inflate_raw(*raw, 1 << 20);
    REQUIRE(xml.ok());
    return *xml;
}

// The ID attribute of the root element of `xml`.
inline std::string root_id(const std::string& xml) {
    auto doc = saml::parse_untrusted_xml(xml);
    REQUIRE(doc.ok());
    return saml::attribute(doc->root(), "ID").value_or("");
}

// A Redirect-binding query string carrying `xml` as `param`, signed by `idp`.
inline std::string signed_redirect_query(const TestIdp& idp, const std::string& param,
                                         const std::string& xml) {
    const std::string octets =
        param + "=" + util::url_encode(util::base64_encode(util::deflate_raw(xml))) +
        "&SigAlg=" + util::url_encode("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    return octets + "&Signature=" + util::url_encode(util::base64_encode(idp.sign_bytes(octets)));
}

struct SamlGateway {
    TempDir dir;
    // The store: a SQLite file in `dir`, or the postgresql:// URL the fleet tests pass.
    std::string db;
    const TestIdp& idp = shared_test_idp();
    std::unique_ptr<ServerProcess> server;
    // The port requests go to: `server`'s unless a fleet test points them at another gateway
    // process sharing the same store.
    int target_port = 0;
    std::string sp_certificate_pem;
    // The login cookie of the one browser this fixture plays: sent when it starts a login
    // and when it posts to the ACS, as a browser sends the cookie the gateway set. (The
    // gateway keeps a well-formed cookie it is sent rather than setting a new one.)
    std::string login_cookie = std::string(kLoginCookie) + "=" + util::random_token(32);

    explicit SamlGateway(std::vector<std::string> configure_args = {})
        : SamlGateway(std::string(), std::move(configure_args)) {}

    // The same on the store `store_location` (empty: a new SQLite file), the server started
    // with `server_args` besides the usual ones.
    SamlGateway(std::string store_location, std::vector<std::string> configure_args,
                std::vector<std::string> server_args = {})
        : db(store_location.empty() ? dir.file("gatehouse.db") : std::move(store_location)) {
        util::SystemClock clock;
        auto sp = saml::generate_sp_credentials("gatehouse test SP", clock);
        REQUIRE(sp.ok());
        sp_certificate_pem = sp->certificate_pem;
        write_text(dir.file("sp.key"), sp->private_key_pem);
        write_text(dir.file("sp.crt"), sp->certificate_pem);
        write_text(dir.file("idp.crt"), idp.identity().certificate_pem);
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        std::vector<std::string> args = {"--db",
                                         db,
                                         "saml",
                                         "configure",
                                         "acme",
                                         "--entity-id",
                                         idp.entity_id(),
                                         "--sso-url",
                                         kIdpSso,
                                         "--slo-url",
                                         kIdpSlo,
                                         "--cert",
                                         dir.file("idp.crt")};
        args.insert(args.end(), configure_args.begin(), configure_args.end());
        auto configured = run_gatehouse(args);
        REQUIRE_MESSAGE(configured.exit_code == 0, configured.err);
        server = start_server(std::move(server_args));
    }

    // Another `gatehouse serve` on this fixture's store, SP key and base URL.
    std::unique_ptr<ServerProcess> start_server(std::vector<std::string> extra_args = {}) const {
        std::vector<std::string> args = {"--base-url",       kBaseUrl,    "--sp-key",
                                         dir.file("sp.key"), "--sp-cert", dir.file("sp.crt")};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return std::make_unique<ServerProcess>(db, std::move(args));
    }

    int port() const { return target_port != 0 ? target_port : server->port(); }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port());
        c.set_read_timeout(10, 0);
        return c;
    }

    // Starts an SP-initiated login from the browser whose Cookie header is `cookie` (this
    // fixture's by default) and returns the AuthnRequest ID the gateway sent.
    std::string start_login(const std::string& next = "") {
        return start_login_from(login_cookie, next);
    }
    std::string start_login_from(const std::string& cookie, const std::string& next = "") {
        const std::string location = raw_location(
            port(), "/auth/login/acme/" + (next.empty() ? "" : "?next=" + util::url_encode(next)),
            cookie);
        REQUIRE(location.rfind(kIdpSso, 0) == 0);
        return root_id(redirect_message_xml(location, "SAMLRequest"));
    }

    // The raw Location the gateway answers `path` with (signed URLs stay intact).
    std::string location_of(const std::string& path, const std::string& cookie = "") const {
        return raw_location(port(), path, cookie.empty() ? "" : "gatehouse_session=" + cookie);
    }

    // A valid signed SAMLResponse (base64) answering `request_id` for `email`.
    std::string response_for(const std::string& request_id, const std::string& email,
                             const std::string& assertion_id = "_a-" +
                                                               util::random_token(8)) const {
        return response_with(
            request_id, email, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            {{"email", {email}}, {"firstName", {"Ada"}}, {"lastName", {"Lovelace"}}}, assertion_id);
    }

    // A valid signed SAMLResponse (base64) answering `request_id` (empty: IdP-initiated)
    // whose subject is `name_id` in `name_id_format`, carrying exactly `attributes`.
    std::string response_with(
        const std::string& request_id, const std::string& name_id,
        const std::string& name_id_format,
        std::vector<std::pair<std::string, std::vector<std::string>>> attributes,
        const std::string& assertion_id = "_a-" + util::random_token(8)) const {
        const util::UnixTime now = util::SystemClock{}.now();
        ResponseSpec spec;
        spec.response_id = "_r-" + util::random_token(8);
        spec.assertion_id = assertion_id;
        spec.response_issuer = idp.entity_id();
        spec.assertion_issuer = idp.entity_id();
        spec.destination = std::string(kBaseUrl) + "/saml/acs/acme/";
        spec.recipient = spec.destination;
        spec.audience = std::string(kBaseUrl) + "/saml/metadata/acme/";
        spec.in_response_to = request_id;
        spec.name_id = name_id;
        spec.name_id_format = name_id_format;
        spec.issue_instant = now;
        spec.not_before = now - 60;
        spec.not_on_or_after = now + 300;
        spec.subject_not_on_or_after = now + 300;
        spec.attributes = std::move(attributes);
        return util::base64_encode(idp.sign(build_response_xml(spec), spec.assertion_id));
    }

    // Posts a Response to the ACS from this fixture's browser, login cookie included.
    httplib::Result post_acs(const std::string& saml_response,
                             const std::string& relay_state = "") {
        return post_acs_from(login_cookie, saml_response, relay_state);
    }
    // The same from the browser whose Cookie header is `cookie` (empty: none at all).
    httplib::Result post_acs_from(const std::string& cookie, const std::string& saml_response,
                                  const std::string& relay_state = "") {
        std::string body = "SAMLResponse=" + util::url_encode(saml_response);
        if (!relay_state.empty()) body += "&RelayState=" + util::url_encode(relay_state);
        httplib::Headers headers;
        if (!cookie.empty()) headers.emplace("Cookie", cookie);
        return client().Post("/saml/acs/acme/", headers, body, "application/x-www-form-urlencoded");
    }

    // Signs in `email` through the whole SP-initiated flow; returns the session cookie value.
    std::string sign_in(const std::string& email) {
        auto res = post_acs(response_for(start_login(), email));
        REQUIRE(res);
        REQUIRE(res->status == 303);
        return session_cookie(*res);
    }

    static std::string session_cookie(const httplib::Response& res) {
        const std::string header = res.get_header_value("Set-Cookie");
        const std::string prefix = "gatehouse_session=";
        REQUIRE(header.rfind(prefix, 0) == 0);
        return header.substr(prefix.size(), header.find(';') - prefix.size());
    }

    httplib::Result landing(const std::string& cookie) {
        httplib::Headers headers = {{"Cookie", "gatehouse_session=" + cookie}};
        return client().Get("/organizations/acme/", headers);
    }
};

}  // namespace gatehouse::testing
