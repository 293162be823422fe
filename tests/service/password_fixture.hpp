// Password sign-in tests' org: members added through the service, sign-ins from one client
// address with a fixed clock, and helpers to read members, the audit log and throttle counts.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "../store/store_fixture.hpp"
#include "gatehouse/service/password_service.hpp"

namespace gatehouse::testing {

inline const std::string kPassword = "a long enough password";
inline const std::string kAddress = "192.0.2.1";

// The default limits, except that an attempt finding every hashing slot taken is refused at
// once: tests hold the slots to prove an attempt never reached the hash, without waiting.
inline service::SignInLimits test_limits() {
    service::SignInLimits limits;
    limits.hash_wait = std::chrono::milliseconds(0);
    return limits;
}

struct AccountsFixture : StoreFixture {
    util::FixedClock clock{1'800'000'000};
    core::Org org = make_org("acme");
    service::SessionPolicy policy;
    service::SignInGuard guard{test_limits()};

    Result<core::Member> add(const std::string& email, core::Role role = core::Role::member,
                             const std::string& password = kPassword, bool break_glass = false) {
        service::NewMember request;
        request.email = email;
        request.role = role;
        request.password = password;
        request.break_glass = break_glass;
        request.given_name = "Ada";
        request.family_name = "Lovelace";
        return service::add_member(*db, clock, "acme", request, "cli");
    }

    service::PasswordOutcome sign_in(const std::string& email,
                                     const std::string& password = kPassword,
                                     const std::string& next = "",
                                     const std::string& address = kAddress) {
        return service::password_sign_in(*db, clock, policy, guard, org,
                                         {email, password, next, address});
    }

    void require_sso() {
        org.require_sso = true;
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.update_org(org); }));
    }

    core::Member member(const std::string& email) {
        std::optional<core::Member> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_email(org.id, email);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    void save(const core::Member& m) {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto u = tx.update_member(m);
            return u ? Status{} : Status{u.error()};
        }));
    }

    std::vector<core::AuditEntry> audit() {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            entries = tx.list_audit(org.id, {}).items;
            return {};
        }));
        return entries;
    }

    core::AuditEntry last_audit() {
        const auto entries = audit();
        REQUIRE_FALSE(entries.empty());
        return entries.front();
    }

    std::int64_t failures(const std::string& subject) {
        std::int64_t counted = -1;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            counted = tx.sign_in_failures(org.id, subject, clock.now(), guard.limits.window_seconds)
                          .failures;
            return {};
        }));
        return counted;
    }
};

inline service::PasswordRefused refused(const service::PasswordOutcome& outcome) {
    REQUIRE(std::holds_alternative<service::PasswordRefused>(outcome));
    return std::get<service::PasswordRefused>(outcome);
}

inline service::PasswordSignIn signed_in(const service::PasswordOutcome& outcome) {
    if (const auto* r = std::get_if<service::PasswordRefused>(&outcome)) FAIL(r->error.message);
    REQUIRE(std::holds_alternative<service::PasswordSignIn>(outcome));
    return std::get<service::PasswordSignIn>(outcome);
}

inline service::SignInThrottled throttled(const service::PasswordOutcome& outcome) {
    REQUIRE(std::holds_alternative<service::SignInThrottled>(outcome));
    return std::get<service::SignInThrottled>(outcome);
}

}  // namespace gatehouse::testing
