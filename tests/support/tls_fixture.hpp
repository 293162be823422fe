// Loopback TLS fixtures: a key and self-signed certificate made on the
// spot, an HTTPS server on 127.0.0.1 serving them, and a bare listening socket that never
// answers (to time out against, and to prove that no connection was attempted).
#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace gatehouse::testing {

// Where a server's key and certificate are kept, in PEM; the folder goes with the object.
struct TlsFiles {
    TempDir dir;
    std::string key_file = dir.file("key.pem");
    std::string certificate_file = dir.file("certificate.pem");
};

// Writes a new EC P-256 key and a self-signed certificate for it into `files`, valid from
// an hour ago for a day, naming `dns_name` (CN and DNS SAN) and, when not empty,
// `ip_address` (IP SAN). Throws std::runtime_error when OpenSSL fails.
void write_self_signed(const TlsFiles& files, const std::string& dns_name,
                       const std::string& ip_address);

// An HTTPS server on 127.0.0.1 and a free port, serving the routes `install` registers,
// from construction until destruction.
class TestHttpsServer {
  public:
    TestHttpsServer(const TlsFiles& files, const std::function<void(httplib::Server&)>& install);
    ~TestHttpsServer();
    TestHttpsServer(const TestHttpsServer&) = delete;
    TestHttpsServer& operator=(const TestHttpsServer&) = delete;

    int port() const { return port_; }
    // "https://<host>:<port><path>"; `host` defaults to the address it listens on.
    std::string url(const std::string& path, const std::string& host = "127.0.0.1") const;

  private:
    httplib::SSLServer server_;
    int port_ = -1;
    std::thread thread_;
};

// A TCP socket listening on 127.0.0.1 that never accepts: the kernel completes connections
// into its backlog, and nothing is ever sent on them.
class SilentListener {
  public:
    SilentListener();
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    int port() const { return port_; }
    // True when a client has connected (a connection waits in the backlog).
    bool was_connected() const;

  private:
    int socket_ = -1;
    int port_ = -1;
};

}  // namespace gatehouse::testing
