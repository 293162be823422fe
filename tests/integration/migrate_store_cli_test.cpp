// `gatehouse migrate-store --from PATH --to URL`, run as an operator would: what it prints,
// what it refuses, and its exit codes.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "../store/table_rows.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::count_postgres_rows;
using gatehouse::testing::run_gatehouse;
using gatehouse::testing::shared_postgres_server;
using gatehouse::testing::TempDir;

namespace {

constexpr const char* kPassword = "s3cret-pw";

// A SQLite store with the org acme and its owner, and an empty PostgreSQL database whose URL
// carries a password (the test server trusts local connections, so any password opens it).
struct Stores {
    TempDir dir;
    std::string sqlite = dir.file("gatehouse.db");
    std::string postgres = with_password(shared_postgres_server().create_database());

    Stores() {
        REQUIRE(run_gatehouse(
                    {"--db", sqlite, "org", "create", "acme", "--owner-email", "ada@acme.test"})
                    .exit_code == 0);
    }

    static std::string with_password(const std::string& url) {
        const std::string scheme = "postgresql://";
        REQUIRE(url.starts_with(scheme));
        return scheme + "gatehouse:" + kPassword + "@" + url.substr(scheme.size());
    }
};

}  // namespace

TEST_CASE("migrate-store copies the store, prints each table's rows, and hides the password") {
    Stores stores;
    const auto migrated =
        run_gatehouse({"migrate-store", "--from", stores.sqlite, "--to", stores.postgres});
    CHECK(migrated.err == "");
    REQUIRE(migrated.exit_code == 0);
    CHECK(migrated.out.find("orgs\t1\n") != std::string::npos);
    CHECK(migrated.out.find("members\t1\n") != std::string::npos);
    CHECK(migrated.out.find("\ninvitations\t") != std::string::npos);
    CHECK(migrated.out.find("Copied ") != std::string::npos);
    CHECK(migrated.out.find("gatehouse:***@") != std::string::npos);
    CHECK(migrated.out.find(kPassword) == std::string::npos);

    const auto listed = run_gatehouse({"--db", stores.postgres, "org", "list"});
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.out.find("acme") != std::string::npos);
}

TEST_CASE("migrate-store refuses a missing source and creates nothing") {
    Stores stores;
    const std::string missing = stores.dir.file("missing.db");
    const auto migrated =
        run_gatehouse({"migrate-store", "--from", missing, "--to", stores.postgres});
    CHECK(migrated.exit_code == 1);
    CHECK(migrated.out == "");
    CHECK(migrated.err.find("No SQLite store at " + missing) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(missing));
}

TEST_CASE("migrate-store refuses a target that is not a PostgreSQL URL") {
    Stores stores;
    const std::string other = stores.dir.file("other.db");
    const auto migrated = run_gatehouse({"migrate-store", "--from", stores.sqlite, "--to", other});
    CHECK(migrated.exit_code == 2);
    CHECK(migrated.out == "");
    CHECK(migrated.err.find("PostgreSQL URL") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(other));
}

TEST_CASE("migrate-store refuses a target that holds rows, naming a table, and changes nothing") {
    Stores stores;
    REQUIRE(run_gatehouse({"--db", stores.postgres, "org", "create", "globex"}).exit_code == 0);
    const auto migrated =
        run_gatehouse({"migrate-store", "--from", stores.sqlite, "--to", stores.postgres});
    CHECK(migrated.exit_code == 1);
    CHECK(migrated.out == "");
    CHECK(migrated.err.find("not empty") != std::string::npos);
    CHECK(migrated.err.find("orgs") != std::string::npos);
    CHECK(migrated.err.find(kPassword) == std::string::npos);
    CHECK(count_postgres_rows(stores.postgres, "orgs", "true") == 1);
    CHECK(count_postgres_rows(stores.postgres, "orgs", "slug = 'acme'") == 0);
}

TEST_CASE("migrate-store without --from or --to is a usage error") {
    const auto migrated = run_gatehouse({"migrate-store", "--to", "postgresql:///x"});
    CHECK(migrated.exit_code == 2);
    CHECK(migrated.err.find("--from") != std::string::npos);
}
