#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

core::OidcProvider github_provider(core::RowId org_id) {
    core::OidcProvider p;
    p.org_id = org_id;
    p.kind = core::OidcKind::github;
    p.issuer = "https://github.com";
    p.client_id = "Iv1.abc";
    p.client_secret = "secret";
    p.allowed_orgs = {"acme-corp", "acme-labs"};
    p.clock_skew_seconds = 60;
    p.updated_at = 1000;
    return p;
}

}  // namespace

TEST_CASE("an OpenID provider is stored whole and replaced whole") {
    StoreFixture f;
    const auto org = f.make_org("acme");
    REQUIRE(f.db->write(
        [&](store::Transaction& tx) { return tx.put_oidc_provider(github_provider(org.id)); }));
    core::OidcProvider google;
    google.org_id = org.id;
    google.kind = core::OidcKind::google;
    google.issuer = "https://accounts.google.com";
    google.client_id = "client";
    google.client_secret = "other";
    google.hosted_domains = {"example.com"};
    google.discovery = "{}";
    google.jwks = R"({"keys":[]})";
    google.jwks_fetched_at = 2000;
    std::optional<core::OidcProvider> first, second;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        first = tx.oidc_provider(org.id);
        if (auto s = tx.put_oidc_provider(google); !s) return s;
        second = tx.oidc_provider(org.id);
        return {};
    }));
    REQUIRE(first.has_value());
    CHECK(first->kind == core::OidcKind::github);
    CHECK(first->allowed_orgs == std::vector<std::string>{"acme-corp", "acme-labs"});
    CHECK(first->clock_skew_seconds == 60);
    CHECK_FALSE(first->jwks_fetched_at.has_value());
    REQUIRE(second.has_value());
    CHECK(second->kind == core::OidcKind::google);
    CHECK(second->hosted_domains == std::vector<std::string>{"example.com"});
    CHECK(second->allowed_orgs.empty());
    CHECK(second->jwks_fetched_at == 2000);
}

TEST_CASE("an OpenID provider belongs to its org only, and deleting it leaves others") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        if (auto s = tx.put_oidc_provider(github_provider(acme.id)); !s) return s;
        return tx.put_oidc_provider(github_provider(globex.id));
    }));
    bool acme_has = true, globex_has = false;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        if (auto s = tx.delete_oidc_provider(acme.id); !s) return s;
        acme_has = tx.oidc_provider(acme.id).has_value();
        globex_has = tx.oidc_provider(globex.id).has_value();
        return {};
    }));
    CHECK_FALSE(acme_has);
    CHECK(globex_has);
}

TEST_CASE("one OpenID subject links one member per org, and is found within its org only") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    auto ada = f.make_member(acme.id, "ada");
    auto grace = f.make_member(acme.id, "grace");
    auto other = f.make_member(globex.id, "ada");
    ada.oidc_subject = "https://op.example.test 42";
    grace.oidc_subject = ada.oidc_subject;
    other.oidc_subject = ada.oidc_subject;
    Result<core::Member> conflict = fail("unset", "");
    std::optional<core::Member> found, elsewhere;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        if (auto s = tx.update_member(ada); !s) return s.error();
        if (auto s = tx.update_member(other); !s) return s.error();
        conflict = tx.update_member(grace);
        found = tx.member_by_oidc_subject(acme.id, ada.oidc_subject);
        elsewhere = tx.member_by_oidc_subject(globex.id, ada.oidc_subject);
        return {};
    }));
    REQUIRE_FALSE(conflict.ok());
    CHECK(conflict.error().code == store::kConflict);
    REQUIRE(found.has_value());
    CHECK(found->public_id == ada.public_id);
    REQUIRE(elsewhere.has_value());
    CHECK(elsewhere->public_id == other.public_id);
}
