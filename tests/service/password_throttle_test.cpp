// Password sign-in throttling and the bound on concurrent hashes: per-account and
// per-address failure limits kept in the store, 429-style refusals that never hash, and the
// hashing slots that keep parallel attempts from pinning memory.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "password_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

const std::string kWrong = "not the password at all";

// Fails `count` sign-ins as `email` from `address`.
void fail_times(AccountsFixture& f, int count, const std::string& email = "ada@example.com",
                const std::string& address = kAddress) {
    for (int i = 0; i < count; ++i) {
        CAPTURE(i);
        const auto outcome = f.sign_in(email, kWrong, "", address);
        REQUIRE_FALSE(std::holds_alternative<service::PasswordSignIn>(outcome));
        REQUIRE_FALSE(std::holds_alternative<service::SignInThrottled>(outcome));
    }
}

// Takes every hashing slot of the fixture's guard: an attempt that would hash is then
// refused as busy at once (test_limits waits 0 ms), so one answered otherwise never hashed.
std::vector<service::HashSlots::Slot> hold_every_slot(AccountsFixture& f) {
    std::vector<service::HashSlots::Slot> held;
    while (auto slot = f.guard.slots.acquire(std::chrono::milliseconds(0))) {
        held.push_back(std::move(*slot));
    }
    REQUIRE(f.guard.slots.available() == 0);
    return held;
}

}  // namespace

TEST_CASE("password sign-in throttles an account: the 6th attempt is refused without a hash") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 5);
    const auto held = hold_every_slot(f);
    // The right password changes nothing, and the attempt did not wait for a slot.
    const auto refusal = throttled(f.sign_in("ada@example.com", kPassword));
    CHECK(refusal.retry_after_seconds == f.guard.limits.window_seconds);
    CHECK(f.member("ada@example.com").last_sign_in_at == std::nullopt);
}

TEST_CASE("a throttled attempt is counted against no subject and writes no audit entry") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 5);
    const auto entries = f.audit().size();
    (void)throttled(f.sign_in("ada@example.com", kWrong));
    (void)throttled(f.sign_in("ada@example.com", kWrong));
    CHECK(f.audit().size() == entries);
    CHECK(f.failures("account:ada@example.com") == 5);
    CHECK(f.failures("address:" + kAddress) == 5);
}

TEST_CASE("the failure that reaches an account's limit is audited as auth.password.throttled") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 4);
    for (const auto& entry : f.audit()) CHECK(entry.reason_code != "auth.password.throttled");
    fail_times(f, 1);
    const auto entry = f.last_audit();
    CHECK(entry.action == "auth.password_sign_in");
    CHECK(entry.outcome == "failure");
    CHECK(entry.reason_code == "auth.password.throttled");
    CHECK(entry.target == f.member("ada@example.com").public_id);
    const auto details = json::parse(entry.details);
    CHECK(details["limit"] == "account");
    CHECK(details["address"] == kAddress);
    CHECK(details["until"] == f.clock.now() + f.guard.limits.window_seconds);
}

TEST_CASE("the account throttle counts the email in any case, member or not") {
    AccountsFixture f;
    fail_times(f, 3, "eve@example.com");
    fail_times(f, 2, "EVE@Example.com");
    (void)throttled(f.sign_in("Eve@example.com", kWrong));
}

TEST_CASE("a throttled account leaves another account from another address unaffected") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    REQUIRE(f.add("bob@example.com").ok());
    fail_times(f, 5, "ada@example.com");
    (void)throttled(f.sign_in("ada@example.com", kPassword));
    (void)signed_in(f.sign_in("bob@example.com", kPassword, "", "198.51.100.7"));
}

TEST_CASE("a throttled account stays throttled from another address") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 5, "ada@example.com");
    (void)throttled(f.sign_in("ada@example.com", kPassword, "", "198.51.100.7"));
}

TEST_CASE("password sign-in throttles an address that fails across many accounts") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    for (int i = 0; i < 20; ++i) fail_times(f, 1, "guess" + std::to_string(i) + "@example.com");
    const auto held = hold_every_slot(f);
    const auto refusal = throttled(f.sign_in("ada@example.com", kPassword));
    CHECK(refusal.retry_after_seconds == f.guard.limits.window_seconds);
    bool audited = false;
    for (const auto& entry : f.audit()) {
        if (entry.reason_code == "auth.password.throttled") {
            audited = true;
            CHECK(json::parse(entry.details)["limit"] == "address");
        }
    }
    CHECK(audited);
}

TEST_CASE("an address throttled by failures leaves the same account from elsewhere unaffected") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    for (int i = 0; i < 20; ++i) fail_times(f, 1, "guess" + std::to_string(i) + "@example.com");
    (void)signed_in(f.sign_in("ada@example.com", kPassword, "", "198.51.100.7"));
}

TEST_CASE("a successful password sign-in resets the account's failures, not the address's") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 4);
    (void)signed_in(f.sign_in("ada@example.com"));
    CHECK(f.failures("account:ada@example.com") == 0);
    CHECK(f.failures("address:" + kAddress) == 4);
    fail_times(f, 4);
    (void)signed_in(f.sign_in("ada@example.com"));
}

TEST_CASE("the account throttle lifts when its window closes, and Retry-After counts down") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    fail_times(f, 5);
    f.clock.advance(f.guard.limits.window_seconds - 1);
    CHECK(throttled(f.sign_in("ada@example.com")).retry_after_seconds == 1);
    f.clock.advance(1);
    (void)signed_in(f.sign_in("ada@example.com"));
}

TEST_CASE("under Require SSO every email is throttled alike, the break-glass owner's included") {
    AccountsFixture f;
    REQUIRE(f.add("root@example.com", core::Role::owner, kPassword, true).ok());
    REQUIRE(f.add("ada@example.com").ok());
    f.require_sso();
    for (const std::string email : {"root@example.com", "ada@example.com", "eve@example.com"}) {
        CAPTURE(email);
        for (int i = 0; i < 5; ++i) {
            REQUIRE(std::holds_alternative<service::SsoRequired>(f.sign_in(email, kWrong)));
        }
        CHECK(throttled(f.sign_in(email, kWrong)).retry_after_seconds ==
              f.guard.limits.window_seconds);
    }
}

TEST_CASE("limits are configurable through SignInLimits") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    service::SignInLimits limits = test_limits();
    limits.account_failures = 2;
    limits.window_seconds = 60;
    service::SignInGuard strict(limits);
    const service::PasswordAttempt wrong{"ada@example.com", kWrong, "", kAddress};
    for (int i = 0; i < 2; ++i) {
        (void)refused(service::password_sign_in(*f.db, f.clock, f.policy, strict, f.org, wrong));
    }
    CHECK(throttled(service::password_sign_in(*f.db, f.clock, f.policy, strict, f.org, wrong))
              .retry_after_seconds == 60);
}

TEST_CASE("with every hashing slot taken a sign-in is refused as busy, uncounted and unaudited") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    const auto entries = f.audit().size();
    {
        const auto held = hold_every_slot(f);
        const auto outcome = f.sign_in("ada@example.com", kPassword);
        REQUIRE(std::holds_alternative<service::SignInBusy>(outcome));
        CHECK(std::get<service::SignInBusy>(outcome).retry_after_seconds ==
              f.guard.limits.busy_retry_after_seconds);
    }
    CHECK(f.audit().size() == entries);
    CHECK(f.failures("account:ada@example.com") == 0);
    CHECK(f.member("ada@example.com").last_sign_in_at == std::nullopt);
    // The slots are back: the same attempt now signs in.
    (void)signed_in(f.sign_in("ada@example.com", kPassword));
}

TEST_CASE("a password sign-in hands its hashing slot back whatever the outcome") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    const int slots = f.guard.slots.available();
    (void)signed_in(f.sign_in("ada@example.com"));
    (void)refused(f.sign_in("ada@example.com", kWrong));
    f.require_sso();
    (void)f.sign_in("ada@example.com");
    CHECK(f.guard.slots.available() == slots);
}

TEST_CASE("HashSlots hands out at most its count and takes released slots back") {
    service::HashSlots slots(2);
    auto first = slots.acquire(std::chrono::milliseconds(0));
    auto second = slots.acquire(std::chrono::milliseconds(0));
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    CHECK(slots.available() == 0);
    CHECK_FALSE(slots.acquire(std::chrono::milliseconds(0)).has_value());
    first.reset();
    CHECK(slots.available() == 1);
    CHECK(slots.acquire(std::chrono::milliseconds(0)).has_value());
    CHECK(slots.available() == 1);
}

TEST_CASE("HashSlots gives a waiting caller the slot another thread releases") {
    service::HashSlots slots(1);
    auto held = slots.acquire(std::chrono::milliseconds(0));
    REQUIRE(held.has_value());
    bool got = false;
    // The waiter may wait far longer than the release takes; only the outcome is checked.
    std::thread waiter([&] { got = slots.acquire(std::chrono::minutes(1)).has_value(); });
    held.reset();
    waiter.join();
    CHECK(got);
    CHECK(slots.available() == 1);
}
