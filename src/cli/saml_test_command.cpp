#include "commands.hpp"

namespace gatehouse::cli {

void add_saml_test_command(CLI::App&, GlobalOptions&, std::function<int()>&) {}

}  // namespace gatehouse::cli
