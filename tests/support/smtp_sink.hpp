// A real SMTP server for mail tests: npm smtp-server run by tests/interop/smtp_sink.js on
// loopback, keeping each accepted message as a .eml file, and the messages read back.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_ca.hpp"

namespace gatehouse::testing {

// How the sink behaves.
struct SmtpSinkOptions {
    int temp_fail_data = 0;     // answer the first this many DATA commands with 451
    int temp_fail_rcpt = 0;     // answer the first this many RCPT TO commands with 451
    bool reject_rcpt = false;   // answer every RCPT TO with 550
    std::string user;           // when set, AUTH PLAIN or LOGIN with user and password
    std::string password;       // is required
    bool starttls = false;      // offer STARTTLS, with a certificate of ca() for localhost
    bool implicit_tls = false;  // TLS from the first byte (smtps://), same certificate
    bool stall = false;         // accept connections, never greet
};

// One accepted message, parsed enough to check it: headers unfolded, in order; the text
// and HTML parts of a multipart/alternative body (or a single-part body) decoded from
// base64 or quoted-printable, with line breaks as "\n".
struct ReceivedMail {
    std::string file;  // the .eml file
    std::string raw;   // as received
    std::vector<std::pair<std::string, std::string>> headers;
    std::string text;
    std::string html;
    nlohmann::json envelope;  // {"from": ..., "to": [...], "user": ..., "secure": bool}

    // The first header of that name (case-insensitive), "" when none.
    std::string header(std::string_view name) const;
    // How many headers of that name there are.
    std::size_t header_count(std::string_view name) const;
    // The Subject with RFC 2047 encoded words decoded.
    std::string subject() const;
};

// Parses a message as the sink stores it. Throws std::runtime_error when it has no body.
ReceivedMail parse_received_mail(const std::string& raw);

class SmtpSink {
  public:
    // Starts the sink and waits until it listens. Throws std::runtime_error (with its
    // standard error) when it cannot start.
    explicit SmtpSink(SmtpSinkOptions options = {});
    ~SmtpSink();
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    int port() const { return port_; }
    // "smtp://127.0.0.1:PORT", or with TLS "smtp://localhost:PORT" / "smtps://localhost:PORT"
    // (the name in the certificate).
    std::string url() const;
    // The CA that signed the sink's certificate (TLS options only).
    const std::string& ca_file() const { return ca_->ca_file(); }
    // The folder the .eml files are written to (the browser tests read it too).
    std::string directory() const { return dir_.file("mail"); }

    // The messages accepted so far, in order.
    std::vector<ReceivedMail> messages() const;
    // Waits until at least `count` messages have been accepted and returns them all.
    // Throws std::runtime_error when `timeout` passes first.
    std::vector<ReceivedMail> wait_for_messages(std::size_t count,
                                                std::chrono::milliseconds timeout) const;
    // The sink's standard error so far (for failure messages).
    std::string log() const { return process_->standard_error(); }

  private:
    SmtpSinkOptions options_;
    TempDir dir_;
    std::unique_ptr<TestCa> ca_;
    std::unique_ptr<ChildProcess> process_;
    int port_ = 0;
};

}  // namespace gatehouse::testing
