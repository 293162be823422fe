// Another program kept running in the background for the length of a test (a Node.js
// fixture server), with its standard output and error collected, killed with the object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse::testing {

class ChildProcess {
  public:
    // Starts `argv` (argv[0] is looked up on PATH) with standard input from /dev/null.
    // Throws std::runtime_error when it cannot be started.
    explicit ChildProcess(const std::vector<std::string>& argv);
    // Kills the program (SIGKILL) and waits for it.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Waits until the program has printed a whole line on standard output for which
    // `accept` is true, and returns it (without the newline); lines printed before are
    // kept in standard_output() too. Throws std::runtime_error, quoting standard error,
    // when the program exits or `timeout` passes first.
    std::string wait_for_line(const std::function<bool(const std::string&)>& accept,
                              std::chrono::milliseconds timeout);

    // Everything printed so far.
    std::string standard_output() const;
    std::string standard_error() const;

  private:
    void collect(int out_fd, int err_fd);

    std::string name_;
    pid_t pid_ = -1;
    std::thread collector_;
    mutable std::mutex mutex_;
    std::condition_variable printed_;
    std::string out_;
    std::string err_;
    bool finished_ = false;  // both streams reached end of file
};

}  // namespace gatehouse::testing
