// Shared pieces of the auth settings page (/settings/{org}/auth/) and its forms: what a form
// hands back to the page when it re-renders it (what was typed, errors next to fields, a new
// SCIM token shown once) and how the page is sent.
#pragma once

#include <map>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "pages/page_auth.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// What the page shows besides the stored settings. Field names are the form fields' names
// (metadata_url, metadata_xml, idp_entity_id, sso_url, slo_url, certificate, preset,
// map_user_id, map_email, map_first_name, map_last_name, map_role, map_groups, confirm,
// description); a typed value replaces the stored one in its input.
struct AuthPageState {
    std::string notice_ok;
    std::string notice_error;
    std::map<std::string, std::string> typed;
    std::map<std::string, std::string> field_errors;
    std::string new_scim_token;  // the only time the secret is shown
};

// Renders the page for `viewer` with `status` (200, or a refusal's status when a form was
// turned down and nothing changed). Answers 500 (logged) when the store cannot be read.
// Thread-safe.
void send_auth_settings_page(const Request& req, Response& res, AppContext& app,
                             const core::Org& org, const PageViewer& viewer, int status,
                             const AuthPageState& state);

// The fixed notice of a ?saved= key (and ?ended= for Require SSO); empty for unknown keys so
// a link cannot put words on the page.
std::string auth_saved_notice(const std::string& key, const std::string& ended);

// The POST routes of the page under /settings/{org}/auth/.
void register_settings_auth_forms(Router& http, AppContext& app);

}  // namespace gatehouse::http
