// `gatehouse oidc configure|show|remove` and `gatehouse github configure`: an org's OpenID
// Connect, Google Workspace or GitHub sign-in provider. The client secret is read from
// standard input only, so it never lands in shell history or the process list.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/http/metadata_fetcher.hpp"
#include "gatehouse/service/oidc_config.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

struct OidcArgs {
    std::string org;
    std::string kind = "oidc";
    std::string issuer;
    std::string client_id;
    bool secret_stdin = false;
    std::vector<std::string> hosted_domains;
    std::vector<std::string> allowed_orgs;
    std::optional<int> clock_skew;
    std::optional<bool> jit;
    std::optional<std::string> role_claim;
    std::optional<std::string> groups_claim;
    bool allow_private_urls = false;
    std::string ca_file;
    std::string github_url = "https://github.com";
    std::string base_url = "http://127.0.0.1:8080";
};

std::string read_secret() {
    std::string secret;
    std::getline(std::cin, secret);
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
    return secret;
}

void print_view(const service::OidcProviderView& view, const std::string& callback_url) {
    std::cout << "Kind:           " << core::to_string(view.kind) << "\n"
              << "Issuer:         " << view.issuer << "\n"
              << "Client ID:      " << view.client_id << "\n"
              << "Client secret:  " << (view.client_secret_set ? "(set, never shown)" : "(none)")
              << "\n";
    if (!view.authorization_endpoint.empty()) {
        std::cout << "Authorization:  " << view.authorization_endpoint << "\n"
                  << "Signing keys:   " << view.signing_keys << "\n";
    }
    for (const auto& domain : view.hosted_domains) {
        std::cout << "Hosted domain:  " << domain << "\n";
    }
    for (const auto& org : view.allowed_orgs) std::cout << "Allowed org:    " << org << "\n";
    std::cout << "Clock skew:     " << view.clock_skew_seconds << " s\n";
    if (!view.role_claim.empty()) std::cout << "Role claim:     " << view.role_claim << "\n";
    if (!view.groups_claim.empty()) std::cout << "Groups claim:   " << view.groups_claim << "\n";
    if (!callback_url.empty()) std::cout << "Redirect URI:   " << callback_url << "\n";
}

int configure(const GlobalOptions& global, const OidcArgs& args, const char* name) {
    service::OidcProviderInput input;
    const auto kind = core::parse_oidc_kind(args.kind);
    if (!kind || (*kind == core::OidcKind::github) != (std::string(name) == "github")) {
        std::cerr << "gatehouse " << name << " configure: --kind must be oidc or google\n";
        return kExitUsage;
    }
    input.kind = *kind;
    input.issuer = args.issuer;
    input.client_id = args.client_id;
    if (args.secret_stdin) input.client_secret = read_secret();
    input.hosted_domains = args.hosted_domains;
    input.allowed_orgs = args.allowed_orgs;
    input.clock_skew_seconds = args.clock_skew;
    input.jit_provisioning = args.jit;
    input.role_claim = args.role_claim;
    input.groups_claim = args.groups_claim;

    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    http::MetadataFetchOptions options;
    options.allow_private_addresses = args.allow_private_urls;
    options.ca_file = args.ca_file;
    http::HttpsClient client(options, "oidc.fetch");
    auto configured = service::configure_oidc_provider(
        *store, clock, args.org, input, service::Caller::cli(), &client, args.github_url);
    if (!configured) {
        std::cerr << "gatehouse " << name << " configure: " << configured.error().message << " ("
                  << configured.error().code << ")\n";
        return configured.error().code == "org.not_found" ? kExitFailure : kExitUsage;
    }
    std::string base = args.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    print_view(*configured, base + "/auth/callback/" + args.org + "/");
    return kExitOk;
}

int show(const GlobalOptions& global, const std::string& org) {
    auto store = open_store(global);
    if (!store) return kExitFailure;
    auto view = service::oidc_provider_view(*store, org);
    if (!view) {
        std::cerr << "gatehouse oidc show: " << view.error().message << "\n";
        return kExitFailure;
    }
    if (!*view) {
        std::cout << "No OpenID Connect or GitHub provider is configured for " << org << ".\n";
        return kExitOk;
    }
    print_view(**view, "");
    return kExitOk;
}

int remove(const GlobalOptions& global, const std::string& org) {
    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    if (auto removed = service::remove_oidc_provider(*store, clock, org, service::Caller::cli());
        !removed) {
        std::cerr << "gatehouse oidc remove: " << removed.error().message << "\n";
        return kExitFailure;
    }
    std::cout << "Removed the OpenID Connect or GitHub provider of " << org << ".\n";
    return kExitOk;
}

// The options both `oidc configure` and `github configure` take.
void add_common(CLI::App* cmd, OidcArgs& args) {
    cmd->add_option("ORG", args.org, "Organization slug")->required();
    cmd->add_option("--client-id", args.client_id, "OAuth client ID")->required();
    cmd->add_flag("--client-secret-stdin", args.secret_stdin,
                  "Read the client secret from standard input (one line)");
    cmd->add_option("--clock-skew", args.clock_skew, "Seconds of clock difference allowed (0-600)");
    cmd->add_option("--jit", args.jit, "true/false: create members on first sign-in");
    cmd->add_option("--base-url", args.base_url, "Gateway base URL, to print the redirect URI")
        ->envname("GATEHOUSE_BASE_URL");
}

}  // namespace

void add_oidc_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* oidc = app.add_subcommand(
        "oidc", "Configure sign-in with OpenID Connect (any issuer, Google Workspace)");
    oidc->require_subcommand(1);
    auto o = std::make_shared<OidcArgs>();
    CLI::App* configure_cmd = oidc->add_subcommand(
        "configure", "Store an org's OpenID provider, checked against its discovery document");
    add_common(configure_cmd, *o);
    configure_cmd->add_option("--kind", o->kind, "oidc or google")->capture_default_str();
    configure_cmd->add_option("--issuer", o->issuer,
                              "Issuer URL (google: https://accounts.google.com by default)");
    configure_cmd->add_option("--hosted-domain", o->hosted_domains,
                              "Google Workspace domain accepted (repeat for several)");
    configure_cmd->add_option(
        "--role-claim", o->role_claim,
        "ID token claim carrying the org role ('' = none; kept when omitted)");
    configure_cmd->add_option("--groups-claim", o->groups_claim,
                              "ID token claim carrying the groups ('' = none; kept when omitted)");
    configure_cmd->add_flag("--allow-private-urls", o->allow_private_urls,
                            "Allow an issuer on a loopback or private-network address");
    configure_cmd->add_option("--ca-file", o->ca_file,
                              "PEM CA certificates trusted for the issuer, beside the system's");
    configure_cmd->callback([&global, &command, o] {
        command = [&global, o] { return configure(global, *o, "oidc"); };
    });

    auto shown = std::make_shared<std::string>();
    CLI::App* show_cmd = oidc->add_subcommand(
        "show", "Print an org's OpenID Connect or GitHub provider (never the secret)");
    show_cmd->add_option("ORG", *shown, "Organization slug")->required();
    show_cmd->callback([&global, &command, shown] {
        command = [&global, shown] { return show(global, *shown); };
    });

    auto removed = std::make_shared<std::string>();
    CLI::App* remove_cmd =
        oidc->add_subcommand("remove", "Remove an org's OpenID Connect or GitHub provider");
    remove_cmd->add_option("ORG", *removed, "Organization slug")->required();
    remove_cmd->callback([&global, &command, removed] {
        command = [&global, removed] { return remove(global, *removed); };
    });

    CLI::App* github = app.add_subcommand("github", "Configure sign-in with a GitHub OAuth App");
    github->require_subcommand(1);
    auto g = std::make_shared<OidcArgs>();
    g->kind = "github";
    CLI::App* github_configure = github->add_subcommand(
        "configure", "Store an org's GitHub OAuth App and the GitHub organizations it accepts");
    add_common(github_configure, *g);
    github_configure
        ->add_option("--allowed-org", g->allowed_orgs,
                     "GitHub organization whose members may sign in (repeat for several)")
        ->required();
    github_configure->add_option("--github-url", g->github_url, "GitHub's web base URL")
        ->envname("GATEHOUSE_GITHUB_URL")
        ->capture_default_str();
    github_configure->callback([&global, &command, g] {
        command = [&global, g] { return configure(global, *g, "github"); };
    });
}

}  // namespace gatehouse::cli
