#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace gatehouse::testing {
namespace {

struct PipeEnds {
    int read = -1;
    int write = -1;
};

// Close-on-exec, so that other programs tests start meanwhile do not hold the write end
// open (which would delay end of file); posix_spawn's dup2 clears the flag on the copy the
// child uses.
PipeEnds make_pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    return {fds[0], fds[1]};
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) : name_(argv.at(0)) {
    const PipeEnds out = make_pipe();
    const PipeEnds err = make_pipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
    std::vector<std::string> copies = argv;
    std::vector<char*> raw;
    for (auto& arg : copies) raw.push_back(arg.data());
    raw.push_back(nullptr);
    const int spawned = posix_spawnp(&pid_, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out.write);
    close(err.write);
    if (spawned != 0) {
        close(out.read);
        close(err.read);
        throw std::runtime_error("cannot start " + name_);
    }
    collector_ = std::thread([this, out, err] { collect(out.read, err.read); });
}

ChildProcess::~ChildProcess() {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    collector_.join();
}

void ChildProcess::collect(int out_fd, int err_fd) {
    pollfd streams[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_streams = 2;
    while (open_streams > 0) {
        if (poll(streams, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (pollfd& stream : streams) {
            if (stream.fd < 0 || stream.revents == 0) continue;
            char buffer[4096];
            const ssize_t n = read(stream.fd, buffer, sizeof buffer);
            if (n <= 0) {
                close(stream.fd);
                stream.fd = -1;  // poll ignores negative descriptors
                --open_streams;
                continue;
            }
            std::lock_guard lock(mutex_);
            (stream.fd == out_fd ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
            printed_.notify_all();
        }
    }
    std::lock_guard lock(mutex_);
    finished_ = true;
    printed_.notify_all();
}

std::string ChildProcess::wait_for_line(const std::function<bool(const std::string&)>& accept,
                                        std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    std::size_t scanned = 0;  // lines before this offset were already rejected
    while (true) {
        for (std::size_t end; (end = out_.find('\n', scanned)) != std::string::npos;) {
            std::string line = out_.substr(scanned, end - scanned);
            scanned = end + 1;
            if (accept(line)) return line;
        }
        if (finished_ || std::chrono::steady_clock::now() >= deadline) break;
        printed_.wait_until(lock, deadline);
    }
    std::ostringstream message;
    message << name_ << (finished_ ? " exited" : " did not answer in time")
            << " before printing the expected line; standard output:\n"
            << out_ << "\nstandard error:\n"
            << err_;
    throw std::runtime_error(message.str());
}

std::string ChildProcess::standard_output() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string ChildProcess::standard_error() const {
    std::lock_guard lock(mutex_);
    return err_;
}

}  // namespace gatehouse::testing
