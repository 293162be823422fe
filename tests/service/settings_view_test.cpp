// The one view of an org's sign-in settings that the settings page and the admin API share.
#include "gatehouse/service/settings_view.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/admin_service.hpp"
#include "metadata_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using service::Caller;

TEST_CASE("settings view lists every SCIM token oldest first, and the active ones apart") {
    MetadataFixture f;
    service::AdminService admin(*f.db, f.clock);
    auto first = admin.create_scim_token("acme", "first", Caller::cli());
    auto second = admin.create_scim_token("acme", "second", Caller::cli());
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(admin.revoke_scim_token("acme", first->record.id, Caller::cli()).ok());
    auto view = service::read_auth_settings_view(*f.db, "acme");
    REQUIRE(view.ok());
    REQUIRE(view->scim_tokens.size() == 2);
    CHECK(view->scim_tokens[0].id == first->record.id);
    CHECK(view->scim_tokens[0].revoked_at.has_value());
    CHECK(view->scim_tokens[1].id == second->record.id);
    REQUIRE(view->active_scim_tokens.size() == 1);
    CHECK(view->active_scim_tokens[0].id == second->record.id);
}

TEST_CASE("settings view describes the readable certificates and flags an unreadable one") {
    MetadataFixture f;
    f.configure_from_url({});
    core::SamlProvider provider = f.stored();
    const std::size_t readable = provider.certificates.size();
    provider.certificates.push_back("-----BEGIN CERTIFICATE-----\nnot one\n");
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    auto view = service::read_auth_settings_view(*f.db, "acme");
    REQUIRE(view.ok());
    REQUIRE(view->provider.has_value());
    CHECK(view->certificates.size() == readable);
    CHECK(view->certificates_unreadable);
}

TEST_CASE("settings view of an org without a provider has none and no certificates") {
    MetadataFixture f;
    auto view = service::read_auth_settings_view(*f.db, "acme");
    REQUIRE(view.ok());
    CHECK_FALSE(view->provider.has_value());
    CHECK(view->certificates.empty());
    CHECK_FALSE(view->certificates_unreadable);
}

TEST_CASE("settings view of an unknown org is org.not_found") {
    MetadataFixture f;
    auto view = service::read_auth_settings_view(*f.db, "nobody");
    REQUIRE_FALSE(view.ok());
    CHECK(view.error().code == "org.not_found");
}
