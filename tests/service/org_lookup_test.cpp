// What the router and the sign-in pages ask of the store before any use case runs.
#include "gatehouse/service/org_lookup.hpp"

#include <doctest/doctest.h>

#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

TEST_CASE("org lookup finds an org by its slug") {
    StoreFixture f;
    const core::Org acme = f.make_org("acme");
    auto found = service::find_org_by_name(*f.db, "acme");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->org.id == acme.id);
    CHECK_FALSE((*found)->by_alias);
}

TEST_CASE("org lookup finds a renamed org by the alias it kept, and says so") {
    StoreFixture f;
    const core::Org acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) {
        return tx.insert_org_alias(core::OrgAlias{acme.id, "old", 1'800'000'000});
    }));
    auto found = service::find_org_by_name(*f.db, "old");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->org.id == acme.id);
    CHECK((*found)->by_alias);
}

TEST_CASE("org lookup of a name nobody holds is empty, not an error") {
    StoreFixture f;
    f.make_org("acme");
    auto found = service::find_org_by_name(*f.db, "globex");
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
}

TEST_CASE("has_saml_provider is false until a provider is stored") {
    StoreFixture f;
    const core::Org acme = f.make_org("acme");
    auto before = service::has_saml_provider(*f.db, acme);
    REQUIRE(before.ok());
    CHECK_FALSE(*before);
    core::SamlProvider provider;
    provider.org_id = acme.id;
    provider.idp_entity_id = "https://idp.test";
    provider.sso_url = "https://idp.test/sso";
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    auto after = service::has_saml_provider(*f.db, acme);
    REQUIRE(after.ok());
    CHECK(*after);
}

TEST_CASE("check_store succeeds on a working store") {
    StoreFixture f;
    CHECK(service::check_store(*f.db).ok());
}
