// `gatehouse maintenance purge`: deletes, once, everything the server's maintenance sweep
// would (expired sessions, pending requests and replay entries, old throttle rows, audit
// entries past their org's retention) and prints what went, by kind. For a gateway run with
// --purge-interval 0, from cron, and before a backup.
#include <iostream>

#include "commands.hpp"
#include "gatehouse/service/maintenance.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

int purge(const GlobalOptions& global) {
    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    auto purged = service::purge_once(*store, clock);
    if (!purged) {
        std::cerr << "gatehouse maintenance purge: " << purged.error().message << " ("
                  << purged.error().code << ")\n";
        return kExitFailure;
    }
    std::cout << "sessions\t" << purged->sessions << "\n"
              << "authn_requests\t" << purged->authn_requests << "\n"
              << "seen_assertions\t" << purged->seen_assertions << "\n"
              << "seen_logout_requests\t" << purged->seen_logout_requests << "\n"
              << "sign_in_throttle\t" << purged->sign_in_throttle << "\n"
              << "audit_entries\t" << purged->audit_entries << "\n"
              << "total\t" << purged->total() << "\n";
    return kExitOk;
}

}  // namespace

void add_maintenance_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* maintenance = app.add_subcommand("maintenance", "Keep the store small");
    maintenance->require_subcommand(1);
    CLI::App* purge_command = maintenance->add_subcommand(
        "purge",
        "Delete expired sessions, pending requests and replay entries, old sign-in throttle "
        "rows and audit entries past each org's retention; print the rows deleted by kind");
    purge_command->callback([&global, &command] { command = [&global] { return purge(global); }; });
}

}  // namespace gatehouse::cli
