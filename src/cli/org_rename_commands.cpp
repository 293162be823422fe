// `gatehouse org rename`, `org aliases` and `org alias-remove`: the command-line face of
// service/org_rename.hpp, added under the "org" command.
#include <iostream>

#include "commands.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/org_rename.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

int report(const Error& error) {
    std::cerr << "gatehouse: " << error.message << "\n";
    return error.code == service::kInvalidSlug ? kExitUsage : kExitFailure;
}

void print_url_changes(std::string_view base_url, std::string_view old_slug,
                       std::string_view new_slug) {
    for (const auto& change : service::rename_url_changes(base_url, old_slug, new_slug)) {
        std::cout << "  " << change.what << ": " << change.old_url << " -> " << change.new_url
                  << "\n";
    }
}

struct RenameArgs {
    std::string org;
    std::string target;  // the new slug, or the alias to remove
    std::string base_url = "http://127.0.0.1:8080";
};

void add_base_url(CLI::App* command, RenameArgs& args) {
    command->add_option("--base-url", args.base_url, "Gateway base URL, for the URLs printed")
        ->envname("GATEHOUSE_BASE_URL")
        ->capture_default_str();
}

}  // namespace

void add_org_rename_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* org = app.get_subcommand("org");

    auto rename_args = std::make_shared<RenameArgs>();
    CLI::App* rename = org->add_subcommand(
        "rename", "Change an organization's slug; the old one stays an alias until removed");
    rename->add_option("OLD", rename_args->org, "Current slug")->required();
    rename->add_option("NEW", rename_args->target, "New slug")->required();
    add_base_url(rename, *rename_args);
    rename->callback([&global, &command, rename_args] {
        command = [&global, rename_args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::OrgRename renames(*store, clock);
            auto renamed =
                renames.rename_org(rename_args->org, rename_args->target, service::Caller::cli());
            if (!renamed) return report(renamed.error());
            std::cout << "Renamed organization '" << rename_args->org << "' to '" << renamed->slug
                      << "'.\n";
            std::cout << "'" << rename_args->org
                      << "' stays an alias, so the IdP's current URLs keep working. Give the IdP "
                         "admin the new URLs:\n";
            print_url_changes(rename_args->base_url, rename_args->org, renamed->slug);
            std::cout << "Then remove the alias: gatehouse org alias-remove " << renamed->slug
                      << " " << rename_args->org << "\n";
            return kExitOk;
        };
    });

    auto list_args = std::make_shared<RenameArgs>();
    CLI::App* list = org->add_subcommand("aliases", "List an organization's aliases (old slugs)");
    list->add_option("ORG", list_args->org, "Organization slug")->required();
    add_base_url(list, *list_args);
    list->callback([&global, &command, list_args] {
        command = [&global, list_args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::AdminService admin(*store, clock);
            auto org = admin.find_org(list_args->org);
            if (!org) return report(org.error());
            if (org->aliases.empty()) {
                std::cout << "'" << org->slug << "' has no aliases.\n";
                return kExitOk;
            }
            for (const auto& alias : org->aliases) {
                std::cout << alias << "\n";
                print_url_changes(list_args->base_url, alias, org->slug);
            }
            return kExitOk;
        };
    });

    auto remove_args = std::make_shared<RenameArgs>();
    CLI::App* remove = org->add_subcommand(
        "alias-remove", "Remove an alias once the IdP uses the new URLs (its URLs then 404)");
    remove->add_option("ORG", remove_args->org, "Organization slug")->required();
    remove->add_option("ALIAS", remove_args->target, "The old slug to remove")->required();
    remove->callback([&global, &command, remove_args] {
        command = [&global, remove_args] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            service::OrgRename renames(*store, clock);
            auto changed = renames.remove_org_alias(remove_args->org, remove_args->target,
                                                    service::Caller::cli());
            if (!changed) return report(changed.error());
            std::cout << "Removed the alias '" << remove_args->target << "' of '" << changed->slug
                      << "'.\n";
            return kExitOk;
        };
    });
}

}  // namespace gatehouse::cli
