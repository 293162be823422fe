// A private PostgreSQL 15 server for tests: a fresh cluster in a temporary folder, reached
// only through a Unix socket in that folder (no TCP port), stopped and removed with the
// object. The store tests run against it when GATEHOUSE_TEST_STORE=postgresql.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>

#include "support/temp_dir.hpp"

namespace gatehouse::testing {

class PostgresServer {
  public:
    // Creates the cluster (initdb) and starts the server, waiting until it accepts
    // connections. PostgreSQL refuses to run as root, so when the tests run as root both run
    // as the `postgres` system user, which is given the folder. Throws std::runtime_error,
    // quoting the server's log, when the server cannot be started.
    PostgresServer();
    // Stops the server (SIGTERM, a fast shutdown) and waits for it.
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // Creates an empty database with a name not used before, and returns its
    // postgresql:// URL. Thread-safe.
    std::string create_database();
    // The URL of database `name` on this server.
    std::string url(const std::string& name) const;

  private:
    TempDir dir_;
    pid_t pid_ = -1;
    std::atomic<int> databases_{0};
};

// The server shared by every test of this process, started on first use.
PostgresServer& shared_postgres_server();

// True when the store tests run against PostgreSQL (GATEHOUSE_TEST_STORE=postgresql).
bool testing_postgres();

}  // namespace gatehouse::testing
