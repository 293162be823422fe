#include "front/loopback_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gatehouse::testing {
namespace {

double milliseconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string errno_text(const char* operation, int error) {
    return std::string(operation) + ": " + std::strerror(error);
}

// The value of header `name` (any case) in a response head, without surrounding blanks.
std::optional<std::string_view> header_value(std::string_view head, std::string_view name) {
    std::size_t line_break = head.find("\r\n");
    while (line_break != std::string_view::npos && line_break < head.size()) {
        const std::size_t start = line_break + 2;
        const std::size_t end = std::min(head.find("\r\n", start), head.size());
        const std::string_view line = head.substr(start, end - start);
        if (line.size() > name.size() && line[name.size()] == ':' &&
            strncasecmp(line.data(), name.data(), name.size()) == 0) {
            std::string_view value = line.substr(name.size() + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
                value.remove_suffix(1);
            return value;
        }
        line_break = end;
    }
    return std::nullopt;
}

std::string milliseconds_text(std::chrono::milliseconds patience) {
    return std::to_string(patience.count()) + " ms";
}

// Why a client that ran out of time has no answer, from how far it got.
std::string timeout_text(bool connected, const std::string& received,
                         std::chrono::milliseconds patience) {
    if (!connected) return "not connected within " + milliseconds_text(patience);
    if (received.empty()) return "no response within " + milliseconds_text(patience);
    return "incomplete response within " + milliseconds_text(patience);
}

}  // namespace

int poll_timeout(SteadyClock::time_point deadline) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

std::size_t raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) throw std::runtime_error("getrlimit failed");
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) throw std::runtime_error("setrlimit failed");
    }
    if (limit.rlim_cur == RLIM_INFINITY) return std::numeric_limits<std::size_t>::max();
    return static_cast<std::size_t>(limit.rlim_cur);
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.release();
    }
    return *this;
}

int Socket::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void Socket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Socket open_tcp_socket() {
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.is_open()) throw std::runtime_error(errno_text("socket", errno));
    // Requests go out in one write; without this a second small write would wait for an ACK.
    const int on = 1;
    ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return socket;
}

int begin_connect(const Socket& socket, int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
        return 0;
    return errno == EINPROGRESS ? 0 : errno;
}

int connect_error(const Socket& socket) {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
    return error;
}

std::size_t complete_response_length(std::string_view data, bool closed) {
    const std::size_t head_end = data.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return 0;
    const std::string_view head = data.substr(0, head_end);
    const std::size_t body_start = head_end + 4;
    const int status = response_status(data);
    if ((status >= 100 && status < 200) || status == 204 || status == 304) return body_start;
    if (const auto length = header_value(head, "Content-Length")) {
        std::size_t body = 0;
        const auto [end, error] =
            std::from_chars(length->data(), length->data() + length->size(), body);
        if (error == std::errc() && end == length->data() + length->size())
            return data.size() >= body_start + body ? body_start + body : 0;
    }
    if (const auto coding = header_value(head, "Transfer-Encoding");
        coding && coding->find("chunked") != std::string_view::npos) {
        // The last chunk is a line "0" followed by the blank line (no trailers here).
        const std::size_t last = data.find("\r\n0\r\n\r\n", head_end);
        return last == std::string_view::npos ? 0 : last + 7;
    }
    return closed ? data.size() : 0;
}

int response_status(std::string_view data) {
    if (data.size() < 12 || data.substr(0, 7) != "HTTP/1." || data[8] != ' ') return 0;
    int status = 0;
    const auto [end, error] = std::from_chars(data.data() + 9, data.data() + 12, status);
    return error == std::errc() && end == data.data() + 12 ? status : 0;
}

std::string Exchange::describe() const {
    std::ostringstream text;
    text.setf(std::ios::fixed);
    text.precision(1);
    if (answered()) {
        text << status << " in " << elapsed_ms << " ms";
    } else {
        text << error << " (after " << elapsed_ms << " ms";
        if (status != 0) text << ", status " << status;
        text << ")";
    }
    return text.str();
}

std::vector<Exchange> exchange_at_once(int port, std::size_t count, const std::string& request,
                                       std::chrono::milliseconds patience) {
    struct Client {
        Socket socket;
        SteadyClock::time_point started;
        bool connected = false;
        bool done = false;
        std::size_t sent = 0;
    };
    std::vector<Client> clients(count);
    std::vector<Exchange> results(count);
    std::size_t pending = count;
    const auto finish = [&](std::size_t i, std::string error) {
        results[i].elapsed_ms = milliseconds_between(clients[i].started, SteadyClock::now());
        results[i].status = response_status(results[i].response);
        results[i].error = std::move(error);
        clients[i].socket.close();
        clients[i].done = true;
        --pending;
    };
    // Every socket exists before the first connect, so the connects leave back to back.
    for (auto& client : clients) client.socket = open_tcp_socket();
    for (std::size_t i = 0; i < count; ++i) {
        clients[i].started = SteadyClock::now();
        if (const int error = begin_connect(clients[i].socket, port))
            finish(i, errno_text("connect", error));
    }

    // Sends what is left of the request, then reads; finishes the client when it is answered
    // or fails.
    const auto drive = [&](std::size_t i, short revents) {
        Client& client = clients[i];
        if (!client.connected) {
            if (const int error = connect_error(client.socket))
                return finish(i, errno_text("connect", error));
            client.connected = true;
        }
        while (client.sent < request.size()) {
            const ssize_t n = ::send(client.socket.fd(), request.data() + client.sent,
                                     request.size() - client.sent, MSG_NOSIGNAL);
            if (n > 0) {
                client.sent += static_cast<std::size_t>(n);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            } else if (errno != EINTR) {
                return finish(i, errno_text("send", errno));
            }
        }
        if (!(revents & (POLLIN | POLLHUP | POLLERR))) return;
        std::string& received = results[i].response;
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::recv(client.socket.fd(), buffer, sizeof buffer, 0);
            if (n > 0) {
                received.append(buffer, static_cast<std::size_t>(n));
                if (complete_response_length(received) > 0) return finish(i, "");
            } else if (n == 0) {
                return finish(i, complete_response_length(received, true) > 0
                                     ? ""
                                     : "closed before a complete response");
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            } else if (errno != EINTR) {
                return finish(i, errno_text("recv", errno));
            }
        }
    };

    std::vector<pollfd> watched;
    std::vector<std::size_t> owners;
    while (pending > 0) {
        watched.clear();
        owners.clear();
        const auto now = SteadyClock::now();
        auto wake = SteadyClock::time_point::max();
        for (std::size_t i = 0; i < count; ++i) {
            Client& client = clients[i];
            if (client.done) continue;
            const auto deadline = client.started + patience;
            if (now >= deadline) {
                finish(i, timeout_text(client.connected, results[i].response, patience));
                continue;
            }
            wake = std::min(wake, deadline);
            const bool sending = !client.connected || client.sent < request.size();
            watched.push_back(
                {client.socket.fd(), static_cast<short>(sending ? POLLOUT : POLLIN), 0});
            owners.push_back(i);
        }
        if (watched.empty()) break;
        if (::poll(watched.data(), watched.size(), poll_timeout(wake)) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("poll", errno));
        }
        for (std::size_t k = 0; k < watched.size(); ++k) {
            if (watched[k].revents != 0) drive(owners[k], watched[k].revents);
        }
    }
    return results;
}

Exchange exchange(int port, const std::string& request, std::chrono::milliseconds patience) {
    return exchange_at_once(port, 1, request, patience).front();
}

HeldConnection::HeldConnection(int port) : socket_(open_tcp_socket()) {
    connect_errno_ = begin_connect(socket_, port);
}

void HeldConnection::read_available() {
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(socket_.fd(), buffer, sizeof buffer, 0);
        if (n > 0) {
            received_.append(buffer, static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            // End of stream, or a reset: either way the server has let go of the connection.
            closed_by_server_ = true;
            return;
        }
    }
}

Exchange HeldConnection::exchange(const std::string& request, std::chrono::milliseconds patience) {
    const auto started = SteadyClock::now();
    const auto deadline = started + patience;
    Exchange result;
    const auto settle = [&](std::string error) {
        result.elapsed_ms = milliseconds_between(started, SteadyClock::now());
        result.status = response_status(result.response);
        result.error = std::move(error);
        return result;
    };
    if (connect_errno_ != 0) return settle(errno_text("connect", connect_errno_));
    while (!connected_) {
        pollfd watched{socket_.fd(), POLLOUT, 0};
        const int ready = ::poll(&watched, 1, poll_timeout(deadline));
        if (ready == 0) return settle(timeout_text(false, "", patience));
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("poll", errno));
        }
        connect_errno_ = connect_error(socket_);
        if (connect_errno_ != 0) return settle(errno_text("connect", connect_errno_));
        connected_ = true;
    }

    // A server refusing the connection may answer and close before it reads the request, so
    // a failed send is remembered and what the server sent is read all the same.
    std::string send_failure;
    std::size_t sent = 0;
    while (sent < request.size() && !closed_by_server_) {
        const ssize_t n =
            ::send(socket_.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd watched{socket_.fd(), POLLOUT, 0};
            if (::poll(&watched, 1, poll_timeout(deadline)) == 0)
                return settle("could not send the request within " + milliseconds_text(patience));
        } else if (errno != EINTR) {
            send_failure = errno_text("send", errno);
            break;
        }
    }

    for (;;) {
        if (const std::size_t length = complete_response_length(received_, closed_by_server_)) {
            result.response = received_.substr(0, length);
            received_.erase(0, length);
            return settle("");
        }
        if (closed_by_server_) {
            result.response = received_;
            return settle(send_failure.empty() ? "closed before a complete response"
                                               : send_failure);
        }
        pollfd watched{socket_.fd(), POLLIN, 0};
        const int ready = ::poll(&watched, 1, poll_timeout(deadline));
        if (ready == 0) {
            result.response = received_;
            return settle(timeout_text(true, received_, patience));
        }
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("poll", errno));
        }
        read_available();
    }
}

std::optional<std::chrono::milliseconds> HeldConnection::wait_closed(
    std::chrono::milliseconds patience) {
    const auto started = SteadyClock::now();
    const auto deadline = started + patience;
    while (!closed_by_server_) {
        pollfd watched{socket_.fd(), POLLIN, 0};
        const int ready = ::poll(&watched, 1, poll_timeout(deadline));
        if (ready == 0) return std::nullopt;
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("poll", errno));
        }
        read_available();
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
}

std::string get_request(int port, std::string_view target, bool close) {
    std::string request = "GET ";
    request.append(target);
    request += " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    if (close) request += "Connection: close\r\n";
    return request + "\r\n";
}

}  // namespace gatehouse::testing
