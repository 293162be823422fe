#include "gatehouse/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "config_file.hpp"

namespace gatehouse::cli {

int run(int argc, char** argv) {
    CLI::App app{
        "Gatehouse: SAML 2.0 single sign-on and SCIM 2.0 provisioning gateway.\n"
        "Every option also reads from the environment variable named beside it, and from the "
        "TOML file --config names."};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every command");
    // Subcommands inherit fallthrough when they are created, so every command at any depth
    // hands an option it does not know to its parent: `gatehouse serve … --db PATH` and
    // `gatehouse saml configure acme --db PATH` read the global --db as if it came first.
    // An option no level knows still ends in the same "not expected" error at the top.
    app.fallthrough();

    GlobalOptions global;
    app.add_option("--db", global.db_path,
                   "The store: a SQLite file, or a postgresql:// URL of a PostgreSQL database")
        ->envname("GATEHOUSE_DB")
        ->capture_default_str();

    std::function<int()> command;
    add_serve_command(app, global, command);
    add_org_commands(app, global, command);
    add_org_rename_commands(app, global, command);
    add_scim_token_commands(app, global, command);
    add_saml_commands(app, global, command);
    add_saml_test_command(app, global, command);
    add_oidc_commands(app, global, command);
    add_member_commands(app, global, command);
    add_auth_commands(app, global, command);
    add_admin_key_commands(app, global, command);
    add_audit_commands(app, global, command);
    add_maintenance_commands(app, global, command);
    add_outbox_commands(app, global, command);
    add_migrate_store_command(app, command);
    add_backup_command(app, global, command);
    add_sp_key_commands(app, global, command);
    add_config_file_option(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ConfigError& e) {
        std::cerr << "gatehouse: " << e.what() << "\n";
        return kExitUsage;
    } catch (const CLI::ParseError& e) {
        std::cerr << "gatehouse: " << e.what() << "\nRun 'gatehouse --help' for usage.\n";
        return kExitUsage;
    }
    if (!command) return kExitUsage;
    return command();
}

}  // namespace gatehouse::cli
