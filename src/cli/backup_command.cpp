// `gatehouse backup FILE`: a consistent copy of the SQLite store (--db) written to a new file
// while gateways keep serving it (store/backup.hpp), and what the copy holds.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "gatehouse/store/backup.hpp"

namespace gatehouse::cli {
namespace {

int backup(const GlobalOptions& global, const std::string& destination) {
    auto copied = store::backup_sqlite_store(global.db_path, destination);
    if (!copied) {
        std::cerr << "gatehouse backup: " << copied.error().message << "\n";
        return copied.error().code == store::kBackupSourceNotSqlite ? kExitUsage : kExitFailure;
    }
    std::cout << "Backed up " << global.db_path << " to " << destination << " (" << copied->bytes
              << " bytes, schema version " << copied->schema_version << ", "
              << copied->organizations << " organizations, " << copied->members << " members).\n";
    return kExitOk;
}

}  // namespace

void add_backup_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    auto destination = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand(
        "backup",
        "Copy the SQLite store (--db) to a new file while gateways keep serving it: one "
        "consistent snapshot, checked, readable by its owner only");
    sub->add_option("FILE", *destination, "The new backup file (must not exist)")->required();
    sub->callback([&command, &global, destination] {
        command = [&global, destination] { return backup(global, *destination); };
    });
}

}  // namespace gatehouse::cli
