// A `gatehouse serve` for the tests of the HTTP front: its own database with one org and an SP
// key pair (so the org's metadata answers 200), started with the front's flags under test.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

// The org every front test server has; its metadata is at /saml/metadata/front/.
inline constexpr const char* kFrontOrg = "front";

struct ServeFlag {
    std::string name;  // "--head-timeout"
    std::string value;
};

// The names among `flags` that `gatehouse serve --help` does not list.
std::vector<std::string> unknown_serve_flags(const std::vector<ServeFlag>& flags);

class FrontServer {
  public:
    // Raises the open-file limit (the server inherits it), then starts the server with
    // `flags`. A flag the binary does not know fails the running test case with a message
    // naming it; the server then starts without that flag, so the case goes on to show how
    // this binary behaves.
    explicit FrontServer(std::initializer_list<ServeFlag> flags);

    int port() const { return process_->port(); }
    // The running server, for its log and for stopping it by a signal.
    ServerProcess& process() { return *process_; }

  private:
    TempDir dir_;
    std::unique_ptr<ServerProcess> process_;
};

}  // namespace gatehouse::testing
