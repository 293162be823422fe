// The sign-in page of an org (/auth/login/{org}/ when it shows instead of going to the IdP):
// the password form, the links between password and single sign-on, and every notice.
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// What one rendering of the sign-in page shows besides the org's own rules.
struct SignInView {
    bool password_form = true;  // false: the SSO-required page, with its button instead
    bool sso_required_notice = false;
    std::string email;  // refilled after a refusal; escaped by the template
    std::string next;   // kept only when saml::is_safe_relay_path accepts it
    std::string error;  // a refusal, shown as an alert
};

// True when the org has a SAML provider configured. A store failure counts as not
// configured (the page then offers only the password form). Thread-safe.
bool saml_configured(AppContext& app, const core::Org& org);

// True when the org signs in with single sign-on of any kind: SAML, OpenID Connect or
// GitHub. Thread-safe.
bool sso_configured(AppContext& app, const core::Org& org);

// What the browser sees when single sign-on refuses it: what the person can act on
// (deactivated, no account, not set up), and for everything else only a reference the admin
// can look up in the audit log, never the reason. Serves SAML and OpenID refusals alike.
void send_sso_refusal(const Request& req, Response& res, const service::SsoFailure& failure);

// Sends the browser to the org's OpenID or GitHub provider (/auth/login/{org}/ when the org
// signs in that way), binding the sign-in to its login cookie.
void start_oidc_login(const Request& req, Response& res, AppContext& app, const core::Org& org);

// Renders the sign-in page with `status`.
void send_signin_page(Response& res, int status, AppContext& app, const core::Org& org,
                      const SignInView& view);

}  // namespace gatehouse::http
