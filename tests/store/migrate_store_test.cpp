// copy_sqlite_store_to_postgres (`gatehouse migrate-store`): a SQLite store with rows in
// every table reads back the same through the PostgreSQL store, all or nothing, from one
// snapshot of a source that is still being written. These run whatever GATEHOUSE_TEST_STORE
// says: the source is always SQLite and the target always PostgreSQL.
#include "gatehouse/store/migrate_store.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "every_table.hpp"
#include "store_fixture.hpp"
#include "table_rows.hpp"

using namespace gatehouse;
using gatehouse::testing::count_postgres_rows;
using gatehouse::testing::count_rows;
using gatehouse::testing::exec_postgres;
using gatehouse::testing::fill_every_table;
using gatehouse::testing::kNow;
using gatehouse::testing::require_ok;
using gatehouse::testing::store_contents;
using gatehouse::testing::value_or_fail;
using nlohmann::json;

namespace {

std::unique_ptr<store::Store> open_or_fail(const std::string& db) {
    auto opened = store::open_store(db);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    return std::move(opened).value();
}

// A SQLite store in a temporary folder, and an empty PostgreSQL database to copy it into.
struct CopyFixture {
    testing::TempDir dir;
    std::string source_path = dir.file("gatehouse.db");
    std::unique_ptr<store::Store> source = open_or_fail(source_path);
    std::string target_url = testing::shared_postgres_server().create_database();

    Result<store::StoreCopy> copy(const store::CopyProgress& progress = {}) {
        return store::copy_sqlite_store_to_postgres(source_path, target_url, progress);
    }
};

// The tables of the SQLite file at `path`, and those of the PostgreSQL database at `url`
// (without the one that records its schema version).
std::set<std::string> sqlite_tables(const std::string& path) {
    std::set<std::string> tables;
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(),
                               "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                               "LIKE 'sqlite_%'",
                               -1, &stmt, nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return tables;
}

std::set<std::string> postgres_tables(const std::string& url) {
    std::set<std::string> tables;
    const std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE(PQstatus(db.get()) == CONNECTION_OK);
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(db.get(),
               "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
               "AND tablename <> 'schema_version'"),
        &PQclear);
    REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(result.get()); ++i) tables.insert(PQgetvalue(result.get(), i, 0));
    return tables;
}

std::set<std::string> copied_table_names(const store::StoreCopy& copy) {
    std::set<std::string> names;
    for (const auto& table : copy.tables) names.insert(table.name);
    return names;
}

// Inserts one member and, in the same transaction, the audit entry that records it: in any
// state of the store the two counts agree.
void add_member_with_audit(store::Store& db, core::RowId org_id, int n) {
    require_ok(db.write([&](store::Transaction& tx) -> Status {
        core::Member m;
        m.org_id = org_id;
        m.user_name = "user" + std::to_string(n);
        m.email = m.user_name + "@example.com";
        m = value_or_fail(tx.insert_member(m));
        core::AuditEntry entry;
        entry.org_id = org_id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.member_added";
        entry.target = m.public_id;
        entry.outcome = "success";
        return tx.append_audit(entry);
    }));
}

}  // namespace

TEST_CASE("migrate-store copies every table, and PostgreSQL reads back what SQLite held") {
    CopyFixture f;
    fill_every_table(*f.source);
    const json before = store_contents(*f.source);

    const auto copy = f.copy();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));

    // Every table of the source is in the report, with rows in each, as many as each side has.
    CHECK(copied_table_names(*copy) == sqlite_tables(f.source_path));
    for (const auto& table : copy->tables) {
        CAPTURE(table.name);
        CHECK(table.rows > 0);
        CHECK(table.rows == count_rows(f.source_path, table.name));
        CHECK(table.rows == count_postgres_rows(f.target_url, table.name, "true"));
    }
    auto target = open_or_fail(f.target_url);
    const json after = store_contents(*target);
    for (const auto& [slug, contents] : before["orgs"].items()) {
        for (const auto& [part, value] : contents.items()) {
            CAPTURE(slug);
            CAPTURE(part);
            CHECK(after["orgs"][slug][part].dump() == value.dump());
        }
    }
    CHECK(after["orgs"].size() == 2);
    // The job hold, which no read shows, holds in PostgreSQL too.
    require_ok(target->write([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.claim_job(testing::kHeldJob, kNow + 3599, kNow + 7200));
        CHECK(tx.claim_job(testing::kHeldJob, kNow + 3600, kNow + 7200));
        return {};
    }));
    CHECK(after["session"].dump() == before["session"].dump());
    CHECK_FALSE(before["session"].is_null());
}

TEST_CASE("the copy's report names exactly the tables of both schemas, even when empty") {
    CopyFixture f;
    const auto copy = f.copy();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));
    CHECK(copied_table_names(*copy) == sqlite_tables(f.source_path));
    CHECK(copied_table_names(*copy) == postgres_tables(f.target_url));
    CHECK(copy->total_rows() == 0);
}

TEST_CASE("rows created after the copy take ids past the copied ones") {
    CopyFixture f;
    fill_every_table(*f.source);
    REQUIRE(f.copy().ok());
    auto target = open_or_fail(f.target_url);
    require_ok(target->write([&](store::Transaction& tx) -> Status {
        const auto acme = tx.org_by_slug("acme");
        REQUIRE(acme.has_value());
        core::Org org;
        org.slug = "initech";
        org.name = "Initech";
        CHECK(value_or_fail(tx.insert_org(org)).id > 2);
        core::Member m;
        m.org_id = acme->id;
        m.email = "new@example.com";
        const core::Member added = value_or_fail(tx.insert_member(m));
        CHECK(added.id > 4);
        core::Team t;
        t.org_id = acme->id;
        t.slug = "new-team";
        t.display_name = "New team";
        CHECK(value_or_fail(tx.insert_team(t)).id > 2);
        core::Session s;
        s.org_id = acme->id;
        s.member_id = added.id;
        s.expires_at = kNow + 60;
        CHECK(value_or_fail(tx.insert_session(s, "new-session")).id > 1);
        CHECK(value_or_fail(tx.insert_credential(store::CredentialKind::scim_token, acme->id,
                                                 "new-token", ""))
                  .id > 1);
        CHECK(value_or_fail(
                  tx.insert_credential(store::CredentialKind::admin_key, acme->id, "new-key", ""))
                  .id > 1);
        core::AuditEntry entry;
        entry.org_id = acme->id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.after_copy";
        entry.outcome = "success";
        require_ok(tx.append_audit(entry));
        CHECK(tx.list_audit(acme->id, store::AuditQuery{}).items.front().id > 1);
        core::OutboundMail mail;
        mail.org_id = acme->id;
        mail.kind = "test";
        mail.to = "new@example.com";
        mail.message_id = "<new@gatehouse>";
        mail.next_attempt_at = kNow;
        CHECK(value_or_fail(tx.insert_outbound_mail(mail)).id > 2);
        core::Invitation invitation;
        invitation.org_id = acme->id;
        invitation.member_id = added.id;
        invitation.token_hash = "new-invitation";
        invitation.expires_at = kNow + 60;
        CHECK(value_or_fail(tx.insert_invitation(invitation)).id > 2);
        require_ok(tx.insert_org_alias({acme->id, "acme-newest", kNow - 10}));
        return {};
    }));
    // Aliases of one second keep their order of insertion, the new one last.
    require_ok(target->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("acme")->aliases ==
              std::vector<std::string>{"acme-inc", "acme-corp", "acme-newest"});
        return {};
    }));
}

TEST_CASE("a target that already holds rows is refused, named, and left unchanged") {
    CopyFixture f;
    fill_every_table(*f.source);
    {
        auto target = open_or_fail(f.target_url);
        require_ok(target->write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "already-here";
            org.name = "Already here";
            return value_or_fail(tx.insert_org(org)).id > 0 ? Status{} : fail("", "");
        }));
    }
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopyTargetNotEmpty);
    CHECK(copy.error().message.find("orgs") != std::string::npos);
    CHECK(count_postgres_rows(f.target_url, "orgs", "true") == 1);
    CHECK(count_postgres_rows(f.target_url, "orgs", "slug = 'already-here'") == 1);
    CHECK(count_postgres_rows(f.target_url, "members", "true") == 0);
}

TEST_CASE("a failure in the middle of the copy leaves the target empty") {
    CopyFixture f;
    fill_every_table(*f.source);
    // SQLite keeps a NUL byte in text; PostgreSQL text cannot hold one. The audit log is
    // copied after orgs, members and teams, so they were written when the copy fails.
    require_ok(f.source->write([&](store::Transaction& tx) -> Status {
        core::AuditEntry entry;
        entry.org_id = tx.org_by_slug("acme")->id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.nul";
        entry.outcome = "success";
        entry.details = std::string("{\"x\":\"a\0b\"}", 12);
        return tx.append_audit(entry);
    }));
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kFailure);
    CHECK(copy.error().message.find("audit_log") != std::string::npos);
    for (const char* table : {"orgs", "members", "teams", "team_members", "audit_log"}) {
        CAPTURE(table);
        CHECK(count_postgres_rows(f.target_url, table, "true") == 0);
    }
}

TEST_CASE("a copy that does not hold the source's rows is rolled back") {
    CopyFixture f;
    fill_every_table(*f.source);
    // A rule in the target that silently drops audit rows: every statement succeeds, and only
    // the count of rows tells.
    open_or_fail(f.target_url);
    exec_postgres(f.target_url,
                  "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RETURN NULL; END $$; "
                  "CREATE TRIGGER drop_audit BEFORE INSERT ON audit_log "
                  "FOR EACH ROW EXECUTE FUNCTION drop_row()");
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kFailure);
    CHECK(copy.error().message.find("audit_log") != std::string::npos);
    CHECK(count_postgres_rows(f.target_url, "orgs", "true") == 0);
    CHECK(count_postgres_rows(f.target_url, "members", "true") == 0);
}

TEST_CASE("a source written to during the copy is copied as one snapshot") {
    CopyFixture f;
    const core::RowId org_id = [&] {
        core::RowId id = 0;
        require_ok(f.source->write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "busy";
            org.name = "Busy";
            id = value_or_fail(tx.insert_org(org)).id;
            return {};
        }));
        return id;
    }();
    for (int n = 0; n < 50; ++n) add_member_with_audit(*f.source, org_id, n);

    // Another connection (the gateway's, in real life) goes on writing member-and-audit pairs
    // on its own thread; the copy waits, between the members and the audit log, until it has
    // committed more of them. A copy that read each table at its own time would find more
    // audit entries than members.
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    auto gateway = open_or_fail(f.source_path);
    std::thread writer([&] {
        for (int n = 50; !stop; ++n) {
            add_member_with_audit(*gateway, org_id, n);
            ++written;
        }
    });
    const auto copy = f.copy([&](const store::CopiedTable& table) {
        if (table.name != "members") return;
        const int seen = written;
        while (written < seen + 10) std::this_thread::yield();
    });
    stop = true;
    writer.join();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));

    const auto members = count_postgres_rows(f.target_url, "members", "true");
    CHECK(members >= 50);
    CHECK(count_postgres_rows(f.target_url, "audit_log", "action = 'test.member_added'") ==
          members);
    CHECK(count_rows(f.source_path, "members") >= members + 10);
}

TEST_CASE("a missing source is refused and nothing is created") {
    testing::TempDir dir;
    const std::string missing = dir.file("no-such.db");
    const std::string url = testing::shared_postgres_server().create_database();
    const auto copy = store::copy_sqlite_store_to_postgres(missing, url);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopySourceMissing);
    CHECK(copy.error().message.find(missing) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(missing));
    CHECK(postgres_tables(url).empty());
}

TEST_CASE("a source at an older schema version is refused, not upgraded") {
    CopyFixture f;
    f.source.reset();
    const int older = store::latest_schema_version() - 1;
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(f.source_path.c_str(), &raw) == SQLITE_OK);
        const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        const std::string sql = "PRAGMA user_version = " + std::to_string(older);
        REQUIRE(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopySourceSchema);
    CHECK(copy.error().message.find("older") != std::string::npos);
    CHECK(copy.error().message.find("gatehouse --db " + f.source_path) != std::string::npos);
    CHECK(count_rows(f.source_path, "pragma_user_version",
                     "user_version = " + std::to_string(older)) == 1);
    CHECK(postgres_tables(f.target_url).empty());
}

TEST_CASE("a target that is not a PostgreSQL URL is refused") {
    CopyFixture f;
    const auto copy = store::copy_sqlite_store_to_postgres(f.source_path, f.dir.file("other.db"));
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopyTargetNotPostgres);
    CHECK_FALSE(std::filesystem::exists(f.dir.file("other.db")));
}

TEST_CASE("a store of 100,000 members is copied in well under a minute") {
    CopyFixture f;
    constexpr int kMembers = 100'000;
    require_ok(f.source->write([&](store::Transaction& tx) -> Status {
        core::Org org;
        org.slug = "large";
        org.name = "Large";
        const core::RowId org_id = value_or_fail(tx.insert_org(org)).id;
        for (int n = 0; n < kMembers; ++n) {
            core::Member m;
            m.org_id = org_id;
            m.user_name = "user" + std::to_string(n);
            m.email = m.user_name + "@example.com";
            m.display_name = "User " + std::to_string(n);
            if (auto inserted = tx.insert_member(m); !inserted) return inserted.error();
        }
        return {};
    }));
    const auto started = std::chrono::steady_clock::now();
    const auto copy = f.copy();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));
    MESSAGE("copied " << kMembers << " members in " << seconds.count() << " s");
    CHECK(count_postgres_rows(f.target_url, "members", "true") == kMembers);
    CHECK(seconds.count() < 60);
}
