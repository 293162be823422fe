// Shared fixture of the hostile SAMLResponse corpus: one valid, signed Response for the
// org "acme" and the small text surgeries that turn it into each attack.
#pragma once

#include <doctest/doctest.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

namespace gatehouse::hostile {

using saml::AcsExpectations;
using saml::EvpPkeyPtr;
using saml::validate_response;
using saml::ValidatedAssertion;

inline constexpr util::UnixTime kNow = 1'800'000'000;
inline const std::string kAcsUrl = "https://gatehouse.example.test/saml/acs/acme/";
inline const std::string kSpEntityId = "https://gatehouse.example.test/saml/metadata/acme/";
inline const std::string kRequestId = "_request-42";
inline const std::string kResponseId = "_response-1";
inline const std::string kAssertionId = "_assertion-1";

inline const testing::TestIdp& idp() { return testing::shared_test_idp(); }

// Everything an IdP sends for an SP-initiated sign-in answering kRequestId at kNow.
inline testing::ResponseSpec valid_spec() {
    testing::ResponseSpec spec;
    spec.response_issuer = idp().entity_id();
    spec.assertion_issuer = idp().entity_id();
    spec.destination = kAcsUrl;
    spec.in_response_to = kRequestId;
    spec.recipient = kAcsUrl;
    spec.audience = kSpEntityId;
    spec.issue_instant = kNow;
    spec.not_before = kNow - 60;
    spec.not_on_or_after = kNow + 300;
    spec.subject_not_on_or_after = kNow + 300;
    spec.attributes = {{"email", {"alice@example.com"}}, {"role", {"member"}}};
    return spec;
}

inline core::SamlProvider provider() {
    core::SamlProvider p;
    p.idp_entity_id = idp().entity_id();
    p.sso_url = "https://idp.example.test/sso";
    p.certificates = {idp().identity().certificate_pem};
    return p;
}

inline AcsExpectations expectations() {
    AcsExpectations e;
    e.sp_entity_id = kSpEntityId;
    e.acs_url = kAcsUrl;
    e.is_pending_request = [](std::string_view id) { return id == kRequestId; };
    return e;
}

inline std::string unsigned_xml(const testing::ResponseSpec& spec = valid_spec()) {
    return testing::build_response_xml(spec);
}

inline std::string sign_assertion(const std::string& xml) { return idp().sign(xml, kAssertionId); }
inline std::string sign_response(const std::string& xml) { return idp().sign(xml, kResponseId); }

// The two shapes IdPs send: the Assertion signed, or the whole Response signed.
inline std::string assertion_signed(const testing::ResponseSpec& spec = valid_spec()) {
    return sign_assertion(unsigned_xml(spec));
}
inline std::string response_signed(const testing::ResponseSpec& spec = valid_spec()) {
    return sign_response(unsigned_xml(spec));
}

inline Result<ValidatedAssertion> validate(const std::string& xml,
                                           const core::SamlProvider& org_idp = provider(),
                                           const AcsExpectations& acs = expectations(),
                                           util::UnixTime now = kNow) {
    const util::FixedClock clock(now);
    return validate_response(util::base64_encode(xml), org_idp, acs, clock);
}

// "ok" or the reason code, so a CHECK prints what was refused when it fails.
inline std::string code_of(const Result<ValidatedAssertion>& result) {
    return result ? std::string("ok") : result.error().code;
}

inline std::string describe(const Result<ValidatedAssertion>& result) {
    return result ? std::string("ok") : result.error().code + ": " + result.error().message;
}

// ---- text surgery -----------------------------------------------------------------------
// The corpus edits serialized XML as an attacker would: by bytes, after signing.

inline std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "fixture: \"" << from << "\" not found");
    return text.replace(at, from.size(), to);
}

inline std::string insert_before(const std::string& text, const std::string& anchor,
                                 const std::string& inserted) {
    return replace_once(text, anchor, inserted + anchor);
}

inline std::string insert_after(const std::string& text, const std::string& anchor,
                                const std::string& inserted) {
    return replace_once(text, anchor, anchor + inserted);
}

// The first element that starts with `open`, through the end of the first `close` after it.
inline std::string element(const std::string& text, const std::string& open,
                           const std::string& close) {
    const auto begin = text.find(open);
    REQUIRE_MESSAGE(begin != std::string::npos, "fixture: \"" << open << "\" not found");
    const auto end = text.find(close, begin);
    REQUIRE_MESSAGE(end != std::string::npos, "fixture: \"" << close << "\" not found");
    return text.substr(begin, end + close.size() - begin);
}

inline std::string without(const std::string& text, const std::string& open,
                           const std::string& close) {
    return replace_once(text, element(text, open, close), "");
}

inline std::string assertion_of(const std::string& xml) {
    return element(xml, "<saml:Assertion", "</saml:Assertion>");
}

// The test IdP writes ds:Signature with a default namespace declaration, unprefixed.
inline const std::string kSignatureOpen =
    "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">";
inline const std::string kSignatureClose = "</Signature>";

// The first ds:Signature of `xml`, as written by the test IdP.
inline std::string signature_of(const std::string& xml) {
    return element(xml, kSignatureOpen, kSignatureClose);
}

// The samlp:Response start tag of `xml` (namespace declarations included).
inline std::string response_start_tag(const std::string& xml) {
    return element(xml, "<samlp:Response", ">");
}

// `xml` without its XML declaration, ready to be nested inside another document.
inline std::string without_declaration(const std::string& xml) {
    if (xml.rfind("<?xml", 0) != 0) return xml;
    const auto end = xml.find("?>");
    REQUIRE(end != std::string::npos);
    auto body = xml.substr(end + 2);
    while (!body.empty() && (body.front() == '\n' || body.front() == '\r')) body.erase(0, 1);
    return body;
}

// An assertion an attacker writes: the valid one for another subject, its ID changed.
inline std::string evil_assertion(const std::string& id = "_evil-assertion") {
    auto spec = valid_spec();
    spec.assertion_id = id;
    spec.name_id = "admin@example.com";
    return assertion_of(unsigned_xml(spec));
}

// ---- SignedInfo surgery -----------------------------------------------------------------

// Replaces the first `from` inside the signature of `element_id` and signs the result
// again with the IdP's key: the hostile SignedInfo then verifies cryptographically, so
// only the policy can refuse it.
inline std::string resigned_with(const std::string& signed_xml, const std::string& element_id,
                                 const std::string& from, const std::string& to) {
    return idp().resign(replace_once(signed_xml, from, to), element_id);
}

inline const std::string kTransformsEnd = "</Transforms>";
inline const std::string kSignedInfoEnd = "</SignedInfo>";
inline const std::string kAssertionReference = "URI=\"#" + kAssertionId + "\"";

// ---- keys ---------------------------------------------------------------------------------

inline EvpPkeyPtr private_key_of(const testing::Identity& identity) {
    const auto& pem = identity.private_key_pem;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(key);
    return key;
}

// The SP's encryption identity for "acme" (generated once per process).
inline const testing::Identity& sp_identity() {
    static const testing::Identity identity = testing::generate_identity("Gatehouse SP acme");
    return identity;
}

// The SP's private key; expectations_with_key() borrows it, so it lives for the process.
inline EVP_PKEY* sp_private_key() {
    static const EvpPkeyPtr key = private_key_of(sp_identity());
    return key.get();
}

inline AcsExpectations expectations_with_key() {
    auto acs = expectations();
    acs.decryption_key = sp_private_key();
    return acs;
}

}  // namespace gatehouse::hostile
