// What the benchmark programs share: a scratch folder, a server started with its own
// database (pinned to one CPU), gatehouse CLI calls that fail loudly, and result lines.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace gatehouse::bench {

// Command line `--name value` pairs; a bare `--flag` maps to "1".
std::map<std::string, std::string> parse_args(int argc, char** argv);
std::string arg_or(const std::map<std::string, std::string>& args, const std::string& name,
                   const std::string& fallback);

// Runs `gatehouse --db <db> <args…>` and returns its standard output. Throws
// std::runtime_error with the command's output when it exits unsuccessfully.
std::string gatehouse_cli(const std::string& db, const std::vector<std::string>& args);

// Writes `text` to `path`, replacing it. Throws std::runtime_error on failure.
void write_file(const std::string& path, const std::string& text);

// A server under test: `gatehouse serve` on a free loopback port with `serve_args`, its
// threads pinned to `server_cpu` when the machine has more than one CPU (the caller's own
// threads then move to the next CPU). `cores()` is what per-core figures divide by.
class PinnedServer {
  public:
    PinnedServer(const std::string& db, std::vector<std::string> serve_args, int server_cpu);
    int port() const { return process_->port(); }
    int pid() const { return pid_; }
    int cores() const { return cores_; }
    // Peak resident set size so far, KiB.
    long peak_rss_kib() const;
    // kill -9, as a crash would.
    void kill_hard();

  private:
    std::unique_ptr<testing::ServerProcess> process_;
    int pid_ = -1;
    int cores_ = 1;
};

// One result line on standard output: {"bench":…, fields…} as JSON.
void emit(const std::string& bench, const std::map<std::string, double>& numbers,
          const std::map<std::string, std::string>& labels = {});

}  // namespace gatehouse::bench
