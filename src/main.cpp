#include "gatehouse/cli/cli.hpp"

int main(int argc, char** argv) { return gatehouse::cli::run(argc, argv); }
