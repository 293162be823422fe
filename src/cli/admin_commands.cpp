#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

constexpr const char* kCliActor = "cli";

int report(const Error& error) {
    std::cerr << "gatehouse: " << error.message << "\n";
    return error.code == "org.invalid_slug" || error.code == "org.invalid_email" ? kExitUsage
                                                                                 : kExitFailure;
}

}  // namespace

std::unique_ptr<store::Store> open_store(const GlobalOptions& global) {
    // A SQLite file's folder is created on first use; a PostgreSQL URL names a database that
    // must exist already.
    if (!store::is_postgres_url(global.db_path)) {
        const std::filesystem::path path(global.db_path);
        if (path.has_parent_path()) {
            std::error_code ignored;
            std::filesystem::create_directories(path.parent_path(), ignored);
        }
    }
    auto opened = store::open_store(global.db_path);
    if (!opened) {
        std::cerr << "gatehouse: " << opened.error().message << "\n";
        return nullptr;
    }
    return std::move(opened).value();
}

int report_store_error(const std::string& command, const Error& error) {
    std::cerr << "gatehouse " << command << ": " << error.message << " (" << error.code << ")\n";
    return kExitFailure;
}

void add_org_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* org = app.add_subcommand("org", "Create and list organizations");
    org->require_subcommand(1);

    auto request = std::make_shared<service::NewOrg>();
    CLI::App* create = org->add_subcommand("create", "Create an organization");
    create->add_option("SLUG", request->slug, "URL name: a-z, 0-9 and '-'")->required();
    create->add_option("--name", request->name, "Display name (default: the slug)");
    create->add_option("--owner-email", request->owner_email, "Email of the first owner");
    create->callback([&global, &command, request] {
        command = [&global, request] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            auto created = admin.create_org(*request, kCliActor);
            if (!created) return report(created.error());
            std::cout << "Created organization '" << created->org.slug << "' (" << created->org.name
                      << ")\n";
            if (created->owner) std::cout << "Owner: " << created->owner->email << "\n";
            return kExitOk;
        };
    });

    CLI::App* list = org->add_subcommand("list", "List organizations");
    list->callback([&global, &command] {
        command = [&global] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            auto orgs = admin.list_orgs();
            if (!orgs) return report(orgs.error());
            for (const auto& org : *orgs) {
                std::cout << org.slug << "\t" << org.name
                          << "\tscim=" << (org.scim_enabled ? "on" : "off")
                          << "\trequire_sso=" << (org.require_sso ? "on" : "off") << "\n";
            }
            return kExitOk;
        };
    });
}

namespace {

// A kind of bearer secret the CLI issues, lists and revokes: SCIM tokens and admin keys.
struct SecretKind {
    const char* command;  // "scim-token"
    const char* help;
    const char* create_help;
    std::function<Result<service::IssuedScimToken>(service::AdminService&, const std::string& org,
                                                   const std::string& description)>
        create;
    std::function<Result<std::vector<core::BearerToken>>(service::AdminService&,
                                                         const std::string& org)>
        list;
    std::function<Status(service::AdminService&, const std::string& org, core::RowId id)> revoke;
};

// Runs `work` with an AdminService over the global store.
int with_admin(const GlobalOptions& global,
               const std::function<int(service::AdminService&)>& work) {
    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    service::AdminService admin(*store, clock);
    return work(admin);
}

void add_secret_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command,
                         std::shared_ptr<const SecretKind> kind) {
    CLI::App* group = app.add_subcommand(kind->command, kind->help);
    group->require_subcommand(1);

    struct CreateArgs {
        std::string org;
        std::string description;
        bool quiet = false;
    };
    auto create_args = std::make_shared<CreateArgs>();
    CLI::App* create = group->add_subcommand("create", kind->create_help);
    create->add_option("ORG", create_args->org, "Organization slug")->required();
    create->add_option("--description", create_args->description, "Where the secret is used");
    create->add_flag("--quiet", create_args->quiet, "Print only the secret");
    create->callback([&global, &command, create_args, kind] {
        command = [&global, create_args, kind] {
            return with_admin(global, [&](service::AdminService& admin) {
                auto issued = kind->create(admin, create_args->org, create_args->description);
                if (!issued) return report(issued.error());
                if (create_args->quiet) {
                    std::cout << issued->token << "\n";
                } else {
                    std::cout << "Id: " << issued->record.id << "\n"
                              << "Secret: " << issued->token << "\n"
                              << "Copy it now: it is stored only as a hash and cannot be shown "
                                 "again.\n";
                }
                return kExitOk;
            });
        };
    });

    auto list_org = std::make_shared<std::string>();
    CLI::App* list = group->add_subcommand("list", "List an org's secrets (never the secrets)");
    list->add_option("ORG", *list_org, "Organization slug")->required();
    list->callback([&global, &command, list_org, kind] {
        command = [&global, list_org, kind] {
            return with_admin(global, [&](service::AdminService& admin) {
                auto listed = kind->list(admin, *list_org);
                if (!listed) return report(listed.error());
                for (const auto& t : *listed) {
                    std::cout << t.id << "\t" << (t.revoked_at ? "revoked" : "active")
                              << "\tcreated " << util::format_iso8601(t.created_at) << "\t"
                              << t.description << "\n";
                }
                return kExitOk;
            });
        };
    });

    struct RevokeArgs {
        std::string org;
        core::RowId id = 0;
    };
    auto revoke_args = std::make_shared<RevokeArgs>();
    CLI::App* revoke = group->add_subcommand("revoke", "Revoke one at once");
    revoke->add_option("ORG", revoke_args->org, "Organization slug")->required();
    revoke->add_option("ID", revoke_args->id, "Id printed when it was created")
        ->required()
        ->check(CLI::PositiveNumber);
    revoke->callback([&global, &command, revoke_args, kind] {
        command = [&global, revoke_args, kind] {
            return with_admin(global, [&](service::AdminService& admin) {
                if (auto s = kind->revoke(admin, revoke_args->org, revoke_args->id); !s) {
                    return report(s.error());
                }
                std::cout << "Revoked " << revoke_args->id << "\n";
                return kExitOk;
            });
        };
    });
}

}  // namespace

void add_scim_token_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    add_secret_commands(
        app, global, command,
        std::make_shared<const SecretKind>(SecretKind{
            "scim-token", "Issue, list and revoke SCIM bearer tokens",
            "Issue a token for an org and print it once (older tokens keep working)",
            [](service::AdminService& admin, const std::string& org, const std::string& text) {
                return admin.create_scim_token(org, text, service::Caller::cli());
            },
            [](service::AdminService& admin, const std::string& org) {
                return admin.list_scim_tokens(org);
            },
            [](service::AdminService& admin, const std::string& org, core::RowId id) {
                return admin.revoke_scim_token(org, id, service::Caller::cli());
            }}));
}

void add_admin_key_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    add_secret_commands(
        app, global, command,
        std::make_shared<const SecretKind>(SecretKind{
            "admin-key", "Issue, list and revoke admin API keys (owner rights on one org)",
            "Issue an admin API key for an org and print it once",
            [](service::AdminService& admin, const std::string& org, const std::string& text) {
                return admin.create_admin_key(org, text, service::Caller::cli());
            },
            [](service::AdminService& admin, const std::string& org) {
                return admin.list_admin_keys(org);
            },
            [](service::AdminService& admin, const std::string& org, core::RowId id) {
                return admin.revoke_admin_key(org, id, service::Caller::cli());
            }}));
}

}  // namespace gatehouse::cli
