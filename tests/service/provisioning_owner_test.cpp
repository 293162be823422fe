// What an IdP may do to an owner over SCIM: deprovision them (active=false or DELETE), as the
// provisioning guides describe, except the org's last active owner; never change what
// identifies them (userName, emails, externalId, names) nor their role. Every refusal is a
// 403 with a clear detail, changes nothing and is audited.
#include <doctest/doctest.h>

#include "provisioning_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// A SCIM-provisioned user made an owner in Gatehouse, beside an active owner who stays.
struct OwnerFixture : ProvisioningFixture {
    std::string owner_id = make_owner("olga@example.com");
    std::string other_owner_id = make_owner("root@example.com");

    std::string make_owner(const std::string& user_name) {
        const std::string id = create_user(user_name);
        core::Member m = member(id);
        m.role = core::Role::owner;
        m.state = core::MemberState::active;
        m.saml_subject = user_name;
        REQUIRE(storage.db->write([&](store::Transaction& tx) -> Status {
            auto updated = tx.update_member(m);
            return updated ? Status{} : Status{updated.error()};
        }));
        return id;
    }

    // Checks a refusal to touch the owner: 403 without scimType, the owner as before, and a
    // failure audit entry of `action` naming the owner.
    template <typename T>
    void expect_protected(const Result<T>& outcome, const core::Member& before,
                          const std::string& action) {
        REQUIRE_FALSE(outcome.ok());
        CHECK(outcome.error().code == service::kScimOwnerProtected);
        const core::Member after = member(owner_id);
        CHECK(after.user_name == before.user_name);
        CHECK(after.email == before.email);
        CHECK(after.external_id == before.external_id);
        CHECK(after.given_name == before.given_name);
        CHECK(after.display_name == before.display_name);
        CHECK(after.role == core::Role::owner);
        CHECK(after.state == before.state);
        CHECK(after.version == before.version);
        bool found = false;
        for (const auto& entry : audit(action)) {
            if (entry.outcome != "failure") continue;
            found = true;
            CHECK(entry.target == owner_id);
            CHECK(entry.reason_code == service::kScimOwnerProtected);
            CHECK(entry.actor == "scim-token:" + std::to_string(client.token.id));
        }
        CHECK(found);
    }

    Result<service::ScimResource> patch_owner(json operations) {
        return service.patch_user(client, owner_id, patch_body(std::move(operations)));
    }
};

}  // namespace

TEST_CASE("SCIM cannot change an owner's userName by PUT: 403, nothing changed, audited") {
    OwnerFixture f;
    const core::Member before = f.member(f.owner_id);
    auto replaced = f.service.replace_user(f.client, f.owner_id, user_body("mallory@example.com"));
    f.expect_protected(replaced, before, "scim.user.replace");
    CHECK(replaced.error().message.find("userName") != std::string::npos);
}

TEST_CASE("SCIM cannot change an owner's emails by PATCH") {
    OwnerFixture f;
    const core::Member before = f.member(f.owner_id);
    f.expect_protected(
        f.patch_owner({{{"op", "replace"},
                        {"path", "emails"},
                        {"value", {{{"value", "mallory@example.com"}, {"primary", true}}}}}}),
        before, "scim.user.patch");
}

TEST_CASE("SCIM cannot change an owner's externalId by PATCH") {
    OwnerFixture f;
    const core::Member before = f.member(f.owner_id);
    f.expect_protected(
        f.patch_owner({{{"op", "add"}, {"path", "externalId"}, {"value", "00u-mallory"}}}), before,
        "scim.user.patch");
}

TEST_CASE("SCIM cannot change an owner's name or displayName by PATCH") {
    for (const char* path : {"name.givenName", "name.familyName", "displayName"}) {
        CAPTURE(path);
        OwnerFixture f;
        const core::Member before = f.member(f.owner_id);
        f.expect_protected(f.patch_owner({{{"op", "replace"}, {"path", path}, {"value", "Eve"}}}),
                           before, "scim.user.patch");
    }
}

TEST_CASE("SCIM cannot change an owner's role by PATCH or PUT") {
    OwnerFixture f;
    const core::Member before = f.member(f.owner_id);
    f.expect_protected(
        f.patch_owner({{{"op", "replace"}, {"path", "orgRole"}, {"value", "member"}}}), before,
        "scim.user.patch");
    auto replaced = f.service.replace_user(f.client, f.owner_id,
                                           user_body("olga@example.com", {{"orgRole", "admin"}}));
    f.expect_protected(replaced, before, "scim.user.replace");
    CHECK(replaced.error().message.find("role") != std::string::npos);
}

TEST_CASE("SCIM refusals to touch an owner explain that the user is an owner") {
    OwnerFixture f;
    auto refused = f.patch_owner({{{"op", "replace"}, {"path", "displayName"}, {"value", "x"}}});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kScimOwnerProtected);
    CHECK(refused.error().message.find("owner") != std::string::npos);
}

TEST_CASE("SCIM PATCH active=false deprovisions an owner, ends their sessions and audits it") {
    OwnerFixture f;
    f.open_session(f.owner_id, "owner-session");
    auto patched = f.patch_owner({{{"op", "replace"}, {"path", "active"}, {"value", false}}});
    REQUIRE_MESSAGE(patched.ok(), (patched.ok() ? "" : patched.error().message));
    const core::Member after = f.member(f.owner_id);
    CHECK(after.state == core::MemberState::deactivated);
    CHECK(after.role == core::Role::owner);
    CHECK_FALSE(f.session_exists("owner-session"));
    const auto entries = f.audit("scim.user.patch");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "success");
    CHECK(entries[0].details.find("\"sessions_ended\":1") != std::string::npos);
}

TEST_CASE("SCIM PUT active=false with the owner's attributes unchanged deprovisions them") {
    OwnerFixture f;
    auto replaced = f.service.replace_user(f.client, f.owner_id,
                                           user_body("olga@example.com", {{"active", false}}));
    REQUIRE_MESSAGE(replaced.ok(), (replaced.ok() ? "" : replaced.error().message));
    CHECK(f.member(f.owner_id).state == core::MemberState::deactivated);
}

TEST_CASE("SCIM DELETE deprovisions an owner who is not the last, and audits it") {
    OwnerFixture f;
    REQUIRE(f.service.delete_user(f.client, f.owner_id).ok());
    CHECK_FALSE(f.member_exists(f.owner_id));
    const auto entries = f.audit("scim.user.delete");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "success");
    CHECK(entries[0].details.find("\"role\":\"owner\"") != std::string::npos);
}

TEST_CASE("SCIM cannot deprovision the org's last active owner, by DELETE or active=false") {
    OwnerFixture f;
    REQUIRE(f.service.delete_user(f.client, f.other_owner_id).ok());
    const core::Member before = f.member(f.owner_id);
    f.expect_protected(f.patch_owner({{{"op", "replace"}, {"path", "active"}, {"value", false}}}),
                       before, "scim.user.patch");
    const Status deleted = f.service.delete_user(f.client, f.owner_id);
    REQUIRE_FALSE(deleted.ok());
    CHECK(deleted.error().code == service::kScimOwnerProtected);
    CHECK(deleted.error().message.find("last active owner") != std::string::npos);
    CHECK(f.member_exists(f.owner_id));
    bool audited = false;
    for (const auto& entry : f.audit("scim.user.delete")) {
        audited = audited || (entry.outcome == "failure" && entry.target == f.owner_id);
    }
    CHECK(audited);
}

TEST_CASE("SCIM still changes a member who is not an owner, and never provisions an owner") {
    OwnerFixture f;
    const std::string id = f.create_user("ada@example.com");
    auto renamed = f.service.patch_user(
        f.client, id,
        patch_body({{{"op", "replace"}, {"path", "userName"}, {"value", "ada.l@example.com"}}}));
    REQUIRE(renamed.ok());
    CHECK(f.member(id).user_name == "ada.l@example.com");
    auto owner =
        f.service.create_user(f.client, user_body("boss@example.com", {{"orgRole", "owner"}}));
    REQUIRE_FALSE(owner.ok());
    CHECK(scim_type(owner.error()) == "invalidValue");
}
