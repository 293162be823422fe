#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

TEST_CASE("user names are unique per org, case-insensitively") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.make_member(acme.id, "Ada");
    Status status = f.db->write([&](store::Transaction& tx) -> Status {
        core::Member m;
        m.org_id = acme.id;
        m.user_name = "ADA";
        m.email = "other@example.com";
        auto inserted = tx.insert_member(m);
        return inserted ? Status{} : Status{inserted.error()};
    });
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == store::kConflict);
    CHECK(status.error().message.find("ADA") != std::string::npos);
}

TEST_CASE("the same user name may exist in two orgs") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    f.make_member(acme.id, "ada");
    CHECK(f.make_member(globex.id, "ada").org_id == globex.id);
}

TEST_CASE("a member of one org is never reachable through another org's id") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.member_by_id(globex.id, ada.id).has_value());
        CHECK_FALSE(tx.member_by_public_id(globex.id, ada.public_id).has_value());
        CHECK_FALSE(tx.member_by_user_name(globex.id, "ada").has_value());
        CHECK(tx.list_members(globex.id, {}, {}).total == 0);
        CHECK_FALSE(tx.delete_member(globex.id, ada.id).ok());
        auto moved = ada;
        moved.org_id = globex.id;
        CHECK(tx.update_member(moved).error().code == store::kNotFound);
        CHECK(tx.member_by_id(acme.id, ada.id).has_value());
        return {};
    }));
}

TEST_CASE("lookups by user name and email ignore case") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.make_member(acme.id, "ada.lovelace");
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.member_by_user_name(acme.id, "Ada.Lovelace").has_value());
        CHECK(tx.member_by_email(acme.id, "ADA.LOVELACE@EXAMPLE.COM").has_value());
        return {};
    }));
}

TEST_CASE("update_member bumps the version and keeps the SAML subject unique per org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    auto ada = f.make_member(acme.id, "ada");
    auto bob = f.make_member(acme.id, "bob");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        ada.saml_subject = "subject-1";
        auto updated = tx.update_member(ada);
        REQUIRE(updated.ok());
        CHECK(updated->version == 2);
        bob.saml_subject = "subject-1";
        auto clash = tx.update_member(bob);
        REQUIRE_FALSE(clash.ok());
        CHECK(clash.error().code == store::kConflict);
        CHECK(tx.member_by_saml_subject(acme.id, "subject-1")->id == ada.id);
        return {};
    }));
}

TEST_CASE("a write that returns an error changes nothing") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    Status status = f.db->write([&](store::Transaction& tx) -> Status {
        core::Member m;
        m.org_id = acme.id;
        m.user_name = "ada";
        m.email = "ada@example.com";
        REQUIRE(tx.insert_member(m).ok());
        return fail("test.abort", "abort after the insert");
    });
    CHECK(status.error().code == "test.abort");
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.member_by_user_name(acme.id, "ada").has_value());
        return {};
    }));
}

TEST_CASE("list_members pages in id order and applies a condition") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    for (int i = 0; i < 5; ++i) f.make_member(acme.id, "user" + std::to_string(i));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        auto page = tx.list_members(acme.id, {}, {2, 2});
        CHECK(page.total == 5);
        REQUIRE(page.items.size() == 2);
        CHECK(page.items[0].user_name == "user2");
        store::MemberQuery query;
        query.condition = store::test(store::Field::user_name, store::Match::eq, "USER3");
        auto filtered = tx.list_members(acme.id, query, {0, 10});
        CHECK(filtered.total == 1);
        CHECK(filtered.items.at(0).user_name == "user3");
        return {};
    }));
}

TEST_CASE("deleting a member removes its sessions and team memberships") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::Team team;
        team.org_id = acme.id;
        team.slug = "eng";
        team.display_name = "Eng";
        auto created = tx.insert_team(team);
        REQUIRE(created.ok());
        REQUIRE(tx.add_team_member(acme.id, created->id, ada.id).ok());
        core::Session s;
        s.org_id = acme.id;
        s.member_id = ada.id;
        s.expires_at = 4102444800;
        REQUIRE(tx.insert_session(s, "hash-1").ok());
        REQUIRE(tx.delete_member(acme.id, ada.id).ok());
        CHECK_FALSE(tx.session_by_hash("hash-1").has_value());
        CHECK(tx.team_members(acme.id, created->id).empty());
        return {};
    }));
}
