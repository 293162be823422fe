// One SMTP delivery over libcurl. libcurl speaks the protocol (EHLO, STARTTLS, AUTH, MAIL,
// RCPT, DATA with dot-stuffing); this file supplies the message, the TLS policy and the
// timeouts, and turns the outcome into sent, temporary or permanent with the server's words.
#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "gatehouse/service/mail_outbox.hpp"
#include "gatehouse/service/mail_sender.hpp"
#include "mail_address.hpp"

namespace gatehouse::service {
namespace {

struct EasyFree {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyFree>;

struct ListFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using ListHandle = std::unique_ptr<curl_slist, ListFree>;

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one transfer needs from its callbacks.
struct Transfer {
    std::string message;
    std::size_t sent = 0;
    std::string last_reply;   // the server's last reply line
    std::string error_reply;  // its last 4xx or 5xx reply line (QUIT's "221" may follow it)
    std::stop_token stop;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t room = size * count;
    const std::size_t left = transfer->message.size() - transfer->sent;
    const std::size_t n = std::min(room, left);
    std::copy_n(transfer->message.data() + transfer->sent, n, buffer);
    transfer->sent += n;
    return n;
}

// Keeps what the server said. Only CURLINFO_HEADER_IN (the server's replies) is read:
// what we send (HEADER_OUT) carries the AUTH credentials and is never looked at.
int watch_replies(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    auto* transfer = static_cast<Transfer*>(user);
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::replace_if(
        line.begin(), line.end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
    if (line.empty()) return 0;
    transfer->last_reply = line.substr(0, 500);
    if (line.front() == '4' || line.front() == '5') transfer->error_reply = transfer->last_reply;
    return 0;
}

int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Transfer*>(user)->stop.stop_requested() ? 1 : 0;
}

SmtpOutcome outcome_of(CURLcode code, long reply_code, const Transfer& transfer,
                       const char* error_buffer) {
    SmtpOutcome outcome;
    outcome.reply_code = static_cast<int>(reply_code);
    if (code == CURLE_OK) {
        outcome.kind = SmtpOutcome::Kind::sent;
        outcome.reason = transfer.last_reply;
        return outcome;
    }
    std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    if (code == CURLE_ABORTED_BY_CALLBACK) detail = "stopped before the server answered";
    // A 5xx reply is the server's final word on the message; anything else (4xx, no
    // connection, a TLS failure, a timeout) may pass. Refused credentials (535) are a
    // setting the admin can fix, not a verdict on the message: they defer it too.
    const bool server_refused = reply_code >= 500 && reply_code < 600 && code != CURLE_LOGIN_DENIED;
    outcome.kind = server_refused ? SmtpOutcome::Kind::permanent : SmtpOutcome::Kind::temporary;
    if (reply_code >= 400 && !transfer.error_reply.empty()) {
        outcome.reason = transfer.error_reply;
    } else {
        outcome.reason = detail;
    }
    return outcome;
}

}  // namespace

SmtpOutcome send_mail_over_smtp(const SmtpSettings& settings, const core::OutboundMail& mail,
                                util::UnixTime date, std::stop_token stop) {
    init_curl_once();
    SmtpOutcome refused;
    refused.kind = SmtpOutcome::Kind::permanent;
    const auto sender = parse_mailbox(settings.from);
    if (!sender) {
        refused.reason = "The sender address is not valid.";
        return refused;
    }
    // The address was checked when queued; checked again because it goes on a command line.
    if (!is_valid_mail_address(mail.to)) {
        refused.reason = "The recipient address is not valid.";
        return refused;
    }
    EasyHandle curl(curl_easy_init());
    if (!curl) return SmtpOutcome{SmtpOutcome::Kind::temporary, 0, "libcurl could not start."};

    Transfer transfer;
    transfer.message = build_mime_message(mail, settings.from, date);
    transfer.stop = stop;
    ListHandle recipients(curl_slist_append(nullptr, ("<" + mail.to + ">").c_str()));
    const std::string envelope_from = "<" + sender->address + ">";
    char error_buffer[CURL_ERROR_SIZE] = {0};

    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, settings.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(h, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(transfer.message.size()));
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // for watch_replies; nothing is printed
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, watch_replies);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(settings.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout.count()));
    // STARTTLS: required unless the settings allow plain text, and then still used when the
    // server offers it. smtps:// is TLS from the first byte either way.
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     settings.require_starttls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings.ca_file.c_str());
    if (!settings.user.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, settings.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, settings.password.c_str());
    }

    const CURLcode code = curl_easy_perform(h);
    long reply_code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply_code);
    return outcome_of(code, reply_code, transfer, error_buffer);
}

}  // namespace gatehouse::service
