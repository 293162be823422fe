// Store maintenance at the service level: purge_once, the MaintenanceSweeper thread, the cap
// on pending AuthnRequests that start_login applies, and what a flood of anonymous login
// starts leaves on disk.
#include "gatehouse/service/maintenance.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "../store/store_fixture.hpp"
#include "../store/table_rows.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using gatehouse::testing::count_rows;

namespace {

constexpr util::UnixTime kNow = 1'900'000'000;

// A clock the test moves while the sweeper's thread reads it.
class SteppingClock final : public util::Clock {
  public:
    explicit SteppingClock(util::UnixTime at) : at_(at) {}
    util::UnixTime now() const override { return at_.load(); }
    void set(util::UnixTime at) { at_.store(at); }

  private:
    std::atomic<util::UnixTime> at_;
};

// A store whose database is gone: every transaction fails.
class FailingStore final : public store::Store {
  public:
    Status read(const std::function<Status(store::Transaction&)>&) override {
        return fail(store::kFailure, "The database is unavailable.");
    }
    Status write(const std::function<Status(store::Transaction&)>&) override {
        return fail(store::kFailure, "The database is unavailable.");
    }
    int schema_version() const override { return 0; }
};

template <typename Predicate>
bool eventually(Predicate done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

struct MaintenanceFixture : testing::StoreFixture {
    core::Org acme = make_org("acme");
    core::Org globex = make_org("globex");

    void add_pending(const core::Org& org, int count, util::UnixTime expires_at,
                     const std::string& prefix = "_r") {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            for (int i = 0; i < count; ++i) {
                auto inserted = tx.insert_authn_request(org.id, prefix + std::to_string(i),
                                                        "/organizations/acme/", expires_at);
                if (!inserted) return inserted;
            }
            return {};
        }));
    }

    std::int64_t pending_rows(const core::Org& org) {
        return count_rows(path, "authn_requests", "org_id = " + std::to_string(org.id));
    }
};

}  // namespace

TEST_CASE("purge_once deletes every row that is due, over as many batches as it takes") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    const int expired = 2 * static_cast<int>(service::kPurgeBatchRows) + 1;
    f.add_pending(f.acme, expired, kNow - 1, "_old");
    f.add_pending(f.globex, 3, kNow + 600, "_live");

    auto purged = service::purge_once(*f.db, clock);
    REQUIRE(purged.ok());
    CHECK(purged->authn_requests == expired);
    CHECK(purged->total() == expired);
    CHECK(f.pending_rows(f.acme) == 0);
    CHECK(f.pending_rows(f.globex) == 3);
}

TEST_CASE("purge_once decides what is due by the clock it is given") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    f.add_pending(f.acme, 4, kNow + 600);
    auto early = service::purge_once(*f.db, clock);
    REQUIRE(early.ok());
    CHECK(early->total() == 0);
    CHECK(f.pending_rows(f.acme) == 4);

    clock.set(kNow + 600);
    auto due = service::purge_once(*f.db, clock);
    REQUIRE(due.ok());
    CHECK(due->authn_requests == 4);
    CHECK(f.pending_rows(f.acme) == 0);
}

TEST_CASE("purge_once deletes nothing once a stop has been requested") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    f.add_pending(f.acme, 5, kNow - 1);
    std::stop_source stop;
    stop.request_stop();
    auto purged = service::purge_once(*f.db, clock, stop.get_token());
    REQUIRE(purged.ok());
    CHECK(purged->total() == 0);
    CHECK(f.pending_rows(f.acme) == 5);
}

TEST_CASE("purge_once returns the store's error when the database fails") {
    FailingStore failing;
    SteppingClock clock(kNow);
    auto purged = service::purge_once(failing, clock);
    REQUIRE_FALSE(purged.ok());
    CHECK(purged.error().code == store::kFailure);
}

TEST_CASE("MaintenanceSweeper purges at once and again every interval, by the injected clock") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    f.add_pending(f.acme, 3, kNow - 1, "_old");
    f.add_pending(f.acme, 2, kNow + 600, "_later");

    service::MaintenanceSweeper sweeper(*f.db, clock, std::chrono::milliseconds(5));
    REQUIRE(eventually([&] { return sweeper.sweeps() >= 1; }));
    CHECK(f.pending_rows(f.acme) == 2);

    // Only a later sweep can see the clock moved past the other requests' expiry.
    clock.set(kNow + 600);
    const int seen = sweeper.sweeps();
    REQUIRE(eventually([&] { return sweeper.sweeps() >= seen + 2; }));
    CHECK(f.pending_rows(f.acme) == 0);

    sweeper.stop();
    const int stopped_at = sweeper.sweeps();
    f.add_pending(f.acme, 1, kNow - 1, "_after");
    CHECK(sweeper.sweeps() == stopped_at);
}

TEST_CASE("MaintenanceSweeper stops promptly in the middle of a long interval") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    const auto started = std::chrono::steady_clock::now();
    {
        service::MaintenanceSweeper sweeper(*f.db, clock, std::chrono::hours(1));
        REQUIRE(eventually([&] { return sweeper.sweeps() >= 1; }));
    }  // the destructor stops and joins the thread
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
}

TEST_CASE("MaintenanceSweeper can be stopped twice") {
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    service::MaintenanceSweeper sweeper(*f.db, clock, std::chrono::hours(1));
    sweeper.stop();
    sweeper.stop();
    CHECK(sweeper.sweeps() <= 1);
}

TEST_CASE("MaintenanceSweeper keeps sweeping after a sweep fails") {
    FailingStore failing;
    SteppingClock clock(kNow);
    service::MaintenanceSweeper sweeper(failing, clock, std::chrono::milliseconds(1));
    CHECK(eventually([&] { return sweeper.sweeps() >= 3; }));
}

namespace {

std::shared_ptr<const saml::SpCredentials> sp_credentials() {
    static const auto sp = [] {
        util::SystemClock clock;
        auto generated = saml::generate_sp_credentials("maintenance test SP", clock);
        REQUIRE(generated.ok());
        auto loaded =
            saml::SpCredentials::from_pem(generated->private_key_pem, generated->certificate_pem);
        REQUIRE(loaded.ok());
        return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
    }();
    return sp;
}

void configure_idp(store::Store& db, const core::Org& org) {
    core::SamlProvider provider;
    provider.org_id = org.id;
    provider.idp_entity_id = testing::shared_test_idp().entity_id();
    provider.sso_url = "https://idp.example.test/sso";
    provider.certificates = {testing::shared_test_idp().identity().certificate_pem};
    provider.mapping = *saml::mapping_preset("generic");
    REQUIRE(db.write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
}

}  // namespace

TEST_CASE("start_login drops the org's oldest pending AuthnRequest once it holds the cap") {
    MaintenanceFixture f;
    configure_idp(*f.db, f.acme);
    util::FixedClock clock(kNow);
    service::SsoSettings settings;
    settings.base_url = "https://gatehouse.example.test";
    service::SsoService sso(*f.db, clock, settings, sp_credentials());

    // A full org whose oldest request is _r0; and another org's request, older still.
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        for (std::int64_t i = 0; i < store::kPendingAuthnRequestCap; ++i) {
            auto inserted = tx.insert_authn_request(f.acme.id, "_r" + std::to_string(i), "",
                                                    i == 0 ? kNow + 299 : kNow + 300);
            if (!inserted) return inserted;
        }
        return tx.insert_authn_request(f.globex.id, "_g", "", kNow + 1);
    }));
    REQUIRE(std::holds_alternative<std::string>(sso.start_login(f.acme, "/", "browser key")));

    CHECK(f.pending_rows(f.acme) == store::kPendingAuthnRequestCap);
    CHECK(count_rows(f.path, "authn_requests", "request_id = '_r0'") == 0);
    CHECK(count_rows(f.path, "authn_requests", "request_id = '_r1'") == 1);
    CHECK(count_rows(f.path, "authn_requests",
                     "expires_at = " + std::to_string(kNow + settings.authn_request_ttl_seconds)) ==
          1);
    CHECK(f.pending_rows(f.globex) == 1);
}

namespace {

std::uintmax_t size_or_zero(const std::string& path) {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(path, ignored);
    return ignored ? 0 : size;
}

// The database file and its WAL after a checkpoint that truncates the WAL: what the store
// occupies on disk between bursts of writes.
std::uintmax_t store_bytes_on_disk(const std::string& path) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    // The store's own checkpoint thread may be copying the log at this moment; the TRUNCATE
    // checkpoint then reports busy (its first column) and is asked again.
    sqlite3_busy_timeout(db.get(), 5000);
    int busy = 1;
    for (int attempt = 0; attempt < 100 && busy != 0; ++attempt) {
        REQUIRE(sqlite3_exec(
                    db.get(), "PRAGMA wal_checkpoint(TRUNCATE)",
                    [](void* flag, int, char** values, char**) {
                        *static_cast<int*>(flag) = values[0] ? std::atoi(values[0]) : 1;
                        return 0;
                    },
                    &busy, nullptr) == SQLITE_OK);
        if (busy != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(busy == 0);
    return size_or_zero(path) + size_or_zero(path + "-wal");
}

}  // namespace

// Each start is what SsoService::start_login writes for GET /auth/login/{org}/ (the request,
// the cap, the browser binding), 1,000 to a transaction so that the test takes seconds rather
// than the minutes that 100,000 signed redirects would. The store ends near 3 MB; without the
// cap the same starts leave about 24 MB behind.
TEST_CASE("100,000 anonymous login starts leave the store under 4 MiB, and nothing once expired") {
    constexpr int kStarts = 100'000;
    constexpr int kPerTransaction = 1000;
    constexpr std::uintmax_t kBound = 4 * 1024 * 1024;
    MaintenanceFixture f;
    SteppingClock clock(kNow);
    const service::SsoSettings settings;
    const std::string browser_hash = util::sha256("a browser's login cookie");

    for (int done = 0; done < kStarts; done += kPerTransaction) {
        // A thousand starts a second: all 100,000 are pending at once.
        clock.set(kNow + done / kPerTransaction);
        REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
            for (int i = done; i < done + kPerTransaction; ++i) {
                const std::string id = "_" + util::hex_encode(util::random_bytes(20));
                auto inserted =
                    tx.insert_authn_request(f.acme.id, id, "/organizations/acme/",
                                            clock.now() + settings.authn_request_ttl_seconds);
                if (!inserted) return inserted;
                tx.cap_pending_authn_requests(f.acme.id, store::kPendingAuthnRequestCap);
                if (auto bound = tx.bind_authn_request(f.acme.id, id, browser_hash); !bound) {
                    return bound;
                }
            }
            return {};
        }));
    }
    // The cap holds to within the starts of one second.
    const std::int64_t pending = f.pending_rows(f.acme);
    CHECK(pending >= store::kPendingAuthnRequestCap);
    CHECK(pending < store::kPendingAuthnRequestCap + kPerTransaction);
    const auto after_flood = store_bytes_on_disk(f.path);
    MESSAGE("store after 100,000 starts: " << after_flood << " bytes");
    CHECK(after_flood < kBound);

    clock.set(clock.now() + settings.authn_request_ttl_seconds);
    auto purged = service::purge_once(*f.db, clock);
    REQUIRE(purged.ok());
    CHECK(purged->authn_requests == pending);
    CHECK(f.pending_rows(f.acme) == 0);
    CHECK(store_bytes_on_disk(f.path) < kBound);
}
