#include <iostream>
#include <set>
#include <string>

#include "commands.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/member_view.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

constexpr const char* kCliActor = "cli";

int report(const Error& error) {
    static const std::set<std::string> usage_errors = {"member.invalid_email",
                                                       "member.break_glass_not_owner",
                                                       "password.too_short", "password.too_long"};
    std::cerr << "gatehouse: " << error.message << "\n";
    return usage_errors.count(error.code) ? kExitUsage : kExitFailure;
}

// The first line of standard input, without its line ending. Reading a password from a
// pipe keeps it out of the process list and the shell history.
std::string read_password_line() {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

const std::vector<std::string>& role_names() {
    static const std::vector<std::string> names = {"owner", "admin", "manager", "billing",
                                                   "member"};
    return names;
}

void print_member(const core::Member& m) {
    std::cout << m.public_id << "\t" << m.email << "\t" << core::to_string(m.role) << "\t"
              << core::to_string(m.state) << "\t" << core::to_string(m.source) << "\t"
              << (m.idp_managed ? "idp-managed" : "-") << "\t"
              << (m.break_glass ? "break-glass" : "-") << "\n";
}

struct AddArgs {
    std::string org, email, role = "member", first_name, last_name;
    bool password_stdin = false;
    bool break_glass = false;
};

void add_member_add(CLI::App& member, GlobalOptions& global, std::function<int()>& command) {
    auto args = std::make_shared<AddArgs>();
    CLI::App* add = member.add_subcommand(
        "add", "Add a member: with --password-stdin an active password account, else invited");
    add->add_option("--org", args->org, "Organization slug")->required();
    add->add_option("--email", args->email, "Email address (also the user name)")->required();
    add->add_option("--role", args->role, "owner, admin, manager, billing or member")
        ->check(CLI::IsMember(role_names()));
    add->add_flag("--password-stdin", args->password_stdin,
                  "Read the password from the first line of standard input");
    add->add_flag("--break-glass", args->break_glass,
                  "Owners only: keeps password sign-in when the org requires SSO");
    add->add_option("--first-name", args->first_name, "Given name");
    add->add_option("--last-name", args->last_name, "Family name");
    add->callback([&global, &command, args] {
        command = [&global, args] {
            service::NewMember request;
            request.email = args->email;
            request.role = core::parse_role(args->role).value_or(core::Role::member);
            request.break_glass = args->break_glass;
            request.given_name = args->first_name;
            request.family_name = args->last_name;
            if (args->password_stdin) {
                request.password = read_password_line();
                if (request.password.empty()) {
                    std::cerr << "gatehouse: --password-stdin read an empty password.\n";
                    return kExitUsage;
                }
            }
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            auto org = service::AdminService(*store, clock).find_org(args->org);
            if (!org) return report(org.error());
            auto added =
                service::MemberAdmin(*store, clock).invite(*org, request, service::Caller::cli());
            if (!added) return report(added.error());
            std::cout << "Added " << added->email << " (" << core::to_string(added->role) << ", "
                      << core::to_string(added->state) << ") as " << added->public_id << "\n";
            return kExitOk;
        };
    });
}

void add_member_list(CLI::App& member, GlobalOptions& global, std::function<int()>& command) {
    auto org_slug = std::make_shared<std::string>();
    CLI::App* list = member.add_subcommand(
        "list", "List members: id, email, role, state, source, IdP lock, break-glass");
    list->add_option("--org", *org_slug, "Organization slug")->required();
    list->callback([&global, &command, org_slug] {
        command = [&global, org_slug] {
            auto store = open_store(global);
            if (!store) return kExitFailure;
            auto found = service::find_org_by_name(*store, *org_slug);
            if (!found) return report(found.error());
            if (!*found) {
                std::cerr << "gatehouse: No organization with the slug '" << *org_slug << "'.\n";
                return kExitFailure;
            }
            // Page by page, each in its own snapshot and ordered by id: a member removed
            // meanwhile may make the next page start one member later, never earlier, so no
            // member is listed twice.
            store::Page page{0, 500};
            for (;;) {
                auto members = service::find_members(*store, (*found)->org, "", page);
                if (!members) return report(members.error());
                for (const auto& listing : members->items) print_member(listing.member);
                page.offset += page.limit;
                if (members->items.empty() || page.offset >= members->total) return kExitOk;
            }
        };
    });
}

struct SetPasswordArgs {
    std::string org, email;
    bool password_stdin = false;
};

void add_member_set_password(CLI::App& member, GlobalOptions& global,
                             std::function<int()>& command) {
    auto args = std::make_shared<SetPasswordArgs>();
    CLI::App* set = member.add_subcommand(
        "set-password", "Set a member's password from standard input; ends its sessions");
    set->add_option("--org", args->org, "Organization slug")->required();
    set->add_option("--email", args->email, "The member's email")->required();
    set->add_flag("--password-stdin", args->password_stdin,
                  "Read the password from the first line of standard input")
        ->required();
    set->callback([&global, &command, args] {
        command = [&global, args] {
            const std::string password = read_password_line();
            auto store = open_store(global);
            if (!store) return kExitFailure;
            util::SystemClock clock;
            if (auto s = service::set_password(*store, clock, args->org, args->email, password,
                                               kCliActor);
                !s) {
                return report(s.error());
            }
            std::cout << "Password set for " << args->email << "\n";
            return kExitOk;
        };
    });
}

}  // namespace

void add_member_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* member =
        app.add_subcommand("member", "Add members, list them and set their passwords");
    member->require_subcommand(1);
    add_member_add(*member, global, command);
    add_member_list(*member, global, command);
    add_member_set_password(*member, global, command);
}

}  // namespace gatehouse::cli
