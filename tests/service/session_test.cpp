#include <doctest/doctest.h>

#include "../store/store_fixture.hpp"
#include "gatehouse/service/session_service.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

struct SessionFixture : StoreFixture {
    core::Org org = make_org("acme");
    core::Member member = activate(make_member(org.id, "ada"));
    service::SessionPolicy policy;

    core::Member activate(core::Member m) {
        m.state = core::MemberState::active;
        core::Member updated;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto u = tx.update_member(m);
            REQUIRE(u.ok());
            updated = *u;
            return {};
        }));
        return updated;
    }

    service::StartedSession start(util::UnixTime now, std::optional<util::UnixTime> cap = {}) {
        service::StartedSession started;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto s =
                service::start_session(tx, member, core::SessionMethod::saml, policy, now, cap);
            REQUIRE(s.ok());
            started = *s;
            return {};
        }));
        return started;
    }
};

}  // namespace

TEST_CASE("a started session resolves to its member until it expires") {
    SessionFixture f;
    const auto started = f.start(1000);
    auto found = service::resolve_session(*f.db, started.token, f.policy, 1001);
    REQUIRE(found.has_value());
    CHECK(found->member.id == f.member.id);
    CHECK(found->org.slug == "acme");
    CHECK_FALSE(
        service::resolve_session(*f.db, started.token, f.policy, 1000 + f.policy.absolute_seconds));
}

TEST_CASE("a session ends after the idle lifetime without requests") {
    SessionFixture f;
    const auto started = f.start(1000);
    CHECK_FALSE(
        service::resolve_session(*f.db, started.token, f.policy, 1000 + f.policy.idle_seconds));
}

TEST_CASE("a request keeps a session from going idle") {
    SessionFixture f;
    const auto started = f.start(1000);
    const auto half_idle = 1000 + f.policy.idle_seconds / 2;
    REQUIRE(service::resolve_session(*f.db, started.token, f.policy, half_idle));
    CHECK(service::resolve_session(*f.db, started.token, f.policy,
                                   half_idle + f.policy.idle_seconds - 1));
}

TEST_CASE("SessionNotOnOrAfter from the IdP caps the session") {
    SessionFixture f;
    const auto started = f.start(1000, 1100);
    CHECK(started.session.expires_at == 1100);
    CHECK_FALSE(service::resolve_session(*f.db, started.token, f.policy, 1100));
}

TEST_CASE("the session token is stored only as its hash") {
    SessionFixture f;
    const auto started = f.start(1000);
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK_FALSE(tx.session_by_hash(started.token).has_value());
        return {};
    }));
}

TEST_CASE("a session of a member who is no longer active resolves to nothing") {
    SessionFixture f;
    const auto started = f.start(1000);
    auto m = f.member;
    m.state = core::MemberState::deactivated;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.update_member(m).ok() ? Status{} : fail("x", "y");
    }));
    CHECK_FALSE(service::resolve_session(*f.db, started.token, f.policy, 1001));
}

TEST_CASE("ending a session by its token removes it; an unknown token ends nothing") {
    SessionFixture f;
    const auto started = f.start(1000);
    CHECK(service::end_session(*f.db, started.token).has_value());
    CHECK_FALSE(service::resolve_session(*f.db, started.token, f.policy, 1001));
    CHECK_FALSE(service::end_session(*f.db, "unknown-token").has_value());
}
