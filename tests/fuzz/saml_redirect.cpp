// Fuzzes the HTTP-Redirect binding (saml::decode_redirect): query-string parsing, the
// signature check over the octets as received, then inflating and parsing the message, and
// the logout-message readers built on it. The input is the raw query string.
//
// The trusted key is tests/fuzz/keys/signing.crt, whose key
// tests/fuzz/make_seeds signed the seeds with: they verify, so mutations of their
// unsigned parts and the parsers behind the signature are reached too.
#include "fuzz_support.hpp"
#include "gatehouse/saml/logout.hpp"
#include "gatehouse/saml/redirect_binding.hpp"

namespace {

using namespace gatehouse;

std::optional<saml::TrustedKeys> trusted;
std::optional<saml::LogoutExpectations> logout;
// The IssueInstant of the logout seeds (tests/fuzz/make_seeds).
const util::FixedClock logout_clock{1767225600};  // 2026-01-01T00:00:00Z

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto keys = saml::TrustedKeys::from_certificates(
        {fuzz::read_source_file("tests/fuzz/keys/signing.crt")});
    if (!keys) fuzz::invariant_broken("the fixture certificate does not load");
    trusted = std::move(keys.value());
    logout = saml::LogoutExpectations{.sls_url = "https://sp.example.test/sls",
                                      .idp_entity_id = "https://idp.example.test/metadata",
                                      .keys = *trusted,
                                      .policy = {}};
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view query = fuzz::as_text(data, size);
    for (const bool allow_sha1 : {false, true}) {
        const auto message = saml::decode_redirect(query, *trusted, {.allow_sha1 = allow_sha1});
        fuzz::trace_result(allow_sha1 ? "decode_redirect (SHA-1 allowed)" : "decode_redirect",
                           message);
        if (message) {
            if (message->document.root() == nullptr) fuzz::invariant_broken("no document root");
            if (message->relay_state && message->relay_state->size() > saml::kMaxRelayStateBytes) {
                fuzz::invariant_broken("an over-long RelayState got through");
            }
            if (!allow_sha1 && message->signature_algorithm.find("sha1") != std::string::npos) {
                fuzz::invariant_broken("SHA-1 accepted where it is not allowed");
            }
        } else if (message.error().code.empty()) {
            fuzz::invariant_broken("refused without a reason code");
        }
    }
    const auto request = saml::parse_logout_request_redirect(query, *logout, logout_clock);
    fuzz::trace_result("parse_logout_request_redirect", request);
    if (request && (request->id.empty() || request->name_id.empty())) {
        fuzz::invariant_broken("a logout request accepted without an ID or a NameID");
    }
    const auto response = saml::parse_logout_response_redirect(query, *logout);
    fuzz::trace_result("parse_logout_response_redirect", response);
    if (response && response->in_response_to.empty()) {
        fuzz::invariant_broken("a logout response accepted without InResponseTo");
    }
    return 0;
}
