#include "front.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Threads that run complete requests, fed from a bounded queue.
class WorkerPool {
  public:
    using Job = std::function<void()>;

    void start(std::size_t threads, std::size_t max_queued) {
        max_queued_ = max_queued;
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }

    // Queues `job`; false (and `job` untouched) when the queue is full.
    bool submit(Job& job) {
        {
            std::lock_guard lock(mutex_);
            if (queue_.size() >= max_queued_) return false;
            queue_.push_back(std::move(job));
        }
        changed_.notify_one();
        return true;
    }

    // Runs every queued job, then joins the threads.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        for (auto& thread : threads_) thread.join();
        threads_.clear();
    }

  private:
    void run() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            job();
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> queue_;  // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::size_t max_queued_ = 0;
    std::vector<std::thread> threads_;
};

// The peer's address as text, an IPv4-mapped IPv6 address in its IPv4 form.
std::string peer_text(const tcp::socket& socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    if (ec) return {};
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address.to_string();
}

}  // namespace

struct HttpFront::Impl {
    FrontLimits limits;
    FrontHandlers handlers;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    asio::steady_timer accept_retry{io};
    WorkerPool pool;
    int bound_port = -1;
    std::atomic<bool> stop_requested{false};

    // Touched on the event loop's thread only.
    bool stopping = false;
    std::size_t open_connections = 0;
    std::unordered_map<std::string, std::size_t> per_client;
    std::unordered_set<Connection*> connections;
    std::size_t refusals_in_flight = 0;
    // Bytes of request bodies being read, queued or handled, by their declared length (the
    // body limit for a chunked one); see FrontLimits::max_buffered_body_bytes.
    std::size_t buffered_body_bytes = 0;

    bool reserve_body_bytes(std::size_t bytes) {
        if (bytes > limits.max_buffered_body_bytes -
                        std::min(buffered_body_bytes, limits.max_buffered_body_bytes)) {
            return false;
        }
        buffered_body_bytes += bytes;
        return true;
    }

    Impl(FrontLimits l, FrontHandlers h) : limits(std::move(l)), handlers(std::move(h)) {}

    void accept();
    void admit(tcp::socket socket);
    void refuse_connection(tcp::socket socket, const std::string& peer, const std::string& code);
    void begin_stop();
};

// One accepted connection: reads requests one after another, each under its deadlines, and
// writes each answer before reading the next (no pipelining of answers).
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(HttpFront::Impl& front, tcp::socket socket, std::string peer)
        : front_(front), stream_(std::move(socket)), peer_(std::move(peer)) {
        front_.connections.insert(this);
    }

    ~Connection() {
        release_body_bytes();
        front_.connections.erase(this);
        --front_.open_connections;
        const auto found = front_.per_client.find(peer_);
        if (found != front_.per_client.end() && --found->second == 0)
            front_.per_client.erase(found);
    }

    void start() { wait_for_request(); }

    // Ends the connection if it is between requests; called when the server stops.
    void close_if_idle() {
        if (state_ == State::idle) stream_.cancel();
    }

  private:
    enum class State { idle, reading, working, writing, closing };

    // Waits for the first byte of the next request under the idle deadline; bytes already
    // buffered (a pipelined request) start it at once.
    void wait_for_request() {
        state_ = State::idle;
        if (front_.stopping) return close();
        if (buffer_.size() > 0) return read_head();
        stream_.expires_after(front_.limits.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->read_head();
                                });
    }

    void read_head() {
        state_ = State::reading;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(front_.limits.max_head_bytes));
        parser_->body_limit(front_.limits.max_body_bytes);
        stream_.expires_after(front_.limits.head_timeout);
        wire::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
    }

    void on_head(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        const auto& head = parser_->get();
        if (head.version() != 11 && head.version() != 10) {
            return refuse(505, "request.version", "Only HTTP/1.1 and HTTP/1.0 are served.");
        }
        // A body framed by any coding but chunked alone has no length a server can trust
        // (RFC 9112 section 6.3); reading it some other way than a proxy in front did is how
        // requests are smuggled.
        const auto coding = head[wire::field::transfer_encoding];
        if (!coding.empty() && !beast::iequals(coding, "chunked")) {
            return refuse(400, "request.transfer_encoding",
                          "Only Transfer-Encoding: chunked is accepted.");
        }
        // The body will be held in memory until its answer is written: it must fit in what
        // every request together may hold, or a crowd of large bodies could exhaust memory.
        const std::size_t body_bytes =
            parser_->content_length().value_or(coding.empty() ? 0 : front_.limits.max_body_bytes);
        if (!front_.reserve_body_bytes(body_bytes)) {
            util::log_event(util::LogLevel::warning, "http.overloaded",
                            {{"client", peer_}, {"reason", "buffered bodies"}});
            return refuse(503, "server.busy", "The server is busy; try again shortly.");
        }
        reserved_body_bytes_ = body_bytes;
        if (parser_->is_done()) return dispatch();
        const auto expect = head[wire::field::expect];
        if (!expect.empty()) {
            if (!beast::iequals(expect, "100-continue")) {
                return refuse(417, "request.expectation", "Only Expect: 100-continue is met.");
            }
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            stream_.expires_after(front_.limits.write_timeout);
            return asio::async_write(
                stream_, asio::buffer(kContinue),
                [self = shared_from_this()](beast::error_code error, std::size_t) {
                    if (error) return self->close();
                    self->start_body();
                });
        }
        start_body();
    }

    void start_body() {
        body_started_ = Clock::now();
        body_received_ = 0;
        read_body();
    }

    // Each read may take until the body's running deadline: the head timeout's grace plus
    // the time the bytes received so far would take at the minimum rate.
    void read_body() {
        const auto earned = std::chrono::milliseconds(
            body_received_ * 1000 /
            std::max<std::size_t>(front_.limits.min_body_bytes_per_second, 1));
        const auto deadline = body_started_ + front_.limits.head_timeout + earned;
        if (deadline <= Clock::now()) return close();
        stream_.expires_at(deadline);
        wire::async_read_some(stream_, buffer_, *parser_,
                              [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                  if (ec) return self->on_read_error(ec);
                                  self->body_received_ += n;
                                  if (self->parser_->is_done()) return self->dispatch();
                                  self->read_body();
                              });
    }

    void on_read_error(beast::error_code ec) {
        if (ec == wire::error::header_limit) {
            return refuse(431, "request.head_too_large",
                          "The request line and headers are larger than this server accepts.");
        }
        if (ec == wire::error::body_limit) {
            return refuse(413, "request.too_large",
                          "The request body is larger than this server accepts.");
        }
        const bool client_left =
            ec == wire::error::end_of_stream || ec == wire::error::partial_message;
        if (ec.category() == wire::make_error_code(wire::error::bad_target).category() &&
            !client_left) {
            return refuse(400, "request.malformed", "The request is not valid HTTP/1.1.");
        }
        // Timeouts, resets, a client that went away mid-request: nothing to answer.
        if (ec == beast::error::timeout) {
            const char* stage = parser_ && parser_->is_header_done() ? "body" : "head";
            util::metrics::count_http_timeout(stage);
            util::log_event(util::LogLevel::info, "http.timeout",
                            {{"client", peer_}, {"stage", stage}});
        }
        close();
    }

    // The request line and headers of `message`, for an answer the front gives itself: its
    // form (HTML, JSON, SCIM JSON) follows the path and Accept header like any other answer.
    static Request head_of(const wire::request<wire::string_body>& message) {
        Request req;
        req.method = std::string(message.method_string());
        req.target = std::string(message.target());
        for (const auto& field : message) {
            req.headers.emplace(std::string(field.name_string()), std::string(field.value()));
        }
        if (!parse_target(req.target, req.path, req.params)) req.path.clear();
        return req;
    }

    // Converts the parsed request and hands it to a worker; its answer comes back to the
    // event loop to be written.
    void dispatch() {
        auto message = parser_->release();
        parser_.reset();
        Request req = head_of(message);
        req.peer_address = peer_;
        req.client_address = peer_;
        keep_alive_ = message.keep_alive();
        head_request_ = message.method() == wire::verb::head;
        req.body = std::move(message.body());
        if (req.path.empty()) {  // head_of could not read the target
            return refuse(400, "request.malformed_target",
                          "The request target is not a valid path and query.", &req);
        }
        state_ = State::working;
        WorkerPool::Job job = [self = shared_from_this(), req = std::move(req),
                               guard = asio::make_work_guard(front_.io)]() mutable {
            Response res;
            try {
                self->front_.handlers.handle(req, res);
            } catch (const std::exception& e) {
                util::log_event(util::LogLevel::error, "http.exception",
                                {{"path", req.path}, {"error", e.what()}});
                res = Response{};
                res.status = 500;
            }
            auto& io = self->front_.io;
            asio::post(io, [self = std::move(self), res = std::move(res)]() mutable {
                self->write(std::move(res));
            });
        };
        if (!front_.pool.submit(job)) {
            util::log_event(util::LogLevel::warning, "http.overloaded", {{"client", peer_}});
            Request partial;
            partial.peer_address = peer_;
            Response res;
            front_.handlers.refuse(partial, res, 503, "server.busy",
                                   "The server is busy; try again shortly.");
            res.set_header("Retry-After", "1");
            write(std::move(res));
        }
    }

    // Answers a request the front refuses itself, then ends the connection: whatever the
    // client sent after the refused part cannot be trusted to start a request.
    void refuse(int status, const std::string& code, const std::string& message,
                const Request* read_so_far = nullptr) {
        Request partial;
        if (read_so_far) {
            partial = *read_so_far;
        } else if (parser_ && !parser_->get().target().empty()) {
            // Whatever of the head was parsed (a body limit trips as the head completes).
            partial = head_of(parser_->get());
        }
        partial.peer_address = peer_;
        partial.client_address = peer_;
        util::log_event(util::LogLevel::info, "http.refused",
                        {{"client", peer_}, {"status", status}, {"reason", code}});
        Response res;
        front_.handlers.refuse(partial, res, status, code, message);
        res.close_connection = true;
        head_request_ = false;
        write(std::move(res));
    }

    void release_body_bytes() {
        front_.buffered_body_bytes -= reserved_body_bytes_;
        reserved_body_bytes_ = 0;
    }

    void write(Response res) {
        state_ = State::writing;
        keep_alive_ = keep_alive_ && !res.close_connection && !front_.stopping;
        auto out = std::make_shared<wire::response<wire::string_body>>();
        out->version(11);
        out->result(static_cast<unsigned>(res.status));
        for (const auto& [name, value] : res.headers) out->insert(name, value);
        if (head_request_) {
            out->content_length(res.body.size());
        } else {
            out->body() = std::move(res.body);
            out->prepare_payload();
        }
        out->keep_alive(keep_alive_);
        stream_.expires_after(front_.limits.write_timeout);
        wire::async_write(stream_, *out,
                          [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                              self->release_body_bytes();
                              if (ec) return self->close();
                              if (!self->keep_alive_) return self->linger_close();
                              self->wait_for_request();
                          });
    }

    // Closes after the answer: stops sending, then drains what the client still sends for a
    // moment, so that the answer is not lost to a reset caused by unread bytes.
    void linger_close() {
        state_ = State::closing;
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close();
        stream_.expires_after(std::chrono::seconds(2));
        drain();
    }

    void drain() {
        drained_.consume(drained_.size());
        stream_.async_read_some(drained_.prepare(16 * 1024),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->drained_total_ += n;
                                    if (ec || self->drained_total_ > 1024 * 1024)
                                        return self->close();
                                    self->drain();
                                });
    }

    void close() {
        state_ = State::closing;
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

    HttpFront::Impl& front_;
    beast::tcp_stream stream_;
    std::string peer_;
    beast::flat_buffer buffer_;
    beast::flat_buffer drained_;
    std::size_t drained_total_ = 0;
    std::optional<wire::request_parser<wire::string_body>> parser_;
    State state_ = State::idle;
    Clock::time_point body_started_;
    std::size_t body_received_ = 0;
    bool keep_alive_ = true;
    bool head_request_ = false;
    std::size_t reserved_body_bytes_ = 0;  // of HttpFront::Impl::buffered_body_bytes
};

void HttpFront::Impl::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (stopping || !acceptor.is_open()) return;
        if (ec) {
            // Out of descriptors, most likely: wait a moment instead of spinning.
            util::log_event(util::LogLevel::warning, "http.accept_failed",
                            {{"error", ec.message()}});
            accept_retry.expires_after(std::chrono::milliseconds(50));
            accept_retry.async_wait([this](beast::error_code) { accept(); });
            return;
        }
        admit(std::move(socket));
        accept();
    });
}

void HttpFront::Impl::admit(tcp::socket socket) {
    const std::string peer = peer_text(socket);
    const bool trusted = limits.is_trusted_proxy && limits.is_trusted_proxy(peer);
    if (open_connections >= limits.max_connections) {
        return refuse_connection(std::move(socket), peer, "server.connections");
    }
    const auto from_peer = per_client.find(peer);
    if (!trusted && from_peer != per_client.end() &&
        from_peer->second >= limits.max_connections_per_client) {
        return refuse_connection(std::move(socket), peer, "client.connections");
    }
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    ++open_connections;
    ++per_client[peer];
    std::make_shared<Connection>(*this, std::move(socket), peer)->start();
}

// A connection past a cap gets a short 503 and is closed; its socket counts against neither
// cap, and when too many such answers are already being written it is closed at once.
void HttpFront::Impl::refuse_connection(tcp::socket socket, const std::string& peer,
                                        const std::string& code) {
    util::log_event(util::LogLevel::warning, "http.connection_refused",
                    {{"client", peer}, {"reason", code}});
    if (refusals_in_flight >= 256) return;
    Request req;
    req.peer_address = peer;
    req.client_address = peer;
    Response res;
    handlers.refuse(req, res, 503, code, "Too many connections; try again shortly.");
    res.set_header("Retry-After", "1");
    auto out = std::make_shared<wire::response<wire::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(res.status));
    for (const auto& [name, value] : res.headers) out->insert(name, value);
    out->body() = std::move(res.body);
    out->prepare_payload();
    out->keep_alive(false);
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    stream->expires_after(std::chrono::seconds(1));
    ++refusals_in_flight;
    wire::async_write(*stream, *out, [this, stream, out](beast::error_code, std::size_t) {
        --refusals_in_flight;
        beast::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream->close();
    });
}

void HttpFront::Impl::begin_stop() {
    if (stopping) return;
    stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
    for (Connection* connection : connections) connection->close_if_idle();
}

HttpFront::HttpFront(FrontLimits limits, FrontHandlers handlers)
    : impl_(std::make_shared<Impl>(std::move(limits), std::move(handlers))) {}

HttpFront::~HttpFront() = default;

Status HttpFront::bind(const std::string& host, int port) {
    beast::error_code ec;
    asio::ip::address address =
        asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) {
        return fail("server.bind", "The listen host '" + host + "' is not an IP address.");
    }
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor.close();
        return fail("server.bind", "Could not listen on " + host + ":" + std::to_string(port) +
                                       ": " + ec.message() + ".");
    }
    impl_->bound_port = acceptor.local_endpoint().port();
    return {};
}

int HttpFront::port() const { return impl_->bound_port; }

void HttpFront::serve() {
    Impl& impl = *impl_;
    impl.pool.start(impl.limits.workers, impl.limits.max_queued_requests);
    if (impl.stop_requested) {
        impl.begin_stop();
    } else {
        impl.accept();
    }
    impl.io.run();
    impl.pool.stop();
}

void HttpFront::stop() {
    impl_->stop_requested = true;
    asio::post(impl_->io, [impl = impl_] { impl->begin_stop(); });
}

}  // namespace gatehouse::http
