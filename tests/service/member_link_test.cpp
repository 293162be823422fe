#include <doctest/doctest.h>

#include "../store/store_fixture.hpp"
#include "gatehouse/service/sso_service.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

struct LinkFixture : StoreFixture {
    core::Org org = make_org("acme");

    saml::MappedIdentity identity(const std::string& subject, const std::string& email) {
        saml::MappedIdentity id;
        id.user_id = subject;
        id.email = email;
        id.first_name = "Ada";
        return id;
    }

    Result<service::LinkOutcome> link(const saml::MappedIdentity& id) {
        std::optional<Result<service::LinkOutcome>> outcome;
        (void)db->write([&](store::Transaction& tx) -> Status {
            outcome = service::link_or_create_member(tx, org, id, 1000);
            return outcome->ok() ? Status{} : Status{outcome->error()};
        });
        return *outcome;
    }

    core::Member provision(const std::string& user_name, const std::string& external_id,
                           const std::string& email) {
        core::Member m;
        m.org_id = org.id;
        m.user_name = user_name;
        m.external_id = external_id;
        m.email = email;
        m.source = core::MemberSource::scim;
        m.idp_managed = true;
        m.role = core::Role::manager;
        core::Member created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_member(m);
            REQUIRE(inserted.ok());
            created = *inserted;
            return {};
        }));
        return created;
    }
};

}  // namespace

TEST_CASE("a provisioned member is linked by externalId, becomes active and keeps its role") {
    LinkFixture f;
    const auto scim = f.provision("ada@example.com", "00u123", "ada@example.com");
    auto linked = f.link(f.identity("00u123", "other@example.com"));
    REQUIRE(linked.ok());
    CHECK(linked->linked_now);
    CHECK(linked->member.id == scim.id);
    CHECK(linked->member.state == core::MemberState::active);
    CHECK(linked->member.role == core::Role::manager);
    CHECK(linked->member.saml_subject == "00u123");
}

TEST_CASE("a provisioned member is linked by userName, then by email, case-insensitively") {
    LinkFixture f;
    const auto by_name = f.provision("ada", "", "ada@example.com");
    CHECK(f.link(f.identity("ada", "x@example.com"))->member.id == by_name.id);
    const auto by_email = f.provision("bob", "", "bob@example.com");
    CHECK(f.link(f.identity("subject-bob", "BOB@EXAMPLE.COM"))->member.id == by_email.id);
}

TEST_CASE("after linking, the SAML subject finds the member even when the email changed") {
    LinkFixture f;
    const auto scim = f.provision("ada", "00u1", "ada@example.com");
    REQUIRE(f.link(f.identity("00u1", "ada@example.com")).ok());
    auto again = f.link(f.identity("00u1", "ada.new@example.com"));
    REQUIRE(again.ok());
    CHECK_FALSE(again->linked_now);
    CHECK(again->member.id == scim.id);
}

TEST_CASE("a member linked to another subject is never taken over") {
    LinkFixture f;
    f.provision("ada", "00u1", "ada@example.com");
    REQUIRE(f.link(f.identity("00u1", "ada@example.com")).ok());
    auto takeover = f.link(f.identity("attacker-subject", "ada@example.com"));
    REQUIRE_FALSE(takeover.ok());
    CHECK(takeover.error().code == "saml.member.subject_conflict");
}

TEST_CASE("a deactivated member cannot sign in") {
    LinkFixture f;
    auto m = f.provision("ada", "00u1", "ada@example.com");
    m.state = core::MemberState::deactivated;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.update_member(m).ok() ? Status{} : fail("x", "y");
    }));
    auto refused = f.link(f.identity("00u1", "ada@example.com"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.member.deactivated");
}

TEST_CASE("an unknown identity is created just in time with the org's default role, or refused") {
    LinkFixture f;
    auto created = f.link(f.identity("new-subject", "new@example.com"));
    REQUIRE(created.ok());
    CHECK(created->created_now);
    CHECK(created->member.source == core::MemberSource::jit);
    CHECK(created->member.role == f.org.default_role);
    f.org.jit_provisioning = false;
    auto refused = f.link(f.identity("other-subject", "other@example.com"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.member.not_provisioned");
}

TEST_CASE("a member provisioned with the IdP's opaque NameID as userName signs in without email") {
    LinkFixture f;
    const auto member = f.provision("AAdzZWNyZXQxsQ9XyK7y", "", "ada@example.com");
    auto linked = f.link(f.identity("AAdzZWNyZXQxsQ9XyK7y", ""));
    REQUIRE(linked.ok());
    CHECK(linked->linked_now);
    CHECK(linked->member.public_id == member.public_id);
    CHECK(linked->member.email == "ada@example.com");
    auto again = f.link(f.identity("AAdzZWNyZXQxsQ9XyK7y", ""));
    REQUIRE(again.ok());
    CHECK_FALSE(again->linked_now);
    CHECK(again->member.public_id == member.public_id);
}

TEST_CASE("an identity without email is never matched to a member by a blank email") {
    LinkFixture f;
    f.org.jit_provisioning = false;
    (void)f.provision("someone-else", "", "");
    auto refused = f.link(f.identity("opaque-subject", ""));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.member.not_provisioned");
}

TEST_CASE("just-in-time creation without an email is refused, naming the attributes present") {
    LinkFixture f;
    auto identity = f.identity("opaque-subject", "");
    identity.attribute_names = {"uid", "eduPersonAffiliation"};
    auto refused = f.link(identity);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.member.email_missing");
    CHECK(refused.error().message.find("attributes present: uid, eduPersonAffiliation") !=
          std::string::npos);
    CHECK(refused.error().message.find("opaque-subject") != std::string::npos);
}
