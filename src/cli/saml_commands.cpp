#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "gatehouse/http/metadata_fetcher.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/check_report.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct ConfigureArgs {
    std::string org;
    std::string metadata_url;
    bool allow_private_metadata_urls = false;
    std::string metadata_ca_file;
    std::string metadata_file;
    std::string entity_id;
    std::string sso_url;
    std::string slo_url;
    std::vector<std::string> cert_files;
    std::string preset = "generic";
    std::optional<bool> allow_idp_initiated;
    std::optional<bool> jit;
    std::optional<bool> require_signed_assertion;
    std::optional<bool> allow_sha1;
    std::optional<int> clock_skew;
};

int configure(const GlobalOptions& global, const ConfigureArgs& args) {
    service::ProviderInput input;
    input.metadata_url = args.metadata_url;
    if (!args.metadata_file.empty()) {
        auto xml = read_file(args.metadata_file);
        if (!xml) {
            std::cerr << "gatehouse saml configure: cannot read " << args.metadata_file << "\n";
            return kExitUsage;
        }
        input.metadata_xml = *xml;
    }
    for (const auto& file : args.cert_files) {
        auto pem = read_file(file);
        if (!pem) {
            std::cerr << "gatehouse saml configure: cannot read " << file << "\n";
            return kExitUsage;
        }
        input.certificates.push_back(*pem);
    }
    input.idp_entity_id = args.entity_id;
    input.sso_url = args.sso_url;
    input.slo_url = args.slo_url;
    input.preset = args.preset;
    input.allow_idp_initiated = args.allow_idp_initiated;
    input.jit_provisioning = args.jit;
    input.require_signed_assertion = args.require_signed_assertion;
    input.allow_sha1 = args.allow_sha1;
    input.clock_skew_seconds = args.clock_skew;

    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    http::MetadataFetchOptions fetch_options;
    fetch_options.allow_private_addresses = args.allow_private_metadata_urls;
    fetch_options.ca_file = args.metadata_ca_file;
    http::HttpsMetadataSource metadata_source(fetch_options);
    auto configured = service::configure_provider(*store, clock, args.org, input,
                                                  service::Caller::cli(), &metadata_source);
    if (!configured) {
        std::cerr << "gatehouse saml configure: " << configured.error().message << " ("
                  << configured.error().code << ")\n";
        return configured.error().code == "org.not_found" ? kExitFailure : kExitUsage;
    }
    const auto& p = configured->provider;
    if (!p.metadata_url.empty()) std::cout << "Metadata URL:   " << p.metadata_url << "\n";
    std::cout << "IdP entity ID:  " << p.idp_entity_id << "\n"
              << "SSO URL:        " << p.sso_url << "\n"
              << "SLO URL:        " << (p.slo_url.empty() ? "(none)" : p.slo_url) << "\n"
              << "Mapping preset: " << p.preset << "\n";
    for (const auto& c : configured->certificates) {
        std::cout << "Certificate:    " << c.subject << "\n"
                  << "  SHA-256:      " << c.sha256_fingerprint << "\n"
                  << "  valid:        " << util::format_iso8601(c.not_before) << " to "
                  << util::format_iso8601(c.not_after)
                  << (c.not_after < clock.now() ? "  (EXPIRED: still trusted, renew it at the IdP)"
                                                : "")
                  << "\n";
    }
    return kExitOk;
}

// Prints the check report: one numbered line per rule, the failed one with its reason.
void print_rules(const Error* error) {
    const auto lines = saml::check_report(error);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        const char* mark = line.outcome == saml::CheckLine::Outcome::passed   ? "passed"
                           : line.outcome == saml::CheckLine::Outcome::failed ? "FAILED"
                                                                              : "-     ";
        std::cout << "  " << mark << "  " << (i + 1) << ". " << line.title << "\n";
        if (line.outcome == saml::CheckLine::Outcome::failed) {
            std::cout << "            " << line.code << ": " << line.message << "\n";
        }
    }
    if (error) {
        std::cout << "  ('-' marks rules not established: validation stops at the first "
                     "failure)\n";
    }
}

// One "Mapped" line: `value` and where it came from, padded so the values line up.
void print_mapped(const std::string& label, const std::string& value, const std::string& source) {
    std::cout << "  " << label << ":" << std::string(12 - label.size(), ' ') << value;
    if (!source.empty()) std::cout << "  (from " << source << ")";
    std::cout << "\n";
}

struct CheckArgs {
    std::string file;
    std::string org;
    std::vector<std::string> idp_cert_files;
    std::string idp_entity_id;
    std::string sp_entity_id;
    std::string acs_url;
    std::string base_url = "http://127.0.0.1:8080";
    std::string at;
    std::vector<std::string> request_ids;
    bool allow_unsolicited = false;
    bool allow_sha1 = false;
    std::string sp_key_file;
    std::string sp_cert_file;
};

int check(const GlobalOptions& global, const CheckArgs& args) {
    auto message = read_file(args.file);
    if (!message) {
        std::cerr << "gatehouse saml check: cannot read " << args.file << "\n";
        return kExitUsage;
    }
    std::string text = *message;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    // The validator takes the POST value; XML given directly is encoded the same way.
    if (!text.empty() && text.front() == '<') text = util::base64_encode(text);
    if (text.rfind("SAMLResponse=", 0) == 0) {
        auto decoded = util::url_decode(text.substr(13));
        if (decoded) text = *decoded;
    }

    std::unique_ptr<util::Clock> clock = std::make_unique<util::SystemClock>();
    if (!args.at.empty()) {
        auto at = util::parse_iso8601(args.at);
        if (!at) {
            std::cerr
                << "gatehouse saml check: --at must be an xs:dateTime like 2026-11-23T08:00:00Z\n";
            return kExitUsage;
        }
        clock = std::make_unique<util::FixedClock>(*at);
    }

    core::SamlProvider provider;
    core::Org org;
    std::unique_ptr<store::Store> store;
    saml::AcsExpectations expectations;
    if (!args.org.empty()) {
        store = open_store(global);
        if (!store) return kExitFailure;
        auto found_org = service::find_org_by_name(*store, args.org);
        if (!found_org) return report_store_error("saml check", found_org.error());
        if (!*found_org) {
            std::cerr << "gatehouse saml check: no organization '" << args.org << "'\n";
            return kExitFailure;
        }
        org = (*found_org)->org;
        auto found = service::find_saml_provider(*store, org);
        if (!found) return report_store_error("saml check", found.error());
        if (!*found) {
            std::cerr << "gatehouse saml check: SAML is not configured for '" << args.org << "'\n";
            return kExitFailure;
        }
        provider = **found;
        // As the ACS checks it: the URLs in force, or any other name of the org.
        const auto endpoints = saml::sp_endpoints(args.base_url, service::idp_facing_slug(org));
        expectations.sp_entity_id = endpoints.entity_id;
        expectations.acs_url = endpoints.acs_url;
        for (const auto& slug : service::org_slugs(org)) {
            const auto other = saml::sp_endpoints(args.base_url, slug);
            expectations.other_entity_ids.push_back(other.entity_id);
            expectations.other_acs_urls.push_back(other.acs_url);
        }
        expectations.allow_idp_initiated = org.allow_idp_initiated;
    } else {
        if (args.idp_cert_files.empty() || args.idp_entity_id.empty() ||
            args.sp_entity_id.empty() || args.acs_url.empty()) {
            std::cerr << "gatehouse saml check: give --org ORG, or --idp-cert, --idp-entity-id, "
                         "--sp-entity-id and --acs-url\n";
            return kExitUsage;
        }
        for (const auto& file : args.idp_cert_files) {
            auto pem = read_file(file);
            if (!pem) {
                std::cerr << "gatehouse saml check: cannot read " << file << "\n";
                return kExitUsage;
            }
            provider.certificates.push_back(*pem);
        }
        provider.idp_entity_id = args.idp_entity_id;
        expectations.sp_entity_id = args.sp_entity_id;
        expectations.acs_url = args.acs_url;
    }
    if (args.allow_unsolicited) expectations.allow_idp_initiated = true;
    if (args.allow_sha1) provider.options.allow_sha1 = true;
    const std::vector<std::string> request_ids = args.request_ids;
    expectations.is_pending_request = [request_ids](std::string_view id) {
        return std::find(request_ids.begin(), request_ids.end(), id) != request_ids.end();
    };
    // Decrypting needs the private key alone; a certificate given beside it is checked
    // against it, so a mismatched pair is named here rather than at the IdP.
    std::optional<saml::SpPrivateKey> sp_key;
    if (!args.sp_key_file.empty()) {
        auto loaded = saml::SpPrivateKey::from_file(args.sp_key_file);
        if (!loaded) {
            std::cerr << "gatehouse saml check: --sp-key: " << loaded.error().message << "\n";
            return kExitUsage;
        }
        sp_key = std::move(*loaded);
        expectations.decryption_key = sp_key->native();
    }
    if (!args.sp_cert_file.empty()) {
        if (!sp_key) {
            std::cerr << "gatehouse saml check: --sp-cert is checked against --sp-key; give the "
                         "key too (the key alone decrypts)\n";
            return kExitUsage;
        }
        auto pem = read_file(args.sp_cert_file);
        if (!pem) {
            std::cerr << "gatehouse saml check: cannot read " << args.sp_cert_file << "\n";
            return kExitUsage;
        }
        if (auto matches = sp_key->check_certificate(*pem); !matches) {
            std::cerr << "gatehouse saml check: --sp-cert " << args.sp_cert_file
                      << " does not match --sp-key " << args.sp_key_file << ": "
                      << matches.error().message << " (" << matches.error().code << ")\n";
            return kExitUsage;
        }
    }

    auto validated = saml::validate_response(text, provider, expectations, *clock);
    if (!validated) {
        std::cout << "REJECTED\n";
        print_rules(&validated.error());
        return kExitFailure;
    }
    // Replay is reported, never recorded: this command does not change the store.
    if (store) {
        auto seen =
            service::assertion_already_accepted(*store, org, validated->assertion_id, clock->now());
        if (!seen) return report_store_error("saml check", seen.error());
        if (*seen) {
            const Error replay = fail("saml.replay", "The assertion " + validated->assertion_id +
                                                         " was already used here.");
            std::cout << "REJECTED\n";
            print_rules(&replay);
            return kExitFailure;
        }
    }
    auto identity = saml::map_identity(validated->name_id, validated->attributes, provider.mapping);
    if (!identity) {
        std::cout << "REJECTED\n";
        print_rules(&identity.error());
        return kExitFailure;
    }
    std::cout << "ACCEPTED\n";
    print_rules(nullptr);
    std::cout << "Assertion ID:  " << validated->assertion_id << "\n"
              << "Issuer:        " << validated->issuer << "\n"
              << "NameID:        " << validated->name_id << "\n"
              << "Mapped (value, then the attribute it came from):\n";
    print_mapped("user ID", identity->user_id, identity->sources.user_id);
    print_mapped("email", identity->email, identity->sources.email);
    print_mapped("first name", identity->first_name, identity->sources.first_name);
    print_mapped("last name", identity->last_name, identity->sources.last_name);
    print_mapped("role", identity->role, identity->sources.role);
    std::string groups;
    for (const auto& group : identity->groups) groups += (groups.empty() ? "" : ", ") + group;
    print_mapped("groups", groups, identity->sources.groups);
    if (identity->email.empty()) {
        std::cout << "Warning: no email address (" << saml::describe_received(*identity)
                  << "). This sign-in succeeds for a member found by SAML subject, externalId or "
                     "userName equal to the user ID; just-in-time creation would be refused.\n";
    }
    return kExitOk;
}

}  // namespace

void add_saml_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* saml = app.add_subcommand("saml", "Configure an org's IdP and check SAML responses");
    saml->require_subcommand(1);

    auto c = std::make_shared<ConfigureArgs>();
    CLI::App* configure_cmd = saml->add_subcommand(
        "configure",
        "Store an org's IdP from its metadata URL or file, or from entity ID, SSO URL and "
        "certificates");
    configure_cmd->add_option("ORG", c->org, "Organization slug")->required();
    auto* metadata_url = configure_cmd->add_option(
        "--metadata-url", c->metadata_url,
        "HTTPS URL of the IdP metadata (fetched now, and again by `serve` periodically)");
    configure_cmd->add_flag("--allow-private-metadata-urls", c->allow_private_metadata_urls,
                            "Allow a metadata URL on a loopback or private-network address");
    configure_cmd->add_option("--metadata-ca-file", c->metadata_ca_file,
                              "PEM CA certificates trusted for the metadata URL, beside the "
                              "system's");
    auto* metadata =
        configure_cmd->add_option("--metadata-file", c->metadata_file, "IdP metadata XML");
    auto* entity = configure_cmd->add_option("--entity-id", c->entity_id, "IdP entity ID (Issuer)");
    metadata_url->excludes(metadata);
    metadata_url->excludes(entity);
    configure_cmd->add_option("--sso-url", c->sso_url, "IdP single sign-on URL");
    configure_cmd->add_option("--slo-url", c->slo_url, "IdP single logout URL");
    configure_cmd->add_option("--cert", c->cert_files,
                              "IdP signing certificate file (repeat for rollover)");
    metadata->excludes(entity);
    configure_cmd
        ->add_option("--preset", c->preset,
                     "Attribute names: okta, entra, auth0, onelogin, generic")
        ->capture_default_str();
    configure_cmd->add_option("--allow-idp-initiated", c->allow_idp_initiated,
                              "true/false: accept IdP-initiated sign-in");
    configure_cmd->add_option("--jit", c->jit, "true/false: create members on first sign-in");
    configure_cmd->add_option("--require-signed-assertion", c->require_signed_assertion,
                              "true/false");
    configure_cmd->add_option("--allow-sha1", c->allow_sha1,
                              "true/false: accept RSA-SHA1 signatures");
    configure_cmd->add_option("--clock-skew", c->clock_skew,
                              "Seconds of clock difference allowed (0-600)");
    configure_cmd->callback(
        [&global, &command, c] { command = [&global, c] { return configure(global, *c); }; });

    auto k = std::make_shared<CheckArgs>();
    CLI::App* check_cmd = saml->add_subcommand("check",
                                               "Run the ACS validation on a SAMLResponse (base64 "
                                               "or XML) and explain the result; changes nothing");
    check_cmd->add_option("FILE", k->file, "File with the SAMLResponse value or XML")->required();
    check_cmd->add_option("--org", k->org, "Use this org's IdP configuration");
    check_cmd->add_option("--base-url", k->base_url, "Gateway base URL, for --org")
        ->envname("GATEHOUSE_BASE_URL")
        ->capture_default_str();
    check_cmd->add_option("--idp-cert", k->idp_cert_files, "IdP certificate file (repeatable)");
    check_cmd->add_option("--idp-entity-id", k->idp_entity_id, "Expected Issuer");
    check_cmd->add_option("--sp-entity-id", k->sp_entity_id, "Expected Audience");
    check_cmd->add_option("--acs-url", k->acs_url, "Expected Destination and Recipient");
    check_cmd->add_option("--at", k->at,
                          "Check as of this time (xs:dateTime), to explain old responses");
    check_cmd->add_option("--request-id", k->request_ids,
                          "AuthnRequest ID to treat as pending (repeatable)");
    check_cmd->add_flag("--allow-unsolicited", k->allow_unsolicited,
                        "Accept a response without InResponseTo");
    check_cmd->add_flag("--allow-sha1", k->allow_sha1, "Accept RSA-SHA1 signatures");
    check_cmd->add_option("--sp-key", k->sp_key_file,
                          "SP private key (PEM), to decrypt an EncryptedAssertion; enough alone");
    check_cmd->add_option("--sp-cert", k->sp_cert_file,
                          "SP certificate, optional: refused unless it matches --sp-key");
    check_cmd->callback(
        [&global, &command, k] { command = [&global, k] { return check(global, *k); }; });
}

}  // namespace gatehouse::cli
