#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>
#include <stdexcept>

extern char** environ;

namespace gatehouse::testing {
namespace {

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        read = fds[0];
        write = fds[1];
    }
};

// The environment of this process with `overrides` set, as "KEY=VALUE" strings.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        if (!overrides.count(text.substr(0, text.find('=')))) entries.push_back(text);
    }
    for (const auto& [key, value] : overrides) entries.push_back(key + "=" + value);
    return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
    std::vector<char*> pointers;
    for (auto& text : texts) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

// posix_spawn, not fork: a forked child of this multi-threaded program that allocated before
// exec could wait forever on a lock another thread held at the fork (it happened, under the
// sanitizers' allocator). Everything the child needs is prepared here, before it exists.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int in_fd, int out_fd, int err_fd) {
    std::vector<std::string> argv = {GATEHOUSE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> environment = environment_with(env);
    std::vector<char*> raw_argv = pointers_to(argv);
    std::vector<char*> raw_environment = pointers_to(environment);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    pid_t pid = -1;
    const int spawned =
        posix_spawn(&pid, raw_argv[0], &actions, nullptr, raw_argv.data(), raw_environment.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + argv[0]);
    return pid;
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string drain(int fd) {
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
        out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

}  // namespace

std::string run_program(const std::vector<std::string>& argv) {
    Pipe out;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    std::vector<char*> raw;
    std::vector<std::string> copies = argv;
    for (auto& arg : copies) raw.push_back(arg.data());
    raw.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out.write);
    if (spawned != 0) {
        close(out.read);
        throw std::runtime_error("cannot start " + argv.at(0));
    }
    std::string printed = drain(out.read);
    close(out.read);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (exit_code_of(status) != 0) {
        throw std::runtime_error(argv.at(0) + " " + (argv.size() > 1 ? argv[1] : "") +
                                 " failed with status " + std::to_string(exit_code_of(status)));
    }
    return printed;
}

CommandResult run_gatehouse(const std::vector<std::string>& args, const std::string& input,
                            const std::map<std::string, std::string>& env) {
    Pipe in, out, err;
    const pid_t pid = spawn(args, env, in.read, out.write, err.write);
    close(in.read);
    close(out.write);
    close(err.write);
    if (!input.empty() && write(in.write, input.data(), input.size()) < 0) {
        // The child may exit without reading; its exit code tells the test what happened.
    }
    close(in.write);
    CommandResult result;
    // Small outputs: read stdout fully, then stderr (the child cannot block on a full pipe
    // for the sizes these commands print).
    result.out = drain(out.read);
    result.err = drain(err.read);
    close(out.read);
    close(err.read);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = exit_code_of(status);
    return result;
}

ServerProcess::ServerProcess(const std::string& db_path, std::vector<std::string> extra_args) {
    std::vector<std::string> args = {"--db", db_path, "serve"};
    if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
        args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    Pipe err;
    const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_ = spawn(args, {}, devnull, devnull, err.write);
    close(devnull);
    close(err.write);
    stderr_fd_ = err.read;

    const std::regex listening(R"re("event":"server.listening".*"port":([0-9]+))re");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string seen;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{stderr_fd_, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char buffer[4096];
        const ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
        if (n <= 0) break;
        seen.append(buffer, static_cast<std::size_t>(n));
        std::smatch match;
        if (std::regex_search(seen, match, listening)) port_ = std::stoi(match[1].str());
    }
    log_ = seen;
    if (port_ == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        throw std::runtime_error("the server did not start; its output:\n" + seen);
    }
    reader_ = std::thread([this] {
        char buffer[4096];
        ssize_t n;
        while ((n = read(stderr_fd_, buffer, sizeof buffer)) > 0) {
            std::lock_guard lock(log_mutex_);
            log_.append(buffer, static_cast<std::size_t>(n));
        }
    });
}

int ServerProcess::stop(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    return exit_code_of(status);
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) stop(SIGKILL);
    if (reader_.joinable()) reader_.join();
    if (stderr_fd_ >= 0) close(stderr_fd_);
}

std::string ServerProcess::log() const {
    std::lock_guard lock(log_mutex_);
    return log_;
}

}  // namespace gatehouse::testing

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace gatehouse::testing {

std::string raw_location(int port, const std::string& path, const std::string& cookie) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        close(fd);
        throw std::runtime_error("connect failed");
    }
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nConnection: close\r\n";
    if (!cookie.empty()) request += "Cookie: " + cookie + "\r\n";
    request += "\r\n";
    if (write(fd, request.data(), request.size()) < 0) {
        close(fd);
        throw std::runtime_error("write failed");
    }
    const std::string response = drain(fd);
    close(fd);
    const auto headers_end = response.find("\r\n\r\n");
    std::size_t at = 0;
    while (at < headers_end) {
        const auto line_end = response.find("\r\n", at);
        const std::string line = response.substr(at, line_end - at);
        if (line.size() > 10 && strncasecmp(line.c_str(), "Location: ", 10) == 0)
            return line.substr(10);
        at = line_end + 2;
    }
    return {};
}

}  // namespace gatehouse::testing
