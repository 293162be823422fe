#include "gatehouse/cli/cli.hpp"

namespace gatehouse::cli {

int run(int, char**) { return 0; }

}  // namespace gatehouse::cli
