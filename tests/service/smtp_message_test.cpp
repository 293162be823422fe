// The SMTP settings as read from flags, the message as built for the wire, and the retry
// schedule: pure functions, no server.
#include <doctest/doctest.h>

#include <sstream>

#include "gatehouse/service/mail_sender.hpp"
#include "support/smtp_sink.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;

namespace {

core::OutboundMail sample_mail() {
    core::OutboundMail m;
    m.id = 7;
    m.to = "ada@example.com";
    m.subject = "Welcome to Acme";
    m.text_body = "Hello Ada,\nline two\n";
    m.html_body = "<p>Hello Ada</p>";
    m.message_id = "<abc.acme@gatehouse>";
    return m;
}

service::SmtpSettings settings(const std::string& url) {
    service::SmtpSettings s;
    s.url = url;
    s.from = "noreply@example.com";
    return s;
}

}  // namespace

TEST_CASE("the built message has each header once, CR LF line ends and short lines") {
    const std::string wire =
        service::build_mime_message(sample_mail(), "noreply@example.com", 1'900'000'000);
    std::size_t at = 0;
    while (at < wire.size()) {
        const std::size_t end = wire.find("\r\n", at);
        REQUIRE(end != std::string::npos);
        CHECK(end - at <= 78);
        CHECK(wire.substr(at, end - at).find('\n') == std::string::npos);
        at = end + 2;
    }
    const auto mail = testing::parse_received_mail(wire);
    CHECK(mail.header("Date") == "Sun, 17 Mar 2030 17:46:40 +0000");
    CHECK(mail.header("From") == "noreply@example.com");
    CHECK(mail.header("Message-ID") == "<abc.acme@gatehouse>");
    CHECK(mail.subject() == "Welcome to Acme");
    CHECK(mail.text == "Hello Ada,\nline two\n");
    CHECK(mail.html == "<p>Hello Ada</p>");
}

TEST_CASE("a subject that is not ASCII is sent as encoded words that decode to it") {
    auto m = sample_mail();
    m.subject = "Bienvenue chez Société Générale — " + std::string(60, 'x') + " ✓";
    const auto mail =
        testing::parse_received_mail(service::build_mime_message(m, "noreply@example.com", 0));
    CHECK(mail.header("Subject").starts_with("=?UTF-8?B?"));
    CHECK(mail.subject() == m.subject);
}

TEST_CASE("a line break in a stored subject cannot add a header") {
    auto m = sample_mail();
    m.subject = "Hi\r\nBcc: eve@example.com";
    const auto mail =
        testing::parse_received_mail(service::build_mime_message(m, "noreply@example.com", 0));
    CHECK(mail.header_count("Bcc") == 0);
    CHECK(mail.subject() == m.subject);
}

TEST_CASE("a display name of the sender is quoted, or encoded when it is not ASCII") {
    const auto quoted = testing::parse_received_mail(
        service::build_mime_message(sample_mail(), "Acme Team <noreply@example.com>", 0));
    CHECK(quoted.header("From") == "\"Acme Team\" <noreply@example.com>");
    const auto encoded = testing::parse_received_mail(
        service::build_mime_message(sample_mail(), "Équipe <noreply@example.com>", 0));
    CHECK(encoded.header("From").starts_with("=?UTF-8?B?"));
    CHECK(encoded.header("From").ends_with(" <noreply@example.com>"));
}

TEST_CASE("SMTP settings move the URL's credentials out of it") {
    auto parsed =
        service::parse_smtp_settings(settings("smtp://user%40x:p%40ss@mail.example.com:587"));
    REQUIRE(parsed);
    CHECK(parsed->user == "user@x");
    CHECK(parsed->password == "p@ss");
    CHECK(parsed->url == "smtp://mail.example.com:587");
    CHECK(service::smtp_url_for_logs(*parsed) == "smtp://mail.example.com:587");
}

TEST_CASE("SMTP settings refuse credentials given both in the URL and as flags") {
    auto s = settings("smtp://user:pass@mail.example.com:587");
    s.user = "other";
    s.password = "x";
    auto parsed = service::parse_smtp_settings(s);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == "smtp.invalid_settings");
}

TEST_CASE("SMTP settings refuse a bad URL, sender, lone user or missing CA file") {
    for (const char* url : {"http://mail.example.com", "mail.example.com:587", "smtp://",
                            "smtp://mail.example.com/?x=1"}) {
        CHECK_MESSAGE(!service::parse_smtp_settings(settings(url)), url);
    }
    auto bad_from = settings("smtp://mail.example.com");
    bad_from.from = "noreply@example.com\r\nBcc: eve@example.com";
    CHECK_FALSE(service::parse_smtp_settings(bad_from));
    bad_from.from = "";
    CHECK_FALSE(service::parse_smtp_settings(bad_from));
    auto lone_user = settings("smtp://mail.example.com");
    lone_user.user = "mailer";
    CHECK_FALSE(service::parse_smtp_settings(lone_user));
    auto missing_ca = settings("smtp://mail.example.com");
    missing_ca.ca_file = "/nonexistent/ca.pem";
    CHECK_FALSE(service::parse_smtp_settings(missing_ca));
}

TEST_CASE("STARTTLS is required for smtp:// except to loopback or when made insecure") {
    CHECK(service::parse_smtp_settings(settings("smtp://mail.example.com:587"))->require_starttls);
    CHECK(service::parse_smtp_settings(settings("smtp://127.evil.example:25"))->require_starttls);
    CHECK(service::parse_smtp_settings(settings("smtp://10.0.0.1:25"))->require_starttls);
    CHECK_FALSE(service::parse_smtp_settings(settings("smtp://127.0.0.1:25"))->require_starttls);
    CHECK_FALSE(service::parse_smtp_settings(settings("smtp://localhost:25"))->require_starttls);
    CHECK_FALSE(service::parse_smtp_settings(settings("smtp://[::1]:25"))->require_starttls);
    auto insecure = settings("smtp://mail.example.com:25");
    insecure.insecure = true;
    CHECK_FALSE(service::parse_smtp_settings(insecure)->require_starttls);
    // smtps:// is TLS from the start; there is nothing to upgrade.
    CHECK_FALSE(
        service::parse_smtp_settings(settings("smtps://mail.example.com"))->require_starttls);
}

TEST_CASE("retries wait twice as long each time, up to the cap") {
    service::RetryPolicy policy;
    policy.first_delay = std::chrono::seconds(30);
    policy.max_delay = std::chrono::seconds(3600);
    CHECK(service::retry_delay(policy, 1).count() == 30);
    CHECK(service::retry_delay(policy, 2).count() == 60);
    CHECK(service::retry_delay(policy, 3).count() == 120);
    CHECK(service::retry_delay(policy, 7).count() == 1920);
    CHECK(service::retry_delay(policy, 8).count() == 3600);
    CHECK(service::retry_delay(policy, 1000).count() == 3600);
}
