#include "gatehouse/service/access_rules.hpp"

#include "gatehouse/service/member_admin.hpp"

namespace gatehouse::service {

bool administers_org(core::Role role) {
    return role == core::Role::owner || role == core::Role::manager;
}

Status check_owner_role(const Caller& caller, core::Role role) {
    if (role != core::Role::owner || caller.acts_as_owner()) return {};
    return fail(std::string(kOwnerRequired),
                "Only an owner can invite an owner, make a member an owner or change an owner.");
}

Status check_test_sign_in(const Caller& caller) {
    if (caller.acts_as_owner()) return {};
    return fail(std::string(kTestSignInOwnerOnly), "Only an owner can start a test sign-in.");
}

}  // namespace gatehouse::service
