// ProvisioningService::authenticate: which bearer tokens reach which org.
#include "service/provisioning_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::ProvisioningFixture;

namespace {

Result<service::ScimClient> authenticate(ProvisioningFixture& f, const std::string& slug,
                                         const std::string& header) {
    return f.service.authenticate(f.org(slug), header, "https://sso.example.com/scim/v2");
}

std::string issue(ProvisioningFixture& f, const std::string& slug) {
    auto issued = f.admin.create_scim_token(slug, "idp", service::Caller::cli());
    REQUIRE(issued.ok());
    return issued->token;
}

}  // namespace

TEST_CASE("authenticate accepts the org's token with the Bearer scheme in any case") {
    ProvisioningFixture f;
    const std::string token = issue(f, "acme");
    auto client = authenticate(f, "acme", "bearer " + token);
    REQUIRE(client.ok());
    CHECK(client->org.slug == "acme");
    CHECK(client->base_url == "https://sso.example.com/scim/v2");
}

TEST_CASE("authenticate refuses a token of another org as unauthorized") {
    ProvisioningFixture f;
    f.connect("globex");
    const std::string globex_token = issue(f, "globex");
    auto client = authenticate(f, "acme", "Bearer " + globex_token);
    REQUIRE_FALSE(client.ok());
    CHECK(client.error().code == service::kScimUnauthorized);
}

TEST_CASE("authenticate refuses a missing, malformed or unknown token") {
    ProvisioningFixture f;
    for (const std::string header :
         {"", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearer ghs_unknown"}) {
        auto client = authenticate(f, "acme", header);
        REQUIRE_FALSE(client.ok());
        CHECK(client.error().code == service::kScimUnauthorized);
    }
}

TEST_CASE("authenticate refuses a revoked token while a newer token of the org keeps working") {
    ProvisioningFixture f;
    auto old_token = f.admin.create_scim_token("acme", "old", service::Caller::cli());
    REQUIRE(old_token.ok());
    const std::string new_token = issue(f, "acme");
    CHECK(authenticate(f, "acme", "Bearer " + old_token->token).ok());
    CHECK(authenticate(f, "acme", "Bearer " + new_token).ok());
    REQUIRE(f.admin.revoke_scim_token("acme", old_token->record.id, service::Caller::cli()).ok());
    auto refused = authenticate(f, "acme", "Bearer " + old_token->token);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kScimUnauthorized);
    CHECK(authenticate(f, "acme", "Bearer " + new_token).ok());
}

TEST_CASE("authenticate answers scim_disabled for a valid token when the org has SCIM turned off") {
    ProvisioningFixture f;
    const std::string token = issue(f, "acme");
    core::Org org = f.org("acme");
    org.scim_enabled = false;
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) { return tx.update_org(org); }));
    auto client = authenticate(f, "acme", "Bearer " + token);
    REQUIRE_FALSE(client.ok());
    CHECK(client.error().code == service::kScimDisabled);
}

TEST_CASE("authenticate records the token's last use") {
    ProvisioningFixture f;
    const std::string token = issue(f, "acme");
    f.clock.advance(120);
    auto client = authenticate(f, "acme", "Bearer " + token);
    REQUIRE(client.ok());
    auto tokens = f.admin.list_scim_tokens("acme");
    REQUIRE(tokens.ok());
    bool touched = false;
    for (const auto& t : *tokens)
        touched = touched || (t.id == client->token.id && t.last_used_at == f.clock.now());
    CHECK(touched);
}
