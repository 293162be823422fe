// The demo IdP's Response builder: what it builds must pass the SP's own validation, and its
// metadata must load as an IdP configuration.
#include "gatehouse/saml/response_builder.hpp"

#include <doctest/doctest.h>

#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/util/encoding.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

constexpr util::UnixTime kNow = 1'800'000'000;
constexpr const char* kIdp = "http://127.0.0.1:8080/demo-idp/";
constexpr const char* kSp = "http://127.0.0.1:8080/saml/metadata/acme/";
constexpr const char* kAcs = "http://127.0.0.1:8080/saml/acs/acme/";

const SpCredentials& demo_key() {
    static const SpCredentials key = [] {
        util::FixedClock clock(kNow - 3600);
        auto generated = generate_sp_credentials("demo idp test", clock);
        REQUIRE(generated.ok());
        auto loaded =
            SpCredentials::from_pem(generated->private_key_pem, generated->certificate_pem);
        REQUIRE(loaded.ok());
        return *loaded;
    }();
    return key;
}

AssertionContent content() {
    AssertionContent c;
    c.issuer = kIdp;
    c.destination = kAcs;
    c.in_response_to = "_request-1";
    c.audience = kSp;
    c.name_id = "ada@demo.test";
    c.attributes = {{"email", {"ada@demo.test"}}, {"firstName", {"Ada <&> \"Lovelace\""}}};
    c.issued_at = kNow;
    return c;
}

core::SamlProvider provider_trusting(const SpCredentials& key) {
    core::SamlProvider provider;
    provider.idp_entity_id = kIdp;
    provider.sso_url = std::string(kIdp) + "sso";
    provider.certificates = {key.certificate().pem()};
    return provider;
}

AcsExpectations expectations() {
    AcsExpectations e;
    e.sp_entity_id = kSp;
    e.acs_url = kAcs;
    e.is_pending_request = [](std::string_view id) { return id == "_request-1"; };
    return e;
}

Result<ValidatedAssertion> validate_at(const std::string& xml, util::UnixTime at) {
    util::FixedClock clock(at);
    return validate_response(util::base64_encode(xml), provider_trusting(demo_key()),
                             expectations(), clock);
}

}  // namespace

TEST_CASE("build_signed_response produces a Response the SP validates, with escaped attributes") {
    auto built = build_signed_response(content(), demo_key());
    REQUIRE_MESSAGE(built.ok(), built.error().message);
    auto validated = validate_at(*built, kNow + 10);
    REQUIRE_MESSAGE(validated.ok(), validated.error().code);
    CHECK(validated->name_id == "ada@demo.test");
    CHECK(validated->in_response_to == std::optional<std::string>("_request-1"));
    CHECK(validated->attributes.at("firstName").at(0) == "Ada <&> \"Lovelace\"");
}

TEST_CASE("build_signed_response limits the assertion to five minutes") {
    auto built = build_signed_response(content(), demo_key());
    REQUIRE(built.ok());
    // 300 s of lifetime plus the default 180 s of allowed clock skew.
    auto late = validate_at(*built, kNow + 300 + 181);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code.find("expired") != std::string::npos);
}

TEST_CASE("build_signed_response signs with the given key only: another key's trust refuses it") {
    auto built = build_signed_response(content(), demo_key());
    REQUIRE(built.ok());
    util::FixedClock clock(kNow);
    auto other = generate_sp_credentials("another idp", clock);
    REQUIRE(other.ok());
    core::SamlProvider provider = provider_trusting(demo_key());
    provider.certificates = {other->certificate_pem};
    auto refused = validate_response(util::base64_encode(*built), provider, expectations(), clock);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.signature.invalid");
}

TEST_CASE("build_signed_response refuses content without a NameID or an audience") {
    auto no_name = content();
    no_name.name_id.clear();
    auto refused = build_signed_response(no_name, demo_key());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.response_builder.invalid");
    auto no_audience = content();
    no_audience.audience.clear();
    CHECK_FALSE(build_signed_response(no_audience, demo_key()).ok());
}

TEST_CASE("build_idp_metadata describes the IdP so that it loads as a provider configuration") {
    const std::string xml =
        build_idp_metadata(kIdp, std::string(kIdp) + "sso", demo_key().certificate());
    auto parsed = parse_idp_metadata(xml);
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
    CHECK(parsed->entity_id == kIdp);
    CHECK(parsed->sso_url == std::string(kIdp) + "sso");
    REQUIRE(parsed->certificates.size() == 1);
    auto certificate = Certificate::parse(parsed->certificates[0]);
    REQUIRE(certificate.ok());
    CHECK(certificate->sha256_fingerprint() == demo_key().certificate().sha256_fingerprint());
}
