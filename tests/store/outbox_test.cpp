// The outbox of mail in the store: messages kept per org, claimed with a lease by one sender
// at a time, rescheduled, failed, and sent, always with the Message-ID they were queued with.
#include "gatehouse/core/names.hpp"
#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

constexpr util::UnixTime kStart = 1'800'000'000;
constexpr std::int64_t kLease = 300;

struct OutboxFixture : StoreFixture {
    core::Org acme = make_org("acme");
    core::Org globex = make_org("globex");
    int queued = 0;

    core::OutboundMail queue(const core::Org& org, util::UnixTime due = kStart) {
        core::OutboundMail m;
        m.org_id = org.id;
        m.kind = "test";
        m.to = "ada@example.com";
        m.subject = "Hello " + std::to_string(++queued);
        m.text_body = "text";
        m.html_body = "<p>html</p>";
        m.message_id = "<m" + std::to_string(queued) + "." + org.slug + "@gatehouse>";
        m.next_attempt_at = due;
        m.created_at = kStart;
        core::OutboundMail stored;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_outbound_mail(m);
            if (!inserted) return inserted.error();
            stored = *inserted;
            return {};
        }));
        return stored;
    }

    std::vector<core::OutboundMail> claim(util::UnixTime now, std::int64_t limit = 10) {
        std::vector<core::OutboundMail> claimed;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            claimed = tx.claim_due_outbound_mail(now, kLease, limit);
            return {};
        }));
        return claimed;
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

    Status settle(const std::function<Status(store::Transaction&)>& work) {
        return db->write(work);
    }
};

}  // namespace

TEST_CASE("a queued message is stored as given and read back whole") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    CHECK(m.id > 0);
    const auto read = f.read(m);
    CHECK(read.org_id == f.acme.id);
    CHECK(read.kind == "test");
    CHECK(read.to == "ada@example.com");
    CHECK(read.subject == "Hello 1");
    CHECK(read.text_body == "text");
    CHECK(read.html_body == "<p>html</p>");
    CHECK(read.message_id == m.message_id);
    CHECK(read.state == core::MailState::queued);
    CHECK(read.attempts == 0);
    CHECK(read.next_attempt_at == kStart);
    CHECK(read.created_at == kStart);
    CHECK_FALSE(read.sent_at);
}

TEST_CASE("the outbox refuses a second message with the same Message-ID") {
    OutboxFixture f;
    auto m = f.queue(f.acme);
    m.id = 0;
    const Status again = f.db->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_outbound_mail(m);
        if (!inserted) return inserted.error();
        return {};
    });
    REQUIRE_FALSE(again);
    CHECK(again.error().code == store::kConflict);
}

TEST_CASE("an org's outbox lists its own messages only, newest first, in pages") {
    OutboxFixture f;
    const auto first = f.queue(f.acme);
    (void)f.queue(f.globex);
    const auto third = f.queue(f.acme);
    store::PageOf<core::OutboundMail> acme_page, all, second_page;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        acme_page = tx.list_outbound_mail(f.acme.id, {});
        all = tx.list_all_outbound_mail(std::nullopt, std::nullopt, {});
        second_page = tx.list_outbound_mail(f.acme.id, {1, 1});
        return {};
    }));
    CHECK(acme_page.total == 2);
    REQUIRE(acme_page.items.size() == 2);
    CHECK(acme_page.items[0].id == third.id);
    CHECK(acme_page.items[1].id == first.id);
    CHECK(all.total == 3);
    CHECK(all.items.size() == 3);
    CHECK(second_page.total == 2);
    REQUIRE(second_page.items.size() == 1);
    CHECK(second_page.items[0].id == first.id);
}

TEST_CASE("the whole outbox can be listed by org and by state") {
    OutboxFixture f;
    const auto a = f.queue(f.acme);
    const auto b = f.queue(f.globex);
    REQUIRE(f.claim(kStart, 1).size() == 1);  // a, the oldest
    store::PageOf<core::OutboundMail> sending, queued_globex, queued_acme;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        sending = tx.list_all_outbound_mail(std::nullopt, core::MailState::sending, {});
        queued_globex = tx.list_all_outbound_mail(f.globex.id, core::MailState::queued, {});
        queued_acme = tx.list_all_outbound_mail(f.acme.id, core::MailState::queued, {});
        return {};
    }));
    REQUIRE(sending.items.size() == 1);
    CHECK(sending.items[0].id == a.id);
    REQUIRE(queued_globex.items.size() == 1);
    CHECK(queued_globex.items[0].id == b.id);
    CHECK(queued_acme.total == 0);
}

TEST_CASE("a message of another org is not found by id") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    std::optional<core::OutboundMail> found;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        found = tx.outbound_mail_by_id(f.globex.id, m.id);
        return {};
    }));
    CHECK_FALSE(found);
}

TEST_CASE("claiming takes the due messages of every org, oldest first, with a lease") {
    OutboxFixture f;
    const auto a = f.queue(f.acme);
    const auto later = f.queue(f.acme, kStart + 60);
    const auto b = f.queue(f.globex);
    const auto claimed = f.claim(kStart);
    REQUIRE(claimed.size() == 2);
    CHECK(claimed[0].id == a.id);
    CHECK(claimed[1].id == b.id);
    for (const auto& m : claimed) {
        CHECK(m.state == core::MailState::sending);
        CHECK(m.attempts == 1);
        CHECK(m.next_attempt_at == kStart + kLease);
    }
    CHECK(f.read(later).state == core::MailState::queued);
}

TEST_CASE("a claimed message is not claimed again while its lease holds") {
    OutboxFixture f;
    (void)f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    CHECK(f.claim(kStart).empty());
    CHECK(f.claim(kStart + kLease - 1).empty());
}

TEST_CASE("a claim whose sender died is claimed again once the lease lapses") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    const auto again = f.claim(kStart + kLease);
    REQUIRE(again.size() == 1);
    CHECK(again[0].id == m.id);
    CHECK(again[0].attempts == 2);
    CHECK(again[0].message_id == m.message_id);
}

TEST_CASE("claiming stops at the limit") {
    OutboxFixture f;
    (void)f.queue(f.acme);
    (void)f.queue(f.acme);
    (void)f.queue(f.acme);
    CHECK(f.claim(kStart, 2).size() == 2);
    CHECK(f.claim(kStart, 2).size() == 1);
}

TEST_CASE("a retried message waits until its next attempt and keeps its Message-ID and error") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    const auto claimed = f.claim(kStart);
    REQUIRE(claimed.size() == 1);
    REQUIRE(f.settle([&](store::Transaction& tx) {
        return tx.retry_outbound_mail(m.org_id, m.id, 1, kStart + 30, "451 try later");
    }));
    const auto read = f.read(m);
    CHECK(read.state == core::MailState::queued);
    CHECK(read.attempts == 1);
    CHECK(read.next_attempt_at == kStart + 30);
    CHECK(read.last_error == "451 try later");
    CHECK(f.claim(kStart + 29).empty());
    const auto second = f.claim(kStart + 30);
    REQUIRE(second.size() == 1);
    CHECK(second[0].attempts == 2);
    CHECK(second[0].message_id == m.message_id);
}

TEST_CASE("a failed message keeps its reason and is never claimed again") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    REQUIRE(f.settle([&](store::Transaction& tx) {
        return tx.fail_outbound_mail(m.org_id, m.id, 1, "550 no such user");
    }));
    const auto read = f.read(m);
    CHECK(read.state == core::MailState::failed);
    CHECK(read.last_error == "550 no such user");
    CHECK(f.claim(kStart + 100000).empty());
}

TEST_CASE("a sent message records when, clears its error and is never claimed again") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    REQUIRE(f.settle([&](store::Transaction& tx) {
        return tx.retry_outbound_mail(m.org_id, m.id, 1, kStart, "451 busy");
    }));
    REQUIRE(f.claim(kStart).size() == 1);
    REQUIRE(f.settle([&](store::Transaction& tx) {
        return tx.mark_outbound_mail_sent(m.org_id, m.id, kStart + 5);
    }));
    const auto read = f.read(m);
    CHECK(read.state == core::MailState::sent);
    CHECK(read.sent_at == kStart + 5);
    CHECK(read.last_error.empty());
    CHECK(read.attempts == 2);
    CHECK(f.claim(kStart + 100000).empty());
}

TEST_CASE("a sender whose lease lapsed cannot reschedule the newer claim") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    REQUIRE(f.claim(kStart + kLease).size() == 1);
    const Status stale = f.settle([&](store::Transaction& tx) {
        return tx.retry_outbound_mail(m.org_id, m.id, 1, kStart + 10000, "timeout");
    });
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == store::kNotFound);
    const Status stale_fail = f.settle(
        [&](store::Transaction& tx) { return tx.fail_outbound_mail(m.org_id, m.id, 1, "x"); });
    CHECK_FALSE(stale_fail);
    const auto read = f.read(m);
    CHECK(read.state == core::MailState::sending);
    CHECK(read.attempts == 2);
}

TEST_CASE("a message of another org cannot be settled through the wrong org") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    CHECK_FALSE(f.settle([&](store::Transaction& tx) {
        return tx.mark_outbound_mail_sent(f.globex.id, m.id, kStart);
    }));
    CHECK_FALSE(f.settle(
        [&](store::Transaction& tx) { return tx.fail_outbound_mail(f.globex.id, m.id, 1, "x"); }));
    CHECK(f.read(m).state == core::MailState::sending);
}

TEST_CASE("a sent message cannot be marked sent again") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    REQUIRE(f.claim(kStart).size() == 1);
    REQUIRE(f.settle([&](store::Transaction& tx) {
        return tx.mark_outbound_mail_sent(m.org_id, m.id, kStart);
    }));
    const Status again = f.settle([&](store::Transaction& tx) {
        return tx.mark_outbound_mail_sent(m.org_id, m.id, kStart + 1);
    });
    REQUIRE_FALSE(again);
    CHECK(again.error().code == store::kNotFound);
    CHECK(f.read(m).sent_at == kStart);
}

TEST_CASE("the outbox survives reopening the store") {
    OutboxFixture f;
    const auto m = f.queue(f.acme);
    f.db.reset();
    f.db = f.open();
    const auto read = f.read(m);
    CHECK(read.message_id == m.message_id);
    CHECK(read.state == core::MailState::queued);
}

TEST_CASE("mail states have stable names") {
    for (auto state : {core::MailState::queued, core::MailState::sending, core::MailState::sent,
                       core::MailState::failed}) {
        CHECK(core::parse_mail_state(core::to_string(state)) == state);
    }
    CHECK(core::to_string(core::MailState::sending) == "sending");
    CHECK_FALSE(core::parse_mail_state("Sent"));
}
