// `gatehouse maintenance purge` and the server's maintenance sweep, run as an operator would.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../store/table_rows.hpp"
#include "gatehouse/store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::count_rows;
using gatehouse::testing::run_gatehouse;
using gatehouse::testing::ServerProcess;
using gatehouse::testing::TempDir;

namespace {

constexpr std::int64_t kDay = 24 * 3600;

// A store with the org acme, one expired and one pending sign-in request, and one audit
// entry past the default 400-day retention beside the recent "org.create".
struct StoreWithLeftovers {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");

    StoreWithLeftovers() {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        auto opened = gatehouse::store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        REQUIRE((*opened)->write([&](gatehouse::store::Transaction& tx) -> gatehouse::Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            REQUIRE(tx.insert_authn_request(org->id, "_expired", "", now - 60).ok());
            REQUIRE(tx.insert_authn_request(org->id, "_pending", "", now + 3600).ok());
            gatehouse::core::AuditEntry old;
            old.org_id = org->id;
            old.at = now - 401 * kDay;
            old.actor = "cli";
            old.action = "org.update";
            old.outcome = "success";
            return tx.append_audit(old);
        }));
    }

    std::int64_t rows(const std::string& table) const { return count_rows(db, table); }
};

// "kind<TAB>count" lines into a map.
std::map<std::string, long> counts(const std::string& out) {
    std::map<std::string, long> result;
    std::istringstream in(out);
    std::string kind;
    long count = 0;
    while (in >> kind >> count) result[kind] = count;
    return result;
}

}  // namespace

TEST_CASE("maintenance purge deletes what is due and prints the rows deleted by kind") {
    StoreWithLeftovers store;
    auto purged = run_gatehouse({"--db", store.db, "maintenance", "purge"});
    REQUIRE(purged.exit_code == 0);
    const auto printed = counts(purged.out);
    CHECK(printed.at("authn_requests") == 1);
    CHECK(printed.at("audit_entries") == 1);
    CHECK(printed.at("sessions") == 0);
    CHECK(printed.at("seen_assertions") == 0);
    CHECK(printed.at("seen_logout_requests") == 0);
    CHECK(printed.at("sign_in_throttle") == 0);
    CHECK(printed.at("total") == 2);
    CHECK(store.rows("authn_requests") == 1);  // the pending one
    CHECK(store.rows("audit_log") == 1);       // org.create

    auto again = run_gatehouse({"--db", store.db, "maintenance", "purge"});
    REQUIRE(again.exit_code == 0);
    CHECK(counts(again.out).at("total") == 0);
}

TEST_CASE("maintenance purge takes --db after the command too") {
    StoreWithLeftovers store;
    auto purged = run_gatehouse({"maintenance", "purge", "--db", store.db});
    REQUIRE(purged.exit_code == 0);
    CHECK(counts(purged.out).at("total") == 2);
    CHECK(store.rows("authn_requests") == 1);
}

TEST_CASE("maintenance without a subcommand is a usage error") {
    TempDir dir;
    CHECK(run_gatehouse({"--db", dir.file("gatehouse.db"), "maintenance"}).exit_code == 2);
    CHECK(run_gatehouse({"--db", dir.file("gatehouse.db"), "maintenance", "vacuum"}).exit_code ==
          2);
}

TEST_CASE("maintenance purge fails with a reason when the store cannot be opened") {
    TempDir dir;
    // A folder where the database file should be.
    auto purged = run_gatehouse({"--db", dir.path().string(), "maintenance", "purge"});
    CHECK(purged.exit_code == 1);
    CHECK_FALSE(purged.err.empty());
    CHECK(purged.out.empty());
}

TEST_CASE("serve purges the store when it starts and logs the rows deleted by kind") {
    StoreWithLeftovers store;
    ServerProcess server(store.db, {"--purge-interval", "3600"});
    nlohmann::json line;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.is_null() && std::chrono::steady_clock::now() < until) {
        std::istringstream log(server.log());
        for (std::string text; std::getline(log, text);) {
            auto parsed = nlohmann::json::parse(text, nullptr, false);
            if (!parsed.is_discarded() && parsed.value("event", "") == "maintenance.purge") {
                line = parsed;
            }
        }
        if (line.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE_MESSAGE(!line.is_null(), server.log());
    CHECK(line["authn_requests"] == 1);
    CHECK(line["audit_entries"] == 1);
    CHECK(line["total"] == 2);
    CHECK(store.rows("authn_requests") == 1);
    CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("serve refuses a negative --purge-interval") {
    TempDir dir;
    auto refused =
        run_gatehouse({"--db", dir.file("gatehouse.db"), "serve", "--purge-interval", "-1"});
    CHECK(refused.exit_code == 2);
}
