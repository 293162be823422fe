// Pending AuthnRequests bound to a browser, and the replay cache of LogoutRequest IDs.
#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

constexpr util::UnixTime kNow = 1'800'000'000;

struct SamlStateFixture : StoreFixture {
    core::Org acme = make_org("acme");

    void insert(const std::string& id, std::optional<std::string> browser_hash = std::nullopt) {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            if (auto s = tx.insert_authn_request(acme.id, id, "/next", kNow + 600); !s) return s;
            if (!browser_hash) return {};
            return tx.bind_authn_request(acme.id, id, *browser_hash);
        }));
    }

    std::optional<store::PendingAuthnRequest> pending(const std::string& id,
                                                      util::UnixTime at = kNow,
                                                      core::RowId org_id = 0) {
        std::optional<store::PendingAuthnRequest> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.pending_authn_request(org_id ? org_id : acme.id, id, at);
            return {};
        }));
        return found;
    }

    bool logout_seen(const std::string& id, util::UnixTime at, core::RowId org_id = 0) {
        bool seen = false;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            seen = tx.logout_request_seen(org_id ? org_id : acme.id, id, at);
            return {};
        }));
        return seen;
    }
};

}  // namespace

TEST_CASE("a pending AuthnRequest keeps the browser hash it was bound to, bytes intact") {
    SamlStateFixture f;
    const std::string hash("\x00\xff\x10 binary\x00", 11);
    f.insert("_bound", hash);
    const auto found = f.pending("_bound");
    REQUIRE(found.has_value());
    CHECK(found->relay_state == "/next");
    REQUIRE(found->browser_hash.has_value());
    CHECK(*found->browser_hash == hash);
}

TEST_CASE("a pending AuthnRequest never bound has no browser hash") {
    SamlStateFixture f;
    f.insert("_unbound");
    const auto found = f.pending("_unbound");
    REQUIRE(found.has_value());
    CHECK_FALSE(found->browser_hash.has_value());
}

TEST_CASE("pending_authn_request finds nothing expired, consumed or of another org") {
    SamlStateFixture f;
    const auto globex = f.make_org("globex");
    f.insert("_r", "hash");
    CHECK_FALSE(f.pending("_r", kNow + 600).has_value());
    CHECK_FALSE(f.pending("_r", kNow, globex.id).has_value());
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        CHECK(tx.consume_authn_request(f.acme.id, "_r", kNow).has_value());
        return {};
    }));
    CHECK_FALSE(f.pending("_r").has_value());
}

TEST_CASE("binding an AuthnRequest that is not stored is refused as not found") {
    SamlStateFixture f;
    const auto globex = f.make_org("globex");
    f.insert("_acme");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        CHECK(tx.bind_authn_request(f.acme.id, "_missing", "hash").error().code ==
              store::kNotFound);
        CHECK(tx.bind_authn_request(globex.id, "_acme", "hash").error().code == store::kNotFound);
        return {};
    }));
    CHECK_FALSE(f.pending("_acme")->browser_hash.has_value());
}

TEST_CASE("a remembered LogoutRequest ID is seen until it expires, in its org only") {
    SamlStateFixture f;
    const auto globex = f.make_org("globex");
    CHECK_FALSE(f.logout_seen("_logout-1", kNow));
    REQUIRE(f.db->write([&](store::Transaction& tx) {
        return tx.remember_logout_request(f.acme.id, "_logout-1", kNow + 60);
    }));
    CHECK(f.logout_seen("_logout-1", kNow));
    CHECK(f.logout_seen("_logout-1", kNow + 59));
    CHECK_FALSE(f.logout_seen("_logout-1", kNow + 60));
    CHECK_FALSE(f.logout_seen("_logout-1", kNow, globex.id));
}

TEST_CASE("remembering a LogoutRequest ID again never shortens how long it is kept") {
    SamlStateFixture f;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.remember_logout_request(f.acme.id, "_logout-1", kNow + 600));
        return tx.remember_logout_request(f.acme.id, "_logout-1", kNow + 60);
    }));
    CHECK(f.logout_seen("_logout-1", kNow + 300));
}
