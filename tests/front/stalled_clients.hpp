// Connections that hold a server's attention without ever completing a request, driven by
// one background thread: the load that a thread-per-connection server cannot survive.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "front/loopback_clients.hpp"

namespace gatehouse::testing {

class StalledClients {
  public:
    struct Plan {
        // Connections that send a request line, then one header line after each pause, and
        // never the blank line that ends the head (slowloris).
        std::size_t dribbling = 0;
        // Connections that send nothing at all.
        std::size_t silent = 0;
        // Each pause of a dribbling connection is drawn from [shortest_pause, longest_pause].
        std::chrono::milliseconds shortest_pause{1000};
        std::chrono::milliseconds longest_pause{2000};
    };

    // Starts every connect to 127.0.0.1:`port` back to back; a thread then drives all of them
    // with poll until the object is destroyed, which closes them. Throws std::runtime_error
    // when the sockets cannot be created.
    StalledClients(int port, Plan plan);
    ~StalledClients();
    StalledClients(const StalledClients&) = delete;
    StalledClients& operator=(const StalledClients&) = delete;

    struct Tally {
        std::size_t connecting = 0;
        std::size_t open = 0;  // connected and not closed by the server
        std::size_t failed_to_connect = 0;
        std::size_t closed_by_server = 0;  // end of stream or reset after connecting
    };
    Tally tally() const;

    // Waits until no connect is in progress any more, or `patience` has passed.
    Tally wait_connected(std::chrono::milliseconds patience);

    // Waits until the server has closed every dribbling connection that connected, or
    // `patience` has passed. Returns, for each of them, the seconds from its first byte to its
    // close, or nothing when it is still open.
    std::vector<std::optional<double>> wait_dribbling_closed(std::chrono::milliseconds patience);

  private:
    enum class State { connecting, open, failed, closed };
    struct Client {
        Socket socket;
        bool dribbling = false;
        State state = State::connecting;
        unsigned lines_sent = 0;
        SteadyClock::time_point first_byte{};
        SteadyClock::time_point next_line{};
        SteadyClock::time_point closed_at{};
    };

    void drive();
    void on_ready(Client& client, short revents, SteadyClock::time_point now);
    void send_line(Client& client, SteadyClock::time_point now);
    void mark_closed(Client& client, SteadyClock::time_point now);
    bool every_dribbling_settled() const;

    const int port_;
    const Plan plan_;
    std::minstd_rand pauses_{20240607};  // fixed seed: the same schedule on every run
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Client> clients_;
    std::atomic<bool> stopping_{false};
    std::thread driver_;
};

}  // namespace gatehouse::testing
