// The limits on password sign-in as password_service applies them: whom an attempt counts
// against, whether it may run, and counting a failure. Private to the service layer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Whom one attempt counts against, each per org.
struct ThrottleSubjects {
    std::string account;  // "account:" + the lower-cased email, a member's or not
    std::string address;  // "address:" + the client address; empty when it is unknown
};

ThrottleSubjects throttle_subjects(std::string_view email, std::string_view client_address);

// Whether an attempt may run: nullopt when it may, else the seconds until the window that
// throttles it closes. Read-only, so a flood of throttled attempts writes nothing. A store
// failure lets the attempt run: the hashing slots still bound its cost.
std::optional<int> throttled_for(store::Store& store, const util::Clock& clock,
                                 const core::Org& org, const SignInLimits& limits,
                                 const ThrottleSubjects& subjects);

// Counts one failed attempt against both subjects inside the caller's write transaction.
// The failure that brings a subject to its limit is audited (reason
// "auth.password.throttled", `target` as for the refusal): exactly once per window, since
// the write lock orders the counts.
Status count_failure(store::Transaction& tx, const core::Org& org, const SignInLimits& limits,
                     const ThrottleSubjects& subjects, util::UnixTime now,
                     const std::string& target);

}  // namespace gatehouse::service
