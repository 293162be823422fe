#include "front/stalled_clients.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gatehouse::testing {
namespace {

// The driving thread looks at the stop flag at least this often.
constexpr std::chrono::milliseconds kLongestPoll{50};

}  // namespace

StalledClients::StalledClients(int port, Plan plan) : port_(port), plan_(plan) {
    clients_.resize(plan.dribbling + plan.silent);
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        clients_[i].socket = open_tcp_socket();
        clients_[i].dribbling = i < plan.dribbling;
    }
    for (auto& client : clients_) {
        if (begin_connect(client.socket, port_) != 0) client.state = State::failed;
    }
    driver_ = std::thread([this] { drive(); });
}

StalledClients::~StalledClients() {
    stopping_ = true;
    driver_.join();
}

void StalledClients::mark_closed(Client& client, SteadyClock::time_point now) {
    client.state = State::closed;
    client.closed_at = now;
}

void StalledClients::send_line(Client& client, SteadyClock::time_point now) {
    std::string line;
    if (client.lines_sent == 0) {
        line = "GET /healthz HTTP/1.1\r\n";
    } else if (client.lines_sent == 1) {
        line = "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    } else {
        line = "X-Stalled-" + std::to_string(client.lines_sent) + ": not done yet\r\n";
    }
    // A line is a few dozen bytes into a send buffer that the server has emptied since the
    // last one: it goes out whole, or not at all and is tried again shortly.
    if (::send(client.socket.fd(), line.data(), line.size(), MSG_NOSIGNAL) < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            mark_closed(client, now);
        } else {
            client.next_line = now + kLongestPoll;
        }
        return;
    }
    if (client.lines_sent++ == 0) client.first_byte = now;
    std::uniform_int_distribution<long long> pause(plan_.shortest_pause.count(),
                                                   plan_.longest_pause.count());
    client.next_line = now + std::chrono::milliseconds(pause(pauses_));
}

void StalledClients::on_ready(Client& client, short revents, SteadyClock::time_point now) {
    if (client.state == State::connecting) {
        if (connect_error(client.socket) != 0) {
            client.state = State::failed;
            return;
        }
        client.state = State::open;
        if (client.dribbling) send_line(client, now);
        return;
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR))) return;
    // The server may answer (a 408, say) before it closes; only the close matters here.
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(client.socket.fd(), buffer, sizeof buffer, 0);
        if (n > 0) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        mark_closed(client, now);
        return;
    }
}

void StalledClients::drive() {
    std::vector<pollfd> watched;
    std::vector<Client*> owners;
    while (!stopping_) {
        auto wake = SteadyClock::now() + kLongestPoll;
        {
            std::lock_guard lock(mutex_);
            watched.clear();
            owners.clear();
            for (auto& client : clients_) {
                if (client.state == State::connecting) {
                    watched.push_back({client.socket.fd(), POLLOUT, 0});
                } else if (client.state == State::open) {
                    watched.push_back({client.socket.fd(), POLLIN, 0});
                    if (client.dribbling) wake = std::min(wake, client.next_line);
                } else {
                    continue;
                }
                owners.push_back(&client);
            }
        }
        if (::poll(watched.data(), watched.size(), poll_timeout(wake)) < 0 && errno != EINTR)
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        {
            std::lock_guard lock(mutex_);
            const auto now = SteadyClock::now();
            for (std::size_t k = 0; k < watched.size(); ++k) {
                if (watched[k].revents != 0) on_ready(*owners[k], watched[k].revents, now);
            }
            for (auto& client : clients_) {
                if (client.dribbling && client.state == State::open && client.next_line <= now)
                    send_line(client, now);
            }
        }
        changed_.notify_all();
    }
}

StalledClients::Tally StalledClients::tally() const {
    std::lock_guard lock(mutex_);
    Tally tally;
    for (const auto& client : clients_) {
        switch (client.state) {
            case State::connecting:
                ++tally.connecting;
                break;
            case State::open:
                ++tally.open;
                break;
            case State::failed:
                ++tally.failed_to_connect;
                break;
            case State::closed:
                ++tally.closed_by_server;
                break;
        }
    }
    return tally;
}

StalledClients::Tally StalledClients::wait_connected(std::chrono::milliseconds patience) {
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, patience, [this] {
            for (const auto& client : clients_) {
                if (client.state == State::connecting) return false;
            }
            return true;
        });
    }
    return tally();
}

bool StalledClients::every_dribbling_settled() const {
    for (const auto& client : clients_) {
        if (client.dribbling && client.state != State::closed && client.state != State::failed)
            return false;
    }
    return true;
}

std::vector<std::optional<double>> StalledClients::wait_dribbling_closed(
    std::chrono::milliseconds patience) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, patience, [this] { return every_dribbling_settled(); });
    std::vector<std::optional<double>> lifetimes;
    for (const auto& client : clients_) {
        if (!client.dribbling || client.lines_sent == 0) continue;
        if (client.state == State::closed) {
            lifetimes.push_back(
                std::chrono::duration<double>(client.closed_at - client.first_byte).count());
        } else {
            lifetimes.push_back(std::nullopt);
        }
    }
    return lifetimes;
}

}  // namespace gatehouse::testing
