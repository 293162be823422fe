// The message on the wire (RFC 5322 headers, RFC 2045/2046 MIME, RFC 2047 encoded words).
// Both parts are base64, so no body line is long or starts with a dot, whatever the text.
#include <array>
#include <ctime>
#include <string>

#include "gatehouse/service/mail_sender.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "mail_address.hpp"

namespace gatehouse::service {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_plain_ascii(std::string_view text) {
    for (const char raw : text) {
        const auto c = static_cast<unsigned char>(raw);
        if (c < 0x20 || c >= 0x7f) return false;
    }
    return true;
}

// RFC 2047 "B" encoded words of at most 39 bytes of UTF-8 each (64 characters with the
// wrapper), never splitting a character, folded onto continuation lines.
std::string encoded_words(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        std::size_t take = std::min<std::size_t>(39, text.size());
        while (take < text.size() && take > 0 &&
               (static_cast<unsigned char>(text[take]) & 0xC0) == 0x80) {
            --take;
        }
        if (take == 0) take = std::min<std::size_t>(39, text.size());
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + util::base64_encode(text.substr(0, take)) + "?=";
        text.remove_prefix(take);
    }
    return out;
}

// A header value of free text: as is when it is short plain ASCII, else encoded words.
std::string header_text(std::string_view text) {
    if (is_plain_ascii(text) && text.size() <= 900) return std::string(text);
    return encoded_words(text);
}

std::string rfc5322_date(util::UnixTime at) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                         "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = static_cast<std::time_t>(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buffer;
}

std::string from_header(std::string_view from) {
    const auto mailbox = parse_mailbox(from);
    if (!mailbox) return std::string(from);
    if (mailbox->display_name.empty()) return mailbox->address;
    const std::string name = is_plain_ascii(mailbox->display_name)
                                 ? "\"" + mailbox->display_name + "\""
                                 : encoded_words(mailbox->display_name);
    return name + " <" + mailbox->address + ">";
}

// Text with every line break as CR LF, as MIME wants text before it is encoded.
std::string canonical_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            out += kCrlf;
        } else if (text[i] == '\n') {
            out += kCrlf;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string base64_lines(std::string_view bytes) {
    const std::string encoded = util::base64_encode(bytes);
    std::string out;
    for (std::size_t at = 0; at < encoded.size(); at += 76) {
        out += encoded.substr(at, 76);
        out += kCrlf;
    }
    return out;
}

std::string part(std::string_view boundary, std::string_view type, std::string_view body) {
    std::string out = "--" + std::string(boundary) + "\r\n";
    out += "Content-Type: " + std::string(type) + "; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    out += base64_lines(canonical_lines(body));
    return out;
}

}  // namespace

std::string build_mime_message(const core::OutboundMail& mail, std::string_view from,
                               util::UnixTime date) {
    // "=_" never occurs in base64, so the boundary cannot appear inside a part.
    const std::string boundary = "=_gatehouse_" + util::hex_encode(util::random_bytes(12));
    std::string out;
    out += "Date: " + rfc5322_date(date) + "\r\n";
    out += "From: " + from_header(from) + "\r\n";
    out += "To: " + mail.to + "\r\n";
    out += "Subject: " + header_text(mail.subject) + "\r\n";
    out += "Message-ID: " + mail.message_id + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
    out += "\r\n";
    out += part(boundary, "text/plain", mail.text_body);
    out += part(boundary, "text/html", mail.html_body);
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace gatehouse::service
