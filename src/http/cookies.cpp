#include "cookies.hpp"

#include <algorithm>
#include <cctype>

#include "gatehouse/service/session_service.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::http {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// util::random_token(kLoginTokenBytes) is this long, in the base64url alphabet.
constexpr std::size_t kLoginTokenBytes = 32;
constexpr std::size_t kLoginTokenChars = 43;

bool is_login_token(std::string_view value) {
    return value.size() == kLoginTokenChars &&
           std::all_of(value.begin(), value.end(), [](unsigned char c) {
               return std::isalnum(c) != 0 || c == '-' || c == '_';
           });
}

}  // namespace

std::optional<std::string> read_cookie(const Request& req, const std::string& name) {
    const auto count = req.get_header_value_count("Cookie");
    for (std::size_t i = 0; i < count; ++i) {
        const std::string value = req.get_header_value("Cookie", i);
        std::string_view header = value;
        while (!header.empty()) {
            const auto semicolon = header.find(';');
            const std::string_view pair = trim(header.substr(0, semicolon));
            header = semicolon == std::string_view::npos ? std::string_view{}
                                                         : header.substr(semicolon + 1);
            const auto eq = pair.find('=');
            if (eq == std::string_view::npos) continue;
            if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
        }
    }
    return std::nullopt;
}

void set_session_cookie(Response& res, const std::string& value, long max_age_seconds,
                        bool secure) {
    std::string cookie = std::string(service::kSessionCookie) + "=" + value +
                         "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                         std::to_string(max_age_seconds > 0 ? max_age_seconds : 0);
    if (secure) cookie += "; Secure";
    res.set_header("Set-Cookie", cookie);
}

void clear_session_cookie(Response& res, bool secure) {
    std::string cookie =
        std::string(service::kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
    if (secure) cookie += "; Secure";
    res.set_header("Set-Cookie", cookie);
}

std::string login_cookie_name(bool secure) { return secure ? "__Host-gh_login" : "gh_login"; }

std::string read_login_cookie(const Request& req, bool secure) {
    return read_cookie(req, login_cookie_name(secure)).value_or("");
}

std::string login_binding_value(const Request& req, bool secure) {
    const std::string carried = read_login_cookie(req, secure);
    return is_login_token(carried) ? carried : util::random_token(kLoginTokenBytes);
}

void set_login_cookie(Response& res, const std::string& value, long max_age_seconds, bool secure) {
    std::string cookie = login_cookie_name(secure) + "=" + value + "; Path=/; HttpOnly; Max-Age=" +
                         std::to_string(max_age_seconds > 0 ? max_age_seconds : 0);
    cookie += secure ? "; SameSite=None; Secure" : "; SameSite=Lax";
    res.set_header("Set-Cookie", cookie);
}

}  // namespace gatehouse::http
