// What the benchmark programs share: a scratch folder, the database under test (a SQLite file
// or a private PostgreSQL server), the gateways serving it (one pinned process or a fleet),
// gatehouse CLI calls that fail loudly, and result lines.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/postgres_server.hpp"
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

// The store a benchmark runs on, as named by `--store` and in result lines.
enum class StoreKind { sqlite, postgresql };
// "sqlite" or "postgresql"; throws std::runtime_error naming the value for anything else.
StoreKind parse_store_kind(const std::string& name);
std::string name_of(StoreKind kind);

// The database of one benchmark, empty when constructed: the SQLite file `out/<name>.db`
// (removed first, with its WAL files), or a new database on a private PostgreSQL 15 server
// (tests/support/postgres_server.hpp: a cluster in a temporary folder, Unix socket only,
// fsync off) that this object starts and stops. `postgres_cpu` is the CPU that server and
// every backend it forks run on; -1 leaves them on every CPU. Throws std::runtime_error
// when the server cannot be started.
class BenchDatabase {
  public:
    BenchDatabase(StoreKind kind, const std::filesystem::path& out, const std::string& name,
                  int postgres_cpu);
    StoreKind kind() const { return kind_; }
    // What `--db` takes: the file's path or the database's postgresql:// URL.
    const std::string& db() const { return db_; }

  private:
    StoreKind kind_;
    std::unique_ptr<testing::PostgresServer> server_;
    std::string db_;
};

// The servers under test: `processes` copies of `gatehouse serve` on database `db`, each on a
// free loopback port with `serve_args`.
// - One process runs pinned to `server_cpu` when the machine has more than one CPU and
//   `server_cpu` is not -1; the caller's own threads then move to the next CPU, so the load
//   generator never competes with the server. cores() is 1.
// - Several processes are not pinned, and neither is anything else: they share every CPU
//   with one another, with the database server and with the load generator, as the
//   processes of a fleet share their machines. cores() is the machine's CPU count.
// Throws std::runtime_error when a process does not start. The destructor kills them all.
class GatewayFleet {
  public:
    GatewayFleet(const std::string& db, const std::vector<std::string>& serve_args, int processes,
                 int server_cpu);
    // One port per process, in start order.
    std::vector<int> ports() const;
    int processes() const { return static_cast<int>(servers_.size()); }
    // What per-core figures divide by.
    int cores() const { return cores_; }
    // One process ID per process, in start order.
    const std::vector<int>& pids() const { return pids_; }
    // The largest peak resident set size of any process so far, KiB.
    long peak_rss_kib() const;
    // kill -9 every process, as a crash would.
    void kill_hard();

  private:
    std::vector<std::unique_ptr<testing::ServerProcess>> servers_;
    std::vector<int> pids_;
    int cores_ = 1;
};

// One result line on standard output: {"bench":…, fields…} as JSON.
void emit(const std::string& bench, const std::map<std::string, double>& numbers,
          const std::map<std::string, std::string>& labels = {});

}  // namespace gatehouse::bench
