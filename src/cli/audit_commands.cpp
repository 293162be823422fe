#include "commands.hpp"

namespace gatehouse::cli {

void add_admin_key_commands(CLI::App&, GlobalOptions&, std::function<int()>&) {}
void add_audit_commands(CLI::App&, GlobalOptions&, std::function<int()>&) {}

}  // namespace gatehouse::cli
