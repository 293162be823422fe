#include "dribbling_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>

namespace gatehouse::testing {
namespace {

constexpr auto kInterval = std::chrono::milliseconds(100);
constexpr auto kLongest = std::chrono::seconds(30);

struct SslContextFree {
    void operator()(SSL_CTX* context) const noexcept { SSL_CTX_free(context); }
};
struct SslFree {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};

class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Sends `prefix` at once, then `filler` once per interval until a send fails (the client has
// gone), the server stops or kLongest has passed.
void dribble(const std::atomic<bool>& stopping, const std::string& prefix, char filler,
             const std::function<bool(const char*, std::size_t)>& send) {
    if (!send(prefix.data(), prefix.size())) return;
    const auto until = std::chrono::steady_clock::now() + kLongest;
    while (!stopping && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(kInterval);
        if (!send(&filler, 1)) return;
    }
}

}  // namespace

DribblingServer::DribblingServer(const TlsFiles& files, DribbledPart part) : part_(part) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (listener_ >= 0) ::close(listener_);
        throw std::runtime_error("dribbling server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, &files] { serve(files); });
}

DribblingServer::~DribblingServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
}

void DribblingServer::serve(const TlsFiles& files) {
    // A client that gives up closes the connection; the next write must fail with EPIPE
    // rather than kill the test program. SIGPIPE goes to the writing thread, so blocking it
    // here is enough.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

    // The context is set up before any client connects: `files` belongs to the test, which
    // may go on only once it can fetch.
    const std::unique_ptr<SSL_CTX, SslContextFree> context(SSL_CTX_new(TLS_server_method()));
    if (!context ||
        SSL_CTX_use_certificate_file(context.get(), files.certificate_file.c_str(),
                                     SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(context.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        return;
    }
    pollfd waiting{listener_, POLLIN, 0};
    while (!stopping_ && ::poll(&waiting, 1, 50) <= 0) {
    }
    if (stopping_) return;
    const Descriptor client(::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC));
    if (client.get() < 0) return;

    if (part_ == DribbledPart::handshake) {
        // A handshake record header that announces 16 KiB, whose bytes then come one by one.
        dribble(stopping_, std::string("\x16\x03\x03\x40\x00", 5), '\0',
                [&client](const char* data, std::size_t size) {
                    return ::send(client.get(), data, size, MSG_NOSIGNAL) ==
                           static_cast<ssize_t>(size);
                });
        return;
    }
    const std::unique_ptr<SSL, SslFree> ssl(SSL_new(context.get()));
    if (!ssl || SSL_set_fd(ssl.get(), client.get()) != 1 || SSL_accept(ssl.get()) != 1) return;
    char request[4096];
    if (SSL_read(ssl.get(), request, sizeof request) <= 0) return;
    const auto send = [&ssl](const char* data, std::size_t size) {
        return SSL_write(ssl.get(), data, static_cast<int>(size)) == static_cast<int>(size);
    };
    if (part_ == DribbledPart::headers) {
        dribble(stopping_, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nX-Slow: ", 'a',
                send);
    } else if (part_ == DribbledPart::body) {
        dribble(
            stopping_,
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n",
            'x', send);
    } else {
        dribble(stopping_,
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n<",
                'x', send);
    }
}

}  // namespace gatehouse::testing
