#include "signin_page.hpp"

#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/util/encoding.hpp"
#include "page_auth.hpp"
#include "pages.hpp"

namespace gatehouse::http {

bool saml_configured(AppContext& app, const core::Org& org) {
    bool configured = false;
    auto read = app.store.read([&](store::Transaction& tx) -> Status {
        configured = tx.saml_provider(org.id).has_value();
        return {};
    });
    return read.ok() && configured;
}

void send_signin_page(Response& res, int status, AppContext& app, const core::Org& org,
                      const SignInView& view) {
    const bool has_saml = saml_configured(app, org);
    const bool safe_next = saml::is_safe_relay_path(view.next);
    const std::string next_query = safe_next ? "next=" + util::url_encode(view.next) : "";
    const std::string login_path = "/auth/login/" + org.slug + "/";
    mstch::map values{
        {"org_name", org.name},
        {"login_path", login_path},
        {"password_form", view.password_form},
        {"email", view.email},
        {"next", safe_next ? view.next : std::string()},
        {"error", view.error},
        {"sso_required", view.sso_required_notice},
        // The break-glass owner still needs the form while Require SSO is on; everyone
        // else is told why their password will not work.
        {"break_glass_only", view.password_form && org.require_sso},
        {"sso_href", login_path + (next_query.empty() ? "" : "?" + next_query)},
        {"sso_link", view.password_form && has_saml && !org.require_sso},
        {"password_link", !view.password_form && !org.require_sso},
        // Under Require SSO a wrong break-glass password lands here like every refused
        // password (so the answer points out no account); this tells that owner the way back.
        {"break_glass_link", !view.password_form && org.require_sso},
        {"password_href",
         login_path + "?method=password" + (next_query.empty() ? "" : "&" + next_query)},
    };
    send_html(res, status,
              render_page("signin", "Sign in to " + org.name, std::move(values),
                          page_chrome(org, std::nullopt, "")));
}

}  // namespace gatehouse::http
