#include <doctest/doctest.h>

#include "gatehouse/service/admin_service.hpp"
#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

struct AdminFixture {
    StoreFixture storage;
    util::FixedClock clock{1'800'000'000};
    service::AdminService admin{*storage.db, clock};

    core::Org org(const std::string& slug) {
        if (auto found = admin.find_org(slug)) return *found;
        auto created = admin.create_org({slug, slug, ""}, "test");
        REQUIRE(created.ok());
        return created->org;
    }
};

}  // namespace

TEST_CASE("an admin key authenticates for its own org only, until it is revoked") {
    AdminFixture f;
    const auto acme = f.org("acme");
    const auto globex = f.org("globex");
    auto issued = f.admin.create_admin_key("acme", "deploy", service::Caller::cli());
    REQUIRE(issued.ok());
    CHECK(issued->token.rfind(service::kAdminKeyPrefix, 0) == 0);

    auto ok = f.admin.authenticate_admin_key(acme, "Bearer " + issued->token);
    REQUIRE(ok.ok());
    CHECK(ok->id == issued->record.id);
    CHECK(ok->last_used_at == f.clock.now());
    CHECK(f.admin.authenticate_admin_key(acme, "bearer  " + issued->token + " ").ok());

    CHECK(f.admin.authenticate_admin_key(globex, "Bearer " + issued->token).error().code ==
          "admin.unauthorized");
    REQUIRE(f.admin.revoke_admin_key("acme", issued->record.id, service::Caller::cli()).ok());
    CHECK(f.admin.authenticate_admin_key(acme, "Bearer " + issued->token).error().code ==
          "admin.unauthorized");
}

TEST_CASE("admin key authentication refuses malformed headers and near-miss keys") {
    AdminFixture f;
    const auto acme = f.org("acme");
    auto issued = f.admin.create_admin_key("acme", "", service::Caller::cli());
    REQUIRE(issued.ok());
    std::string near_miss = issued->token;
    near_miss.back() = near_miss.back() == 'a' ? 'b' : 'a';
    for (const std::string& header :
         {std::string(), std::string("Bearer"), std::string("Bearer "), "Basic " + issued->token,
          issued->token, "Bearer " + near_miss, "Bearer " + issued->token.substr(1)}) {
        CAPTURE(header);
        CHECK(f.admin.authenticate_admin_key(acme, header).error().code == "admin.unauthorized");
    }
}

TEST_CASE("a SCIM token is not an admin key, nor the reverse") {
    AdminFixture f;
    const auto acme = f.org("acme");
    auto scim = f.admin.create_scim_token("acme", "okta", service::Caller::cli());
    REQUIRE(scim.ok());
    CHECK_FALSE(f.admin.authenticate_admin_key(acme, "Bearer " + scim->token).ok());
}

TEST_CASE("creating and revoking admin keys is audit-logged, never with the secret") {
    AdminFixture f;
    f.org("acme");
    auto issued = f.admin.create_admin_key("acme", "deploy", service::Caller::cli());
    REQUIRE(issued.ok());
    REQUIRE(f.admin.revoke_admin_key("acme", issued->record.id, service::Caller::cli()).ok());
    CHECK(
        f.admin.revoke_admin_key("acme", issued->record.id, service::Caller::cli()).error().code ==
        store::kNotFound);
    store::AuditQuery query;
    query.action_prefix = "admin_key.";
    auto log = f.admin.audit_log("acme", query);
    REQUIRE(log.ok());
    REQUIRE(log->total == 2);
    CHECK(log->items[0].action == "admin_key.revoke");
    CHECK(log->items[1].action == "admin_key.create");
    for (const auto& e : log->items) CHECK(e.details.find(issued->token) == std::string::npos);
}

TEST_CASE("admin keys of an unknown org cannot be created or listed") {
    AdminFixture f;
    CHECK(f.admin.create_admin_key("nope", "", service::Caller::cli()).error().code ==
          "org.not_found");
    CHECK(f.admin.list_admin_keys("nope").error().code == "org.not_found");
    CHECK(f.admin.audit_log("nope", {}).error().code == "org.not_found");
}

TEST_CASE("disabling SCIM revokes every active token and turns SCIM off") {
    AdminFixture f;
    f.org("acme");
    auto first = f.admin.create_scim_token("acme", "old", service::Caller::cli());
    auto second = f.admin.create_scim_token("acme", "new", service::Caller::cli());
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(f.admin.revoke_scim_token("acme", first->record.id, service::Caller::cli()).ok());
    auto revoked = f.admin.disable_scim("acme", service::Caller::cli());
    REQUIRE(revoked.ok());
    CHECK(*revoked == 1);
    CHECK_FALSE(f.admin.find_org("acme")->scim_enabled);
    const auto tokens = f.admin.list_scim_tokens("acme");
    REQUIRE(tokens.ok());
    REQUIRE(tokens->size() == 2);
    for (const auto& t : *tokens) CHECK(t.revoked_at.has_value());
}

TEST_CASE("bearer_token reads the token of a Bearer header and nothing else") {
    CHECK(service::bearer_token("Bearer abc") == "abc");
    CHECK(service::bearer_token("BEARER   abc  ") == "abc");
    CHECK(service::bearer_token("Basic abc").empty());
    CHECK(service::bearer_token("Bearer").empty());
    CHECK(service::bearer_token("").empty());
}
