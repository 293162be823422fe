#include "gatehouse/oidc/authorization.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gatehouse/oidc/printable.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/json.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

constexpr std::size_t kVerifierEntropyBytes = 32;

// application/x-www-form-urlencoded (HTML form encoding): unreserved characters stay, a
// space becomes '+', everything else %XX.
std::string form_encode(std::string_view text) {
    const std::string encoded = util::url_encode(text);
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded.compare(i, 3, "%20") == 0) {
            out += '+';
            i += 2;
        } else {
            out += encoded[i];
        }
    }
    return out;
}

void add_parameter(std::string& out, std::string_view name, std::string_view value) {
    if (!out.empty() && out.back() != '?' && out.back() != '&') out += '&';
    out += util::url_encode(name);
    out += '=';
    out += util::url_encode(value);
}

void add_form_field(std::string& body, std::string_view name, std::string_view value) {
    if (!body.empty()) body += '&';
    body += form_encode(name);
    body += '=';
    body += form_encode(value);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

Error invalid_answer(int status, const std::string& why) {
    return fail("oidc.token_endpoint.invalid",
                "The token endpoint answered status " + std::to_string(status) + " " + why + ".");
}

}  // namespace

std::string pkce_challenge(std::string_view verifier) {
    return util::base64url_encode(util::sha256(verifier));
}

std::string new_pkce_verifier() {
    return util::base64url_encode(util::random_bytes(kVerifierEntropyBytes));
}

std::string authorization_url(const AuthorizationRequest& request) {
    std::string url = request.endpoint;
    if (url.find('?') == std::string::npos) url += '?';
    add_parameter(url, "response_type", "code");
    add_parameter(url, "client_id", request.client_id);
    add_parameter(url, "redirect_uri", request.redirect_uri);
    add_parameter(url, "scope", request.scope);
    add_parameter(url, "state", request.state);
    if (!request.nonce.empty()) add_parameter(url, "nonce", request.nonce);
    if (!request.code_challenge.empty()) {
        add_parameter(url, "code_challenge", request.code_challenge);
        add_parameter(url, "code_challenge_method", "S256");
    }
    for (const auto& [name, value] : request.extra) add_parameter(url, name, value);
    return url;
}

std::string token_request_body(std::string_view code, std::string_view redirect_uri,
                               std::string_view code_verifier, std::string_view client_id,
                               std::string_view client_secret, bool secret_in_body) {
    std::string body;
    add_form_field(body, "grant_type", "authorization_code");
    add_form_field(body, "code", code);
    add_form_field(body, "redirect_uri", redirect_uri);
    if (!code_verifier.empty()) add_form_field(body, "code_verifier", code_verifier);
    add_form_field(body, "client_id", client_id);
    if (secret_in_body) add_form_field(body, "client_secret", client_secret);
    return body;
}

std::string client_secret_basic(std::string_view client_id, std::string_view client_secret) {
    return "Basic " +
           util::base64_encode(form_encode(client_id) + ":" + form_encode(client_secret));
}

Result<TokenResponse> parse_token_response(int status, std::string_view body) {
    const json answer = util::parse_untrusted_json(body);
    const bool is_object = !answer.is_discarded() && answer.is_object();
    if (is_object && answer.contains("error")) {
        const auto text = [&answer](const char* name) {
            const auto it = answer.find(name);
            if (it == answer.end()) return std::string{};
            return printable(it->is_string() ? it->get<std::string>() : it->dump());
        };
        std::string message = "The token endpoint refused the code: \"" + text("error") + "\"";
        if (const std::string description = text("error_description"); !description.empty())
            message += " (" + description + ")";
        return fail("oidc.token_endpoint.error", message + ".");
    }
    if (!is_object) return invalid_answer(status, "with a body that is not a JSON object");
    if (status != 200) return invalid_answer(status, "without an OAuth error");

    TokenResponse tokens;
    const auto access_token = answer.find("access_token");
    if (access_token == answer.end() || !access_token->is_string() ||
        access_token->get_ref<const std::string&>().empty())
        return invalid_answer(status, "without an access_token");
    tokens.access_token = access_token->get<std::string>();
    if (const auto id_token = answer.find("id_token"); id_token != answer.end()) {
        if (!id_token->is_string()) return invalid_answer(status, "with a non-string id_token");
        tokens.id_token = id_token->get<std::string>();
    }
    if (const auto type = answer.find("token_type"); type != answer.end()) {
        if (!type->is_string() ||
            !equals_ignoring_case(type->get_ref<const std::string&>(), "bearer"))
            return invalid_answer(
                status,
                "with a token_type other than Bearer: " +
                    printable(type->is_string() ? type->get<std::string>() : type->dump(), 40));
        tokens.token_type = type->get<std::string>();
    }
    return tokens;
}

}  // namespace gatehouse::oidc
