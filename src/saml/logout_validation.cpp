// Validation of the logout messages an IdP sends to the SLS (declared in logout.hpp).
#include <algorithm>

#include "gatehouse/saml/logout.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/saml/references.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

// A logout message after its binding's signature check, with the RelayState that came
// alongside it.
struct VerifiedMessage {
    XmlDocument document;
    std::optional<std::string> relay_state;
};

Result<VerifiedMessage> from_redirect(std::string_view raw_query, SamlMessageKind kind,
                                      const LogoutExpectations& expected) {
    auto message = decode_redirect(raw_query, expected.keys, expected.policy);
    if (!message) return message.error();
    if (message->kind != kind) {
        return fail("saml.logout.unexpected_message",
                    kind == SamlMessageKind::request
                        ? "The SLS expected a SAMLRequest but received a SAMLResponse."
                        : "The SLS expected a SAMLResponse but received a SAMLRequest.");
    }
    return VerifiedMessage{std::move(message->document), std::move(message->relay_state)};
}

// The POST binding carries the XML base64-encoded without DEFLATE, signed inside the XML.
Result<VerifiedMessage> from_post(const std::map<std::string, std::string>& form,
                                  std::string_view field, const LogoutExpectations& expected) {
    const auto encoded = form.find(std::string(field));
    if (encoded == form.end()) {
        return fail("saml.logout.message_missing",
                    "The form carries no " + std::string(field) + " field.");
    }
    const auto xml = util::base64_decode(encoded->second);
    if (!xml || xml->empty()) {
        return fail("saml.logout.malformed", "The " + std::string(field) + " field is not base64.");
    }
    auto document = parse_untrusted_xml(*xml);
    if (!document) return document.error();
    if (auto status = refuse_external_references(document->root()); !status) {
        return status.error();
    }
    // Checking the root's own signature (not any signature somewhere in the document) is
    // what makes the fields read below the fields that were signed.
    if (auto verified = verify_enveloped_signature(document->get(), document->root(), expected.keys,
                                                   expected.policy);
        !verified) {
        return verified.error();
    }
    std::optional<std::string> relay_state;
    if (const auto relay = form.find("RelayState"); relay != form.end()) {
        relay_state = relay->second;
    }
    return VerifiedMessage{std::move(*document), std::move(relay_state)};
}

// Checks shared by both messages: element, Version, ID, Issuer, Destination.
Status check_envelope(const xmlNode* root, std::string_view element, bool destination_required,
                      const LogoutExpectations& expected) {
    if (!is_element(root, ns::protocol, element)) {
        return fail("saml.logout.unexpected_message",
                    "The message is not a samlp:" + std::string(element) + ".");
    }
    if (attribute(root, "Version") != "2.0") {
        return fail("saml.logout.version", "The message is not SAML 2.0.");
    }
    const auto id = attribute(root, "ID");
    if (!id || id->empty()) return fail("saml.logout.id_missing", "The message has no ID.");

    const auto issuers = child_elements(root, ns::assertion, "Issuer");
    if (issuers.size() != 1 || element_text(issuers.front()).empty()) {
        return fail("saml.logout.issuer_missing", "The message has no single Issuer.");
    }
    if (const std::string issuer = element_text(issuers.front());
        issuer != expected.idp_entity_id) {
        return fail("saml.logout.issuer_mismatch", "The Issuer \"" + issuer +
                                                       "\" is not the org's IdP \"" +
                                                       expected.idp_entity_id + "\".");
    }
    // A message meant for another SP could be replayed here unless it names this SLS.
    // SAML core §3.2.1 leaves Destination optional in a signed message; a LogoutRequest
    // is nevertheless required to carry it, since the IdP signs the same request for every
    // SP of the session and nothing else in it names the SP. A LogoutResponse answers a
    // request this SP made, which already ties it here.
    const auto destination = attribute(root, "Destination");
    if (!destination && destination_required) {
        return fail("saml.logout.destination_missing",
                    "The " + std::string(element) + " does not name its Destination.");
    }
    if (destination && *destination != expected.sls_url &&
        std::find(expected.other_sls_urls.begin(), expected.other_sls_urls.end(), *destination) ==
            expected.other_sls_urls.end()) {
        return fail("saml.logout.destination_mismatch",
                    "The Destination \"" + *destination + "\" is not this SLS.");
    }
    return {};
}

// IssueInstant bounds how long a LogoutRequest stays acceptable even without NotOnOrAfter,
// which is what lets a replay cache forget it eventually.
Result<util::UnixTime> check_issue_instant(const xmlNode* root, const LogoutExpectations& expected,
                                           util::UnixTime now) {
    const auto text = attribute(root, "IssueInstant");
    if (!text) return fail("saml.logout.issue_instant", "The LogoutRequest has no IssueInstant.");
    const auto issued = util::parse_iso8601(*text);
    if (!issued) {
        return fail("saml.logout.issue_instant",
                    "IssueInstant \"" + *text + "\" is not a valid time.");
    }
    if (*issued > now + expected.clock_skew_seconds) {
        return fail("saml.logout.issue_instant",
                    "The LogoutRequest was issued in the future, at " + *text + ".");
    }
    if (now - expected.clock_skew_seconds > *issued + expected.max_issue_age_seconds) {
        return fail("saml.logout.issue_instant",
                    "The LogoutRequest was issued at " + *text + ", more than " +
                        std::to_string(expected.max_issue_age_seconds) + " seconds ago.");
    }
    return *issued;
}

Result<IncomingLogoutRequest> read_request(VerifiedMessage message,
                                           const LogoutExpectations& expected,
                                           const util::Clock& clock) {
    const xmlNode* root = message.document.root();
    if (auto status = check_envelope(root, "LogoutRequest", true, expected); !status) {
        return status.error();
    }
    const util::UnixTime now = clock.now();
    std::optional<util::UnixTime> not_on_or_after;
    if (const auto text = attribute(root, "NotOnOrAfter")) {
        not_on_or_after = util::parse_iso8601(*text);
        if (!not_on_or_after) {
            return fail("saml.logout.time_invalid",
                        "NotOnOrAfter \"" + *text + "\" is not a valid time.");
        }
        if (now - expected.clock_skew_seconds >= *not_on_or_after) {
            return fail("saml.logout.expired", "The LogoutRequest expired at " + *text + ".");
        }
    }
    auto issued = check_issue_instant(root, expected, now);
    if (!issued) return issued.error();
    if (first_child_element(root, ns::assertion, "EncryptedID")) {
        return fail(
            "saml.logout.name_id_encrypted",
            "The LogoutRequest names the subject with an EncryptedID, which is not supported.");
    }
    const auto name_ids = child_elements(root, ns::assertion, "NameID");
    if (name_ids.size() != 1 || element_text(name_ids.front()).empty()) {
        return fail("saml.logout.name_id_missing", "The LogoutRequest names no single subject.");
    }

    IncomingLogoutRequest request;
    request.id = *attribute(root, "ID");
    request.issuer = expected.idp_entity_id;
    request.name_id = element_text(name_ids.front());
    request.issue_instant = *issued;
    request.not_on_or_after = not_on_or_after;
    // Accepted while now - skew < NotOnOrAfter and now - skew <= IssueInstant + max age.
    request.replay_expires_at =
        *issued + expected.max_issue_age_seconds + expected.clock_skew_seconds;
    if (not_on_or_after) {
        request.replay_expires_at =
            std::min(request.replay_expires_at, *not_on_or_after + expected.clock_skew_seconds);
    }
    for (const xmlNode* index : child_elements(root, ns::protocol, "SessionIndex")) {
        if (std::string text = element_text(index); !text.empty()) {
            request.session_indexes.push_back(std::move(text));
        }
    }
    request.relay_state = std::move(message.relay_state);
    return request;
}

Result<IncomingLogoutResponse> read_response(VerifiedMessage message,
                                             const LogoutExpectations& expected) {
    const xmlNode* root = message.document.root();
    if (auto status = check_envelope(root, "LogoutResponse", false, expected); !status) {
        return status.error();
    }
    const auto in_response_to = attribute(root, "InResponseTo");
    if (!in_response_to || in_response_to->empty()) {
        return fail("saml.logout.in_response_to_missing",
                    "The LogoutResponse does not say which request it answers.");
    }
    const auto code = first_child_element(first_child_element(root, ns::protocol, "Status"),
                                          ns::protocol, "StatusCode");
    const auto value = attribute(code, "Value");
    if (!value || value->empty()) {
        return fail("saml.logout.status_missing", "The LogoutResponse carries no status.");
    }

    IncomingLogoutResponse response;
    response.id = *attribute(root, "ID");
    response.issuer = expected.idp_entity_id;
    response.in_response_to = *in_response_to;
    response.status = *value;
    response.success = *value == status_code::success;
    response.relay_state = std::move(message.relay_state);
    return response;
}

}  // namespace

Result<IncomingLogoutRequest> parse_logout_request_redirect(std::string_view raw_query,
                                                            const LogoutExpectations& expected,
                                                            const util::Clock& clock) {
    auto message = from_redirect(raw_query, SamlMessageKind::request, expected);
    if (!message) return message.error();
    return read_request(std::move(*message), expected, clock);
}

Result<IncomingLogoutRequest> parse_logout_request_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected,
    const util::Clock& clock) {
    auto message = from_post(form, "SAMLRequest", expected);
    if (!message) return message.error();
    return read_request(std::move(*message), expected, clock);
}

Result<IncomingLogoutResponse> parse_logout_response_redirect(std::string_view raw_query,
                                                              const LogoutExpectations& expected) {
    auto message = from_redirect(raw_query, SamlMessageKind::response, expected);
    if (!message) return message.error();
    return read_response(std::move(*message), expected);
}

Result<IncomingLogoutResponse> parse_logout_response_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected) {
    auto message = from_post(form, "SAMLResponse", expected);
    if (!message) return message.error();
    return read_response(std::move(*message), expected);
}

}  // namespace gatehouse::saml
