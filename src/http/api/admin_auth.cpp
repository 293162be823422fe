#include "api/admin_auth.hpp"

#include "cookies.hpp"
#include "error_status.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/service/bearer_auth.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"

namespace gatehouse::http {
namespace {

bool changes_state(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

void refuse(const Request& req, Response& res, int status, const std::string& code,
            const std::string& message, const core::Org& org) {
    util::log_event(util::LogLevel::warning, "admin.refused",
                    {{"org", org.slug}, {"reason", code}, {"path", req.path}});
    if (status == 401) res.set_header("WWW-Authenticate", "Bearer");
    send_error(req, res, status, code, message);
}

}  // namespace

bool is_foreign_origin(const Request& req, const std::string& base_url) {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty()) return false;
    // "scheme://host[:port]" of the base URL is the only origin accepted.
    const auto scheme_end = base_url.find("://");
    const auto path =
        scheme_end == std::string::npos ? std::string::npos : base_url.find('/', scheme_end + 3);
    return origin != base_url.substr(0, path);
}

std::string csrf_token(std::string_view session_token) {
    return util::sha256_hex("gatehouse-csrf:" + std::string(session_token));
}

std::optional<AdminCaller> authorize_admin(const Request& req, Response& res, AppContext& app,
                                           const core::Org& org) {
    const std::string authorization = req.get_header_value("Authorization");
    if (!authorization.empty()) {
        constexpr auto kind = service::BearerKind::admin_key;
        auto key = service::authenticate_bearer(app.store, app.clock, org, authorization, kind);
        if (!key && status_for_error(key.error().code) >= 500) {
            util::log_event(util::LogLevel::error, "admin.failure",
                            {{"path", req.path}, {"code", key.error().code}});
            send_error(req, res, 500, "internal", "The request failed on our side; it is logged.");
            return std::nullopt;
        }
        if (!key) {
            refuse(req, res, 401, key.error().code, key.error().message, org);
            return std::nullopt;
        }
        return AdminCaller{{key->caller(kind)}, std::nullopt};
    }

    const auto token = read_cookie(req, service::kSessionCookie);
    auto signed_in =
        token ? service::resolve_session(app.store, *token, app.sessions, app.clock.now())
              : std::nullopt;
    if (!signed_in || signed_in->org.id != org.id) {
        refuse(req, res, 401, "admin.unauthorized",
               "Sign in as an owner or manager of this organization, or use an admin API key.",
               org);
        return std::nullopt;
    }
    if (!service::administers_org(signed_in->member.role)) {
        refuse(req, res, 403, "admin.forbidden",
               "Only owners and managers of the organization can change its settings.", org);
        return std::nullopt;
    }
    if (changes_state(req.method)) {
        if (is_foreign_origin(req, app.base_url)) {
            refuse(req, res, 403, "admin.csrf", "The request comes from another site.", org);
            return std::nullopt;
        }
        const std::string presented = req.get_header_value(kCsrfHeader);
        if (presented.empty() || !util::constant_time_equal(presented, csrf_token(*token))) {
            refuse(req, res, 403, "admin.csrf",
                   std::string("The request must carry the session's ") + kCsrfHeader + " header.",
                   org);
            return std::nullopt;
        }
    }
    return AdminCaller{{service::Caller::signed_in(signed_in->member)}, signed_in->member};
}

}  // namespace gatehouse::http
