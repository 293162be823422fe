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
    const std::filesystem::path path(global.db_path);
    if (path.has_parent_path()) {
        std::error_code ignored;
        std::filesystem::create_directories(path.parent_path(), ignored);
    }
    auto opened = store::open_sqlite_store(global.db_path);
    if (!opened) {
        std::cerr << "gatehouse: " << opened.error().message << "\n";
        return nullptr;
    }
    return std::move(opened).value();
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

void add_scim_token_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* tokens =
        app.add_subcommand("scim-token", "Issue, list and revoke SCIM bearer tokens");
    tokens->require_subcommand(1);

    struct CreateArgs {
        std::string org;
        std::string description;
        bool quiet = false;
    };
    auto create_args = std::make_shared<CreateArgs>();
    CLI::App* create = tokens->add_subcommand(
        "create", "Issue a token for an org and print it once (older tokens keep working)");
    create->add_option("ORG", create_args->org, "Organization slug")->required();
    create->add_option("--description", create_args->description, "Where the token is used");
    create->add_flag("--quiet", create_args->quiet, "Print only the token");
    create->callback([&global, &command, create_args] {
        command = [&global, create_args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            auto issued =
                admin.create_scim_token(create_args->org, create_args->description, kCliActor);
            if (!issued) return report(issued.error());
            if (create_args->quiet) {
                std::cout << issued->token << "\n";
            } else {
                std::cout
                    << "Token id: " << issued->record.id << "\n"
                    << "Token: " << issued->token << "\n"
                    << "Copy it now: it is stored only as a hash and cannot be shown again.\n";
            }
            return kExitOk;
        };
    });

    auto list_org = std::make_shared<std::string>();
    CLI::App* list = tokens->add_subcommand("list", "List an org's tokens (never the secrets)");
    list->add_option("ORG", *list_org, "Organization slug")->required();
    list->callback([&global, &command, list_org] {
        command = [&global, list_org] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            auto listed = admin.list_scim_tokens(*list_org);
            if (!listed) return report(listed.error());
            for (const auto& t : *listed) {
                std::cout << t.id << "\t" << (t.revoked_at ? "revoked" : "active") << "\tcreated "
                          << util::format_iso8601(t.created_at) << "\t" << t.description << "\n";
            }
            return kExitOk;
        };
    });

    struct RevokeArgs {
        std::string org;
        core::RowId token_id = 0;
    };
    auto revoke_args = std::make_shared<RevokeArgs>();
    CLI::App* revoke = tokens->add_subcommand("revoke", "Revoke a token at once");
    revoke->add_option("ORG", revoke_args->org, "Organization slug")->required();
    revoke->add_option("TOKEN_ID", revoke_args->token_id, "Id printed by 'scim-token create'")
        ->required()
        ->check(CLI::PositiveNumber);
    revoke->callback([&global, &command, revoke_args] {
        command = [&global, revoke_args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            if (auto s =
                    admin.revoke_scim_token(revoke_args->org, revoke_args->token_id, kCliActor);
                !s) {
                return report(s.error());
            }
            std::cout << "Revoked token " << revoke_args->token_id << "\n";
            return kExitOk;
        };
    });
}

}  // namespace gatehouse::cli
