#include "gatehouse/saml/response.hpp"

#include <algorithm>

#include "gatehouse/saml/references.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/trusted_keys_cache.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

constexpr std::string_view kStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
constexpr std::string_view kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

using util::UnixTime;
using OptionalTime = std::optional<UnixTime>;

// "Now" with the org's allowance for clocks that disagree. A value that must lie in the
// past may be up to `skew` seconds in the future, and the reverse.
struct TimeWindow {
    UnixTime now;
    UnixTime skew;

    bool has_started(UnixTime not_before) const { return now + skew >= not_before; }
    bool has_ended(UnixTime not_on_or_after) const { return now - skew >= not_on_or_after; }
    bool is_older_than(UnixTime instant, UnixTime max_age) const {
        return now - skew > instant + max_age;
    }
};

Result<OptionalTime> time_attribute(const xmlNode* element, std::string_view name) {
    const auto text = attribute(element, name);
    if (!text) return OptionalTime{};
    const auto parsed = util::parse_iso8601(*text);
    if (!parsed) {
        return fail("saml.assertion.bad_time", "The " + std::string(name) + " value \"" + *text +
                                                   "\" is not a valid xs:dateTime.");
    }
    return OptionalTime{*parsed};
}

Status check_response_element(const xmlNode* response) {
    if (!is_element(response, ns::protocol, "Response")) {
        return fail("saml.response.not_a_response", "The message is not a SAML 2.0 Response.");
    }
    if (attribute(response, "Version") != "2.0") {
        return fail("saml.response.version", "The Response is not SAML version 2.0.");
    }
    // The ID is schema-required; the audit log and the replay checks name messages by it.
    if (attribute(response, "ID").value_or("").empty()) {
        return fail("saml.response.id_missing", "The Response has no ID.");
    }
    return {};
}

// SAML core §3.2.2 and §3.3.3: a Response holds saml:Issuer?, ds:Signature?,
// samlp:Extensions?, samlp:Status, then assertions, in that order. Anything else (an
// element of another namespace, a second Status, a Signature after the Status) is a
// message no conforming IdP wrote, and an unexpected place for a verifier and a reader
// to disagree about.
Status check_response_children(const xmlNode* response) {
    enum Slot { issuer, signature, extensions, status, assertions };
    int reached = -1;
    for (const xmlNode* child : element_children(response)) {
        int slot = -1;
        if (is_element(child, ns::assertion, "Issuer")) slot = issuer;
        if (is_element(child, ns::xmldsig, "Signature")) slot = signature;
        if (is_element(child, ns::protocol, "Extensions")) slot = extensions;
        if (is_element(child, ns::protocol, "Status")) slot = status;
        if (is_element(child, ns::assertion, "Assertion") ||
            is_element(child, ns::assertion, "EncryptedAssertion")) {
            slot = assertions;
        }
        if (slot < 0 || slot < reached || (slot == reached && slot != assertions)) {
            return fail("saml.response.unexpected_element",
                        "The Response carries " + qualified_name(child) +
                            " where the SAML schema does not allow it.");
        }
        reached = slot;
    }
    if (reached < status) {
        return fail("saml.response.unexpected_element", "The Response has no Status.");
    }
    return {};
}

// IssueInstant is schema-required on Response and Assertion. One from the future (beyond
// the skew) comes from a clock that cannot be trusted; one older than max_age (plus the
// skew) is a message kept for later, whatever its other validity windows say.
Status check_issue_instant(const xmlNode* element, const std::string& code, const std::string& what,
                           const TimeWindow& time, UnixTime max_age) {
    const auto text = attribute(element, "IssueInstant");
    if (!text) return fail(code, "The " + what + " has no IssueInstant.");
    const auto issued = util::parse_iso8601(*text);
    if (!issued) {
        return fail(code,
                    "The " + what + " IssueInstant \"" + *text + "\" is not a valid xs:dateTime.");
    }
    if (!time.has_started(*issued)) {
        return fail(code, "The " + what + " was issued in the future, at " +
                              util::format_iso8601(*issued) + " (clock skew allowed).");
    }
    if (time.is_older_than(*issued, max_age)) {
        return fail(code, "The " + what + " was issued at " + util::format_iso8601(*issued) +
                              ", more than " + std::to_string(max_age) +
                              " seconds ago (clock skew allowed).");
    }
    return {};
}

// The Response-level Issuer is optional (SAML core §3.2.2); when present it must match.
Status check_response_issuer(const xmlNode* response, const core::SamlProvider& provider) {
    const xmlNode* issuer = first_child_element(response, ns::assertion, "Issuer");
    if (issuer != nullptr && element_text(issuer) != provider.idp_entity_id) {
        return fail("saml.response.issuer_mismatch",
                    "The Response Issuer \"" + element_text(issuer) + "\" is not the IdP \"" +
                        provider.idp_entity_id + "\".");
    }
    return {};
}

// Bindings §3.5.5.2: a signed Response must name its Destination, so that a Response
// meant for another SP cannot be replayed here.
// Whether `value` is the expected one or one of the SP's other names.
bool names_this_sp(const std::optional<std::string>& value, const std::string& expected,
                   const std::vector<std::string>& others) {
    if (!value) return false;
    return *value == expected || std::find(others.begin(), others.end(), *value) != others.end();
}

Status check_destination(const xmlNode* response, const AcsExpectations& expectations) {
    const std::string& acs_url = expectations.acs_url;
    const auto destination = attribute(response, "Destination");
    if (!destination) {
        if (has_signature(response)) {
            return fail("saml.response.destination_missing",
                        "The signed Response does not name its Destination.");
        }
        return {};
    }
    if (!names_this_sp(destination, acs_url, expectations.other_acs_urls)) {
        return fail(
            "saml.response.destination_mismatch",
            "The Response is addressed to \"" + *destination + "\", not \"" + acs_url + "\".");
    }
    return {};
}

Status check_status(const xmlNode* response) {
    const xmlNode* status = first_child_element(response, ns::protocol, "Status");
    const xmlNode* code = first_child_element(status, ns::protocol, "StatusCode");
    const auto value = attribute(code, "Value").value_or("");
    if (value == kStatusSuccess) return {};
    std::string detail = value.empty() ? std::string("no status") : value;
    if (const auto second =
            attribute(first_child_element(code, ns::protocol, "StatusCode"), "Value")) {
        detail += " / " + *second;
    }
    if (const xmlNode* message = first_child_element(status, ns::protocol, "StatusMessage")) {
        detail += " (" + element_text(message) + ")";
    }
    return fail("saml.response.status", "The IdP did not report success: " + detail + ".");
}

// Exactly one assertion, plain or encrypted, in the whole document, sitting directly
// under the Response: an extra one anywhere (Extensions, inside another element) is how
// wrapping attacks smuggle in the assertion that gets read instead of the one signed.
Result<xmlNode*> sole_assertion_child(const xmlNode* response) {
    const auto plain = descendant_elements(response, ns::assertion, "Assertion");
    const auto encrypted = descendant_elements(response, ns::assertion, "EncryptedAssertion");
    if (plain.size() + encrypted.size() != 1) {
        return fail("saml.assertion.count", "The Response must carry exactly one assertion, not " +
                                                std::to_string(plain.size() + encrypted.size()) +
                                                ".");
    }
    xmlNode* found = plain.empty() ? encrypted.front() : plain.front();
    if (found->parent != response) {
        return fail("saml.assertion.count", "The assertion is not a child of the Response.");
    }
    return found;
}

// decrypt_assertion changes the tree only when it succeeds, so each key gets the same tree.
Result<xmlNode*> plaintext_assertion(xmlDoc* doc, xmlNode* found,
                                     const AcsExpectations& expectations,
                                     const DecryptionPolicy& policy) {
    if (is_element(found, ns::assertion, "Assertion")) return found;
    if (expectations.decryption_key == nullptr) {
        return fail("saml.assertion.encrypted",
                    "The assertion is encrypted but no SP decryption key is configured.");
    }
    auto assertion = decrypt_assertion(found, expectations.decryption_key, policy);
    for (EVP_PKEY* other : expectations.other_decryption_keys) {
        if (assertion || assertion.error().code != "saml.assertion.encrypted") break;
        assertion = decrypt_assertion(found, other, policy);
    }
    if (!assertion) return assertion.error();
    if (descendant_elements(xmlDocGetRootElement(doc), ns::assertion, "Assertion").size() != 1) {
        return fail("saml.assertion.count",
                    "The encrypted assertion hides more than one assertion.");
    }
    // The plaintext was not there when the message was first scanned, and its signature
    // is verified next.
    if (auto status = refuse_external_references(*assertion); !status) return status.error();
    return assertion;
}

// IdP-initiated sign-in has no request to answer, which is why InResponseTo cannot be
// checked for it; the org must opt in to accept that (it widens the window for a stolen
// Response to be used), so the default refuses.
Status check_in_response_to(const std::optional<std::string>& in_response_to,
                            const AcsExpectations& expectations) {
    if (!in_response_to) {
        if (expectations.allow_idp_initiated) return {};
        return fail("saml.response.unsolicited",
                    "The Response answers no request, and IdP-initiated sign-in is not allowed.");
    }
    if (!expectations.is_pending_request || !expectations.is_pending_request(*in_response_to)) {
        return fail("saml.response.unknown_request",
                    "The Response answers \"" + *in_response_to +
                        "\", which is not a pending sign-in request.");
    }
    return {};
}

Status check_assertion_header(const xmlNode* assertion, const core::SamlProvider& provider) {
    if (attribute(assertion, "Version") != "2.0") {
        return fail("saml.assertion.version", "The Assertion is not SAML version 2.0.");
    }
    // The replay cache remembers assertions by ID: one without an ID could never be told
    // from the next.
    if (attribute(assertion, "ID").value_or("").empty()) {
        return fail("saml.assertion.id_missing", "The Assertion has no ID.");
    }
    const xmlNode* issuer = first_child_element(assertion, ns::assertion, "Issuer");
    if (issuer == nullptr) {
        return fail("saml.assertion.issuer_missing", "The Assertion has no Issuer.");
    }
    if (element_text(issuer) != provider.idp_entity_id) {
        return fail("saml.assertion.issuer_mismatch",
                    "The Assertion Issuer \"" + element_text(issuer) + "\" is not the IdP \"" +
                        provider.idp_entity_id + "\".");
    }
    return {};
}

// Core §2.4.1: a Subject names its principal with one identifier. Two NameIDs (or a NameID
// beside a BaseID or EncryptedID) leave open which one is meant, and different readers
// of the same message would pick different ones.
Status read_name_id(const xmlNode* assertion, ValidatedAssertion& out) {
    const auto subjects = child_elements(assertion, ns::assertion, "Subject");
    if (subjects.empty()) {
        return fail("saml.assertion.subject_missing", "The Assertion has no Subject.");
    }
    if (subjects.size() > 1) {
        return fail("saml.assertion.subject_ambiguous",
                    "The Assertion carries more than one Subject.");
    }
    const auto name_ids = child_elements(subjects.front(), ns::assertion, "NameID");
    const std::size_t identifiers =
        name_ids.size() + child_elements(subjects.front(), ns::assertion, "BaseID").size() +
        child_elements(subjects.front(), ns::assertion, "EncryptedID").size();
    if (identifiers > 1) {
        return fail("saml.assertion.subject_ambiguous",
                    "The Subject names its principal " + std::to_string(identifiers) +
                        " times; exactly one NameID is required.");
    }
    if (name_ids.empty() || element_text(name_ids.front()).empty()) {
        return fail("saml.assertion.subject_missing", "The Assertion has no NameID.");
    }
    out.name_id = element_text(name_ids.front());
    out.name_id_format = attribute(name_ids.front(), "Format").value_or("");
    return {};
}

// Web SSO profile §4.1.4.2: at least one bearer confirmation must name this ACS as
// Recipient, answer the same request, and still be current. Returns its NotOnOrAfter.
Result<UnixTime> check_bearer_confirmation(const xmlNode* subject,
                                           const std::optional<std::string>& in_response_to,
                                           const AcsExpectations& expectations,
                                           const TimeWindow& time) {
    const std::string& acs_url = expectations.acs_url;
    Error refusal = fail("saml.assertion.no_bearer_confirmation",
                         "The Assertion has no bearer SubjectConfirmation.");
    for (const xmlNode* confirmation :
         child_elements(subject, ns::assertion, "SubjectConfirmation")) {
        if (attribute(confirmation, "Method") != kBearer) continue;
        const xmlNode* data =
            first_child_element(confirmation, ns::assertion, "SubjectConfirmationData");
        const auto recipient = attribute(data, "Recipient");
        if (!names_this_sp(recipient, acs_url, expectations.other_acs_urls)) {
            refusal = fail("saml.assertion.recipient_mismatch",
                           "The bearer confirmation's Recipient \"" + recipient.value_or("") +
                               "\" is not \"" + acs_url + "\".");
            continue;
        }
        // When only the Assertion is signed, the Response's InResponseTo is attacker
        // controlled; tying it to the signed copy here keeps the request check honest.
        if (attribute(data, "InResponseTo") != in_response_to) {
            refusal = fail("saml.assertion.in_response_to_mismatch",
                           "The bearer confirmation answers a different request than the "
                           "Response.");
            continue;
        }
        auto not_before = time_attribute(data, "NotBefore");
        auto not_on_or_after = time_attribute(data, "NotOnOrAfter");
        if (!not_before) return not_before.error();
        if (!not_on_or_after) return not_on_or_after.error();
        if (!not_on_or_after->has_value()) {
            refusal = fail("saml.assertion.no_bearer_confirmation",
                           "The bearer confirmation has no NotOnOrAfter.");
            continue;
        }
        if (time.has_ended(**not_on_or_after) ||
            (not_before->has_value() && !time.has_started(**not_before))) {
            refusal = fail("saml.assertion.subject_expired",
                           "The bearer confirmation is outside its validity window.");
            continue;
        }
        return **not_on_or_after;
    }
    return refusal;
}

Status check_audience(const xmlNode* conditions, const AcsExpectations& expectations) {
    const std::string& sp_entity_id = expectations.sp_entity_id;
    const auto restrictions = child_elements(conditions, ns::assertion, "AudienceRestriction");
    if (restrictions.empty()) {
        return fail("saml.assertion.audience_missing",
                    "The Assertion is not restricted to an audience.");
    }
    // Core §2.5.1.4: every AudienceRestriction must be satisfied, each by any of its
    // Audience values.
    for (const xmlNode* restriction : restrictions) {
        const auto audiences = child_elements(restriction, ns::assertion, "Audience");
        const bool names_us =
            std::any_of(audiences.begin(), audiences.end(), [&](const xmlNode* a) {
                return names_this_sp(element_text(a), sp_entity_id, expectations.other_entity_ids);
            });
        if (!names_us) {
            return fail(
                "saml.assertion.audience_mismatch",
                "The Assertion is meant for another audience, not \"" + sp_entity_id + "\".");
        }
    }
    return {};
}

// Returns the Conditions NotOnOrAfter, when there is one.
Result<OptionalTime> check_conditions(const xmlNode* assertion, const AcsExpectations& expectations,
                                      const TimeWindow& time) {
    const auto all = child_elements(assertion, ns::assertion, "Conditions");
    if (all.size() != 1) {
        return fail("saml.assertion.audience_missing",
                    "The Assertion must carry exactly one Conditions element.");
    }
    auto not_before = time_attribute(all.front(), "NotBefore");
    auto not_on_or_after = time_attribute(all.front(), "NotOnOrAfter");
    if (!not_before) return not_before.error();
    if (!not_on_or_after) return not_on_or_after.error();
    if (not_before->has_value() && !time.has_started(**not_before)) {
        return fail("saml.assertion.not_yet_valid", "The Assertion is not valid before " +
                                                        util::format_iso8601(**not_before) +
                                                        " (clock skew allowed).");
    }
    if (not_on_or_after->has_value() && time.has_ended(**not_on_or_after)) {
        return fail("saml.assertion.expired", "The Assertion expired at " +
                                                  util::format_iso8601(**not_on_or_after) +
                                                  " (clock skew allowed).");
    }
    if (auto status = check_audience(all.front(), expectations); !status) return status.error();
    return *not_on_or_after;
}

Status read_authn_statement(const xmlNode* assertion, const TimeWindow& time,
                            ValidatedAssertion& out) {
    const xmlNode* statement = first_child_element(assertion, ns::assertion, "AuthnStatement");
    if (statement == nullptr) {
        return fail("saml.assertion.authn_statement_missing",
                    "The Assertion has no AuthnStatement.");
    }
    auto session_end = time_attribute(statement, "SessionNotOnOrAfter");
    if (!session_end) return session_end.error();
    if (session_end->has_value() && time.has_ended(**session_end)) {
        return fail("saml.assertion.session_expired", "The IdP session has already ended.");
    }
    out.session_not_on_or_after = *session_end;
    out.session_index = attribute(statement, "SessionIndex").value_or("");
    return {};
}

std::map<std::string, std::vector<std::string>> read_attributes(const xmlNode* assertion) {
    std::map<std::string, std::vector<std::string>> attributes;
    for (const xmlNode* statement :
         child_elements(assertion, ns::assertion, "AttributeStatement")) {
        for (const xmlNode* attr : child_elements(statement, ns::assertion, "Attribute")) {
            auto& values = attributes[attribute(attr, "Name").value_or("")];
            for (const xmlNode* value : child_elements(attr, ns::assertion, "AttributeValue")) {
                if (attribute_ns(value, ns::xsi, "nil") == "true") continue;
                values.push_back(element_text(value));
            }
        }
    }
    return attributes;
}

Status verify_response_signature(xmlDoc* doc, xmlNode* response, const TrustedKeys& keys,
                                 const SignaturePolicy& policy) {
    if (!has_signature(response)) return {};
    return verify_enveloped_signature(doc, response, keys, policy);
}

Status verify_assertion_signature(xmlDoc* doc, xmlNode* response, xmlNode* assertion,
                                  const core::SamlProvider& provider, const TrustedKeys& keys,
                                  const SignaturePolicy& policy) {
    const bool assertion_signed = has_signature(assertion);
    if (!assertion_signed && !has_signature(response)) {
        return fail("saml.signature.missing", "Neither the Response nor the Assertion is signed.");
    }
    if (!assertion_signed && provider.options.require_signed_assertion) {
        return fail("saml.assertion.unsigned",
                    "The org requires a signed Assertion; only the Response is signed.");
    }
    if (!assertion_signed) return {};
    return verify_enveloped_signature(doc, assertion, keys, policy);
}

}  // namespace

Result<ValidatedAssertion> validate_response(std::string_view saml_response_base64,
                                             const core::SamlProvider& provider,
                                             const AcsExpectations& expectations,
                                             const util::Clock& clock) {
    const auto bytes = util::base64_decode(saml_response_base64);
    if (!bytes) return fail("saml.response.encoding", "The SAMLResponse is not valid base64.");
    auto parsed = parse_untrusted_xml(*bytes);
    if (!parsed) return parsed.error();
    xmlDoc* doc = parsed->get();
    xmlNode* response = parsed->root();
    // First of all, before anything could hand the tree to xmlsec: an anonymous, unsigned
    // Response is decrypted before any signature is checked.
    if (auto s = refuse_external_references(response); !s) return s.error();
    const TimeWindow time{clock.now(), provider.options.clock_skew_seconds};
    const SignaturePolicy policy{provider.options.allow_sha1};

    if (auto s = check_response_element(response); !s) return s.error();
    if (auto s = check_response_issuer(response, provider); !s) return s.error();
    if (auto s = check_destination(response, expectations); !s) return s.error();
    if (auto s = check_status(response); !s) return s.error();
    auto found = sole_assertion_child(response);
    if (!found) return found.error();
    if (auto s = check_response_children(response); !s) return s.error();

    // Parsing the certificates costs about as much as verifying a signature; the cache
    // keys them by their bytes, so a changed certificate takes effect on the next Response.
    auto keys = shared_trusted_keys_cache().keys_for(provider.certificates);
    if (!keys) return keys.error();
    // The Response signature covers the ciphertext of an encrypted assertion, so it is
    // checked before decryption changes the tree.
    if (auto s = verify_response_signature(doc, response, *keys, policy); !s) return s.error();
    auto assertion = plaintext_assertion(doc, *found, expectations,
                                         DecryptionPolicy{provider.options.require_aes_gcm});
    if (!assertion) return assertion.error();
    if (auto s = verify_assertion_signature(doc, response, *assertion, provider, *keys, policy);
        !s) {
        return s.error();
    }

    ValidatedAssertion out;
    out.response_id = attribute(response, "ID").value_or("");
    out.assertion_id = attribute(*assertion, "ID").value_or("");
    out.in_response_to = attribute(response, "InResponseTo");
    if (auto s = check_in_response_to(out.in_response_to, expectations); !s) return s.error();
    if (auto s = check_assertion_header(*assertion, provider); !s) return s.error();
    out.issuer = provider.idp_entity_id;

    if (auto s = read_name_id(*assertion, out); !s) return s.error();
    const xmlNode* subject = first_child_element(*assertion, ns::assertion, "Subject");
    auto confirmed_until =
        check_bearer_confirmation(subject, out.in_response_to, expectations, time);
    if (!confirmed_until) return confirmed_until.error();
    auto conditions_until = check_conditions(*assertion, expectations, time);
    if (!conditions_until) return conditions_until.error();
    out.replay_expires_at =
        std::max(*confirmed_until, conditions_until->value_or(*confirmed_until)) + time.skew;
    // After the validity windows, so that a stale message is reported by the window that
    // ended first rather than by its age.
    const UnixTime max_age = provider.options.max_issue_age_seconds;
    if (auto s =
            check_issue_instant(response, "saml.response.issue_instant", "Response", time, max_age);
        !s) {
        return s.error();
    }
    if (auto s = check_issue_instant(*assertion, "saml.assertion.issue_instant", "Assertion", time,
                                     max_age);
        !s) {
        return s.error();
    }

    if (auto s = read_authn_statement(*assertion, time, out); !s) return s.error();
    out.attributes = read_attributes(*assertion);
    return out;
}

}  // namespace gatehouse::saml
