// The one bearer check that the SCIM endpoints and the admin API share: what it accepts,
// and that every refusal of either kind reads the same.
#include "gatehouse/service/bearer_auth.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;
using service::BearerKind;
using service::Caller;

namespace {

struct BearerFixture {
    StoreFixture storage;
    util::FixedClock clock{1'800'000'000};
    service::AdminService admin{*storage.db, clock};

    core::Org org(const std::string& slug) {
        if (auto found = admin.find_org(slug)) return *found;
        auto created = admin.create_org({slug, slug, ""}, "test");
        REQUIRE(created.ok());
        return created->org;
    }

    // A new secret of `kind` for `slug`, and its record.
    std::pair<std::string, core::BearerToken> issue(BearerKind kind, const std::string& slug) {
        if (kind == BearerKind::scim_token) {
            auto issued = admin.create_scim_token(slug, "idp", Caller::cli());
            REQUIRE(issued.ok());
            return {issued->token, issued->record};
        }
        auto issued = admin.create_admin_key(slug, "deploy", Caller::cli());
        REQUIRE(issued.ok());
        return {issued->token, issued->record};
    }

    void revoke(BearerKind kind, const std::string& slug, core::RowId id) {
        const Status revoked = kind == BearerKind::scim_token
                                   ? admin.revoke_scim_token(slug, id, Caller::cli())
                                   : admin.revoke_admin_key(slug, id, Caller::cli());
        REQUIRE(revoked.ok());
    }

    Result<service::BearerCredential> check(const core::Org& org, const std::string& header,
                                            BearerKind kind) {
        return service::authenticate_bearer(*storage.db, clock, org, header, kind);
    }
};

std::string refusal_code(BearerKind kind) {
    return kind == BearerKind::scim_token ? std::string(service::kScimUnauthorized)
                                          : std::string(service::kAdminKeyUnauthorized);
}

constexpr BearerKind kKinds[] = {BearerKind::scim_token, BearerKind::admin_key};

}  // namespace

TEST_CASE("bearer: a secret of the org is accepted, with its record and caller") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const core::Org acme = f.org("acme");
        const auto [secret, record] = f.issue(kind, "acme");
        auto accepted = f.check(f.org("acme"), "Bearer " + secret, kind);
        REQUIRE(accepted.ok());
        CHECK(accepted->org.id == acme.id);
        CHECK(accepted->token.id == record.id);
        CHECK(accepted->token.last_used_at == f.clock.now());
        CHECK(accepted->caller(kind).actor ==
              (kind == BearerKind::scim_token ? "scim-token:" : "admin-key:") +
                  std::to_string(record.id));
    }
}

TEST_CASE("bearer: missing header, wrong scheme and empty secret are refused alike") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const auto [secret, record] = f.issue(kind, f.org("acme").slug);
        for (const std::string& header :
             {std::string(), "Basic " + secret, secret, std::string("Bearer"),
              std::string("Bearer "), std::string("Bearer    ")}) {
            CAPTURE(header);
            auto refused = f.check(f.org("acme"), header, kind);
            REQUIRE_FALSE(refused.ok());
            CHECK(refused.error().code == refusal_code(kind));
        }
    }
}

TEST_CASE("bearer: an unknown secret is refused") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const auto [secret, record] = f.issue(kind, f.org("acme").slug);
        std::string near_miss = secret;
        near_miss.back() = near_miss.back() == 'a' ? 'b' : 'a';
        auto refused = f.check(f.org("acme"), "Bearer " + near_miss, kind);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == refusal_code(kind));
    }
}

TEST_CASE("bearer: a revoked secret is refused") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const auto [secret, record] = f.issue(kind, f.org("acme").slug);
        f.revoke(kind, "acme", record.id);
        auto refused = f.check(f.org("acme"), "Bearer " + secret, kind);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == refusal_code(kind));
    }
}

TEST_CASE("bearer: a secret of another org is refused") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const core::Org globex = f.org("globex");
        const auto [secret, record] = f.issue(kind, f.org("acme").slug);
        auto refused = f.check(globex, "Bearer " + secret, kind);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == refusal_code(kind));
    }
}

TEST_CASE("bearer: a secret of the other kind is refused") {
    BearerFixture f;
    const core::Org acme = f.org("acme");
    const auto [token, token_record] = f.issue(BearerKind::scim_token, "acme");
    const auto [key, key_record] = f.issue(BearerKind::admin_key, "acme");
    CHECK_FALSE(f.check(f.org("acme"), "Bearer " + token, BearerKind::admin_key).ok());
    CHECK_FALSE(f.check(f.org("acme"), "Bearer " + key, BearerKind::scim_token).ok());
}

TEST_CASE("bearer: every refusal of a kind carries the same sentence") {
    for (const BearerKind kind : kKinds) {
        BearerFixture f;
        const core::Org globex = f.org("globex");
        const auto [secret, record] = f.issue(kind, f.org("acme").slug);
        const auto missing = f.check(f.org("acme"), "", kind);
        const auto foreign = f.check(globex, "Bearer " + secret, kind);
        REQUIRE_FALSE(missing.ok());
        REQUIRE_FALSE(foreign.ok());
        CHECK(missing.error().message == foreign.error().message);
    }
}

TEST_CASE("bearer: a valid SCIM token of an org with SCIM off is scim_disabled") {
    BearerFixture f;
    const auto [secret, record] = f.issue(BearerKind::scim_token, f.org("acme").slug);
    core::Org acme = f.org("acme");
    acme.scim_enabled = false;
    auto refused = f.check(acme, "Bearer " + secret, BearerKind::scim_token);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kScimDisabled);
}
