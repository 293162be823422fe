// The sign-in page of an org (/auth/login/{org}/ when it shows instead of going to the IdP):
// the password form, the links between password and single sign-on, and every notice.
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "pages.hpp"
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

// Answers a completed sign-in: the session cookie for as long as the session lasts, and a
// 303 to where the sign-in lands, so the browser follows with a GET and never re-sends the
// form or the callback. Thread-safe.
void send_signed_in(Response& res, const AppContext& app, const service::StartedSession& session,
                    const std::string& redirect_path);

// The values of a test report's "Mapped identity" card: each value and the attribute or
// claim it came from, what a real sign-in would do, and the role and teams it would apply
// (empty: nothing to say). Every string reaches the page through {{…}}, escaped.
mstch::map mapped_identity_values(const saml::MappedIdentity& identity,
                                  const std::string& would_match,
                                  const std::string& would_apply = "");

// Sends the browser to the org's OpenID or GitHub provider (/auth/login/{org}/ when the org
// signs in that way), binding the sign-in to its login cookie.
void start_oidc_login(const Request& req, Response& res, AppContext& app, const core::Org& org,
                      const core::OidcProvider& provider);

// Renders the sign-in page with `status`.
void send_signin_page(Response& res, int status, AppContext& app, const core::Org& org,
                      const SignInView& view);

}  // namespace gatehouse::http
