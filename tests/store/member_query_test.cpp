// Typed member and team queries (gatehouse/store/query.hpp): searches, roles, states, teams,
// break-glass owners and conditions, compiled to SQL inside the store.
#include <set>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;
using store::Field;
using store::Match;

namespace {

core::Member save(StoreFixture& f, core::Member m) {
    core::Member saved;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_member(m);
        if (!inserted) return inserted.error();
        saved = *inserted;
        return {};
    }));
    return saved;
}

std::set<std::string> user_names(StoreFixture& f, core::RowId org_id,
                                 const store::MemberQuery& query) {
    std::set<std::string> names;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        const auto page = tx.list_members(org_id, query, store::Page{0, 100});
        CHECK(page.total == static_cast<std::int64_t>(page.items.size()));
        CHECK(tx.count_members(org_id, query) == page.total);
        for (const auto& m : page.items) names.insert(m.user_name);
        return {};
    }));
    return names;
}

using Names = std::set<std::string>;

// A query with the parts `set` gives it.
template <typename Set>
store::MemberQuery query(Set set) {
    store::MemberQuery q;
    set(q);
    return q;
}

store::MemberQuery searching(std::string text) {
    return query([&](store::MemberQuery& q) { q.search = std::move(text); });
}

}  // namespace

TEST_CASE("a member search matches email, user name or display name, wildcards literally") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    f.make_member(acme.id, "ada");
    auto percent = f.make_member(acme.id, "grace");
    percent.display_name = "Grace 100%";
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.update_member(percent).ok() ? Status{} : Status{fail("x", "update")};
    }));
    f.make_member(acme.id, "under_score");
    f.make_member(globex.id, "ada.globex");
    CHECK(user_names(f, acme.id, searching("ADA")) == Names{"ada"});
    CHECK(user_names(f, acme.id, searching("0%")) == Names{"grace"});
    CHECK(user_names(f, acme.id, searching("%")) == Names{"grace"});
    CHECK(user_names(f, acme.id, searching("_")) == Names{"under_score"});
    CHECK(user_names(f, acme.id, searching("@EXAMPLE.com")).size() == 3);
    CHECK(user_names(f, acme.id, searching("nobody")).empty());
}

TEST_CASE("member queries select by role, state, team and break-glass password together") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    core::Member owner;
    owner.org_id = acme.id;
    owner.user_name = "owner";
    owner.email = "owner@example.com";
    owner.role = core::Role::owner;
    owner.state = core::MemberState::active;
    owner.break_glass = true;
    owner.password_hash = "$argon2id$stand-in";
    save(f, owner);
    owner.user_name = "owner-no-password";
    owner.email = "owner2@example.com";
    owner.password_hash = "";
    save(f, owner);
    owner.user_name = "owner-deactivated";
    owner.email = "owner3@example.com";
    owner.password_hash = "$argon2id$stand-in";
    owner.state = core::MemberState::deactivated;
    save(f, owner);
    const auto plain = f.make_member(acme.id, "plain");

    CHECK(user_names(f, acme.id, query([](auto& q) { q.role = core::Role::owner; })) ==
          Names{"owner", "owner-no-password", "owner-deactivated"});
    CHECK(user_names(f, acme.id, query([](auto& q) {
                         q.role = core::Role::owner;
                         q.state = core::MemberState::active;
                     })) == Names{"owner", "owner-no-password"});
    CHECK(user_names(f, acme.id, query([](auto& q) {
                         q.state = core::MemberState::active;
                         q.break_glass_with_password = true;
                     })) == Names{"owner"});

    core::Team team;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::Team t;
        t.org_id = acme.id;
        t.slug = "ops";
        t.display_name = "Ops";
        auto inserted = tx.insert_team(t);
        if (!inserted) return inserted.error();
        team = *inserted;
        return tx.add_team_member(acme.id, team.id, plain.id);
    }));
    CHECK(user_names(f, acme.id, query([&](auto& q) { q.team_id = team.id; })) == Names{"plain"});
    CHECK(user_names(f, acme.id, query([&](auto& q) {
                         q.role = core::Role::owner;
                         q.team_id = team.id;
                     }))
              .empty());
}

TEST_CASE("member conditions fold case for text, not for exact text, and treat unset as false") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    auto ada = f.make_member(acme.id, "ada");
    ada.external_id = "Ext-1";
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.update_member(ada).ok() ? Status{} : Status{fail("x", "update")};
    }));
    f.make_member(acme.id, "bob");
    const auto where = [](store::ConditionPtr c) {
        return query([&](auto& q) { q.condition = c; });
    };
    CHECK(user_names(f, acme.id, where(store::test(Field::user_name, Match::eq, "ADA"))) ==
          Names{"ada"});
    CHECK(
        user_names(f, acme.id, where(store::test(Field::external_id, Match::eq, "ext-1"))).empty());
    CHECK(
        user_names(f, acme.id, where(store::test(Field::external_id, Match::starts_with, "Ext"))) ==
        Names{"ada"});
    CHECK(user_names(f, acme.id, where(store::test(Field::external_id, Match::starts_with, "ext")))
              .empty());
    // bob has no external id: the comparison is false for him, so its negation holds.
    CHECK(user_names(f, acme.id,
                     where(store::negate(store::test(Field::external_id, Match::eq, "Ext-1")))) ==
          Names{"bob"});
    CHECK(user_names(f, acme.id, where(store::test(Field::external_id, Match::present))) ==
          Names{"ada"});
    CHECK(user_names(f, acme.id, where(store::test(Field::active, Match::eq, true))).size() == 2);
    CHECK(user_names(f, acme.id,
                     where(store::any_of({store::test(Field::user_name, Match::eq, "bob"),
                                          store::test(Field::user_name, Match::eq, "ada")}))) ==
          Names{"ada", "bob"});
    CHECK(user_names(f, acme.id,
                     where(store::all_of({store::test(Field::user_name, Match::eq, "bob"),
                                          store::test(Field::user_name, Match::eq, "ada")})))
              .empty());
}

TEST_CASE("a malformed condition fails the transaction instead of running") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    f.make_member(acme.id, "ada");
    const std::vector<store::ConditionPtr> malformed = {
        store::test(Field::user_name, Match::eq, true),               // wrong operand type
        store::test(Field::active, Match::contains, "x"),             // pattern on a boolean
        store::test(Field::email_value, Match::eq, "a@example.com"),  // element field outside
        store::test(Field::user_name, Match::present, "x"),           // operand on presence
        store::all_of({}),                                            // empty junction
        store::some_element(store::Collection::team_members,          // a team collection
                            store::test(Field::team_member_public_id, Match::eq, "x")),
    };
    for (const auto& condition : malformed) {
        const Status status = f.db->read([&](store::Transaction& tx) -> Status {
            tx.list_members(acme.id, query([&](auto& q) { q.condition = condition; }),
                            store::Page{0, 10});
            return {};
        });
        REQUIRE_FALSE(status.ok());
        CHECK(status.error().code == store::kFailure);
    }
    const Status teams = f.db->read([&](store::Transaction& tx) -> Status {
        tx.list_teams(acme.id, {store::test(Field::user_name, Match::eq, "ada")},
                      store::Page{0, 10});
        return {};
    });
    CHECK(teams.error().code == store::kFailure);
}

TEST_CASE("rows the store stamps take the time of the store's clock") {
    gatehouse::testing::TempDir dir;
    util::FixedClock clock(1'900'000'000);
    auto opened = store::open_sqlite_store(dir.file("clock.db"), clock);
    REQUIRE(opened.ok());
    auto& db = **opened;
    REQUIRE(db.write([&](store::Transaction& tx) -> Status {
        core::Org org;
        org.slug = "acme";
        org.name = "Acme";
        auto created = tx.insert_org(org);
        REQUIRE(created.ok());
        CHECK(created->created_at == 1'900'000'000);
        core::Member m;
        m.org_id = created->id;
        m.user_name = "ada";
        m.email = "ada@example.com";
        auto member = tx.insert_member(m);
        REQUIRE(member.ok());
        CHECK(member->created_at == 1'900'000'000);
        clock.advance(60);
        auto updated = tx.update_member(*member);
        REQUIRE(updated.ok());
        CHECK(updated->updated_at == 1'900'000'060);
        auto token =
            tx.insert_credential(store::CredentialKind::admin_key, created->id, "hash", "ci");
        REQUIRE(token.ok());
        CHECK(token->created_at == 1'900'000'060);
        return {};
    }));
}
