// `gatehouse saml test`: starts a test sign-in for an org and prints the IdP URL to open.
// The IdP answers the gateway's ACS, which shows the check report instead of signing in.
#include <iostream>

#include "commands.hpp"
#include "gatehouse/http/server.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/time.hpp"
#include "sp_key_pair.hpp"

namespace gatehouse::cli {
namespace {

struct TestArgs {
    std::string org;
    std::string base_url = "http://127.0.0.1:8080";
    std::string sp_key;  // both empty: the key pair file beside the store
    std::string sp_cert;
};

int test_sign_in(const GlobalOptions& global, const TestArgs& args) {
    auto base_url = http::normalise_base_url(args.base_url);
    if (!base_url) {
        std::cerr << "gatehouse saml test: " << base_url.error().message << "\n";
        return kExitUsage;
    }
    // The request is signed with the key the running gateway uses: the IdP checks it
    // against the SP certificate of the org's metadata.
    auto credentials = read_sp_credentials(global, args.sp_key, args.sp_cert);
    if (!credentials) {
        std::cerr << "gatehouse saml test: " << credentials.error().message << "\n";
        return kExitUsage;
    }
    auto store = open_store(global);
    if (!store) return kExitFailure;
    auto found = service::find_org_by_name(*store, args.org);
    if (!found) return report_store_error("saml test", found.error());
    if (!*found) {
        std::cerr << "gatehouse saml test: no organization '" << args.org << "'\n";
        return kExitFailure;
    }

    util::SystemClock clock;
    service::SsoSettings settings;
    settings.base_url = *base_url;
    service::SsoService sso(*store, clock, settings,
                            std::make_shared<const saml::SpCredentials>(std::move(*credentials)));
    auto started = sso.start_test_login((*found)->org, "cli");
    if (const auto* failure = std::get_if<service::SsoFailure>(&started)) {
        std::cerr << "gatehouse saml test: " << failure->error.message << " ("
                  << failure->error.code << ")\n";
        return kExitFailure;
    }
    std::cerr << "Open this URL in a browser and sign in at the IdP within "
              << settings.authn_request_ttl_seconds / 60
              << " minutes; the gateway then shows every check and the mapped attributes, "
                 "and changes no member:\n";
    std::cout << std::get<std::string>(started) << "\n";
    return kExitOk;
}

}  // namespace

void add_saml_test_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    auto args = std::make_shared<TestArgs>();
    CLI::App* test = app.get_subcommand("saml")->add_subcommand(
        "test", "Start a test sign-in: the ACS reports every check instead of signing in");
    test->add_option("--org", args->org, "Organization slug")->required();
    test->add_option("--base-url", args->base_url, "Public URL of the gateway")
        ->envname("GATEHOUSE_BASE_URL")
        ->capture_default_str();
    test->add_option("--sp-key", args->sp_key,
                     "SP private key (PEM) the gateway signs with (default: sp-key.pem beside "
                     "a SQLite store)")
        ->envname("GATEHOUSE_SP_KEY");
    test->add_option("--sp-cert", args->sp_cert, "SP certificate (PEM) matching --sp-key")
        ->envname("GATEHOUSE_SP_CERT");
    test->callback([&global, &command, args] {
        command = [&global, args] { return test_sign_in(global, *args); };
    });
}

}  // namespace gatehouse::cli
