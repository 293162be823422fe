// Delivering the outbox to a real SMTP server on loopback (npm smtp-server, see
// tests/interop/smtp_sink.js): the message as received, retries after 4xx, failure after
// 5xx, AUTH, STARTTLS against a private CA, and the background sender.
#include "gatehouse/service/mail_sender.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "../store/store_fixture.hpp"
#include "gatehouse/service/mail_outbox.hpp"
#include "support/smtp_sink.hpp"

using namespace gatehouse;
using testing::SmtpSink;
using testing::SmtpSinkOptions;

namespace {

constexpr util::UnixTime kNow = 1'900'000'000;
constexpr std::chrono::seconds kWait{20};

struct SenderFixture : testing::StoreFixture {
    core::Org acme = make_org("acme");
    util::FixedClock clock{kNow};
    service::RetryPolicy policy;

    SenderFixture() { policy.first_delay = std::chrono::seconds(30); }

    core::OutboundMail queue(const std::string& org_name = "Acme",
                             const std::string& to = "ada@example.com") {
        auto org = acme;
        org.name = org_name;
        auto queued = service::queue_test_mail(*db, clock, org, to);
        REQUIRE_MESSAGE(queued, (queued ? "" : queued.error().message));
        return *queued;
    }

    core::OutboundMail read(const core::OutboundMail& m) {
        std::optional<core::OutboundMail> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.outbound_mail_by_id(m.org_id, m.id);
            return {};
        }));
        REQUIRE(found);
        return *found;
    }

    service::DeliveryCounts deliver(const service::SmtpSettings& settings) {
        const service::SendAttempt send = [&](const core::OutboundMail& mail, util::UnixTime at) {
            return service::send_mail_over_smtp(settings, mail, at);
        };
        auto counts = service::deliver_due_mail(*db, clock, policy, send);
        REQUIRE_MESSAGE(counts, (counts ? "" : counts.error().message));
        return *counts;
    }
};

service::SmtpSettings settings_for(const SmtpSink& sink) {
    service::SmtpSettings settings;
    settings.url = sink.url();
    settings.from = "Gatehouse <noreply@gatehouse.example>";
    settings.timeout = std::chrono::seconds(10);
    auto parsed = service::parse_smtp_settings(settings);
    REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().message));
    return *parsed;
}

}  // namespace

TEST_CASE("the sender delivers one message with its headers and both parts") {
    SenderFixture f;
    SmtpSink sink;
    const auto queued = f.queue("Acme <b>&</b>");
    const auto counts = f.deliver(settings_for(sink));
    CHECK(counts.sent == 1);
    const auto received = sink.wait_for_messages(1, kWait);
    REQUIRE(received.size() == 1);
    const auto& mail = received[0];
    CHECK(mail.header("Message-ID") == queued.message_id);
    CHECK(mail.header("To") == "ada@example.com");
    CHECK(mail.header("From") == "\"Gatehouse\" <noreply@gatehouse.example>");
    CHECK(mail.subject() == "Test message from Gatehouse for Acme <b>&</b>");
    CHECK(mail.header("MIME-Version") == "1.0");
    CHECK(mail.header("Date").ends_with("+0000"));
    CHECK(mail.header("Content-Type").starts_with("multipart/alternative;"));
    for (const char* once : {"From", "To", "Subject", "Message-ID", "Date"}) {
        CHECK_MESSAGE(mail.header_count(once) == 1, once);
    }
    CHECK(mail.text.find("This is a test message from Gatehouse for Acme <b>&</b>.") !=
          std::string::npos);
    CHECK(mail.html.find("<strong>Acme &lt;b&gt;&amp;&lt;&#x2F;b&gt;</strong>") !=
          std::string::npos);
    CHECK(mail.envelope["from"] == "noreply@gatehouse.example");
    CHECK(mail.envelope["to"] == nlohmann::json::array({"ada@example.com"}));
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::sent);
    CHECK(stored.attempts == 1);
    CHECK(stored.sent_at == kNow);
}

TEST_CASE("a message the server deferred with 451 is delivered once, later, with its Message-ID") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.temp_fail_data = 1;
    SmtpSink sink(options);
    const auto settings = settings_for(sink);
    const auto queued = f.queue();

    CHECK(f.deliver(settings).retried == 1);
    auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::queued);
    CHECK(stored.attempts == 1);
    CHECK(stored.next_attempt_at == kNow + 30);
    CHECK(stored.last_error.find("451") != std::string::npos);
    CHECK(sink.messages().empty());

    f.clock.advance(29);
    CHECK(f.deliver(settings).sent == 0);  // not due yet
    f.clock.advance(1);
    CHECK(f.deliver(settings).sent == 1);
    const auto received = sink.wait_for_messages(1, kWait);
    CHECK(received.size() == 1);
    CHECK(received[0].header("Message-ID") == queued.message_id);
    stored = f.read(queued);
    CHECK(stored.state == core::MailState::sent);
    CHECK(stored.attempts == 2);
    CHECK(stored.last_error.empty());
    f.clock.advance(100000);
    CHECK(f.deliver(settings).sent == 0);
    CHECK(sink.messages().size() == 1);
}

TEST_CASE("a recipient deferred with 451 at RCPT is retried") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.temp_fail_rcpt = 1;
    SmtpSink sink(options);
    const auto queued = f.queue();
    CHECK(f.deliver(settings_for(sink)).retried == 1);
    CHECK(f.read(queued).last_error.find("451") != std::string::npos);
    f.clock.advance(30);
    CHECK(f.deliver(settings_for(sink)).sent == 1);
    CHECK(sink.wait_for_messages(1, kWait).size() == 1);
}

TEST_CASE("a message the server refuses with 550 fails at once with the server's reply") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.reject_rcpt = true;
    SmtpSink sink(options);
    const auto queued = f.queue();
    CHECK(f.deliver(settings_for(sink)).failed == 1);
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::failed);
    CHECK(stored.attempts == 1);
    CHECK(stored.last_error.find("550") != std::string::npos);
    CHECK(stored.last_error.find("No such user here") != std::string::npos);
    f.clock.advance(100000);
    CHECK(f.deliver(settings_for(sink)).failed == 0);
    CHECK(sink.messages().empty());
}

TEST_CASE("a message still deferred after the last attempt fails with the reason") {
    SenderFixture f;
    f.policy.max_attempts = 2;
    SmtpSinkOptions options;
    options.temp_fail_data = 100;
    SmtpSink sink(options);
    const auto queued = f.queue();
    CHECK(f.deliver(settings_for(sink)).retried == 1);
    f.clock.advance(30);
    CHECK(f.deliver(settings_for(sink)).failed == 1);
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::failed);
    CHECK(stored.attempts == 2);
    CHECK(stored.last_error.starts_with("Gave up after 2 attempts: 451"));
}

TEST_CASE("a server that cannot be reached defers the message") {
    SenderFixture f;
    int closed_port = 0;
    {
        SmtpSink gone;
        closed_port = gone.port();
    }
    service::SmtpSettings settings;
    settings.url = "smtp://127.0.0.1:" + std::to_string(closed_port);
    settings.from = "noreply@gatehouse.example";
    auto parsed = service::parse_smtp_settings(settings);
    REQUIRE(parsed);
    const auto queued = f.queue();
    CHECK(f.deliver(*parsed).retried == 1);
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::queued);
    CHECK_FALSE(stored.last_error.empty());
}

TEST_CASE("a message whose sender died mid-attempt is sent once its claim lapses") {
    SenderFixture f;
    SmtpSink sink;
    const auto queued = f.queue();
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.claim_due_outbound_mail(kNow, f.policy.lease.count(), 1).size() == 1);
        return {};
    }));
    CHECK(f.deliver(settings_for(sink)).sent == 0);
    f.clock.advance(f.policy.lease.count());
    CHECK(f.deliver(settings_for(sink)).sent == 1);
    CHECK(sink.wait_for_messages(1, kWait)[0].header("Message-ID") == queued.message_id);
    CHECK(f.read(queued).attempts == 2);
}

TEST_CASE("the sender authenticates with the user and password of the URL") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.user = "mailer";
    options.password = "s3cret:@/";
    SmtpSink sink(options);
    service::SmtpSettings settings;
    settings.url = "smtp://mailer:s3cret%3A%40%2F@127.0.0.1:" + std::to_string(sink.port());
    settings.from = "noreply@gatehouse.example";
    auto parsed = service::parse_smtp_settings(settings);
    REQUIRE(parsed);
    CHECK(parsed->user == "mailer");
    CHECK(parsed->password == "s3cret:@/");
    CHECK(parsed->url.find("s3cret") == std::string::npos);
    (void)f.queue();
    CHECK(f.deliver(*parsed).sent == 1);
    CHECK(sink.wait_for_messages(1, kWait)[0].envelope["user"] == "mailer");
}

TEST_CASE("a wrong SMTP password defers the message with the server's reply") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.user = "mailer";
    options.password = "right";
    SmtpSink sink(options);
    auto settings = settings_for(sink);
    settings.user = "mailer";
    settings.password = "wrong";
    const auto queued = f.queue();
    CHECK(f.deliver(settings).retried == 1);
    CHECK(f.read(queued).last_error.find("535") != std::string::npos);
    CHECK(sink.messages().empty());
}

TEST_CASE("a server that requires AUTH refuses a sender without credentials") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.user = "mailer";
    options.password = "right";
    SmtpSink sink(options);
    const auto queued = f.queue();
    (void)f.deliver(settings_for(sink));
    CHECK(f.read(queued).state != core::MailState::sent);
    CHECK(sink.messages().empty());
}

TEST_CASE("the sender upgrades with STARTTLS and verifies the server against the CA file") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.starttls = true;
    SmtpSink sink(options);
    auto settings = settings_for(sink);
    settings.ca_file = sink.ca_file();
    settings.require_starttls = true;
    (void)f.queue();
    CHECK(f.deliver(settings).sent == 1);
    CHECK(sink.wait_for_messages(1, kWait)[0].envelope["secure"] == true);
}

TEST_CASE("the sender refuses a STARTTLS server whose certificate another CA signed") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.starttls = true;
    SmtpSink sink(options);
    testing::TestCa other;
    auto settings = settings_for(sink);
    settings.ca_file = other.ca_file();
    const auto queued = f.queue();
    CHECK(f.deliver(settings).retried == 1);
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::queued);
    CHECK_FALSE(stored.last_error.empty());
    CHECK(sink.messages().empty());
}

TEST_CASE("the sender does not send in plain text when STARTTLS is required and not offered") {
    SenderFixture f;
    SmtpSink sink;
    auto settings = settings_for(sink);
    settings.require_starttls = true;
    const auto queued = f.queue();
    CHECK(f.deliver(settings).retried == 1);
    CHECK(f.read(queued).state == core::MailState::queued);
    CHECK(sink.messages().empty());
}

TEST_CASE("the sender speaks TLS from the first byte to an smtps:// server") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.implicit_tls = true;
    SmtpSink sink(options);
    auto settings = settings_for(sink);
    settings.ca_file = sink.ca_file();
    (void)f.queue();
    CHECK(f.deliver(settings).sent == 1);
    CHECK(sink.wait_for_messages(1, kWait)[0].envelope["secure"] == true);
}

TEST_CASE("the background sender delivers what is queued") {
    SenderFixture f;
    SmtpSink sink;
    util::SystemClock clock;
    f.clock.set(clock.now());
    service::MailSender sender(*f.db, clock, settings_for(sink), f.policy,
                               std::chrono::milliseconds(100));
    const auto queued = f.queue();
    const auto received = sink.wait_for_messages(1, kWait);
    CHECK(received[0].header("Message-ID") == queued.message_id);
}

TEST_CASE("the background sender stops promptly in the middle of an attempt") {
    SenderFixture f;
    SmtpSinkOptions options;
    options.stall = true;
    SmtpSink sink(options);
    util::SystemClock clock;
    f.clock.set(clock.now());
    const auto queued = f.queue();
    auto settings = settings_for(sink);
    settings.timeout = std::chrono::seconds(60);
    service::MailSender sender(*f.db, clock, settings, f.policy, std::chrono::milliseconds(100));
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (f.read(queued).state != core::MailState::sending &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(f.read(queued).state == core::MailState::sending);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto started = std::chrono::steady_clock::now();
    sender.stop();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    // Cut short by the stop, not by the server: due again at once, for the next process.
    const auto stored = f.read(queued);
    CHECK(stored.state == core::MailState::queued);
    CHECK(stored.next_attempt_at <= clock.now());
}
