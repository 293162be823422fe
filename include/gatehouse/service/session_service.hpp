// Browser sessions: random IDs handed to the browser once and stored only as SHA-256
// hashes, with absolute and idle lifetimes. Ending sessions (logout, deprovisioning,
// Require SSO) goes through the store directly; this unit starts and resolves them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct SessionPolicy {
    int absolute_seconds = 12 * 3600;  // a session never outlives this
    int idle_seconds = 2 * 3600;       // nor this much time without a request
};

// A session handed to a browser. `token` is the cookie value: the only copy of the secret.
struct StartedSession {
    core::Session session;
    std::string token;
};

// Who a valid session belongs to.
struct SignedInMember {
    core::Session session;
    core::Member member;
    core::Org org;
    std::vector<core::Team> teams;
};

// Starts a session for `member` inside the caller's write transaction. The session ends at
// the earlier of the policy's absolute lifetime and `cap` (the IdP's SessionNotOnOrAfter).
Result<StartedSession> start_session(store::Transaction& tx, const core::Member& member,
                                     core::SessionMethod method, const SessionPolicy& policy,
                                     util::UnixTime now, std::optional<util::UnixTime> cap = {},
                                     std::string saml_name_id = {},
                                     std::string saml_session_index = {});

// Resolves a cookie value to a signed-in member. Returns nullopt for an unknown, expired or
// idle session, and for a member who is no longer active (the session is then deleted).
// Records the request as activity (touch) at most once a minute. Thread-safe.
std::optional<SignedInMember> resolve_session(store::Store& store, std::string_view token,
                                              const SessionPolicy& policy, util::UnixTime now);

// Deletes the session behind a cookie value; returns it when there was one.
std::optional<core::Session> end_session(store::Store& store, std::string_view token);

// The name of the session cookie.
inline constexpr const char* kSessionCookie = "gatehouse_session";

}  // namespace gatehouse::service
