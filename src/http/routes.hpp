// Route registration, one function per area. Each handler reads the request, calls a
// service and writes the response.
#pragma once

#include <string>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_key_ring.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/service/oidc_service.hpp"
#include "gatehouse/service/outbound_http.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"
#include "router.hpp"

namespace gatehouse::http {

// What handlers share; owned by the Server, alive for as long as it serves.
struct AppContext {
    std::string base_url;
    store::Store& store;
    const util::Clock& clock;
    std::shared_ptr<saml::SpKeys> sp_keys;  // never null; its current pair may be
    service::SessionPolicy sessions;
    bool secure_cookies = false;  // the base URL is https
    std::size_t max_body_bytes = 1024 * 1024;
    std::shared_ptr<service::SsoService> sso;
    std::shared_ptr<service::MetadataSource> metadata;  // fetches metadata URLs
    std::shared_ptr<service::OidcService> oidc;
    // Requests to OpenID providers and GitHub: the metadata fetcher's guard and CA options.
    std::shared_ptr<service::OutboundHttp> idp_http;
    // The built-in demo IdP under /demo-idp/ (loopback base URLs only) and the PEM file that
    // keeps its signing key across restarts.
    bool demo_idp = false;
    std::string demo_idp_key_path;
    // Where invitation links point (the base URL) and how long they work.
    service::InvitationSettings invitations;
    // Whether the main listener serves /metrics (to loopback clients only); false when the
    // metrics have a listener of their own.
    bool metrics_on_main_listener = true;
};

// /healthz, /metrics (see AppContext::metrics_on_main_listener), /static/…
void register_system_routes(Router& http, AppContext& app);

// The routes of the metrics listener (serve --metrics-listen): /metrics and /healthz, to any
// client that can reach it.
void register_metrics_listener_routes(Router& http, AppContext& app);

// /organizations/{org}/ and the other pages of an org.
void register_org_routes(Router& http, AppContext& app);

// The SCIM 2.0 server under /api/0/organizations/{org}/scim/v2/.
void register_scim_routes(Router& http, AppContext& app);

// The SAML service provider: metadata, login, ACS and SLS.
void register_saml_routes(Router& http, AppContext& app);

// OpenID Connect and GitHub sign-in: GET /auth/callback/{org}/, where the provider sends the
// browser back (the login itself starts at /auth/login/{org}/, register_saml_routes).
void register_oidc_routes(Router& http, AppContext& app);

// Signing out: GET /auth/logout/{org}/ shows a confirmation form; its POST, with the session's
// CSRF token, ends the session and starts single logout at the IdP for a SAML session.
void register_logout_routes(Router& http, AppContext& app);

// Password sign-in (POST /auth/login/{org}/), refused into SSO when the org requires it.
void register_password_routes(Router& http, AppContext& app);

// The form behind an invitation link in an org without single sign-on
// (POST /auth/login/{org}/invitation); the link itself is GET /auth/login/{org}/?invite=.
void register_invitation_routes(Router& http, AppContext& app);

// Who is signed in: GET /auth/check?org={org} (for reverse proxies) and
// /api/0/organizations/{org}/me.
void register_identity_routes(Router& http, AppContext& app);

// The auth settings page of an org: /settings/{org}/auth/ and the forms it posts.
void register_settings_auth_pages(Router& http, AppContext& app);

// The members and audit log pages: /settings/{org}/members/, /settings/{org}/audit-log/.
void register_settings_member_pages(Router& http, AppContext& app);

// The org name page: /settings/{org}/name/ (rename with a confirmation step, aliases).
void register_settings_org_name_pages(Router& http, AppContext& app);

// The demo IdP under /demo-idp/, mounted only when AppContext::demo_idp is set.
void register_demo_idp_routes(Router& http, AppContext& app);

// The admin JSON API under /api/0/organizations/{org}/ (auth settings, SCIM, members, audit).
void register_admin_routes(Router& http, AppContext& app);

}  // namespace gatehouse::http
