// Raw HTTP/1.1 clients of a server on 127.0.0.1 for the tests of the HTTP front: non-blocking
// sockets driven by poll, every wait bounded, so a stalled server fails a test, never hangs it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::testing {

using SteadyClock = std::chrono::steady_clock;

// The milliseconds from now until `deadline`, as poll() takes them: 0 once it has passed, at
// most a minute.
int poll_timeout(SteadyClock::time_point deadline);

// Raises this process's soft RLIMIT_NOFILE to its hard limit, so that hundreds of sockets fit
// (processes started afterwards inherit it). Returns the soft limit now in force.
std::size_t raise_open_file_limit();

// An owned file descriptor, closed when the object goes.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() { close(); }
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    int release();
    void close();

  private:
    int fd_ = -1;
};

// A non-blocking TCP socket with TCP_NODELAY. Throws std::runtime_error when none can be
// created: a set-up failure, such as running out of file descriptors.
Socket open_tcp_socket();

// Starts connecting `socket` to 127.0.0.1:`port`. Returns 0 when the connect is under way or
// done, else its errno.
int begin_connect(const Socket& socket, int port);

// Once poll reports the socket writable: 0 when the connect succeeded, else its errno.
int connect_error(const Socket& socket);

// The length of the first complete response at the start of `data`: the head and a body of
// Content-Length bytes, or up to the last chunk of a chunked body; a body with neither runs
// until the server closes, which `closed` says it has. 0 while incomplete.
std::size_t complete_response_length(std::string_view data, bool closed = false);

// The status code of the response at the start of `data`, or 0 when there is none.
int response_status(std::string_view data);

// What became of one request sent on a fresh connection.
struct Exchange {
    int status = 0;         // status code of the response, 0 without one
    std::string error;      // empty when a complete response arrived, else what went wrong
    double elapsed_ms = 0;  // from the start of the connect to the complete response or failure
    std::string response;   // what the server sent

    bool answered() const { return error.empty(); }
    // "200 in 3.1 ms", or the error: for test messages.
    std::string describe() const;
};

// Opens `count` connections to 127.0.0.1:`port` at the same moment (every connect started
// before any is driven), sends `request` on each as soon as it connects and reads one
// response. A client not answered within `patience` of its connect gets an error.
std::vector<Exchange> exchange_at_once(int port, std::size_t count, const std::string& request,
                                       std::chrono::milliseconds patience);

// One request on a fresh connection, as exchange_at_once with a single client.
Exchange exchange(int port, const std::string& request, std::chrono::milliseconds patience);

// One connection kept open across calls, for keep-alive and connection-cap behaviour. Not
// safe across threads.
class HeldConnection {
  public:
    // Starts connecting to 127.0.0.1:`port`; exchange() waits for the connect to finish.
    explicit HeldConnection(int port);

    // Sends `request` and reads one complete response, all within `patience`. A server that
    // answers and closes before taking the request is still heard: whatever it sent is read
    // even when sending fails.
    Exchange exchange(const std::string& request, std::chrono::milliseconds patience);

    // Waits up to `patience` for the server to close the connection (end of stream or reset);
    // returns how long that took, or nothing while it is still open. Bytes arriving
    // meanwhile are kept in received().
    std::optional<std::chrono::milliseconds> wait_closed(std::chrono::milliseconds patience);

    const std::string& received() const { return received_; }

  private:
    // Reads what is available, noting when the server has closed.
    void read_available();

    Socket socket_;
    int connect_errno_ = 0;
    bool connected_ = false;
    bool closed_by_server_ = false;
    std::string received_;
};

// The text of `GET target` with the Host header of 127.0.0.1:`port`; `close` asks the server
// to close the connection after answering, else the connection is kept alive.
std::string get_request(int port, std::string_view target, bool close = true);

}  // namespace gatehouse::testing
