// The demo IdP service: its key file, which AuthnRequests it answers, and the form token
// that ties a form submission to the request it was shown for.
#include "gatehouse/service/demo_idp.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/store/store.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;
using namespace gatehouse::service;

namespace {

constexpr const char* kBase = "http://127.0.0.1:8080";

const saml::GeneratedCredentials& sp_pem() {
    static const saml::GeneratedCredentials generated = [] {
        util::SystemClock clock;
        auto made = saml::generate_sp_credentials("demo idp test SP", clock);
        REQUIRE(made.ok());
        return *made;
    }();
    return generated;
}

std::shared_ptr<const saml::SpCredentials> sp_credentials() {
    auto loaded = saml::SpCredentials::from_pem(sp_pem().private_key_pem, sp_pem().certificate_pem);
    REQUIRE(loaded.ok());
    return std::make_shared<const saml::SpCredentials>(*loaded);
}

struct DemoFixture {
    testing::TempDir dir;
    util::SystemClock clock;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<DemoIdp> idp;

    DemoFixture() {
        auto opened = store::open_sqlite_store(dir.file("gatehouse.db"));
        REQUIRE(opened.ok());
        store = std::move(*opened);
        REQUIRE(store->write([](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "acme";
            org.name = "Acme";
            auto inserted = tx.insert_org(org);
            if (!inserted) return inserted.error();
            return {};
        }));
        auto key = load_or_create_demo_idp_key(dir.file("demo.pem"), clock);
        REQUIRE(key.ok());
        idp = std::make_unique<DemoIdp>(*store, clock, kBase, std::move(*key), sp_credentials());
    }

    // The raw query of a signed Redirect-binding AuthnRequest, as the gateway would send it.
    std::string request_query(const std::string& org, const std::string& acs_override = "") {
        auto endpoints = saml::sp_endpoints(kBase, org);
        if (!acs_override.empty()) endpoints.acs_url = acs_override;
        const auto request = saml::build_authn_request(endpoints, idp->sso_url(), clock);
        auto url = saml::build_redirect_url(idp->sso_url(), saml::SamlMessageKind::request,
                                            request.xml, "/organizations/acme/", *sp_credentials());
        REQUIRE(url.ok());
        return url->substr(url->find('?') + 1);
    }

    DemoSubmission submission_for(const DemoSignInRequest& request) {
        return DemoSubmission{request.org.slug,    request.request_id,
                              request.relay_state, idp->form_token(request),
                              "ada@demo.test",     "Ada",
                              "Lovelace",          ""};
    }
};

}  // namespace

TEST_CASE("load_or_create_demo_idp_key creates a private file and reuses it afterwards") {
    testing::TempDir dir;
    util::SystemClock clock;
    const auto path = dir.file("demo-idp-key.pem");
    auto first = load_or_create_demo_idp_key(path, clock);
    REQUIRE(first.ok());
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    auto second = load_or_create_demo_idp_key(path, clock);
    REQUIRE(second.ok());
    CHECK(second->credentials.certificate().sha256_fingerprint() ==
          first->credentials.certificate().sha256_fingerprint());
}

TEST_CASE("load_or_create_demo_idp_key refuses a file without a certificate") {
    testing::TempDir dir;
    util::SystemClock clock;
    const auto path = dir.file("broken.pem");
    { std::ofstream(path) << "not a key\n"; }
    auto loaded = load_or_create_demo_idp_key(path, clock);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == "saml.key.unreadable");
}

TEST_CASE("DemoIdp reads a signed AuthnRequest of an org of this gateway") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("acme"));
    REQUIRE_MESSAGE(request.ok(), request.error().code);
    CHECK(request->org.slug == "acme");
    CHECK(request->acs_url == std::string(kBase) + "/saml/acs/acme/");
    CHECK(request->relay_state == "/organizations/acme/");
}

TEST_CASE("DemoIdp refuses an AuthnRequest naming an unknown org") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("nobody"));
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "demo_idp.unknown_org");
}

TEST_CASE("DemoIdp refuses an AuthnRequest asking for a foreign ACS") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("acme", "https://evil.test/acs"));
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "demo_idp.foreign_acs");
}

TEST_CASE("DemoIdp refuses an unsigned AuthnRequest") {
    DemoFixture f;
    std::string query = f.request_query("acme");
    query = query.substr(0, query.find("&SigAlg="));
    auto request = f.idp->read_request(query);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.redirect.signature_missing");
}

TEST_CASE("DemoIdp answers a form with a Response the org's ACS would accept") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("acme"));
    REQUIRE(request.ok());
    auto answer = f.idp->answer(f.submission_for(*request));
    REQUIRE_MESSAGE(answer.ok(), answer.error().code);
    CHECK(answer->acs_url == request->acs_url);
    core::SamlProvider provider;
    provider.idp_entity_id = f.idp->entity_id();
    provider.certificates = {f.idp->certificate().pem()};
    saml::AcsExpectations expect;
    expect.sp_entity_id = request->sp_entity_id;
    expect.acs_url = request->acs_url;
    expect.is_pending_request = [&](std::string_view id) { return id == request->request_id; };
    auto validated = saml::validate_response(answer->saml_response, provider, expect, f.clock);
    REQUIRE_MESSAGE(validated.ok(), validated.error().code);
    CHECK(validated->attributes.at("email").at(0) == "ada@demo.test");
    CHECK(validated->attributes.at("firstName").at(0) == "Ada");
}

TEST_CASE("DemoIdp refuses a form whose token does not match its request") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("acme"));
    REQUIRE(request.ok());
    auto tampered = f.submission_for(*request);
    tampered.request_id = "_another-request";
    auto refused = f.idp->answer(tampered);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "demo_idp.token_invalid");
}

TEST_CASE("DemoIdp refuses a form with an invalid email or the owner role") {
    DemoFixture f;
    auto request = f.idp->read_request(f.request_query("acme"));
    REQUIRE(request.ok());
    auto bad_email = f.submission_for(*request);
    bad_email.email = "not an address";
    CHECK(f.idp->answer(bad_email).error().code == "demo_idp.email_invalid");
    auto owner = f.submission_for(*request);
    owner.role = "owner";
    CHECK(f.idp->answer(owner).error().code == "demo_idp.role_invalid");
}
