// Who may open an org's settings, who may give or take the owner role, and who may start a
// test sign-in. The settings pages and the admin API ask these functions, so that both offer,
// hide and refuse the same things; the use cases enforce the same rules on every change.
#pragma once

#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

// The reason code of a test sign-in refused to a caller without owner rights (403).
inline constexpr std::string_view kTestSignInOwnerOnly = "admin.owner_required";

// Whether a signed-in member with `role` administers the org: owners and managers do, and
// only they open its settings pages and its admin API with a session. Pure; thread-safe.
bool administers_org(core::Role role);

// The owner rule for members: only a caller with owner rights (Caller::acts_as_owner) invites
// an owner, makes a member an owner, or changes a member who is one. Succeeds when `caller`
// may give `role` to a member, or change a member who holds `role`; otherwise fails with
// kOwnerRequired (member_admin.hpp) and a sentence saying so. Pure; thread-safe.
Status check_owner_role(const Caller& caller, core::Role role);

// A test sign-in shows the IdP's answer in full, so only owner rights start one. Fails with
// kTestSignInOwnerOnly otherwise. Pure; thread-safe.
Status check_test_sign_in(const Caller& caller);

}  // namespace gatehouse::service
