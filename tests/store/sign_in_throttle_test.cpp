// The password sign-in throttle counts of the store: windows that open at the first failure,
// close after window_seconds, and are kept per org and subject.
#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

constexpr std::int64_t kWindow = 900;
constexpr util::UnixTime kStart = 1'800'000'000;

struct ThrottleFixture : StoreFixture {
    core::Org acme = make_org("acme");

    store::SignInFailures fail_at(util::UnixTime at, const std::string& subject = "account:ada",
                                  core::RowId org_id = 0) {
        store::SignInFailures counted;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            counted = tx.record_sign_in_failure(org_id ? org_id : acme.id, subject, at, kWindow);
            return {};
        }));
        return counted;
    }

    store::SignInFailures failures_at(util::UnixTime at, const std::string& subject = "account:ada",
                                      core::RowId org_id = 0) {
        store::SignInFailures counted;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            counted = tx.sign_in_failures(org_id ? org_id : acme.id, subject, at, kWindow);
            return {};
        }));
        return counted;
    }
};

}  // namespace

TEST_CASE("sign-in failures are counted in a window that opens at the first one") {
    ThrottleFixture f;
    CHECK(f.failures_at(kStart).failures == 0);
    CHECK(f.fail_at(kStart).failures == 1);
    const auto second = f.fail_at(kStart + 100);
    CHECK(second.failures == 2);
    CHECK(second.window_start == kStart);
    const auto read = f.failures_at(kStart + 200);
    CHECK(read.failures == 2);
    CHECK(read.window_start == kStart);
}

TEST_CASE("sign-in failures are forgotten when their window closes, and a new one opens") {
    ThrottleFixture f;
    (void)f.fail_at(kStart);
    (void)f.fail_at(kStart + 10);
    CHECK(f.failures_at(kStart + kWindow - 1).failures == 2);
    CHECK(f.failures_at(kStart + kWindow).failures == 0);
    const auto reopened = f.fail_at(kStart + kWindow + 5);
    CHECK(reopened.failures == 1);
    CHECK(reopened.window_start == kStart + kWindow + 5);
}

TEST_CASE("sign-in failures are kept per subject and per org") {
    ThrottleFixture f;
    const auto globex = f.make_org("globex");
    (void)f.fail_at(kStart, "account:ada");
    (void)f.fail_at(kStart, "account:ada");
    CHECK(f.failures_at(kStart, "account:bob").failures == 0);
    CHECK(f.failures_at(kStart, "account:ada", globex.id).failures == 0);
    CHECK(f.fail_at(kStart, "account:ada", globex.id).failures == 1);
    CHECK(f.failures_at(kStart, "account:ada").failures == 2);
}

TEST_CASE("clearing sign-in failures forgets only that subject") {
    ThrottleFixture f;
    (void)f.fail_at(kStart, "account:ada");
    (void)f.fail_at(kStart, "address:192.0.2.1");
    REQUIRE(f.db->write([&](store::Transaction& tx) {
        return tx.clear_sign_in_failures(f.acme.id, "account:ada");
    }));
    CHECK(f.failures_at(kStart, "account:ada").failures == 0);
    CHECK(f.failures_at(kStart, "address:192.0.2.1").failures == 1);
}

TEST_CASE("sign-in failures survive reopening the store, as another process would see them") {
    ThrottleFixture f;
    (void)f.fail_at(kStart);
    f.db = f.open();
    CHECK(f.failures_at(kStart + 1).failures == 1);
}
