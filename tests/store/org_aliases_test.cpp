#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

// Runs `work` in a write transaction that is rolled back, whatever it finds.
void in_transaction(StoreFixture& f, const std::function<void(store::Transaction&)>& work) {
    (void)f.db->write([&](store::Transaction& tx) -> Status {
        work(tx);
        return fail("test.rollback", "rolled back");
    });
}

}  // namespace

TEST_CASE("renaming an org keeps its old slug as an alias that finds the same org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.rename_org(acme.id, "acme-corp", 100).ok());
        return {};
    }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.org_by_slug("acme").has_value());
        const auto renamed = tx.org_by_slug("acme-corp");
        REQUIRE(renamed.has_value());
        CHECK(renamed->id == acme.id);
        CHECK(renamed->aliases == std::vector<std::string>{"acme"});
        const auto by_alias = tx.org_by_alias("acme");
        REQUIRE(by_alias.has_value());
        CHECK(by_alias->slug == "acme-corp");
        CHECK_FALSE(tx.org_by_alias("acme-corp").has_value());
        const auto aliases = tx.list_org_aliases(acme.id);
        REQUIRE(aliases.size() == 1);
        CHECK(aliases[0].created_at == 100);
        return {};
    }));
}

TEST_CASE("an org cannot be created with, nor renamed to, a slug that is any org's alias") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.rename_org(acme.id, "acme-corp", 100);
    }));
    in_transaction(f, [&](store::Transaction& tx) {
        core::Org taken;
        taken.slug = "acme";
        taken.name = "Squatter";
        const auto inserted = tx.insert_org(taken);
        REQUIRE_FALSE(inserted.ok());
        CHECK(inserted.error().code == store::kConflict);
    });
    in_transaction(f, [&](store::Transaction& tx) {
        const auto renamed = tx.rename_org(globex.id, "acme", 200);
        REQUIRE_FALSE(renamed.ok());
        CHECK(renamed.error().code == store::kConflict);
    });
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("globex").has_value());
        CHECK(tx.org_by_alias("acme")->id == acme.id);
        return {};
    }));
}

TEST_CASE("an org cannot be renamed to another org's slug, nor an alias take an org's slug") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.make_org("globex");
    in_transaction(f, [&](store::Transaction& tx) {
        CHECK(tx.rename_org(acme.id, "globex", 100).error().code == store::kConflict);
    });
    in_transaction(f, [&](store::Transaction& tx) {
        CHECK(tx.insert_org_alias(core::OrgAlias{acme.id, "globex", 100}).error().code ==
              store::kConflict);
    });
    in_transaction(f, [&](store::Transaction& tx) {
        CHECK(tx.rename_org(acme.id, "acme", 100).error().code == store::kConflict);
    });
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("acme")->aliases.empty());
        return {};
    }));
}

TEST_CASE("renaming an org back to its own alias drops that alias instead of conflicting") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.rename_org(acme.id, "acme-corp", 100).ok());
        REQUIRE(tx.rename_org(acme.id, "acme-inc", 200).ok());
        CHECK(tx.org_by_id(acme.id)->aliases == std::vector<std::string>{"acme", "acme-corp"});
        REQUIRE(tx.rename_org(acme.id, "acme", 300).ok());
        return {};
    }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_id(acme.id);
        CHECK(org->slug == "acme");
        CHECK(org->aliases == std::vector<std::string>{"acme-corp", "acme-inc"});
        CHECK_FALSE(tx.org_by_alias("acme").has_value());
        return {};
    }));
}

TEST_CASE("a removed alias frees its slug for any org, and removing it twice is not found") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.rename_org(acme.id, "acme-corp", 100).ok());
        CHECK(tx.delete_org_alias(globex.id, "acme").error().code == store::kNotFound);
        REQUIRE(tx.delete_org_alias(acme.id, "acme").ok());
        CHECK(tx.delete_org_alias(acme.id, "acme").error().code == store::kNotFound);
        CHECK_FALSE(tx.org_by_alias("acme").has_value());
        return tx.rename_org(globex.id, "acme", 200);
    }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("acme")->id == globex.id);
        CHECK(tx.org_by_slug("acme")->aliases == std::vector<std::string>{"globex"});
        return {};
    }));
}
