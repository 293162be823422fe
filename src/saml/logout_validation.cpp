// Validation of the logout messages an IdP sends to the SLS (declared in logout.hpp).
#include "gatehouse/saml/logout.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
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
Status check_envelope(const xmlNode* root, std::string_view element,
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
    // Destination is optional in a signed message (SAML core §3.2.1); when present it
    // must name this SLS, or a message meant for another SP could be replayed here.
    if (const auto destination = attribute(root, "Destination");
        destination && *destination != expected.sls_url) {
        return fail("saml.logout.destination_mismatch",
                    "The Destination \"" + *destination + "\" is not this SLS.");
    }
    return {};
}

Result<IncomingLogoutRequest> read_request(VerifiedMessage message,
                                           const LogoutExpectations& expected,
                                           const util::Clock& clock) {
    const xmlNode* root = message.document.root();
    if (auto status = check_envelope(root, "LogoutRequest", expected); !status) {
        return status.error();
    }
    if (const auto not_on_or_after = attribute(root, "NotOnOrAfter")) {
        const auto expires = util::parse_iso8601(*not_on_or_after);
        if (!expires) {
            return fail("saml.logout.time_invalid",
                        "NotOnOrAfter \"" + *not_on_or_after + "\" is not a valid time.");
        }
        if (clock.now() - expected.clock_skew_seconds >= *expires) {
            return fail("saml.logout.expired",
                        "The LogoutRequest expired at " + *not_on_or_after + ".");
        }
    }
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
    if (auto status = check_envelope(root, "LogoutResponse", expected); !status) {
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
