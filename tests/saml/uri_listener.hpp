// Traps for URIs that a SAML message must never make the SP dereference: a loopback TCP
// listener and a named pipe, each counting how often something reached it. A test points
// a hostile message at them, has it refused, and checks that the count stayed at 0.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace gatehouse::testing {

// Listens on 127.0.0.1 at an ephemeral port and counts accepted connections, closing each
// at once (so a client that did connect fails fast instead of waiting for an answer).
class ConnectionCounter {
  public:
    ConnectionCounter() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("connection counter: socket failed");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof(address);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
            ::listen(fd_, 64) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            ::close(fd_);
            throw std::runtime_error("connection counter: cannot listen on 127.0.0.1");
        }
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { run(); });
    }

    ~ConnectionCounter() {
        stopping_ = true;
        acceptor_.join();
        ::close(fd_);
    }

    ConnectionCounter(const ConnectionCounter&) = delete;
    ConnectionCounter& operator=(const ConnectionCounter&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path = "/x") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    // Every connection the kernel completed so far, including any still waiting to be
    // accepted: those are drained first, so a connection made before this call is never
    // missed.
    int connections() {
        std::lock_guard lock(mutex_);
        accept_pending();
        return count_;
    }

  private:
    void run() {
        while (!stopping_) {
            pollfd ready{fd_, POLLIN, 0};
            if (::poll(&ready, 1, 20) > 0) {
                std::lock_guard lock(mutex_);
                accept_pending();
            }
        }
    }

    // Called with mutex_ held.
    void accept_pending() {
        for (;;) {
            const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) return;
            ++count_;
            ::close(client);
        }
    }

    int fd_ = -1;
    int port_ = 0;
    std::mutex mutex_;
    int count_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
};

// A named pipe in a temporary folder that counts how often something opened it to read
// (as a file: URI would be). A reader is let go at once with end-of-file, so a test whose
// code under test does read it still finishes.
class FileReadCounter {
  public:
    FileReadCounter() : path_(dir_.file("trap")) {
        if (::mkfifo(path_.c_str(), 0600) != 0) {
            throw std::runtime_error("file read counter: mkfifo failed");
        }
        watcher_ = std::thread([this] { run(); });
    }

    ~FileReadCounter() {
        stopping_ = true;
        watcher_.join();
    }

    FileReadCounter(const FileReadCounter&) = delete;
    FileReadCounter& operator=(const FileReadCounter&) = delete;

    std::string url() const { return "file://" + path_; }
    // A reader's open() of a FIFO waits for a writer, and its read() sees end-of-file
    // only once the watcher, having counted, closes its end: whatever opened the pipe
    // before this call returned has been counted.
    int reads() const { return count_; }

  private:
    void run() {
        while (!stopping_) {
            // Opening a FIFO for writing without blocking succeeds only while a reader has
            // it open (or waits in open()); otherwise it fails with ENXIO.
            const int writer = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (writer >= 0) {
                ++count_;
                ::close(writer);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    TempDir dir_;
    std::string path_;
    std::atomic<int> count_{0};
    std::atomic<bool> stopping_{false};
    std::thread watcher_;
};

}  // namespace gatehouse::testing
