#include "support/tls_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/objects.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "support/x509.hpp"

namespace gatehouse::testing {
namespace {

[[noreturn]] void fixture_failure(const std::string& what) {
    throw std::runtime_error("TLS fixture: " + what);
}

}  // namespace

void write_self_signed(const TlsFiles& files, const std::string& dns_name,
                       const std::string& ip_address) {
    std::string names = "DNS:" + dns_name;
    if (!ip_address.empty()) names += ",IP:" + ip_address;
    const EvpPkeyPtr key = new_p256_key();
    const X509Ptr certificate = issue_certificate(
        {.common_name = dns_name, .extensions = {{NID_subject_alt_name, names}}}, key.get());
    write_private_key_pem(files.key_file, key.get());
    write_certificate_pem(files.certificate_file, certificate.get());
}

TestHttpsServer::TestHttpsServer(const TlsFiles& files,
                                 const std::function<void(httplib::Server&)>& install)
    : server_(files.certificate_file.c_str(), files.key_file.c_str()) {
    if (!server_.is_valid()) fixture_failure("the HTTPS server rejected its key or certificate");
    install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) fixture_failure("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only takes effect once the accept loop runs; wait for it so the destructor
    // cannot race it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TestHttpsServer::~TestHttpsServer() {
    server_.stop();
    thread_.join();
}

std::string TestHttpsServer::url(const std::string& path, const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_) + path;
}

SilentListener::SilentListener() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (socket_ < 0) fixture_failure("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(socket_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(socket_, 8) != 0 ||
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(socket_);
        fixture_failure("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
}

SilentListener::~SilentListener() { ::close(socket_); }

bool SilentListener::was_connected() const {
    pollfd waiting{socket_, POLLIN, 0};
    return ::poll(&waiting, 1, 0) == 1 && (waiting.revents & POLLIN) != 0;
}

}  // namespace gatehouse::testing
