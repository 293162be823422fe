// The admin JSON API of an org, under /api/0/organizations/{org}/: SAML and sign-in settings
// (auth/), SCIM tokens (auth/scim), members and teams, the audit log and the outbox. Every handler
// authorises the caller first (admin_auth.hpp) and turns one service call into JSON.
#include <charconv>
#include <functional>

#include "api/admin_auth.hpp"
#include "error_status.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/audit_filter.hpp"
#include "gatehouse/service/auth_settings.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/mail_outbox.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/oidc_config.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/org_rename.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "gatehouse/service/settings_view.hpp"
#include "gatehouse/util/log.hpp"
#include "json_body.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

using nlohmann::json;

constexpr const char* kOrgPrefix = R"(/api/0/organizations/([^/]+)/)";

std::string route(std::string_view suffix) { return kOrgPrefix + std::string(suffix); }

void send_failure(const Request& req, Response& res, const Error& error) {
    const int status = status_for_error(error.code);
    if (status >= 500) {
        util::log_event(util::LogLevel::error, "admin.failure",
                        {{"path", req.path}, {"code", error.code}, {"message", error.message}});
        send_error(req, res, status, "internal",
                   "The request failed on our side; it has been logged.");
        return;
    }
    send_error(req, res, status, error.code, error.message);
}

// The request body as a JSON object; answers 400 and returns nullopt otherwise.
std::optional<json> json_body(const Request& req, Response& res) {
    auto body = parse_json_body(req.body);
    if (!body) {
        send_error(req, res, 400, body.error().code, body.error().message);
        return std::nullopt;
    }
    if (!body->is_object()) {
        send_error(req, res, 400, kMalformedJson, "The request body must be a JSON object.");
        return std::nullopt;
    }
    return std::move(*body);
}

// Typed readers of optional body fields. A present field of the wrong type is an error
// (thrown as Error, caught by the handler wrapper) rather than silently ignored.
struct FieldError {
    Error error;
};

std::optional<bool> opt_bool(const json& body, const char* name) {
    if (!body.contains(name) || body[name].is_null()) return std::nullopt;
    if (!body[name].is_boolean())
        throw FieldError{
            fail("request.invalid_field", std::string(name) + " must be true or false.")};
    return body[name].get<bool>();
}

std::optional<std::string> opt_string(const json& body, const char* name) {
    if (!body.contains(name) || body[name].is_null()) return std::nullopt;
    if (!body[name].is_string())
        throw FieldError{fail("request.invalid_field", std::string(name) + " must be a string.")};
    return body[name].get<std::string>();
}

std::optional<int> opt_int(const json& body, const char* name) {
    if (!body.contains(name) || body[name].is_null()) return std::nullopt;
    if (!body[name].is_number_integer())
        throw FieldError{fail("request.invalid_field", std::string(name) + " must be an integer.")};
    return body[name].get<int>();
}

core::Role role_field(const std::string& text) {
    auto role = core::parse_role(text);
    if (!role) {
        throw FieldError{
            fail("request.invalid_field",
                 "'" + text + "' is not a role (owner, admin, manager, billing, member).")};
    }
    return *role;
}

void reject_unknown_fields(const json& body, std::initializer_list<const char*> known) {
    for (const auto& [name, value] : body.items()) {
        bool listed = false;
        for (const char* k : known) listed = listed || name == k;
        if (!listed)
            throw FieldError{fail("request.unknown_field", "Unknown field '" + name + "'.")};
    }
}

std::optional<core::AttributeMapping> mapping_field(const json& body) {
    if (!body.contains("mapping") || body["mapping"].is_null()) return std::nullopt;
    const json& m = body["mapping"];
    if (!m.is_object())
        throw FieldError{fail("request.invalid_field", "mapping must be an object.")};
    reject_unknown_fields(m, {"user_id", "email", "first_name", "last_name", "role", "groups"});
    core::AttributeMapping mapping;
    mapping.user_id = opt_string(m, "user_id").value_or("");
    mapping.email = opt_string(m, "email").value_or("");
    mapping.first_name = opt_string(m, "first_name").value_or("");
    mapping.last_name = opt_string(m, "last_name").value_or("");
    mapping.role = opt_string(m, "role").value_or("");
    mapping.groups = opt_string(m, "groups").value_or("");
    return mapping;
}

json mapping_json(const core::AttributeMapping& m) {
    return {{"user_id", m.user_id},     {"email", m.email}, {"first_name", m.first_name},
            {"last_name", m.last_name}, {"role", m.role},   {"groups", m.groups}};
}

json time_or_null(const std::optional<util::UnixTime>& t) {
    return t ? json(util::format_iso8601(*t)) : json(nullptr);
}

json token_json(const core::BearerToken& t) {
    return {{"id", t.id},
            {"description", t.description},
            {"created_at", util::format_iso8601(t.created_at)},
            {"last_used_at", time_or_null(t.last_used_at)},
            {"revoked_at", time_or_null(t.revoked_at)}};
}

std::string scim_base_url(const AppContext& app, const core::Org& org) {
    return app.base_url + "/api/0/organizations/" + org.slug + "/scim/v2";
}

// An OpenID Connect or GitHub provider as the API shows it: never the client secret.
json oidc_json(const service::OidcProviderView& view) {
    return {{"kind", core::to_string(view.kind)},
            {"issuer", view.issuer},
            {"client_id", view.client_id},
            {"client_secret_set", view.client_secret_set},
            {"hosted_domains", view.hosted_domains},
            {"allowed_orgs", view.allowed_orgs},
            {"clock_skew_seconds", view.clock_skew_seconds},
            {"role_claim", view.role_claim},
            {"groups_claim", view.groups_claim},
            {"authorization_endpoint", view.authorization_endpoint},
            {"signing_keys", view.signing_keys},
            {"keys_fetched_at", time_or_null(view.keys_fetched_at)}};
}

// A JSON array of strings, or FieldError.
std::vector<std::string> string_list(const json& body, const char* name) {
    std::vector<std::string> values;
    if (!body.contains(name)) return values;
    const json& list = body[name];
    const auto refused = [name] {
        return FieldError{
            fail("request.invalid_field", std::string(name) + " must be an array of strings.")};
    };
    if (!list.is_array()) throw refused();
    for (const auto& item : list) {
        if (!item.is_string()) throw refused();
        values.push_back(item.get<std::string>());
    }
    return values;
}

// The admin API's settings: the org's options, its sign-in provider, the SP values to paste
// into the IdP, and SCIM, from the same view the settings page shows.
Result<json> settings_view(AppContext& app, const std::string& slug) {
    auto read = service::read_auth_settings_view(app.store, slug);
    if (!read) return read.error();
    const service::AuthSettingsView& settings = *read;
    const core::Org& org = settings.org;
    // The SP values in force: the oldest alias's while one is kept (org_names.hpp).
    const auto sp = saml::sp_endpoints(app.base_url, service::idp_facing_slug(org));
    json view = {{"org", {{"slug", org.slug}, {"name", org.name}, {"aliases", org.aliases}}},
                 {"default_role", core::to_string(org.default_role)},
                 {"require_sso", org.require_sso},
                 {"jit_provisioning", org.jit_provisioning},
                 {"allow_idp_initiated", org.allow_idp_initiated},
                 {"audit_retention_days", org.audit_retention_days},
                 {"apply_sign_in_attributes", org.apply_sign_in_attributes},
                 {"sp",
                  {{"entity_id", sp.entity_id},
                   {"metadata_url", sp.entity_id},
                   {"acs_url", sp.acs_url},
                   {"sls_url", sp.sls_url},
                   {"login_url", sp.login_url}}},
                 {"saml", nullptr},
                 {"oidc", nullptr}};
    view["sp"]["callback_url"] = app.oidc->callback_url(org);
    if (settings.oidc) view["oidc"] = oidc_json(service::describe_oidc_provider(*settings.oidc));
    if (const auto& provider = settings.provider) {
        json certificates = json::array();
        for (const auto& summary : settings.certificates) {
            certificates.push_back({{"subject", summary.subject},
                                    {"sha256_fingerprint", summary.sha256_fingerprint},
                                    {"not_before", util::format_iso8601(summary.not_before)},
                                    {"not_after", util::format_iso8601(summary.not_after)},
                                    {"expired", summary.not_after < app.clock.now()}});
        }
        view["saml"] = {{"idp_entity_id", provider->idp_entity_id},
                        {"sso_url", provider->sso_url},
                        {"slo_url", provider->slo_url},
                        {"metadata_url", provider->metadata_url},
                        {"metadata_fetched_at", time_or_null(provider->metadata_fetched_at)},
                        {"preset", provider->preset},
                        {"mapping", mapping_json(provider->mapping)},
                        {"clock_skew_seconds", provider->options.clock_skew_seconds},
                        {"require_signed_assertion", provider->options.require_signed_assertion},
                        {"require_aes_gcm", provider->options.require_aes_gcm},
                        {"max_issue_age_seconds", provider->options.max_issue_age_seconds},
                        {"certificates", certificates},
                        {"updated_at", util::format_iso8601(provider->updated_at)}};
    }
    json token_list = json::array();
    for (const auto& t : settings.scim_tokens) token_list.push_back(token_json(t));
    view["scim"] = {{"enabled", org.scim_enabled},
                    {"base_url", scim_base_url(app, org)},
                    {"tokens", token_list}};
    return view;
}

json member_json(const core::Member& m) {
    return {{"id", m.public_id},
            {"email", m.email},
            {"user_name", m.user_name},
            {"name", m.display_name},
            {"role", core::to_string(m.role)},
            {"state", core::to_string(m.state)},
            {"source", core::to_string(m.source)},
            {"idp_managed", m.idp_managed},
            {"linked", !m.saml_subject.empty() || !m.oidc_subject.empty()},
            {"break_glass", m.break_glass},
            {"last_sign_in_at", time_or_null(m.last_sign_in_at)}};
}

json audit_json(const core::AuditEntry& e) {
    json details = json::parse(e.details, nullptr, false);
    if (details.is_discarded()) details = json::object();
    return {{"id", e.id},
            {"at", util::format_iso8601(e.at)},
            {"actor", e.actor},
            {"action", e.action},
            {"target", e.target},
            {"outcome", e.outcome},
            {"reason_code", e.reason_code},
            {"details", details}};
}

// A non-negative integer query parameter, or `fallback` when absent.
std::int64_t int_param(const Request& req, const char* name, std::int64_t fallback,
                       std::int64_t max) {
    if (!req.has_param(name)) return fallback;
    const std::string text = req.get_param_value(name);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
        throw FieldError{
            fail("request.invalid_parameter",
                 std::string(name) + " must be an integer from 0 to " + std::to_string(max) + ".")};
    }
    return value;
}

using AdminHandler =
    std::function<void(const AdminCaller&, const core::Org&, const Request&, Response&)>;

// Wraps a handler with authorisation and turns field errors into 400 answers.
Handler admin(AppContext& app, AdminHandler handler) {
    return [&app, handler = std::move(handler)](const Request& req, Response& res) {
        res.set_header("Cache-Control", "no-store");
        const core::Org& org = *current_request().org;
        auto caller = authorize_admin(req, res, app, org);
        if (!caller) return;
        try {
            handler(*caller, org, req, res);
        } catch (const FieldError& e) {
            send_failure(req, res, e.error);
        }
    };
}

void send_settings(AppContext& app, const Request& req, Response& res, const core::Org& org,
                   int status = 200) {
    auto view = settings_view(app, org.slug);
    if (!view) return send_failure(req, res, view.error());
    send_json(res, status, *view);
}

void register_settings_routes(Router& http, AppContext& app) {
    http.get(route("auth/?"),
             admin(app, [&app](const AdminCaller&, const core::Org& org, const Request& req,
                               Response& res) { send_settings(app, req, res, org); }));

    http.patch(
        route("auth/?"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                           const Request& req, Response& res) {
            auto body = json_body(req, res);
            if (!body) return;
            reject_unknown_fields(
                *body,
                {"default_role", "require_sso", "jit_provisioning", "allow_idp_initiated", "preset",
                 "mapping", "clock_skew_seconds", "require_signed_assertion", "require_aes_gcm",
                 "max_issue_age_seconds", "audit_retention_days", "apply_sign_in_attributes"});
            service::AuthSettingsChange change;
            if (auto role = opt_string(*body, "default_role"))
                change.default_role = role_field(*role);
            change.require_sso = opt_bool(*body, "require_sso");
            change.jit_provisioning = opt_bool(*body, "jit_provisioning");
            change.allow_idp_initiated = opt_bool(*body, "allow_idp_initiated");
            change.preset = opt_string(*body, "preset");
            change.mapping = mapping_field(*body);
            change.clock_skew_seconds = opt_int(*body, "clock_skew_seconds");
            change.require_signed_assertion = opt_bool(*body, "require_signed_assertion");
            change.require_aes_gcm = opt_bool(*body, "require_aes_gcm");
            change.max_issue_age_seconds = opt_int(*body, "max_issue_age_seconds");
            change.audit_retention_days = opt_int(*body, "audit_retention_days");
            change.apply_sign_in_attributes = opt_bool(*body, "apply_sign_in_attributes");
            auto updated =
                service::update_auth_settings(app.store, app.clock, org.slug, change, caller);
            if (!updated) return send_failure(req, res, updated.error());
            auto view = settings_view(app, org.slug);
            if (!view) return send_failure(req, res, view.error());
            (*view)["sessions_ended"] = updated->sessions_ended;
            send_json(res, 200, *view);
        }));

    http.put(
        route("auth/saml"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                              const Request& req, Response& res) {
            auto body = json_body(req, res);
            if (!body) return;
            reject_unknown_fields(
                *body, {"metadata_url", "metadata_xml", "idp_entity_id", "sso_url", "slo_url",
                        "certificates", "preset", "mapping"});
            service::ProviderInput input;
            input.metadata_url = opt_string(*body, "metadata_url").value_or("");
            input.metadata_xml = opt_string(*body, "metadata_xml").value_or("");
            input.idp_entity_id = opt_string(*body, "idp_entity_id").value_or("");
            input.sso_url = opt_string(*body, "sso_url").value_or("");
            input.slo_url = opt_string(*body, "slo_url").value_or("");
            if (body->contains("certificates")) {
                const json& certs = (*body)["certificates"];
                if (!certs.is_array())
                    throw FieldError{fail("request.invalid_field",
                                          "certificates must be an array of PEM strings.")};
                for (const auto& cert : certs) {
                    if (!cert.is_string())
                        throw FieldError{fail("request.invalid_field",
                                              "certificates must be an array of PEM strings.")};
                    input.certificates.push_back(cert.get<std::string>());
                }
            }
            input.preset = opt_string(*body, "preset").value_or("generic");
            input.mapping = mapping_field(*body);
            auto configured = service::configure_provider(app.store, app.clock, org.slug, input,
                                                          caller, app.metadata.get());
            if (!configured) return send_failure(req, res, configured.error());
            send_settings(app, req, res, org);
        }));

    http.del(route("auth/saml"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                                   const Request& req, Response& res) {
                 const Status removed =
                     service::remove_provider(app.store, app.clock, org.slug, caller);
                 if (!removed) return send_failure(req, res, removed.error());
                 send_settings(app, req, res, org);
             }));

    http.post(route("auth/saml/refresh"),
              admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                                Response& res) {
                  auto configured = service::refresh_provider(app.store, app.clock, org.slug,
                                                              caller, app.metadata.get());
                  if (!configured) return send_failure(req, res, configured.error());
                  send_settings(app, req, res, org);
              }));

    // OpenID Connect (kind oidc or google) and GitHub: one provider per org, replacing SAML.
    auto configure_oidc = [&app](core::OidcKind kind) {
        return admin(app, [&app, kind](const AdminCaller& caller, const core::Org& org,
                                       const Request& req, Response& res) {
            auto body = json_body(req, res);
            if (!body) return;
            service::OidcProviderInput input;
            input.kind = kind;
            if (kind == core::OidcKind::github) {
                reject_unknown_fields(*body, {"client_id", "client_secret", "allowed_orgs",
                                              "clock_skew_seconds", "jit_provisioning"});
                input.allowed_orgs = string_list(*body, "allowed_orgs");
            } else {
                reject_unknown_fields(*body, {"kind", "issuer", "client_id", "client_secret",
                                              "hosted_domains", "clock_skew_seconds",
                                              "jit_provisioning", "role_claim", "groups_claim"});
                const std::string named = opt_string(*body, "kind").value_or("oidc");
                const auto parsed = core::parse_oidc_kind(named);
                if (!parsed || *parsed == core::OidcKind::github) {
                    throw FieldError{
                        fail("request.invalid_field", "kind must be \"oidc\" or \"google\".")};
                }
                input.kind = *parsed;
                input.issuer = opt_string(*body, "issuer").value_or("");
                input.hosted_domains = string_list(*body, "hosted_domains");
                input.role_claim = opt_string(*body, "role_claim");
                input.groups_claim = opt_string(*body, "groups_claim");
            }
            input.client_id = opt_string(*body, "client_id").value_or("");
            input.client_secret = opt_string(*body, "client_secret").value_or("");
            input.clock_skew_seconds = opt_int(*body, "clock_skew_seconds");
            input.jit_provisioning = opt_bool(*body, "jit_provisioning");
            auto configured = service::configure_oidc_provider(app.store, app.clock, org.slug,
                                                               input, caller, app.idp_http.get(),
                                                               app.oidc->settings().github_url);
            if (!configured) return send_failure(req, res, configured.error());
            send_settings(app, req, res, org);
        });
    };
    http.put(route("auth/oidc"), configure_oidc(core::OidcKind::oidc));
    http.put(route("auth/github"), configure_oidc(core::OidcKind::github));
    auto remove_oidc = admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                         const Request& req, Response& res) {
        const Status removed =
            service::remove_oidc_provider(app.store, app.clock, org.slug, caller);
        if (!removed) return send_failure(req, res, removed.error());
        send_settings(app, req, res, org);
    });
    http.del(route("auth/oidc"), remove_oidc);
    http.del(route("auth/github"), remove_oidc);

    http.get(route("auth/presets"),
             admin(app, [](const AdminCaller&, const core::Org&, const Request&, Response& res) {
                 json presets = json::array();
                 for (const auto& name : saml::mapping_preset_names()) {
                     auto mapping = saml::mapping_preset(name);
                     if (mapping)
                         presets.push_back({{"name", name}, {"mapping", mapping_json(*mapping)}});
                 }
                 send_json(res, 200, {{"presets", presets}});
             }));

    http.post(route("auth/test"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                                    const Request& req, Response& res) {
                  if (auto allowed = service::check_test_sign_in(caller); !allowed) {
                      return send_failure(req, res, allowed.error());
                  }
                  auto started = app.oidc->provider(org)
                                     ? app.oidc->start_test_login(org, caller.actor)
                                     : app.sso->start_test_login(org, caller.actor);
                  if (auto* failure = std::get_if<service::SsoFailure>(&started)) {
                      return send_failure(req, res, failure->error);
                  }
                  send_json(res, 200, {{"redirect_url", std::get<std::string>(started)}});
              }));
}

void register_scim_admin_routes(Router& http, AppContext& app) {
    auto issue = [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                        Response& res) {
        std::string description = "SCIM";
        if (!req.body.empty()) {
            auto body = json_body(req, res);
            if (!body) return;
            reject_unknown_fields(*body, {"description"});
            description = opt_string(*body, "description").value_or(description);
        }
        service::AdminService admin_service(app.store, app.clock);
        auto issued = admin_service.create_scim_token(org.slug, description, caller);
        if (!issued) return send_failure(req, res, issued.error());
        json body = token_json(issued->record);
        body["token"] = issued->token;
        body["scim_base_url"] = scim_base_url(app, org);
        send_json(res, 201, body);
    };
    // Enabling SCIM and rotating its token are the same act: a new token, while the older
    // ones keep working until they are revoked.
    http.post(route("auth/scim"), admin(app, issue));
    http.post(route("auth/scim/tokens"), admin(app, issue));

    http.get(route("auth/scim/tokens"), admin(app, [&app](const AdminCaller&, const core::Org& org,
                                                          const Request& req, Response& res) {
                 service::AdminService admin_service(app.store, app.clock);
                 auto tokens = admin_service.list_scim_tokens(org.slug);
                 if (!tokens) return send_failure(req, res, tokens.error());
                 json list = json::array();
                 for (const auto& t : *tokens) list.push_back(token_json(t));
                 send_json(res, 200, {{"tokens", list}});
             }));

    http.del(route(R"(auth/scim/tokens/(\d{1,18}))"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::AdminService admin_service(app.store, app.clock);
                 const Status revoked = admin_service.revoke_scim_token(
                     org.slug, std::stoll(req.matches[2].str()), caller);
                 if (!revoked) return send_failure(req, res, revoked.error());
                 res.status = 204;
             }));

    http.del(route("auth/scim"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                                   const Request& req, Response& res) {
                 service::AdminService admin_service(app.store, app.clock);
                 auto revoked = admin_service.disable_scim(org.slug, caller);
                 if (!revoked) return send_failure(req, res, revoked.error());
                 send_json(res, 200, {{"enabled", false}, {"tokens_revoked", *revoked}});
             }));
}

store::Page page_params(const Request& req) {
    return store::Page{int_param(req, "offset", 0, 1'000'000'000),
                       int_param(req, "limit", 100, 1000)};
}

void register_member_routes(Router& http, AppContext& app) {
    http.get(route("members"), admin(app, [&app](const AdminCaller&, const core::Org& org,
                                                 const Request& req, Response& res) {
                 service::MemberAdmin members(app.store, app.clock, app.invitations);
                 auto page = members.list_members(org, page_params(req));
                 if (!page) return send_failure(req, res, page.error());
                 json items = json::array();
                 for (const auto& m : page->items) items.push_back(member_json(m));
                 send_json(res, 200, {{"total", page->total}, {"members", items}});
             }));

    http.post(route("members"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                                  const Request& req, Response& res) {
                  auto body = json_body(req, res);
                  if (!body) return;
                  reject_unknown_fields(*body, {"email", "role", "first_name", "last_name"});
                  service::NewMember invitation;
                  invitation.email = opt_string(*body, "email").value_or("");
                  invitation.role = role_field(opt_string(*body, "role").value_or("member"));
                  invitation.given_name = opt_string(*body, "first_name").value_or("");
                  invitation.family_name = opt_string(*body, "last_name").value_or("");
                  service::MemberAdmin members(app.store, app.clock, app.invitations);
                  auto member = members.invite(org, invitation, caller);
                  if (!member) return send_failure(req, res, member.error());
                  send_json(res, 201, member_json(*member));
              }));

    http.patch(route("members/([^/]+)"),
               admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                 const Request& req, Response& res) {
                   auto body = json_body(req, res);
                   if (!body) return;
                   reject_unknown_fields(*body, {"role"});
                   const auto role = opt_string(*body, "role");
                   if (!role) {
                       return send_failure(
                           req, res, fail("request.invalid_field", "Give the new role as role."));
                   }
                   service::MemberAdmin members(app.store, app.clock, app.invitations);
                   auto changed =
                       members.change_role(org, req.matches[2].str(), role_field(*role), caller);
                   if (!changed) return send_failure(req, res, changed.error());
                   send_json(res, 200, member_json(*changed));
               }));

    http.del(route("members/([^/]+)"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::MemberAdmin members(app.store, app.clock, app.invitations);
                 const Status removed = members.remove_member(org, req.matches[2].str(), caller);
                 if (!removed) return send_failure(req, res, removed.error());
                 res.status = 204;
             }));

    http.get(route("teams"), admin(app, [&app](const AdminCaller&, const core::Org& org,
                                               const Request& req, Response& res) {
                 service::MemberAdmin members(app.store, app.clock, app.invitations);
                 auto page = members.list_teams(org, page_params(req));
                 if (!page) return send_failure(req, res, page.error());
                 json items = json::array();
                 for (const auto& t : page->items)
                     items.push_back({{"id", t.public_id},
                                      {"slug", t.slug},
                                      {"name", t.display_name},
                                      {"idp_managed", t.idp_managed}});
                 send_json(res, 200, {{"total", page->total}, {"teams", items}});
             }));

    http.del(route("teams/([^/]+)"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::MemberAdmin members(app.store, app.clock, app.invitations);
                 const Status removed = members.remove_team(org, req.matches[2].str(), caller);
                 if (!removed) return send_failure(req, res, removed.error());
                 res.status = 204;
             }));
}

// Audit entries a page of the admin API holds unless the caller asks for another limit.
constexpr std::int64_t kAuditPageSize = 100;

void register_audit_routes(Router& http, AppContext& app) {
    http.get(
        route("audit"), admin(app, [&app](const AdminCaller&, const core::Org& org,
                                          const Request& req, Response& res) {
            const auto parsed = service::parse_audit_filter(query_parameters(req), kAuditPageSize);
            if (!parsed.ok()) return send_failure(req, res, parsed.error());
            const store::AuditQuery& query = parsed.filter.query;
            service::AdminService admin_service(app.store, app.clock);
            auto page = admin_service.audit_log(org.slug, query);
            if (!page) return send_failure(req, res, page.error());
            json items = json::array();
            for (const auto& e : page->items) items.push_back(audit_json(e));
            send_json(res, 200,
                      {{"total", page->total}, {"offset", query.page.offset}, {"entries", items}});
        }));
}

// The org's outbox: what was sent, what waits and why, what failed and why.
void register_outbox_routes(Router& http, AppContext& app) {
    http.get(route("outbox/?"), admin(app, [&app](const AdminCaller&, const core::Org& org,
                                                  const Request& req, Response& res) {
                 const store::Page page = page_params(req);
                 auto listed = service::list_outbox(app.store, org, page);
                 if (!listed) return send_failure(req, res, listed.error());
                 json items = json::array();
                 for (const auto& m : listed->items) {
                     items.push_back(
                         {{"id", m.id},
                          {"kind", m.kind},
                          {"to", m.to},
                          {"subject", m.subject},
                          {"message_id", m.message_id},
                          {"state", core::to_string(m.state)},
                          {"attempts", m.attempts},
                          {"next_attempt_at",
                           m.state == core::MailState::queued || m.state == core::MailState::sending
                               ? json(util::format_iso8601(m.next_attempt_at))
                               : json(nullptr)},
                          {"last_error", m.last_error},
                          {"created_at", util::format_iso8601(m.created_at)},
                          {"sent_at",
                           m.sent_at ? json(util::format_iso8601(*m.sent_at)) : json(nullptr)}});
                 }
                 send_json(
                     res, 200,
                     {{"total", listed->total}, {"offset", page.offset}, {"messages", items}});
             }));
}

// The org's slug and aliases, with the URLs an IdP admin must update after a rename.
json org_names_json(const AppContext& app, const core::Org& org) {
    json aliases = json::array();
    for (const auto& alias : org.aliases) {
        json changes = json::array();
        for (const auto& change : service::rename_url_changes(app.base_url, alias, org.slug)) {
            changes.push_back(
                {{"what", change.what}, {"old", change.old_url}, {"new", change.new_url}});
        }
        aliases.push_back({{"slug", alias}, {"url_changes", changes}});
    }
    return {{"slug", org.slug}, {"aliases", aliases}};
}

// Renaming the org and removing its aliases (service/org_rename.hpp). Under an alias these
// paths redirect like every admin path, so a rename always names the org by its slug.
void register_org_name_routes(Router& http, AppContext& app) {
    http.get(route("aliases"),
             admin(app, [&app](const AdminCaller&, const core::Org& org, const Request&,
                               Response& res) { send_json(res, 200, org_names_json(app, org)); }));

    http.post(route("rename"), admin(app, [&app](const AdminCaller& caller, const core::Org& org,
                                                 const Request& req, Response& res) {
                  auto body = json_body(req, res);
                  if (!body) return;
                  reject_unknown_fields(*body, {"slug"});
                  const auto slug = opt_string(*body, "slug");
                  if (!slug) throw FieldError{fail("request.invalid_field", "slug is required.")};
                  service::OrgRename rename(app.store, app.clock);
                  auto renamed = rename.rename_org(org.slug, *slug, caller);
                  if (!renamed) return send_failure(req, res, renamed.error());
                  send_json(res, 200, org_names_json(app, *renamed));
              }));

    http.del(route("aliases/([^/]+)"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::OrgRename rename(app.store, app.clock);
                 auto changed = rename.remove_org_alias(org.slug, req.matches[2].str(), caller);
                 if (!changed) return send_failure(req, res, changed.error());
                 send_json(res, 200, org_names_json(app, *changed));
             }));
}

json invitation_json(const service::PendingInvitation& pending) {
    const core::Invitation& invitation = pending.invitation;
    json mail = nullptr;
    if (!pending.mail_state.empty()) {
        mail = {{"state", pending.mail_state}, {"last_error", pending.mail_error}};
    }
    return {{"member_id", pending.member.public_id},
            {"email", pending.member.email},
            {"invited_by", invitation.invited_by ? json(*invitation.invited_by) : json(nullptr)},
            {"created_at", util::format_iso8601(invitation.created_at)},
            {"expires_at", util::format_iso8601(invitation.expires_at)},
            {"expired", pending.expired},
            {"mail", mail}};
}

// Pending invitations, resending and revoking them.
void register_invitation_admin_routes(Router& http, AppContext& app) {
    http.get(route("invitations"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::Invitations invitations(app.store, app.clock, app.invitations);
                 auto pending = invitations.list_pending(org, caller);
                 if (!pending) return send_failure(req, res, pending.error());
                 json items = json::array();
                 for (const auto& row : *pending) items.push_back(invitation_json(row));
                 send_json(res, 200, {{"invitations", items}});
             }));

    http.post(route("members/([^/]+)/invitation"),
              admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                                Response& res) {
                  service::Invitations invitations(app.store, app.clock, app.invitations);
                  auto issued = invitations.resend(org, req.matches[2].str(), caller);
                  if (!issued) return send_failure(req, res, issued.error());
                  send_json(res, 201,
                            {{"member_id", req.matches[2].str()},
                             {"created_at", util::format_iso8601(issued->created_at)},
                             {"expires_at", util::format_iso8601(issued->expires_at)}});
              }));

    http.del(route("members/([^/]+)/invitation"),
             admin(app, [&app](const AdminCaller& caller, const core::Org& org, const Request& req,
                               Response& res) {
                 service::Invitations invitations(app.store, app.clock, app.invitations);
                 const Status revoked = invitations.revoke(org, req.matches[2].str(), caller);
                 if (!revoked) return send_failure(req, res, revoked.error());
                 res.status = 204;
             }));
}

}  // namespace

void register_admin_routes(Router& http, AppContext& app) {
    register_invitation_admin_routes(http, app);
    register_settings_routes(http, app);
    register_scim_admin_routes(http, app);
    register_member_routes(http, app);
    register_audit_routes(http, app);
    register_outbox_routes(http, app);
    register_org_name_routes(http, app);
}

}  // namespace gatehouse::http
