// Runs the real `gatehouse` binary from tests: one-shot commands with their output and exit
// code, and a server on a free loopback port that is stopped when the test ends.
#pragma once

#include <sys/types.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs GATEHOUSE_BINARY with `args`, standard input from `input`, extra environment
// variables `env`; waits for it to exit.
CommandResult run_gatehouse(const std::vector<std::string>& args, const std::string& input = "",
                            const std::map<std::string, std::string>& env = {});

// Runs another program (`argv[0]` found on PATH) with standard output captured and standard
// error inherited, so its diagnostics land in the test log; returns what it printed. Throws
// std::runtime_error when it cannot be started or exits unsuccessfully: no test could recover
// from a broken fixture program.
std::string run_program(const std::vector<std::string>& argv);

// `gatehouse serve --listen 127.0.0.1:0 …` in a child process (`extra_args` may name its
// own --listen address instead, for a gateway whose base URL must be known before it
// starts). The constructor waits until the server logs that it listens and reads the port
// from that line.
class ServerProcess {
  public:
    explicit ServerProcess(const std::string& db_path, std::vector<std::string> extra_args = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int port() const { return port_; }
    // The server's process id, until stop() returns.
    pid_t pid() const { return pid_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // Sends `signal` and waits for the exit; returns the exit code (128+n if killed by n).
    int stop(int signal);
    // Everything the server has written to standard error so far (its JSON log lines).
    std::string log() const;

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    int stderr_fd_ = -1;
    mutable std::mutex log_mutex_;
    std::string log_;
    std::thread reader_;
};

}  // namespace gatehouse::testing

namespace gatehouse::testing {

// The Location header of the response to `GET path` on 127.0.0.1:`port`, exactly as the
// server sent it. (httplib's client percent-decodes Location, which breaks signed
// Redirect-binding URLs.) Empty when the response has none.
std::string raw_location(int port, const std::string& path, const std::string& cookie = "");

}  // namespace gatehouse::testing
