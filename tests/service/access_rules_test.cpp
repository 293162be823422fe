// The access rules the settings pages and the admin API share: who administers an org, the
// owner rule for members, and who starts a test sign-in.
#include "gatehouse/service/access_rules.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/member_admin.hpp"

using namespace gatehouse;
using service::Caller;
using service::CallerKind;

namespace {

const Caller kOwner{"member:olga", CallerKind::owner};
const Caller kManager{"member:mia", CallerKind::manager};
const Caller kMember{"member:ada", CallerKind::member};
const Caller kScim{"scim-token:1", CallerKind::scim_token};

}  // namespace

TEST_CASE("owners and managers administer an org") {
    CHECK(service::administers_org(core::Role::owner));
    CHECK(service::administers_org(core::Role::manager));
}

TEST_CASE("admins, billing and plain members do not administer an org") {
    CHECK_FALSE(service::administers_org(core::Role::admin));
    CHECK_FALSE(service::administers_org(core::Role::billing));
    CHECK_FALSE(service::administers_org(core::Role::member));
}

TEST_CASE("callers with owner rights give and take the owner role") {
    for (const Caller& caller : {kOwner, Caller::cli(), Caller::admin_key(3)}) {
        CAPTURE(caller.actor);
        CHECK(service::check_owner_role(caller, core::Role::owner).ok());
    }
}

TEST_CASE("a manager is refused the owner role with member.owner_required") {
    const Status refused = service::check_owner_role(kManager, core::Role::owner);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kOwnerRequired);
    CHECK(refused.error().message.find("Only an owner") != std::string::npos);
}

TEST_CASE("the owner rule refuses the owner role to members and SCIM tokens") {
    CHECK_FALSE(service::check_owner_role(kMember, core::Role::owner).ok());
    CHECK_FALSE(service::check_owner_role(kScim, core::Role::owner).ok());
}

TEST_CASE("the owner rule lets a manager give every role but owner") {
    for (const core::Role role :
         {core::Role::admin, core::Role::manager, core::Role::billing, core::Role::member}) {
        CHECK(service::check_owner_role(kManager, role).ok());
    }
}

TEST_CASE("only callers with owner rights start a test sign-in") {
    CHECK(service::check_test_sign_in(kOwner).ok());
    CHECK(service::check_test_sign_in(Caller::admin_key(1)).ok());
    const Status refused = service::check_test_sign_in(kManager);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kTestSignInOwnerOnly);
    CHECK_FALSE(service::check_test_sign_in(kMember).ok());
}
