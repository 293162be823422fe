#include <sqlite3.h>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

void raw_exec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

int raw_count(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    int value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

}  // namespace

TEST_CASE("a new store is created at the newest schema version in WAL mode") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    StoreFixture f;
    CHECK(f.db->schema_version() == store::latest_schema_version());
    CHECK(raw_count(f.path, "PRAGMA user_version") == store::latest_schema_version());
    CHECK(raw_count(f.path,
                    "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
}

TEST_CASE("a store from an older version is upgraded in place and keeps its rows") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    StoreFixture f;
    f.make_org("acme");
    f.db.reset();
    // Turn the file back into a version-1 store: without what versions 2 to 11 add.
    raw_exec(f.path,
             "DROP TABLE job_claims; "
             "ALTER TABLE orgs DROP COLUMN apply_sign_in_attributes; "
             "ALTER TABLE teams DROP COLUMN sign_in_managed; "
             "DROP TABLE outbound_mail; "
             "DROP TRIGGER orgs_insert_not_an_alias; DROP TRIGGER orgs_rename_not_an_alias; "
             "DROP TABLE org_aliases; "
             "DROP TABLE invitations; "
             "DROP INDEX members_oidc_subject; ALTER TABLE members DROP COLUMN oidc_subject; "
             "DROP TABLE oidc_providers; "
             "ALTER TABLE teams DROP COLUMN scim_attributes; "
             "DROP INDEX audit_log_org_at; DROP TABLE sign_in_throttle; "
             "DROP TABLE seen_logout_requests; DROP INDEX authn_requests_org_expires; "
             "ALTER TABLE authn_requests DROP COLUMN browser_hash; "
             "ALTER TABLE orgs DROP COLUMN audit_retention_days; "
             "DROP INDEX sessions_expires; DROP INDEX authn_requests_expires; "
             "DROP INDEX seen_assertions_expires; DROP TABLE admin_keys; "
             "ALTER TABLE saml_providers DROP COLUMN metadata_fetched_at; "
             "PRAGMA user_version = 1;");
    f.db = f.open();
    CHECK(f.db->schema_version() == store::latest_schema_version());
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'sessions_expires'") ==
          1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'admin_keys'") == 1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'job_claims'") == 1);
    CHECK(raw_count(f.path,
                    "SELECT count(*) FROM pragma_table_info('saml_providers') "
                    "WHERE name = 'metadata_fetched_at'") == 1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'sign_in_throttle'") ==
          1);
    CHECK(raw_count(f.path, "SELECT audit_retention_days FROM orgs WHERE slug = 'acme'") == 400);
    CHECK(raw_count(f.path, "SELECT apply_sign_in_attributes FROM orgs WHERE slug = 'acme'") == 0);
    CHECK(raw_count(f.path,
                    "SELECT count(*) FROM pragma_table_info('teams') "
                    "WHERE name = 'scim_attributes'") == 1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'oidc_providers'") ==
          1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'outbound_mail'") ==
          1);
    CHECK(raw_count(f.path,
                    "SELECT count(*) FROM pragma_table_info('members') "
                    "WHERE name = 'oidc_subject'") == 1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM sqlite_master WHERE name = 'invitations'") == 1);
    CHECK(raw_count(f.path, "SELECT count(*) FROM orgs WHERE slug = 'acme'") == 1);
}

TEST_CASE("a store written by a newer build is refused, not touched") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    StoreFixture f;
    f.db.reset();
    raw_exec(f.path, "PRAGMA user_version = 999");
    auto opened = store::open_sqlite_store(f.path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == store::kFailure);
    CHECK(opened.error().message.find("newer") != std::string::npos);
    CHECK(raw_count(f.path, "PRAGMA user_version") == 999);
}

TEST_CASE("opening a store in a folder that does not exist fails with a clear error") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    auto opened = store::open_sqlite_store("/nonexistent-folder/for/gatehouse.db");
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == store::kFailure);
    CHECK(opened.error().message.find("cannot open") != std::string::npos);
}
