// The `--config FILE` option: option values read from a TOML file whose keys are the long
// option names (`db`, and `listen`, `base-url`, … in a [serve] section, one section per
// subcommand). Options on the command line override the file, and so do their environment
// variables.
#pragma once

#include <CLI/CLI.hpp>

namespace gatehouse::cli {

// Adds --config to `app` (environment: GATEHOUSE_CONFIG). Call it after every subcommand
// and option exists. A key no option takes, a key of a one-value option given twice (or a
// list), or a file that cannot be read fails the parse with a CLI::ParseError naming it; a
// file named by --config or GATEHOUSE_CONFIG that does not exist is an error too, never
// silently skipped. A list option's key may be given on several lines, as the option may be
// repeated on the command line.
void add_config_file_option(CLI::App& app);

}  // namespace gatehouse::cli
