// `gatehouse migrate-store --from PATH --to postgresql://…`: copies a SQLite store, which a
// gateway may still be serving, into an empty PostgreSQL database (store/migrate_store.hpp),
// and prints the rows of each table and a summary.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "gatehouse/store/migrate_store.hpp"

namespace gatehouse::cli {
namespace {

struct MigrateStoreArgs {
    std::string from;
    std::string to;
};

int migrate_store(const MigrateStoreArgs& args) {
    auto copied = store::copy_sqlite_store_to_postgres(args.from, args.to);
    if (!copied) {
        std::cerr << "gatehouse migrate-store: " << copied.error().message << "\n";
        return copied.error().code == store::kCopyTargetNotPostgres ? kExitUsage : kExitFailure;
    }
    for (const auto& table : copied->tables) std::cout << table.name << "\t" << table.rows << "\n";
    std::cout << "Copied " << copied->total_rows() << " rows in " << copied->tables.size()
              << " tables from " << args.from << " to " << store::loggable_db(args.to)
              << ". Start the gateways with --db on the PostgreSQL URL.\n";
    return kExitOk;
}

}  // namespace

void add_migrate_store_command(CLI::App& app, std::function<int()>& command) {
    auto args = std::make_shared<MigrateStoreArgs>();
    CLI::App* migrate = app.add_subcommand(
        "migrate-store",
        "Copy a SQLite store (which may be in use) into an empty PostgreSQL database, all or "
        "nothing, and print the rows copied per table");
    migrate->add_option("--from", args->from, "The SQLite store file")->required();
    migrate->add_option("--to", args->to, "The PostgreSQL database (postgresql://…)")->required();
    migrate->callback([&command, args] { command = [args] { return migrate_store(*args); }; });
}

}  // namespace gatehouse::cli
