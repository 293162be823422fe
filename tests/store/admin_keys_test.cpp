#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

TEST_CASE("admin keys are found by hash until revoked, and only by their own org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto key = tx.insert_credential(store::CredentialKind::admin_key, acme.id, "hash-of-key",
                                        "deploy");
        REQUIRE(key.ok());
        CHECK(key->description == "deploy");
        auto found = tx.active_credential(store::CredentialKind::admin_key, "hash-of-key");
        REQUIRE(found.has_value());
        CHECK(found->org_id == acme.id);
        CHECK(tx.credential_hash(store::CredentialKind::admin_key, acme.id, key->id) ==
              "hash-of-key");
        CHECK_FALSE(
            tx.credential_hash(store::CredentialKind::admin_key, globex.id, key->id).has_value());
        CHECK(tx.list_credentials(store::CredentialKind::admin_key, globex.id).empty());
        CHECK(tx.revoke_credential(store::CredentialKind::admin_key, globex.id, key->id, 10)
                  .error()
                  .code == store::kNotFound);
        REQUIRE(tx.touch_credential(store::CredentialKind::admin_key, acme.id, key->id, 5).ok());
        REQUIRE(tx.revoke_credential(store::CredentialKind::admin_key, acme.id, key->id, 10).ok());
        CHECK(tx.revoke_credential(store::CredentialKind::admin_key, acme.id, key->id, 11)
                  .error()
                  .code == store::kNotFound);
        CHECK_FALSE(
            tx.active_credential(store::CredentialKind::admin_key, "hash-of-key").has_value());
        const auto listed = tx.list_credentials(store::CredentialKind::admin_key, acme.id);
        REQUIRE(listed.size() == 1);
        CHECK(listed[0].last_used_at == 5);
        CHECK(listed[0].revoked_at == 10);
        return {};
    }));
}

TEST_CASE("admin keys and SCIM tokens are separate: one never authenticates as the other") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(
            tx.insert_credential(store::CredentialKind::scim_token, acme.id, "same-hash", "okta")
                .ok());
        CHECK_FALSE(
            tx.active_credential(store::CredentialKind::admin_key, "same-hash").has_value());
        REQUIRE(tx.insert_credential(store::CredentialKind::admin_key, acme.id, "key-hash", "ops")
                    .ok());
        CHECK_FALSE(
            tx.active_credential(store::CredentialKind::scim_token, "key-hash").has_value());
        return {};
    }));
}

TEST_CASE("providers configured from a metadata URL are listed with their last fetch time") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::SamlProvider p;
        p.org_id = acme.id;
        p.idp_entity_id = "https://idp.example.com";
        p.sso_url = "https://idp.example.com/sso";
        p.certificates = {"PEM"};
        p.metadata_url = "https://idp.example.com/metadata";
        p.metadata_fetched_at = 1234;
        REQUIRE(tx.put_saml_provider(p).ok());
        p.org_id = globex.id;
        p.metadata_url.clear();
        p.metadata_fetched_at.reset();
        REQUIRE(tx.put_saml_provider(p).ok());
        const auto listed = tx.providers_with_metadata_url();
        REQUIRE(listed.size() == 1);
        CHECK(listed[0].org_id == acme.id);
        CHECK(listed[0].metadata_fetched_at == 1234);
        CHECK_FALSE(tx.saml_provider(globex.id)->metadata_fetched_at.has_value());
        return {};
    }));
}

TEST_CASE("the audit log filters by target and outcome") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        for (int i = 0; i < 6; ++i) {
            core::AuditEntry e;
            e.org_id = acme.id;
            e.at = 100 + i;
            e.actor = "idp";
            e.action = "saml.sign_in";
            e.target = i % 2 ? "member-a" : "member-b";
            e.outcome = i % 3 ? "success" : "failure";
            REQUIRE(tx.append_audit(e).ok());
        }
        store::AuditQuery q;
        q.target = "member-a";
        CHECK(tx.list_audit(acme.id, q).total == 3);
        q.outcome = "failure";
        const auto page = tx.list_audit(acme.id, q);
        REQUIRE(page.total == 1);
        CHECK(page.items.at(0).at == 103);
        return {};
    }));
}
