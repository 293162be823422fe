// Fuzzes what the gateway reads from every browser request before any route runs: the
// request target (path and query), url-encoded form bodies (the ACS, SLS and sign-in
// forms), and the Cookie header (session and login cookies). The input is used as each.
#include "cookies.hpp"
#include "exchange.hpp"
#include "fuzz_support.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/util/encoding.hpp"

using namespace gatehouse;

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

namespace {

std::string serialize_form(const std::map<std::string, std::string>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += '&';
        body += util::url_encode(name);
        body += '=';
        body += util::url_encode(value);
    }
    return body;
}

bool is_login_token(std::string_view value) {
    return value.size() == 43 && value.find_first_not_of(
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                     "nopqrstuvwxyz0123456789-_") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);

    if (util::url_decode(util::url_encode(text)) != text) {
        fuzz::invariant_broken("url_decode does not undo url_encode");
    }
    if (const auto fields = util::parse_form(text)) {
        if (util::parse_form(serialize_form(*fields)) != *fields) {
            fuzz::invariant_broken("a form read back from its own encoding differs");
        }
    }

    std::string path;
    http::Params params;
    (void)http::parse_target(text, path, params);

    http::Request request;
    request.headers.emplace("Cookie", std::string(text));
    request.headers.emplace("cookie", "gatehouse_session=second-header");
    for (const char* name : {service::kSessionCookie, "__Host-gh_login", "gh_login", ""}) {
        if (const auto value = http::read_cookie(request, name)) {
            if (value->find(';') != std::string::npos) {
                fuzz::invariant_broken("a cookie value runs into the next cookie");
            }
        }
    }
    for (const bool secure : {false, true}) {
        // Whatever the browser sent, a sign-in is bound to a well-formed token: its own
        // when it carries one, else a fresh one.
        const std::string carried = http::read_login_cookie(request, secure);
        const std::string binding = http::login_binding_value(request, secure);
        if (is_login_token(carried) && binding != carried) {
            fuzz::invariant_broken("a well-formed login cookie was replaced");
        }
        if (!is_login_token(binding)) {
            fuzz::invariant_broken("a login binding value is not a login token");
        }
    }
    return 0;
}
