// Queueing mail: addresses checked, templates rendered with values escaped for HTML and
// cleaned for the subject and text, and the message stored with the transaction that
// queued it, under a Message-ID of its own.
#include "gatehouse/service/mail_outbox.hpp"

#include <doctest/doctest.h>

#include "../store/store_fixture.hpp"

using namespace gatehouse;

namespace {

constexpr util::UnixTime kNow = 1'900'000'000;

struct MailFixture : testing::StoreFixture {
    core::Org acme = make_org("acme");
    util::FixedClock clock{kNow};

    service::MailDraft test_draft(const std::string& org_name = "Acme") {
        return service::MailDraft{"test", "ada@example.com", "test",
                                  nlohmann::json{{"org_name", org_name}}};
    }

    Result<core::OutboundMail> queue(const service::MailDraft& draft) {
        std::optional<Result<core::OutboundMail>> queued;
        const Status written = db->write([&](store::Transaction& tx) -> Status {
            queued.emplace(service::queue_mail(tx, clock, acme, draft));
            if (!*queued) return queued->error();
            return {};
        });
        if (!written && !queued) return written.error();
        return std::move(*queued);
    }

    std::int64_t outbox_size() {
        std::int64_t total = 0;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            total = tx.list_outbound_mail(acme.id, {}).total;
            return {};
        }));
        return total;
    }
};

}  // namespace

TEST_CASE("queue_mail stores the rendered test message, queued for now") {
    MailFixture f;
    auto queued = f.queue(f.test_draft());
    REQUIRE(queued);
    CHECK(queued->id > 0);
    CHECK(queued->org_id == f.acme.id);
    CHECK(queued->kind == "test");
    CHECK(queued->to == "ada@example.com");
    CHECK(queued->subject == "Test message from Gatehouse for Acme");
    CHECK(queued->text_body.find("This is a test message from Gatehouse for Acme.") !=
          std::string::npos);
    CHECK(queued->html_body.find("<strong>Acme</strong>") != std::string::npos);
    CHECK(queued->state == core::MailState::queued);
    CHECK(queued->attempts == 0);
    CHECK(queued->created_at == kNow);
    CHECK(queued->next_attempt_at == kNow);
    CHECK(f.outbox_size() == 1);
}

TEST_CASE("queue_mail gives each message its own Message-ID in angle brackets") {
    MailFixture f;
    auto first = f.queue(f.test_draft());
    auto second = f.queue(f.test_draft());
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->message_id.front() == '<');
    CHECK(first->message_id.back() == '>');
    CHECK(first->message_id.find('@') != std::string::npos);
    CHECK(first->message_id != second->message_id);
}

TEST_CASE("a message queued in a transaction that rolls back is not in the outbox") {
    MailFixture f;
    const Status rolled_back = f.db->write([&](store::Transaction& tx) -> Status {
        auto queued = service::queue_mail(tx, f.clock, f.acme, f.test_draft());
        REQUIRE(queued);
        return fail("test.rollback", "The change that caused the message failed.");
    });
    CHECK_FALSE(rolled_back);
    CHECK(f.outbox_size() == 0);
}

TEST_CASE("queue_mail refuses addresses that are not one plain address") {
    MailFixture f;
    const std::vector<std::string> refused = {"",
                                              "ada",
                                              "ada@",
                                              "@example.com",
                                              "ada@@example.com",
                                              "ada@b@example.com",
                                              "ada@example.com\r\nBcc: eve@example.com",
                                              "ada@example.com\n",
                                              "Ada <ada@example.com>",
                                              "ada@example.com, eve@example.com",
                                              "ada smith@example.com",
                                              "ada@.example.com",
                                              "ada@example..com",
                                              "ada@example.com.",
                                              "\xc3\xa5"
                                              "da@example.com",
                                              std::string(65, 'a') + "@example.com",
                                              "a@" + std::string(260, 'b') + ".com"};
    for (const std::string& bad : refused) {
        auto draft = f.test_draft();
        draft.to = bad;
        auto queued = f.queue(draft);
        REQUIRE_FALSE(queued);
        CHECK_MESSAGE(queued.error().code == "mail.invalid_address", bad);
    }
    CHECK(f.outbox_size() == 0);
}

TEST_CASE("queue_mail accepts ordinary addresses") {
    for (const char* good : {"ada@example.com", "ada.lovelace+gatehouse@mail.example.co.uk",
                             "o'brien@example.org", "x@localhost"}) {
        CHECK_MESSAGE(service::is_valid_mail_address(good), good);
    }
}

TEST_CASE("queue_mail refuses a template that does not exist") {
    MailFixture f;
    auto draft = f.test_draft();
    draft.template_name = "no-such-template";
    auto queued = f.queue(draft);
    REQUIRE_FALSE(queued);
    CHECK(queued.error().code == "mail.unknown_template");
    draft.template_name = "../test";
    auto traversal = f.queue(draft);
    REQUIRE_FALSE(traversal);
    CHECK(traversal.error().code == "mail.unknown_template");
    CHECK(f.outbox_size() == 0);
}

TEST_CASE("queue_mail refuses values that are not an object of strings") {
    MailFixture f;
    auto draft = f.test_draft();
    draft.values = nlohmann::json{{"org_name", 42}};
    auto number = f.queue(draft);
    REQUIRE_FALSE(number);
    CHECK(number.error().code == "mail.invalid_values");
    draft.values = nlohmann::json::array({"Acme"});
    auto array = f.queue(draft);
    REQUIRE_FALSE(array);
    CHECK(array.error().code == "mail.invalid_values");
    CHECK(f.outbox_size() == 0);
}

TEST_CASE("a value is HTML-escaped in the HTML part and shown as written in the text part") {
    const std::string hostile = "<b>\"x\"</b>&";
    auto rendered = service::render_mail("test", nlohmann::json{{"org_name", hostile}});
    REQUIRE(rendered);
    CHECK(rendered->html_body.find(hostile) == std::string::npos);
    CHECK(rendered->html_body.find("&lt;b&gt;&quot;x&quot;&lt;&#x2F;b&gt;&amp;") !=
          std::string::npos);
    CHECK(rendered->text_body.find("Gatehouse for " + hostile + ".") != std::string::npos);
    CHECK(rendered->subject == "Test message from Gatehouse for " + hostile);
}

TEST_CASE("a line break in a subject value cannot add a header") {
    auto rendered = service::render_mail(
        "test", nlohmann::json{{"org_name", "Acme\r\nBcc: eve@example.com\nX-Evil: 1"}});
    REQUIRE(rendered);
    CHECK(rendered->subject.find('\r') == std::string::npos);
    CHECK(rendered->subject.find('\n') == std::string::npos);
    CHECK(rendered->subject ==
          "Test message from Gatehouse for Acme Bcc: eve@example.com X-Evil: 1");
}

TEST_CASE("control characters are dropped from the text part but line breaks are kept") {
    auto rendered =
        service::render_mail("test", nlohmann::json{{"org_name", "Ac\x1b[31mme\r\nline\x07two"}});
    REQUIRE(rendered);
    CHECK(rendered->text_body.find('\x1b') == std::string::npos);
    CHECK(rendered->text_body.find('\x07') == std::string::npos);
    CHECK(rendered->text_body.find('\r') == std::string::npos);
    CHECK(rendered->text_body.find("Ac[31mme\nlinetwo.") != std::string::npos);
    CHECK(rendered->html_body.find('\x1b') == std::string::npos);
}

TEST_CASE("a value that looks like a placeholder or a tag is shown as written") {
    auto rendered =
        service::render_mail("test", nlohmann::json{{"org_name", "{{org_name}} GhMailValue0E"}});
    REQUIRE(rendered);
    CHECK(rendered->text_body.find("Gatehouse for {{org_name}} GhMailValue0E.") !=
          std::string::npos);
}

TEST_CASE("an empty value renders as nothing") {
    auto rendered = service::render_mail("test", nlohmann::json{{"org_name", ""}});
    REQUIRE(rendered);
    CHECK(rendered->subject == "Test message from Gatehouse for");
    CHECK(rendered->text_body.find("Gatehouse for .") != std::string::npos);
}
