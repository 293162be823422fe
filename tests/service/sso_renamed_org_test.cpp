// SAML for a renamed org: the ACS accepts the URLs the IdP was configured with (the alias's)
// as well as the new slug's and nothing else, and while an alias is kept the gateway sends
// the alias's URLs (org_names.hpp).
#include <doctest/doctest.h>

#include "sso_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// The test org renamed from "acme" to "acme-corp", "acme" kept as its alias.
struct RenamedFixture : TestLoginFixture {
    saml::SpEndpoints renamed = saml::sp_endpoints(kSsoBaseUrl, "acme-corp");

    RenamedFixture() {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            return tx.rename_org(org.id, "acme-corp", clock.now());
        }));
        reread();
    }

    void reread() {
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            org = *tx.org_by_id(org.id);
            return {};
        }));
    }

    std::string sign_in_error(const ResponseSpec& spec) {
        const auto outcome = sso.complete_login(org, signed_response(spec), "", browser);
        if (std::holds_alternative<service::SignIn>(outcome)) return "";
        return std::get<service::SsoFailure>(outcome).error.code;
    }
};

// The XML of the AuthnRequest a Redirect-binding URL carries.
std::string authn_request_xml(const std::string& url) {
    const auto start = url.find("SAMLRequest=") + 12;
    const auto end = url.find('&', start);
    const auto encoded = util::url_decode(url.substr(start, end - start));
    REQUIRE(encoded.has_value());
    const auto deflated = util::base64_decode(*encoded);
    REQUIRE(deflated.has_value());
    auto xml = util::inflate_raw(*deflated, 1 << 20);
    REQUIRE(xml.ok());
    return *xml;
}

}  // namespace

TEST_CASE("after a rename the ACS accepts a Response addressed to the old URLs") {
    RenamedFixture f;
    const auto spec = f.spec_for(f.start_real());
    REQUIRE(spec.audience == f.endpoints.entity_id);  // the URLs of "acme"
    CHECK(f.sign_in_error(spec) == "");
}

TEST_CASE("after a rename the ACS accepts a Response addressed to the new URLs") {
    RenamedFixture f;
    auto spec = f.spec_for(f.start_real());
    spec.destination = f.renamed.acs_url;
    spec.recipient = f.renamed.acs_url;
    spec.audience = f.renamed.entity_id;
    CHECK(f.sign_in_error(spec) == "");
}

TEST_CASE("after a rename the ACS still refuses a Response meant for another SP") {
    RenamedFixture f;
    const auto other = saml::sp_endpoints(kSsoBaseUrl, "globex");
    auto audience = f.spec_for(f.start_real());
    audience.audience = other.entity_id;
    CHECK(f.sign_in_error(audience) == "saml.assertion.audience_mismatch");
    auto destination = f.spec_for(f.start_real());
    destination.destination = other.acs_url;
    CHECK(f.sign_in_error(destination) == "saml.response.destination_mismatch");
    auto recipient = f.spec_for(f.start_real());
    recipient.recipient = other.acs_url;
    CHECK(f.sign_in_error(recipient) == "saml.assertion.recipient_mismatch");
}

TEST_CASE("while an alias is kept the AuthnRequest and SP metadata carry the alias's URLs") {
    RenamedFixture f;
    auto started = f.sso.start_login(f.org, "", f.browser);
    REQUIRE(std::holds_alternative<std::string>(started));
    const auto xml = authn_request_xml(std::get<std::string>(started));
    CHECK(xml.find(f.endpoints.acs_url) != std::string::npos);
    CHECK(xml.find(f.endpoints.entity_id) != std::string::npos);
    CHECK(xml.find("acme-corp") == std::string::npos);
    const auto metadata = f.sso.sp_metadata(f.org);
    REQUIRE(metadata.ok());
    CHECK(metadata->find("entityID=\"" + f.endpoints.entity_id + "\"") != std::string::npos);
}

TEST_CASE("once the alias is removed the AuthnRequest and SP metadata carry the new URLs") {
    RenamedFixture f;
    REQUIRE(f.db->write(
        [&](store::Transaction& tx) -> Status { return tx.delete_org_alias(f.org.id, "acme"); }));
    f.reread();
    auto started = f.sso.start_login(f.org, "", f.browser);
    REQUIRE(std::holds_alternative<std::string>(started));
    const auto xml = authn_request_xml(std::get<std::string>(started));
    CHECK(xml.find(f.renamed.acs_url) != std::string::npos);
    CHECK(xml.find(f.renamed.entity_id) != std::string::npos);
    const auto metadata = f.sso.sp_metadata(f.org);
    REQUIRE(metadata.ok());
    CHECK(metadata->find("entityID=\"" + f.renamed.entity_id + "\"") != std::string::npos);
    // …and a Response still addressed to the old URLs is no longer this SP's.
    CHECK(f.sign_in_error(f.spec_for(f.start_real())) == "saml.response.destination_mismatch");
}
