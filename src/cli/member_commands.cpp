#include "commands.hpp"

namespace gatehouse::cli {

void add_member_commands(CLI::App&, GlobalOptions&, std::function<int()>&) {}

}  // namespace gatehouse::cli
