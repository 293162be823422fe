// The `gatehouse` command line: serve, org, scim-token, saml … Parses arguments, runs the
// command and returns the process exit code (0 success, 1 failure, 2 bad arguments).
#pragma once

namespace gatehouse::cli {

int run(int argc, char** argv);

}  // namespace gatehouse::cli
