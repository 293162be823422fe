#include "gatehouse/saml/redirect_binding.hpp"

#include <map>

#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

std::string_view parameter_name(SamlMessageKind kind) {
    return kind == SamlMessageKind::request ? "SAMLRequest" : "SAMLResponse";
}

// The SAML parameters of a query string, still URL-encoded: the signature covers these
// exact octets, and re-encoding decoded values would not reproduce every sender's choice
// of escapes (upper or lower case hex, which characters are escaped).
struct RawParameters {
    std::map<std::string, std::string, std::less<>> values;
    bool repeated = false;
};

RawParameters split_query(std::string_view query) {
    static constexpr std::string_view kSamlNames[] = {"SAMLRequest", "SAMLResponse", "RelayState",
                                                      "SigAlg", "Signature"};
    RawParameters parameters;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view name = pair.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        bool is_saml = false;
        for (const auto saml_name : kSamlNames) is_saml = is_saml || name == saml_name;
        if (!is_saml) continue;  // other parameters are the application's business
        if (!parameters.values.emplace(std::string(name), std::string(value)).second) {
            parameters.repeated = true;
        }
    }
    return parameters;
}

Error malformed(std::string_view what) {
    return fail("saml.redirect.malformed", "The " + std::string(what) + " parameter is malformed.");
}

// Base64 never contains a space, so a literal '+' is kept as '+' rather than read as a
// space: some senders leave '+' unescaped.
Result<std::string> decode_base64_parameter(std::string_view raw, std::string_view name) {
    const auto unescaped = util::url_decode(raw, false);
    if (!unescaped) return malformed(name);
    auto bytes = util::base64_decode(*unescaped);
    if (!bytes || bytes->empty()) return malformed(name);
    return std::move(*bytes);
}

}  // namespace

Result<std::string> build_redirect_url(std::string_view destination, SamlMessageKind kind,
                                       std::string_view xml, std::string_view relay_state,
                                       const SpCredentials& credentials) {
    if (destination.empty() || destination.find('#') != std::string_view::npos) {
        return fail("saml.redirect.destination_invalid",
                    "The IdP URL \"" + std::string(destination) +
                        "\" cannot carry a Redirect-binding message.");
    }
    if (relay_state.size() > kMaxRelayStateBytes) {
        return fail("saml.redirect.relay_state_too_long",
                    "RelayState exceeds the binding's limit of 80 bytes.");
    }
    std::string signed_octets = std::string(parameter_name(kind)) + "=" +
                                util::url_encode(util::base64_encode(util::deflate_raw(xml)));
    if (!relay_state.empty()) signed_octets += "&RelayState=" + util::url_encode(relay_state);
    signed_octets += "&SigAlg=" + util::url_encode(alg::rsa_sha256);

    auto signature = credentials.sign_rsa_sha256(signed_octets);
    if (!signature) return signature.error();

    std::string url(destination);
    if (destination.find('?') == std::string_view::npos) {
        url += '?';
    } else if (url.back() != '?' && url.back() != '&') {
        url += '&';
    }
    return url + signed_octets + "&Signature=" + util::url_encode(util::base64_encode(*signature));
}

Result<RedirectMessage> decode_redirect(std::string_view raw_query, const TrustedKeys& keys,
                                        const SignaturePolicy& policy,
                                        std::size_t max_inflated_bytes) {
    const RawParameters parameters = split_query(raw_query);
    const auto& values = parameters.values;
    const bool has_request = values.contains("SAMLRequest");
    const bool has_response = values.contains("SAMLResponse");
    if (parameters.repeated || (has_request && has_response)) {
        return fail("saml.redirect.ambiguous",
                    "The query repeats a SAML parameter or carries both a request and a response.");
    }
    if (!has_request && !has_response) {
        return fail("saml.redirect.message_missing",
                    "The query carries neither SAMLRequest nor SAMLResponse.");
    }
    const auto sig_alg = values.find("SigAlg");
    const auto signature = values.find("Signature");
    if (sig_alg == values.end() || signature == values.end()) {
        return fail(
            "saml.redirect.signature_missing",
            "The Redirect-binding message is not signed (SigAlg and Signature are required).");
    }

    const SamlMessageKind kind = has_request ? SamlMessageKind::request : SamlMessageKind::response;
    const std::string_view name = parameter_name(kind);
    const std::string& raw_message = values.find(name)->second;
    const auto relay_state = values.find("RelayState");

    // Bindings §3.4.4.1: the signed octets are the parameters in this order, as received.
    std::string signed_octets = std::string(name) + "=" + raw_message;
    if (relay_state != values.end()) signed_octets += "&RelayState=" + relay_state->second;
    signed_octets += "&SigAlg=" + sig_alg->second;

    const auto algorithm = util::url_decode(sig_alg->second, false);
    if (!algorithm) return malformed("SigAlg");
    auto signature_bytes = decode_base64_parameter(signature->second, "Signature");
    if (!signature_bytes) return signature_bytes.error();
    if (auto verified = keys.verify_detached(signed_octets, *signature_bytes, *algorithm, policy);
        !verified) {
        return verified.error();
    }

    auto deflated = decode_base64_parameter(raw_message, name);
    if (!deflated) return deflated.error();
    auto xml = util::inflate_raw(*deflated, max_inflated_bytes);
    if (!xml) {
        if (xml.error().code == "deflate.too_large") {
            return fail("saml.redirect.too_large",
                        "The " + std::string(name) + " inflates beyond " +
                            std::to_string(max_inflated_bytes) + " bytes.");
        }
        return malformed(name);
    }
    auto document = parse_untrusted_xml(*xml);
    if (!document) return document.error();

    std::optional<std::string> decoded_relay_state;
    if (relay_state != values.end()) {
        decoded_relay_state = util::url_decode(relay_state->second, true);
        if (!decoded_relay_state) return malformed("RelayState");
    }
    return RedirectMessage{kind, std::move(*document), std::move(decoded_relay_state), *algorithm};
}

}  // namespace gatehouse::saml
