// What the PostgreSQL store promises beyond the shared store tests: the rules that hold
// across processes sharing one database (two Store objects stand for two processes), the
// schema created once, and transactions that commit whole or not at all.
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "store_fixture.hpp"
#include "table_rows.hpp"

using namespace gatehouse;
using gatehouse::testing::count_postgres_rows;
using gatehouse::testing::exec_postgres;
using gatehouse::testing::StoreFixture;

namespace {

#define GATEHOUSE_ONLY_ON_POSTGRES()                                                   \
    if (!::gatehouse::testing::testing_postgres()) {                                   \
        MESSAGE("runs with GATEHOUSE_TEST_STORE=postgresql (ctest store-postgresql)"); \
        return;                                                                        \
    }

Status insert_org(store::Transaction& tx, const std::string& slug) {
    core::Org org;
    org.slug = slug;
    org.name = slug;
    auto inserted = tx.insert_org(org);
    return inserted ? Status{} : Status{inserted.error()};
}

bool org_exists(store::Store& db, const std::string& slug) {
    bool found = false;
    REQUIRE(db.read([&](store::Transaction& tx) -> Status {
        found = tx.org_by_slug(slug).has_value();
        return {};
    }));
    return found;
}

}  // namespace

TEST_CASE("a pending AuthnRequest consumed through one process is gone for another") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    auto other = f.open();
    const auto acme = f.make_org("acme");
    const util::UnixTime now = 1'700'000'000;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.insert_authn_request(acme.id, "_req1", "/landing", now + 600);
    }));
    std::optional<std::string> consumed;
    REQUIRE(other->write([&](store::Transaction& tx) -> Status {
        consumed = tx.consume_authn_request(acme.id, "_req1", now);
        return {};
    }));
    CHECK(consumed == "/landing");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.authn_request_pending(acme.id, "_req1", now));
        CHECK_FALSE(tx.consume_authn_request(acme.id, "_req1", now).has_value());
        return {};
    }));
}

TEST_CASE("one userName inserted by two processes at once gives one member and one conflict") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    auto other = f.open();
    const auto acme = f.make_org("acme");
    constexpr int kRounds = 20;
    for (int round = 0; round < kRounds; ++round) {
        std::atomic<int> ready{0};
        Status results[2];
        auto insert = [&](store::Store& db, int which) {
            core::Member m;
            m.org_id = acme.id;
            // The two spellings differ in case only: they are one userName.
            m.user_name = (which == 0 ? "user-" : "USER-") + std::to_string(round);
            m.email = "user" + std::to_string(round) + "@example.com";
            ++ready;
            while (ready < 2) std::this_thread::yield();
            results[which] = db.write([&](store::Transaction& tx) -> Status {
                auto inserted = tx.insert_member(m);
                return inserted ? Status{} : Status{inserted.error()};
            });
        };
        std::thread first(insert, std::ref(*f.db), 0);
        std::thread second(insert, std::ref(*other), 1);
        first.join();
        second.join();
        CHECK(results[0].ok() != results[1].ok());
        const Status& lost = results[0].ok() ? results[1] : results[0];
        CHECK(lost.error().code == store::kConflict);
    }
    CHECK(count_postgres_rows(f.path, "members", "true") == kRounds);
}

TEST_CASE("write transactions of two processes run one after the other, not interleaved") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    // A rule no constraint states (here: demote a member only while another owner remains)
    // holds only if no other write runs between its read and its write.
    StoreFixture f;
    auto other = f.open();
    const auto acme = f.make_org("acme");
    core::RowId owners[2];
    for (int i = 0; i < 2; ++i) {
        core::Member m = f.make_member(acme.id, "owner" + std::to_string(i));
        m.role = core::Role::owner;
        REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
            auto updated = tx.update_member(m);
            return updated ? Status{} : Status{updated.error()};
        }));
        owners[i] = m.id;
    }
    auto demote_unless_last = [&](store::Store& db, core::RowId member_id) {
        return db.write([&](store::Transaction& tx) -> Status {
            const auto page = tx.list_members(acme.id, store::MemberQuery{}, store::Page{0, 100});
            int owner_count = 0;
            for (const auto& m : page.items) owner_count += m.role == core::Role::owner;
            // Widen the window between the read and the write.
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (owner_count < 2) return fail("org.last_owner", "The last owner stays.");
            auto member = tx.member_by_id(acme.id, member_id);
            member->role = core::Role::member;
            auto updated = tx.update_member(*member);
            return updated ? Status{} : Status{updated.error()};
        });
    };
    Status results[2];
    std::thread first([&] { results[0] = demote_unless_last(*f.db, owners[0]); });
    std::thread second([&] { results[1] = demote_unless_last(*other, owners[1]); });
    first.join();
    second.join();
    CHECK(results[0].ok() != results[1].ok());
    CHECK(count_postgres_rows(f.path, "members", "role = 'owner'") == 1);
}

TEST_CASE("stores opening a new database at once create its schema once") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    const std::string url = testing::shared_postgres_server().create_database();
    constexpr int kOpeners = 4;
    std::vector<std::thread> openers;
    std::atomic<int> ready{0};
    Result<std::unique_ptr<store::Store>> opened[kOpeners] = {fail("", ""), fail("", ""),
                                                              fail("", ""), fail("", "")};
    for (int i = 0; i < kOpeners; ++i) {
        openers.emplace_back([&, i] {
            ++ready;
            while (ready < kOpeners) std::this_thread::yield();
            opened[i] = store::open_store(url);
        });
    }
    for (auto& opener : openers) opener.join();
    for (auto& store : opened) {
        REQUIRE_MESSAGE(store.ok(), (store.ok() ? "" : store.error().message));
        CHECK((*store)->schema_version() == store::latest_schema_version());
    }
    CHECK(count_postgres_rows(url, "schema_version", "true") == 1);
}

TEST_CASE("a PostgreSQL database at a newer schema version is refused, not touched") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    f.db.reset();
    exec_postgres(f.path, "UPDATE schema_version SET version = 999");
    auto opened = store::open_store(f.path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == store::kFailure);
    CHECK(opened.error().message.find("newer") != std::string::npos);
    CHECK(count_postgres_rows(f.path, "schema_version", "version = 999") == 1);
}

TEST_CASE("a PostgreSQL database at an older Gatehouse version is brought up step by step") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.db.reset();
    // Version 10 as the first PostgreSQL build left it: no job_claims table yet.
    exec_postgres(f.path, "DROP TABLE job_claims; UPDATE schema_version SET version = 10");
    auto opened = store::open_store(f.path);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    CHECK((*opened)->schema_version() == store::latest_schema_version());
    CHECK(count_postgres_rows(f.path, "schema_version",
                              "version = " + std::to_string(store::latest_schema_version())) == 1);
    bool claimed = false;
    REQUIRE((*opened)->write([&](store::Transaction& tx) -> Status {
        claimed = tx.claim_job("maintenance.purge", 100, 200);
        return {};
    }));
    CHECK(claimed);
    CHECK(org_exists(**opened, acme.slug));
}

TEST_CASE("a PostgreSQL database older than any Gatehouse PostgreSQL schema is refused") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    f.db.reset();
    exec_postgres(f.path, "UPDATE schema_version SET version = 9");
    auto opened = store::open_store(f.path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().message.find("no build of Gatehouse creates") != std::string::npos);
    CHECK(count_postgres_rows(f.path, "schema_version", "version = 9") == 1);
}

TEST_CASE("of two processes asking for the same job at once, exactly one gets it") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    auto other = f.open();
    constexpr int kRounds = 20;
    for (int round = 0; round < kRounds; ++round) {
        const std::string job = "job-" + std::to_string(round);
        std::atomic<int> ready{0};
        std::atomic<int> claimed{0};
        auto ask = [&](store::Store& db) {
            ++ready;
            while (ready < 2) std::this_thread::yield();
            bool got = false;
            CHECK(db.write([&](store::Transaction& tx) -> Status {
                got = tx.claim_job(job, 1000, 1060);
                return {};
            }));
            if (got) ++claimed;
        };
        std::thread first([&] { ask(*f.db); });
        ask(*other);
        first.join();
        CHECK(claimed == 1);
    }
}

TEST_CASE("a failed statement rolls back the whole write transaction") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const Status status = f.db->write([&](store::Transaction& tx) -> Status {
        if (auto inserted = insert_org(tx, "before-the-failure"); !inserted) return inserted;
        core::Member m;
        m.org_id = acme.id;
        m.email = "bytes@example.com";
        m.display_name = "\xff\xfe not UTF-8";  // the server refuses the statement
        auto member = tx.insert_member(m);
        return member ? Status{} : Status{member.error()};
    });
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == store::kFailure);
    CHECK_FALSE(org_exists(*f.db, "before-the-failure"));
    // The connection was rolled back, not left in a failed transaction.
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status { return insert_org(tx, "after"); }));
    CHECK(org_exists(*f.db, "after"));
}

TEST_CASE("a conflict inside a write transaction leaves the rest of it to commit") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    // PostgreSQL aborts a transaction at its first failed statement; the store undoes only
    // the statement, so a caller can report the conflict and go on, as with SQLite.
    StoreFixture f;
    f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        const Status again = insert_org(tx, "acme");
        REQUIRE_FALSE(again.ok());
        CHECK(again.error().code == store::kConflict);
        return insert_org(tx, "globex");
    }));
    CHECK(org_exists(*f.db, "globex"));
}

TEST_CASE("a connection the server dropped is replaced, not reused") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    f.make_org("acme");
    exec_postgres(f.path,
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    // The first use of the dead connection fails; the store then opens a new one.
    const Status first = f.db->read([](store::Transaction&) { return Status{}; });
    if (!first) CHECK(first.error().code == store::kFailure);
    CHECK(org_exists(*f.db, "acme"));
}

TEST_CASE("reads run in parallel on at most 16 connections, callers beyond wait their turn") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    f.make_org("acme");
    constexpr int kReaders = 24;
    std::atomic<int> most_connections{0};
    std::vector<std::thread> readers;
    std::atomic<int> succeeded{0};
    for (int i = 0; i < kReaders; ++i) {
        readers.emplace_back([&] {
            const Status status = f.db->read([&](store::Transaction& tx) -> Status {
                if (!tx.org_by_slug("acme")) return fail("test", "acme is missing");
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                return {};
            });
            if (status) ++succeeded;
        });
    }
    std::thread sampler([&] {
        for (int i = 0; i < 20; ++i) {
            const int open = static_cast<int>(
                count_postgres_rows(f.path, "pg_stat_activity",
                                    "datname = current_database() AND pid <> pg_backend_pid()"));
            most_connections = std::max<int>(most_connections, open);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    for (auto& reader : readers) reader.join();
    sampler.join();
    CHECK(succeeded == kReaders);
    CHECK(most_connections > 1);
    CHECK(most_connections <= 16);
}

TEST_CASE("every query of one read sees the same committed state") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.make_member(acme.id, "first");
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.list_members(acme.id, store::MemberQuery{}, store::Page{0, 10}).total == 1);
        // A write commits between two queries of the read.
        std::thread writer([&] { f.make_member(acme.id, "second"); });
        writer.join();
        const auto page = tx.list_members(acme.id, store::MemberQuery{}, store::Page{0, 10});
        CHECK(page.total == 1);
        CHECK(page.items.size() == 1);
        return {};
    }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.list_members(acme.id, store::MemberQuery{}, store::Page{0, 10}).total == 2);
        return {};
    }));
}

TEST_CASE("open_store opens postgres:// URLs as well as postgresql:// ones") {
    GATEHOUSE_ONLY_ON_POSTGRES();
    StoreFixture f;
    f.make_org("acme");
    REQUIRE(f.path.starts_with("postgresql://"));
    auto opened =
        store::open_store("postgres://" + f.path.substr(std::string("postgresql://").size()));
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    CHECK(org_exists(**opened, "acme"));
}

TEST_CASE("a PostgreSQL server that cannot be reached fails the open with a clear error") {
    auto opened = store::open_store("postgresql:///gatehouse?host=/nonexistent-folder&port=5432");
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == store::kFailure);
    CHECK(opened.error().message.find("cannot connect to PostgreSQL") != std::string::npos);
}

TEST_CASE("a PostgreSQL URL is logged without its password or query") {
    CHECK(store::loggable_db("postgresql://gatehouse:s3cret@db.internal:5432/gh") ==
          "postgresql://gatehouse:***@db.internal:5432/gh");
    CHECK(store::loggable_db("postgres://gatehouse:p%40ss@db/gh?sslmode=require&password=x") ==
          "postgres://gatehouse:***@db/gh");
    CHECK(store::loggable_db("postgresql://gatehouse@db/gh") == "postgresql://gatehouse@db/gh");
    CHECK(store::loggable_db("postgresql:///gh?host=/run/postgresql&password=x") ==
          "postgresql:///gh");
    CHECK(store::loggable_db("var/gatehouse.db") == "var/gatehouse.db");
}
