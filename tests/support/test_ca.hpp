// A certificate authority made on the spot for loopback TLS in tests, and a server
// certificate it signs for "localhost" and 127.0.0.1, so clients verify servers through a CA.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "support/tls_fixture.hpp"

namespace gatehouse::testing {

// Creating one generates two EC P-256 keys (milliseconds). Files live in leaf().dir and go
// with the object:
//   ca.pem           the CA certificate (CA:TRUE), to trust
//   key.pem          the server's private key
//   certificate.pem  the server certificate: CN and DNS SAN "localhost", IP SAN 127.0.0.1,
//                    serverAuth, signed by the CA, valid from an hour ago for a day.
// Throws std::runtime_error when OpenSSL fails or a file cannot be written.
class TestCa {
  public:
    TestCa();
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    const std::string& ca_file() const { return ca_file_; }
    // The server's key and certificate, ready for TestHttpsServer or a Node.js https server.
    const TlsFiles& leaf() const { return leaf_; }

  private:
    TlsFiles leaf_;
    std::string ca_file_ = leaf_.dir.file("ca.pem");
};

// An HTTPS client for https://localhost:`port` that verifies the server's certificate
// (chain and host name) against `ca_file` and connects to 127.0.0.1 only (never ::1, where
// the fixtures do not listen). Timeouts are a few seconds, so a stuck fixture fails a test
// rather than hanging it.
std::unique_ptr<httplib::SSLClient> loopback_https_client(int port, const std::string& ca_file);

}  // namespace gatehouse::testing
