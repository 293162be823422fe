// User names and emails compare case-insensitively for ASCII letters only, on every backend
// (SQLite's NOCASE; lower(... COLLATE "C") on PostgreSQL, whatever the database's locale).
#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

Result<core::Member> insert_member(StoreFixture& f, core::RowId org_id,
                                   const std::string& user_name, const std::string& email) {
    Result<core::Member> result = fail("", "");
    const Status status = f.db->write([&](store::Transaction& tx) -> Status {
        core::Member m;
        m.org_id = org_id;
        m.user_name = user_name;
        m.email = email;
        result = tx.insert_member(m);
        return result ? Status{} : Status{result.error()};
    });
    if (!status) return status.error();
    return result;
}

}  // namespace

TEST_CASE("user names that differ in ASCII case only are one user name") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(insert_member(f, acme.id, "Bob.Smith", "bob@example.com"));
    const auto again = insert_member(f, acme.id, "bob.smith", "bob2@example.com");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == store::kConflict);
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        const auto found = tx.member_by_user_name(acme.id, "BOB.SMITH");
        REQUIRE(found);
        CHECK(found->user_name == "Bob.Smith");
        return {};
    }));
}

TEST_CASE("letters outside ASCII are not case-folded in user names and emails") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    REQUIRE(insert_member(f, acme.id, "ÉLODIE", "ÉLODIE@example.com"));
    REQUIRE(insert_member(f, acme.id, "élodie", "other@example.com"));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        // É and é are different letters to the store; L and l are one.
        CHECK(tx.member_by_user_name(acme.id, "éLODIE")->email == "other@example.com");
        CHECK(tx.member_by_user_name(acme.id, "Élodie")->email == "ÉLODIE@example.com");
        CHECK(tx.member_by_email(acme.id, "élodie@example.com") == std::nullopt);
        CHECK(tx.member_by_email(acme.id, "Élodie@EXAMPLE.com")->user_name == "ÉLODIE");
        return {};
    }));
}
