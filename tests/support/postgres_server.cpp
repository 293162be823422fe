#include "support/postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gatehouse::testing {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin/";
// The superuser initdb creates, whoever runs it; every test connection uses it.
constexpr const char* kSuperuser = "gatehouse";
// Only names the socket file: the socket folder is private to this server.
constexpr int kPort = 5432;

struct ServerUser {
    bool switch_user = false;  // running as root: run PostgreSQL as `postgres`
    uid_t uid = 0;
    gid_t gid = 0;
};

ServerUser server_user() {
    ServerUser user;
    if (geteuid() != 0) return user;
    const passwd* entry = getpwnam("postgres");
    if (!entry) {
        throw std::runtime_error(
            "the tests run as root, and PostgreSQL needs an unprivileged `postgres` user "
            "(created by the postgresql-15 package)");
    }
    user.switch_user = true;
    user.uid = entry->pw_uid;
    user.gid = entry->pw_gid;
    return user;
}

// Starts `argv` as the server user with standard output and error appended to `log_path`.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path) {
    const ServerUser user = server_user();
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        const int null = open("/dev/null", O_RDONLY);
        if (log < 0 || null < 0) _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        if (user.switch_user) {
            if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0) {
                _exit(126);
            }
        }
        execv(args[0], args.data());
        _exit(127);
    }
    return pid;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct ConnectionFree {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};

}  // namespace

PostgresServer::PostgresServer() {
    const ServerUser user = server_user();
    if (user.switch_user && chown(dir_.path().c_str(), user.uid, user.gid) != 0) {
        throw std::runtime_error("cannot give the server folder to the postgres user");
    }
    const std::string data = dir_.file("data");
    const std::string log = dir_.file("server.log");
    const pid_t initdb = spawn({std::string(kBinDir) + "initdb", "-D", data, "-U", kSuperuser,
                                "--locale=C", "--encoding=UTF8", "--auth=trust", "--no-sync"},
                               log);
    int status = 0;
    waitpid(initdb, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("initdb failed:\n" + read_file(log));
    }
    // fsync=off: the cluster lives as long as the test program, and no test crashes the
    // machine under it; it makes creating a database per test cheap.
    pid_ = spawn({std::string(kBinDir) + "postgres", "-D", data, "-k", dir_.path().string(), "-c",
                  "listen_addresses=", "-p", std::to_string(kPort), "-c", "fsync=off", "-c",
                  "max_connections=200"},
                 log);
    const std::string probe = url("postgres");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (PQping(probe.c_str()) != PQPING_OK) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("PostgreSQL exited at start:\n" + read_file(log));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("PostgreSQL did not accept connections:\n" + read_file(log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

PostgresServer::~PostgresServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
}

std::string PostgresServer::url(const std::string& name) const {
    return "postgresql:///" + name + "?host=" + dir_.path().string() +
           "&port=" + std::to_string(kPort) + "&user=" + kSuperuser;
}

std::string PostgresServer::create_database() {
    const std::string name = "store_" + std::to_string(++databases_);
    const std::unique_ptr<PGconn, ConnectionFree> connection(PQconnectdb(url("postgres").c_str()));
    if (PQstatus(connection.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("cannot connect: ") +
                                 PQerrorMessage(connection.get()));
    }
    PGresult* result = PQexec(connection.get(), ("CREATE DATABASE " + name).c_str());
    const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!created) {
        throw std::runtime_error("CREATE DATABASE failed: " +
                                 std::string(PQerrorMessage(connection.get())));
    }
    return url(name);
}

PostgresServer& shared_postgres_server() {
    static PostgresServer server;
    return server;
}

bool testing_postgres() {
    const char* store = std::getenv("GATEHOUSE_TEST_STORE");
    return store && std::string(store) == "postgresql";
}

}  // namespace gatehouse::testing
