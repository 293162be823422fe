// A loopback server that answers a byte at a time, for deadlines that must hold however
// slowly a server sends: it accepts one connection and then dribbles its TLS handshake, its
// response headers or its response body, one byte every 100 ms, for up to 30 seconds.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "support/tls_fixture.hpp"

namespace gatehouse::testing {

enum class DribbledPart {
    handshake,         // a TLS record header announcing 16 KiB, then its bytes one by one
    headers,           // a complete handshake and status line, then one header byte at a time
    body,              // complete headers announcing 100,000 bytes, then one body byte at a time
    body_until_close,  // complete headers without a length: the body ends when the server
                       // closes, and comes one byte at a time
};

class DribblingServer {
  public:
    // `files` holds the key and certificate the TLS parts are served with.
    DribblingServer(const TlsFiles& files, DribbledPart part);
    ~DribblingServer();
    DribblingServer(const DribblingServer&) = delete;
    DribblingServer& operator=(const DribblingServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }

  private:
    void serve(const TlsFiles& files);

    DribbledPart part_;
    int listener_ = -1;
    int port_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace gatehouse::testing
