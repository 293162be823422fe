// Store maintenance: Transaction::purge_due deletes every kind of row that nothing needs any
// more, in bounded batches and never a live row; cap_pending_authn_requests caps an org's
// pending requests.
#include <string>

#include "store_fixture.hpp"
#include "table_rows.hpp"

using namespace gatehouse;
using gatehouse::testing::count_rows;
using gatehouse::testing::StoreFixture;

namespace {

constexpr util::UnixTime kNow = 1'000'000'000;
constexpr std::int64_t kDay = 24 * 3600;
constexpr std::int64_t kNoLimit = 1'000'000;

struct MaintenanceFixture : StoreFixture {
    core::Org acme = make_org("acme");
    core::Org globex = make_org("globex");

    std::int64_t rows(const std::string& table, core::RowId org_id) {
        return count_rows(path, table, "org_id = " + std::to_string(org_id));
    }

    store::PurgeCounts purge(util::UnixTime now, std::int64_t limit = kNoLimit) {
        store::PurgeCounts purged;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            purged = tx.purge_due(now, limit);
            return {};
        }));
        return purged;
    }

    void write(const std::function<void(store::Transaction&)>& work) {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            work(tx);
            return {};
        }));
    }

    void add_session(const core::Member& member, const std::string& hash,
                     util::UnixTime expires_at) {
        core::Session session;
        session.org_id = member.org_id;
        session.member_id = member.id;
        session.expires_at = expires_at;
        write([&](store::Transaction& tx) { REQUIRE(tx.insert_session(session, hash).ok()); });
    }

    void add_audit(const core::Org& org, util::UnixTime at) {
        core::AuditEntry entry;
        entry.org_id = org.id;
        entry.at = at;
        entry.actor = "cli";
        entry.action = "org.update";
        entry.outcome = "success";
        write([&](store::Transaction& tx) { REQUIRE(tx.append_audit(entry).ok()); });
    }

    void set_retention(core::Org& org, int days) {
        org.audit_retention_days = days;
        write([&](store::Transaction& tx) { REQUIRE(tx.update_org(org).ok()); });
    }

    void add_pending(const core::Org& org, const std::string& id, util::UnixTime expires_at,
                     const std::string& relay = "/organizations/acme/") {
        write([&](store::Transaction& tx) {
            REQUIRE(tx.insert_authn_request(org.id, id, relay, expires_at).ok());
        });
    }

    bool pending(const core::Org& org, const std::string& id) {
        return count_rows(
                   path, "authn_requests",
                   "org_id = " + std::to_string(org.id) + " AND request_id = '" + id + "'") == 1;
    }
};

}  // namespace

TEST_CASE("purge_due deletes expired sessions and keeps live ones, in every org") {
    MaintenanceFixture f;
    const auto ada = f.make_member(f.acme.id, "ada");
    const auto gil = f.make_member(f.globex.id, "gil");
    f.add_session(ada, "ada-old", kNow - 1);
    f.add_session(ada, "ada-now", kNow);
    f.add_session(ada, "ada-live", kNow + 1);
    f.add_session(gil, "gil-old", kNow - 1);
    f.add_session(gil, "gil-live", kNow + 3600);

    const auto purged = f.purge(kNow);
    CHECK(purged.sessions == 3);
    CHECK(purged.total() == 3);
    CHECK(f.rows("sessions", f.acme.id) == 1);
    CHECK(f.rows("sessions", f.globex.id) == 1);
    f.write([&](store::Transaction& tx) {
        CHECK(tx.session_by_hash("ada-live").has_value());
        CHECK(tx.session_by_hash("gil-live").has_value());
    });
}

TEST_CASE(
    "purge_due deletes expired pending requests, test sign-ins among them, and keeps "
    "pending ones") {
    MaintenanceFixture f;
    f.add_pending(f.acme, "_expired", kNow - 10);
    f.add_pending(f.acme, "_test-expired", kNow, "test:member:7");
    f.add_pending(f.acme, "_pending", kNow + 600);
    f.add_pending(f.globex, "_other-expired", kNow - 10);
    f.add_pending(f.globex, "_other-pending", kNow + 600);

    const auto purged = f.purge(kNow);
    CHECK(purged.authn_requests == 3);
    CHECK(purged.total() == 3);
    CHECK(f.pending(f.acme, "_pending"));
    CHECK(f.pending(f.globex, "_other-pending"));
    CHECK(f.rows("authn_requests", f.acme.id) == 1);
    CHECK(f.rows("authn_requests", f.globex.id) == 1);
}

TEST_CASE("purge_due deletes expired assertion replay entries and keeps live ones") {
    MaintenanceFixture f;
    f.write([&](store::Transaction& tx) {
        REQUIRE(tx.remember_assertion(f.acme.id, "_old", kNow - 1).ok());
        REQUIRE(tx.remember_assertion(f.acme.id, "_live", kNow + 300).ok());
        REQUIRE(tx.remember_assertion(f.globex.id, "_old", kNow).ok());
    });
    const auto purged = f.purge(kNow);
    CHECK(purged.seen_assertions == 2);
    CHECK(purged.total() == 2);
    f.write([&](store::Transaction& tx) { CHECK(tx.assertion_seen(f.acme.id, "_live", kNow)); });
    CHECK(f.rows("seen_assertions", f.acme.id) == 1);
    CHECK(f.rows("seen_assertions", f.globex.id) == 0);
}

TEST_CASE("purge_due deletes expired LogoutRequest replay entries and keeps live ones") {
    MaintenanceFixture f;
    f.write([&](store::Transaction& tx) {
        REQUIRE(tx.remember_logout_request(f.acme.id, "_old", kNow - 1).ok());
        REQUIRE(tx.remember_logout_request(f.acme.id, "_live", kNow + 300).ok());
        REQUIRE(tx.remember_logout_request(f.globex.id, "_live", kNow + 300).ok());
    });
    const auto purged = f.purge(kNow);
    CHECK(purged.seen_logout_requests == 1);
    CHECK(purged.total() == 1);
    f.write([&](store::Transaction& tx) {
        CHECK(tx.logout_request_seen(f.acme.id, "_live", kNow));
        CHECK(tx.logout_request_seen(f.globex.id, "_live", kNow));
    });
    CHECK(f.rows("seen_logout_requests", f.acme.id) == 1);
}

TEST_CASE("purge_due deletes sign-in throttle rows a day after their window opened, not before") {
    MaintenanceFixture f;
    constexpr std::int64_t kWindow = 15 * 60;
    f.write([&](store::Transaction& tx) {
        (void)tx.record_sign_in_failure(f.acme.id, "account:old@example.com", kNow - kDay, kWindow);
        (void)tx.record_sign_in_failure(f.acme.id, "account:recent@example.com", kNow - kDay + 1,
                                        kWindow);
        (void)tx.record_sign_in_failure(f.globex.id, "address:192.0.2.1", kNow - 2 * kDay, kWindow);
        (void)tx.record_sign_in_failure(f.globex.id, "address:192.0.2.2", kNow, kWindow);
    });
    const auto purged = f.purge(kNow);
    CHECK(purged.sign_in_throttle == 2);
    CHECK(purged.total() == 2);
    CHECK(count_rows(f.path, "sign_in_throttle", "subject = 'account:recent@example.com'") == 1);
    CHECK(count_rows(f.path, "sign_in_throttle", "subject = 'address:192.0.2.2'") == 1);
    CHECK(count_rows(f.path, "sign_in_throttle") == 2);
}

TEST_CASE("purge_due deletes audit entries older than each org's own retention") {
    MaintenanceFixture f;
    f.set_retention(f.globex, 30);
    // acme keeps the default 400 days.
    f.add_audit(f.acme, kNow - 401 * kDay);
    f.add_audit(f.acme, kNow - 400 * kDay);  // exactly at the limit: kept
    f.add_audit(f.acme, kNow - 31 * kDay);
    f.add_audit(f.globex, kNow - 401 * kDay);
    f.add_audit(f.globex, kNow - 31 * kDay);
    f.add_audit(f.globex, kNow - 29 * kDay);

    const auto purged = f.purge(kNow);
    CHECK(purged.audit_entries == 3);
    CHECK(purged.total() == 3);
    CHECK(f.rows("audit_log", f.acme.id) == 2);
    CHECK(f.rows("audit_log", f.globex.id) == 1);
    CHECK(count_rows(f.path, "audit_log", "at < " + std::to_string(kNow - 400 * kDay)) == 0);
}

TEST_CASE("purge_due keeps the whole audit log of an org whose retention is not positive") {
    MaintenanceFixture f;
    f.set_retention(f.acme, 0);
    f.set_retention(f.globex, -5);
    f.add_audit(f.acme, kNow - 5000 * kDay);
    f.add_audit(f.globex, kNow - 5000 * kDay);
    CHECK(f.purge(kNow).audit_entries == 0);
    CHECK(count_rows(f.path, "audit_log") == 2);
}

TEST_CASE("purge_due reports each kind in its own count") {
    MaintenanceFixture f;
    const auto ada = f.make_member(f.acme.id, "ada");
    f.add_session(ada, "s", kNow - 1);
    f.add_pending(f.acme, "_r1", kNow - 1);
    f.add_pending(f.acme, "_r2", kNow - 1);
    f.write([&](store::Transaction& tx) {
        REQUIRE(tx.remember_assertion(f.acme.id, "_a1", kNow - 1).ok());
        REQUIRE(tx.remember_assertion(f.acme.id, "_a2", kNow - 1).ok());
        REQUIRE(tx.remember_assertion(f.acme.id, "_a3", kNow - 1).ok());
        REQUIRE(tx.remember_logout_request(f.acme.id, "_l1", kNow - 1).ok());
        (void)tx.record_sign_in_failure(f.acme.id, "account:a@example.com", kNow - 2 * kDay, 900);
    });
    f.add_audit(f.acme, kNow - 500 * kDay);
    f.add_audit(f.acme, kNow - 500 * kDay);

    const auto purged = f.purge(kNow);
    CHECK(purged.sessions == 1);
    CHECK(purged.authn_requests == 2);
    CHECK(purged.seen_assertions == 3);
    CHECK(purged.seen_logout_requests == 1);
    CHECK(purged.sign_in_throttle == 1);
    CHECK(purged.audit_entries == 2);
    CHECK(purged.total() == 10);
    CHECK(f.purge(kNow).total() == 0);
}

TEST_CASE("purge_due deletes no more than its limit per call, and repeated calls finish the job") {
    MaintenanceFixture f;
    const auto ada = f.make_member(f.acme.id, "ada");
    f.write([&](store::Transaction& tx) {
        for (int i = 0; i < 7; ++i) {
            core::Session session;
            session.org_id = ada.org_id;
            session.member_id = ada.id;
            session.expires_at = kNow - 1;
            REQUIRE(tx.insert_session(session, "s" + std::to_string(i)).ok());
        }
        for (int i = 0; i < 9; ++i) {
            REQUIRE(
                tx.insert_authn_request(f.acme.id, "_r" + std::to_string(i), "", kNow - 1).ok());
            REQUIRE(tx.remember_assertion(f.globex.id, "_a" + std::to_string(i), kNow - 1).ok());
        }
    });
    for (int i = 0; i < 4; ++i) f.add_audit(f.globex, kNow - 500 * kDay);

    // 29 rows in batches of 10: the kinds are taken in order, each batch continuing where
    // the last one stopped.
    const auto first = f.purge(kNow, 10);
    CHECK(first.total() == 10);
    CHECK(first.sessions == 7);
    CHECK(first.authn_requests == 3);
    const auto second = f.purge(kNow, 10);
    CHECK(second.total() == 10);
    CHECK(second.authn_requests == 6);
    CHECK(second.seen_assertions == 4);
    const auto third = f.purge(kNow, 10);
    CHECK(third.seen_assertions == 5);
    CHECK(third.audit_entries == 4);
    CHECK(third.total() == 9);  // below the limit: nothing due is left
    CHECK(f.purge(kNow, 10).total() == 0);
    CHECK(count_rows(f.path, "sessions") == 0);
    CHECK(count_rows(f.path, "authn_requests") == 0);
    CHECK(count_rows(f.path, "seen_assertions") == 0);
    CHECK(count_rows(f.path, "audit_log") == 0);
}

TEST_CASE("purge_due with a limit of zero deletes nothing") {
    MaintenanceFixture f;
    f.add_pending(f.acme, "_r", kNow - 1);
    CHECK(f.purge(kNow, 0).total() == 0);
    CHECK(f.rows("authn_requests", f.acme.id) == 1);
}

TEST_CASE("purge_expired also deletes expired LogoutRequest replay entries") {
    MaintenanceFixture f;
    f.write([&](store::Transaction& tx) {
        REQUIRE(tx.remember_logout_request(f.acme.id, "_old", kNow - 1).ok());
        REQUIRE(tx.remember_logout_request(f.acme.id, "_live", kNow + 1).ok());
        CHECK(tx.purge_expired(kNow) == 1);
    });
    CHECK(f.rows("seen_logout_requests", f.acme.id) == 1);
}

TEST_CASE("cap_pending_authn_requests keeps the org's newest requests and drops the oldest") {
    MaintenanceFixture f;
    for (int i = 0; i < 5; ++i) f.add_pending(f.acme, "_r" + std::to_string(i), kNow + i);
    std::int64_t dropped = 0;
    f.write([&](store::Transaction& tx) { dropped = tx.cap_pending_authn_requests(f.acme.id, 3); });
    CHECK(dropped == 2);
    CHECK_FALSE(f.pending(f.acme, "_r0"));
    CHECK_FALSE(f.pending(f.acme, "_r1"));
    CHECK(f.pending(f.acme, "_r2"));
    CHECK(f.pending(f.acme, "_r3"));
    CHECK(f.pending(f.acme, "_r4"));
}

TEST_CASE("cap_pending_authn_requests leaves another org's requests alone") {
    MaintenanceFixture f;
    for (int i = 0; i < 4; ++i) {
        f.add_pending(f.globex, "_g" + std::to_string(i), kNow + i);  // older than acme's
        f.add_pending(f.acme, "_a" + std::to_string(i), kNow + 10 + i);
    }
    f.write(
        [&](store::Transaction& tx) { CHECK(tx.cap_pending_authn_requests(f.acme.id, 1) == 3); });
    CHECK(f.rows("authn_requests", f.acme.id) == 1);
    CHECK(f.pending(f.acme, "_a3"));
    CHECK(f.rows("authn_requests", f.globex.id) == 4);
}

TEST_CASE("cap_pending_authn_requests deletes nothing while the org is within its cap") {
    MaintenanceFixture f;
    for (int i = 0; i < 3; ++i) f.add_pending(f.acme, "_r" + std::to_string(i), kNow + i);
    f.write([&](store::Transaction& tx) {
        CHECK(tx.cap_pending_authn_requests(f.acme.id, 3) == 0);
        CHECK(tx.cap_pending_authn_requests(f.acme.id, 10) == 0);
        CHECK(tx.cap_pending_authn_requests(f.globex.id, 0) == 0);  // nothing pending at all
    });
    CHECK(f.rows("authn_requests", f.acme.id) == 3);
}

TEST_CASE(
    "cap_pending_authn_requests trims once per second of expiry, for the first request "
    "of that second") {
    MaintenanceFixture f;
    for (int i = 0; i < 5; ++i) f.add_pending(f.acme, "_r" + std::to_string(i), kNow + i);
    // A second request expiring in the newest second: the first one's call trimmed already.
    f.add_pending(f.acme, "_same-second", kNow + 4);
    f.write(
        [&](store::Transaction& tx) { CHECK(tx.cap_pending_authn_requests(f.acme.id, 3) == 0); });
    CHECK(f.rows("authn_requests", f.acme.id) == 6);

    f.add_pending(f.acme, "_next-second", kNow + 5);
    f.write(
        [&](store::Transaction& tx) { CHECK(tx.cap_pending_authn_requests(f.acme.id, 3) == 4); });
    CHECK(f.rows("authn_requests", f.acme.id) == 3);
    CHECK(f.pending(f.acme, "_next-second"));
    CHECK(f.pending(f.acme, "_same-second"));
    CHECK(f.pending(f.acme, "_r4"));
}

TEST_CASE("cap_pending_authn_requests with a cap of zero or less keeps no request") {
    MaintenanceFixture f;
    f.add_pending(f.acme, "_r", kNow + 1);
    f.add_pending(f.globex, "_g", kNow + 1);
    f.write(
        [&](store::Transaction& tx) { CHECK(tx.cap_pending_authn_requests(f.acme.id, -1) == 1); });
    CHECK(f.rows("authn_requests", f.acme.id) == 0);
    CHECK(f.rows("authn_requests", f.globex.id) == 1);
}

TEST_CASE("claim_job gives a job to one taker until its hold ends, then to the next") {
    MaintenanceFixture f;
    auto claim = [&](const std::string& name, util::UnixTime now, util::UnixTime until) {
        bool claimed = false;
        f.write([&](store::Transaction& tx) { claimed = tx.claim_job(name, now, until); });
        return claimed;
    };
    CHECK(claim("maintenance.purge", kNow, kNow + 300));
    // Held until kNow + 300: nobody else gets it before, and the hold is not moved.
    CHECK_FALSE(claim("maintenance.purge", kNow, kNow + 600));
    CHECK_FALSE(claim("maintenance.purge", kNow + 299, kNow + 599));
    // Another job is independent.
    CHECK(claim("saml.metadata.refresh:1", kNow, kNow + 60));
    // At the end of the hold the next taker gets it, with its own hold.
    CHECK(claim("maintenance.purge", kNow + 300, kNow + 400));
    CHECK_FALSE(claim("maintenance.purge", kNow + 399, kNow + 700));
    CHECK(claim("maintenance.purge", kNow + 401, kNow + 401));
    CHECK(claim("maintenance.purge", kNow + 401, kNow + 500));
}

TEST_CASE("claim_job is undone with the transaction that made it") {
    MaintenanceFixture f;
    const Status failed = f.db->write([&](store::Transaction& tx) -> Status {
        CHECK(tx.claim_job("maintenance.purge", kNow, kNow + 300));
        return fail(store::kConflict, "changed my mind");
    });
    CHECK_FALSE(failed.ok());
    bool claimed = false;
    f.write([&](store::Transaction& tx) {
        claimed = tx.claim_job("maintenance.purge", kNow + 1, kNow + 300);
    });
    CHECK(claimed);
}
