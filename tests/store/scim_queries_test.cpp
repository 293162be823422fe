// The store queries added for SCIM provisioning: token hashes and member ids in bulk, both
// scoped by org.
#include <doctest/doctest.h>

#include "store/store_fixture.hpp"

using gatehouse::Status;
using gatehouse::store::Transaction;
using gatehouse::testing::StoreFixture;

TEST_CASE(
    "scim_token_hash returns the stored hash of the org's token and nothing for another org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto other = f.make_org("other");
    gatehouse::core::RowId token_id = 0;
    REQUIRE(f.db->write([&](Transaction& tx) -> Status {
        auto token = tx.insert_credential(gatehouse::store::CredentialKind::scim_token, acme.id,
                                          std::string("\x01\x00hash", 6), "okta");
        if (!token) return token.error();
        token_id = token->id;
        return {};
    }));
    REQUIRE(f.db->read([&](Transaction& tx) -> Status {
        CHECK(tx.credential_hash(gatehouse::store::CredentialKind::scim_token, acme.id, token_id) ==
              std::string("\x01\x00hash", 6));
        CHECK_FALSE(
            tx.credential_hash(gatehouse::store::CredentialKind::scim_token, other.id, token_id)
                .has_value());
        CHECK_FALSE(
            tx.credential_hash(gatehouse::store::CredentialKind::scim_token, acme.id, token_id + 1)
                .has_value());
        return {};
    }));
}

TEST_CASE("member_row_ids resolves public ids in order and leaves unknown or foreign ids empty") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto other = f.make_org("other");
    const auto alice = f.make_member(acme.id, "alice");
    const auto bob = f.make_member(acme.id, "bob");
    const auto mallory = f.make_member(other.id, "mallory");
    REQUIRE(f.db->read([&](Transaction& tx) -> Status {
        const auto ids =
            tx.member_row_ids(acme.id, {bob.public_id, "nope", mallory.public_id, alice.public_id});
        REQUIRE(ids.size() == 4);
        CHECK(ids[0] == bob.id);
        CHECK_FALSE(ids[1].has_value());
        CHECK_FALSE(ids[2].has_value());
        CHECK(ids[3] == alice.id);
        return {};
    }));
}
