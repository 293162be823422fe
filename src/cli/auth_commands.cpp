#include "commands.hpp"

namespace gatehouse::cli {

void add_auth_commands(CLI::App&, GlobalOptions&, std::function<int()>&) {}

}  // namespace gatehouse::cli
