// The HTTP/1.1 transport of the gateway: accepts connections, reads requests under deadlines
// and caps, hands each complete request to a bounded pool of workers and writes the answer.
// A connection that is waiting (idle, slow, silent) holds no thread: one event loop (epoll,
// through Boost.Asio) watches every socket, and Boost.Beast parses the bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exchange.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::http {

class Connection;

struct FrontLimits {
    // The request line and headers must arrive within this time of their first byte.
    std::chrono::milliseconds head_timeout{10'000};
    // A connection with no request under way (a new one, or kept alive after an answer) is
    // closed after this long without a byte.
    std::chrono::milliseconds idle_timeout{5'000};
    // A body must arrive at this average rate at least, after head_timeout's worth of grace.
    std::size_t min_body_bytes_per_second = 1024;
    // An answer must be written within this time.
    std::chrono::milliseconds write_timeout{15'000};
    std::size_t max_head_bytes = 32 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    // Request bodies held at once, from their head to their answer: past it, a request with a
    // body is answered 503. Bounds memory whatever the number of connections.
    std::size_t max_buffered_body_bytes = 256 * 1024 * 1024;
    // Open connections from one client address (trusted proxies excepted: they carry many
    // clients), and in all. Past either, a new connection is answered 503 and closed.
    std::size_t max_connections_per_client = 64;
    std::size_t max_connections = 10'000;
    // Threads that run handlers, and how many complete requests may wait for one; past that,
    // a request is answered 503.
    std::size_t workers = 8;
    std::size_t max_queued_requests = 1024;
    // Whether a peer address is a trusted reverse proxy, exempt from the per-client cap.
    std::function<bool(const std::string& peer)> is_trusted_proxy;
};

// What the front runs for each request. `handle` runs on a worker thread with the complete
// request and fills the response. `refuse` runs on the event loop for answers the front gives
// itself (a malformed or oversized request, too many connections, a full queue): it must not
// block; `req` holds whatever could be read of the request (at least the peer address).
struct FrontHandlers {
    std::function<void(Request& req, Response& res)> handle;
    std::function<void(const Request& req, Response& res, int status, const std::string& code,
                       const std::string& message)>
        refuse;
};

class HttpFront {
  public:
    HttpFront(FrontLimits limits, FrontHandlers handlers);
    ~HttpFront();
    HttpFront(const HttpFront&) = delete;
    HttpFront& operator=(const HttpFront&) = delete;

    // Binds and listens (backlog SOMAXCONN). Error code "server.bind".
    Status bind(const std::string& host, int port);
    int port() const;

    // Serves until stop(); then refuses new connections, closes the ones with no request
    // under way, lets every request already read finish and its answer be written, and
    // returns.
    void serve();

    // Asks serve() to return. Safe from any thread.
    void stop();

  private:
    friend class Connection;
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
