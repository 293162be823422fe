// Delivering the outbox over SMTP: the settings of the server, one attempt at one message
// (libcurl), the retry rule, and a background thread that delivers what is due.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// How Gatehouse reaches its SMTP server.
struct SmtpSettings {
    // smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS from the start). User and
    // password may be given in the URL ("smtp://user:pass@host:587"); see
    // parse_smtp_settings, which moves them out.
    std::string url;
    // The sender: "noreply@example.com" or "Example <noreply@example.com>".
    std::string from;
    std::string user;
    std::string password;  // never logged
    std::string ca_file;   // PEM certificates to trust instead of the system's; "" = system
    // smtp:// to a host that is not loopback normally requires STARTTLS; this allows plain
    // text (and a password over it). Loopback servers may always answer without STARTTLS.
    bool insecure = false;
    // Whether an smtp:// session must upgrade with STARTTLS before MAIL FROM (else STARTTLS
    // is used when offered). Set by parse_smtp_settings from smtp_requires_starttls.
    bool require_starttls = true;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds timeout{60};  // the whole attempt, connection included
};

// Checks and completes `settings`: the URL's scheme (smtp or smtps) and host; credentials
// in the URL's user info are decoded into user/password and removed from url (both ways
// at once is an error); from is one address, optionally with a display name; the CA file
// exists; require_starttls is set. Errors have code "smtp.invalid_settings" and say which part is
// wrong.
Result<SmtpSettings> parse_smtp_settings(SmtpSettings settings);

// The URL without user info or path, safe to log ("smtp://mail.example.com:587").
std::string smtp_url_for_logs(const SmtpSettings& settings);

// True when smtp:// (not smtps://) must upgrade with STARTTLS before anything else: the host
// is not loopback (localhost, 127.0.0.0/8, ::1) and `insecure` is off.
bool smtp_requires_starttls(const SmtpSettings& settings);

// The message as sent: headers (Date at `date`, From, To, Subject encoded per RFC 2047 when
// it is not plain ASCII or is long, Message-ID, MIME-Version) and a multipart/alternative
// body with the text and HTML parts in UTF-8, base64. Lines end in CR LF and are at most 78
// characters.
std::string build_mime_message(const core::OutboundMail& mail, std::string_view from,
                               util::UnixTime date);

// How one attempt ended.
struct SmtpOutcome {
    enum class Kind {
        sent,       // the server accepted the message (250 after DATA)
        temporary,  // 4xx, no connection, timeout, TLS failure: try again later
        permanent,  // 5xx: the server refuses it; trying again cannot help
    };
    Kind kind = Kind::temporary;
    int reply_code = 0;  // the server's last reply code, 0 when none came
    std::string reason;  // the server's reply text, or what went wrong; for admins
};

// One attempt to deliver `mail` through the server of `settings` (already parsed), built
// with build_mime_message at `date`. Blocks up to settings.timeout, or until `stop` is
// requested (then a temporary outcome). Thread-safe.
SmtpOutcome send_mail_over_smtp(const SmtpSettings& settings, const core::OutboundMail& mail,
                                util::UnixTime date, std::stop_token stop = {});

// When to give up and how long to wait between attempts.
struct RetryPolicy {
    int max_attempts = 8;
    std::chrono::seconds first_delay{30};  // after the first temporary failure; doubles
    std::chrono::seconds max_delay{3600};  // the longest wait between attempts
    // How long a claimed message stays claimed: longer than an attempt can take, so only a
    // dead sender's claim lapses.
    std::chrono::seconds lease{300};
};

// The wait after the attempt numbered `attempts` (1 = the first) failed for a while.
std::chrono::seconds retry_delay(const RetryPolicy& policy, int attempts);

// What one round of delivery did.
struct DeliveryCounts {
    int sent = 0;
    int retried = 0;
    int failed = 0;
};

// Sends one message at a time through the server, as an interface so tests can stand in
// for the network.
using SendAttempt = std::function<SmtpOutcome(const core::OutboundMail&, util::UnixTime date)>;

// Claims the messages due at clock.now() (a few at a time) and attempts each with `send`,
// then records the outcome: sent; failed at once on a permanent refusal or when this was
// attempt max_attempts; otherwise queued again after retry_delay. Stops between messages
// when `stop` is requested (a claimed message it did not attempt is retried once its lease
// lapses). Logs one "mail.attempt" line per attempt (id, org, kind, Message-ID, attempt,
// outcome, reply code, reason; never the body or credentials). Store errors end the
// round and are returned.
Result<DeliveryCounts> deliver_due_mail(store::Store& store, const util::Clock& clock,
                                        const RetryPolicy& policy, const SendAttempt& send,
                                        std::stop_token stop = {});

// Runs deliver_due_mail on a background thread every `poll` until stopped. The store and
// clock are not owned and must outlive the sender.
class MailSender {
  public:
    MailSender(store::Store& store, const util::Clock& clock, SmtpSettings settings,
               RetryPolicy policy, std::chrono::milliseconds poll);
    ~MailSender();
    MailSender(const MailSender&) = delete;
    MailSender& operator=(const MailSender&) = delete;

    // Asks the thread to stop and joins it; an attempt in progress is cut short within a
    // second. Idempotent; safe from any thread but the sender's own.
    void stop();

  private:
    void run(std::stop_token stop);

    store::Store& store_;
    const util::Clock& clock_;
    const SmtpSettings settings_;
    const RetryPolicy policy_;
    const std::chrono::milliseconds poll_;

    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::mutex join_mutex_;
    std::jthread thread_;  // last: starts after every member it uses exists
};

}  // namespace gatehouse::service
