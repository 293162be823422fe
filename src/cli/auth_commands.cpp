#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "commands.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/service/auth_settings.hpp"

namespace gatehouse::cli {
namespace {

int report(const Error& error) {
    static const std::set<std::string> usage_errors = {
        "auth.default_role.invalid", "saml.preset.unknown", "saml.config.skew_invalid",
        "saml.config.issue_age_invalid", "org.audit_retention_invalid"};
    std::cerr << "gatehouse: " << error.message << "\n";
    return usage_errors.count(error.code) ? kExitUsage : kExitFailure;
}

const std::vector<std::string>& on_off() {
    static const std::vector<std::string> values = {"on", "off"};
    return values;
}

std::optional<bool> switch_value(const std::string& text) {
    if (text.empty()) return std::nullopt;
    return text == "on";
}

// Each flag as given on the command line; empty means "leave as it is".
struct SetArgs {
    std::string org, default_role, require_sso, jit, idp_initiated, preset,
        require_signed_assertion, require_aes_gcm, sign_in_attributes;
    std::optional<int> clock_skew, max_issue_age, audit_retention_days;
    std::optional<std::string> user_id, email, first_name, last_name, role, groups;

    bool maps_attributes() const {
        return user_id || email || first_name || last_name || role || groups;
    }
};

// The mapping to store: the current one (or the new preset's), with the fields given on the
// command line replaced. Returns nullopt when no --map-* flag was given.
Result<std::optional<core::AttributeMapping>> mapping_change(store::Store& store,
                                                             const SetArgs& args) {
    if (!args.maps_attributes()) return std::optional<core::AttributeMapping>();
    core::AttributeMapping mapping;
    if (!args.preset.empty()) {
        auto preset = saml::mapping_preset(args.preset);
        if (!preset) return preset.error();
        mapping = *preset;
    } else {
        auto settings = service::read_auth_settings(store, args.org);
        if (!settings) return settings.error();
        if (settings->provider) mapping = settings->provider->mapping;
    }
    const auto apply = [](const std::optional<std::string>& given, std::string& field) {
        if (given) field = *given;
    };
    apply(args.user_id, mapping.user_id);
    apply(args.email, mapping.email);
    apply(args.first_name, mapping.first_name);
    apply(args.last_name, mapping.last_name);
    apply(args.role, mapping.role);
    apply(args.groups, mapping.groups);
    return std::optional<core::AttributeMapping>(mapping);
}

void add_auth_show(CLI::App& auth, GlobalOptions& global, std::function<int()>& command) {
    auto org_slug = std::make_shared<std::string>();
    CLI::App* show = auth.add_subcommand("show", "Print an org's sign-in settings as JSON");
    show->add_option("--org", *org_slug, "Organization slug")->required();
    show->callback([&global, &command, org_slug] {
        command = [&global, org_slug] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            auto settings = service::read_auth_settings(*store, *org_slug);
            if (!settings) return report(settings.error());
            std::cout << service::auth_settings_json(settings->org, settings->provider).dump(2)
                      << "\n";
            return kExitOk;
        };
    });
}

void add_auth_set(CLI::App& auth, GlobalOptions& global, std::function<int()>& command) {
    auto args = std::make_shared<SetArgs>();
    CLI::App* set = auth.add_subcommand(
        "set", "Change an org's sign-in settings; Require SSO on ends all password sessions");
    set->add_option("--org", args->org, "Organization slug")->required();
    set->add_option("--default-role", args->default_role, "Role of new SSO members (not owner)")
        ->check(CLI::IsMember({"admin", "manager", "billing", "member", "owner"}));
    set->add_option("--require-sso", args->require_sso, "on|off")->check(CLI::IsMember(on_off()));
    set->add_option("--jit", args->jit, "on|off: create members on first sign-in")
        ->check(CLI::IsMember(on_off()));
    set->add_option("--idp-initiated", args->idp_initiated, "on|off: accept IdP-initiated sign-in")
        ->check(CLI::IsMember(on_off()));
    set->add_option("--sign-in-attributes", args->sign_in_attributes,
                    "on|off: set roles and teams from the role and groups sign-ins carry")
        ->check(CLI::IsMember(on_off()));
    set->add_option("--clock-skew", args->clock_skew, "Seconds of clock skew allowed (0-600)");
    set->add_option("--preset", args->preset,
                    "Refill the attribute mapping: okta, entra, auth0, onelogin or generic");
    set->add_option("--map-user-id", args->user_id, "Attribute with the IdP user ID ('' = NameID)");
    set->add_option("--map-email", args->email, "Attribute with the email address");
    set->add_option("--map-first-name", args->first_name, "Attribute with the given name");
    set->add_option("--map-last-name", args->last_name, "Attribute with the family name");
    set->add_option("--map-role", args->role, "Attribute with the org role");
    set->add_option("--map-groups", args->groups, "Attribute with the groups");
    set->add_option("--require-signed-assertion", args->require_signed_assertion, "on|off")
        ->check(CLI::IsMember(on_off()));
    set->add_option("--require-aes-gcm", args->require_aes_gcm,
                    "on|off: refuse encrypted assertions that use AES-CBC")
        ->check(CLI::IsMember(on_off()));
    set->add_option("--max-issue-age", args->max_issue_age,
                    "Seconds a Response or Assertion may be old (30-86400)");
    set->add_option("--audit-retention-days", args->audit_retention_days,
                    "Days the audit log keeps an entry (1-3650)");
    set->callback([&global, &command, args] {
        command = [&global, args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            service::AuthSettingsChange change;
            if (!args->default_role.empty())
                change.default_role = core::parse_role(args->default_role);
            change.require_sso = switch_value(args->require_sso);
            change.jit_provisioning = switch_value(args->jit);
            change.allow_idp_initiated = switch_value(args->idp_initiated);
            change.apply_sign_in_attributes = switch_value(args->sign_in_attributes);
            change.require_signed_assertion = switch_value(args->require_signed_assertion);
            change.clock_skew_seconds = args->clock_skew;
            change.require_aes_gcm = switch_value(args->require_aes_gcm);
            change.max_issue_age_seconds = args->max_issue_age;
            change.audit_retention_days = args->audit_retention_days;
            if (!args->preset.empty()) change.preset = args->preset;
            auto mapping = mapping_change(*store, *args);
            if (!mapping) return report(mapping.error());
            change.mapping = *mapping;
            util::SystemClock clock;
            auto updated = service::update_auth_settings(*store, clock, args->org, change,
                                                         service::Caller::cli());
            if (!updated) return report(updated.error());
            std::cout << service::auth_settings_json(updated->org, updated->provider).dump(2)
                      << "\n";
            std::cout << "Password sessions ended: " << updated->sessions_ended << "\n";
            return kExitOk;
        };
    });
}

}  // namespace

void add_auth_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* auth = app.add_subcommand("auth", "Show and change an org's sign-in settings");
    auth->require_subcommand(1);
    add_auth_show(*auth, global, command);
    add_auth_set(*auth, global, command);
}

}  // namespace gatehouse::cli
