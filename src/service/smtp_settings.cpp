// Reading the SMTP settings: the URL (scheme, host, credentials in its user info), the sender
// address, and when STARTTLS is required.
#include <arpa/inet.h>
#include <curl/curl.h>

#include <filesystem>
#include <memory>

#include "gatehouse/service/mail_outbox.hpp"
#include "gatehouse/service/mail_sender.hpp"
#include "mail_address.hpp"

namespace gatehouse::service {
namespace {

struct UrlFree {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlFree>;

struct CurlText {
    char* text = nullptr;
    ~CurlText() { curl_free(text); }
    std::string get() const { return text ? std::string(text) : std::string(); }
};

std::string url_part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
    CurlText value;
    if (curl_url_get(url, part, &value.text, flags) != CURLUE_OK) return {};
    return value.get();
}

Error invalid(const std::string& message) { return fail("smtp.invalid_settings", message); }

struct ParsedUrl {
    std::string scheme;
    std::string host;
    std::string port;
    std::string user;
    std::string password;
};

Result<ParsedUrl> parse_url(const std::string& text) {
    UrlHandle url(curl_url());
    if (!url) return invalid("The SMTP URL cannot be read.");
    if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        return invalid("The SMTP URL must look like smtp://mail.example.com:587.");
    }
    ParsedUrl parsed;
    parsed.scheme = url_part(url.get(), CURLUPART_SCHEME);
    parsed.host = url_part(url.get(), CURLUPART_HOST);
    parsed.port = url_part(url.get(), CURLUPART_PORT);
    parsed.user = url_part(url.get(), CURLUPART_USER, CURLU_URLDECODE);
    parsed.password = url_part(url.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
    const std::string query = url_part(url.get(), CURLUPART_QUERY);
    const std::string fragment = url_part(url.get(), CURLUPART_FRAGMENT);
    if (parsed.scheme != "smtp" && parsed.scheme != "smtps") {
        return invalid("The SMTP URL must start with smtp:// (STARTTLS) or smtps:// (TLS).");
    }
    if (parsed.host.empty()) return invalid("The SMTP URL names no host.");
    if (!query.empty() || !fragment.empty()) {
        return invalid("The SMTP URL must not have a query or a fragment.");
    }
    return parsed;
}

}  // namespace

Result<SmtpSettings> parse_smtp_settings(SmtpSettings settings) {
    auto parsed = parse_url(settings.url);
    if (!parsed) return parsed.error();
    if (!parsed->user.empty() || !parsed->password.empty()) {
        if (!settings.user.empty() || !settings.password.empty()) {
            return invalid(
                "Give the SMTP user and password either in the URL or as flags, not both.");
        }
        settings.user = parsed->user;
        settings.password = parsed->password;
    }
    // Rebuilt from its parts, so the stored URL never carries the password.
    settings.url = parsed->scheme + "://" + parsed->host +
                   (parsed->port.empty() ? std::string() : ":" + parsed->port);
    if (settings.user.empty() != settings.password.empty()) {
        return invalid("The SMTP user and password go together: give both or neither.");
    }
    if (!parse_mailbox(settings.from)) {
        return invalid(
            "The sender (--smtp-from) must be an address like noreply@example.com, optionally "
            "as \"Name <noreply@example.com>\".");
    }
    if (!settings.ca_file.empty() && !std::filesystem::is_regular_file(settings.ca_file)) {
        return invalid("The SMTP CA file " + settings.ca_file + " does not exist.");
    }
    if (settings.connect_timeout.count() <= 0 || settings.timeout.count() <= 0) {
        return invalid("The SMTP timeouts must be positive.");
    }
    settings.require_starttls = smtp_requires_starttls(settings);
    return settings;
}

std::string smtp_url_for_logs(const SmtpSettings& settings) {
    auto parsed = parse_url(settings.url);
    if (!parsed) return "(invalid)";
    return parsed->scheme + "://" + parsed->host +
           (parsed->port.empty() ? std::string() : ":" + parsed->port);
}

bool smtp_requires_starttls(const SmtpSettings& settings) {
    auto parsed = parse_url(settings.url);
    if (!parsed || parsed->scheme != "smtp" || settings.insecure) return false;
    const std::string& host = parsed->host;
    if (host == "localhost" || host == "[::1]") return false;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) != 127;
    }
    return true;
}

}  // namespace gatehouse::service
