// The subcommands of the `gatehouse` program, each added to the CLI11 app by one function.
// A command sets `command` to the work to run once parsing has succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "gatehouse/store/store.hpp"

namespace gatehouse::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::string db_path = "var/gatehouse.db";
};

// Opens the store, creating its folder; prints the reason and returns null on failure.
std::unique_ptr<store::Store> open_store(const GlobalOptions& global);

// Prints "gatehouse <command>: <message> (<code>)" for a failure of the store and returns
// kExitFailure.
int report_store_error(const std::string& command, const Error& error);

void add_serve_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_org_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse org rename|aliases|alias-remove`, added under the "org" command.
void add_org_rename_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_scim_token_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_saml_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse saml test`, added under the "saml" command that add_saml_commands created.
void add_saml_test_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse oidc …` and `gatehouse github …`.
void add_oidc_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_member_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_auth_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_admin_key_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_audit_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
void add_maintenance_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse outbox list` and `gatehouse outbox test`.
void add_outbox_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse migrate-store --from PATH --to URL`, which names its two stores itself.
void add_migrate_store_command(CLI::App& app, std::function<int()>& command);
// `gatehouse sp-key show|rotate`: the SP key pair in the state folder and its rollover.
void add_sp_key_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command);
// `gatehouse backup FILE`: a consistent copy of the SQLite store --db names.
void add_backup_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command);

}  // namespace gatehouse::cli
