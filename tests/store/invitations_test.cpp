#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

core::Invitation invitation_for(const core::Member& member, const std::string& hash,
                                util::UnixTime at = 1000) {
    core::Invitation invitation;
    invitation.org_id = member.org_id;
    invitation.member_id = member.id;
    invitation.token_hash = hash;
    invitation.invited_by = "Olive Owner";
    invitation.mail_id = 7;
    invitation.created_at = at;
    invitation.expires_at = at + 7 * 24 * 3600;
    return invitation;
}

}  // namespace

TEST_CASE("an invitation is found by its token hash only within its own org") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_invitation(invitation_for(ada, "hash-a"));
        REQUIRE(inserted.ok());
        auto found = tx.invitation_by_token_hash(acme.id, "hash-a");
        REQUIRE(found.has_value());
        CHECK(found->id == inserted->id);
        CHECK(found->member_id == ada.id);
        CHECK(found->invited_by == "Olive Owner");
        CHECK(found->mail_id == 7);
        CHECK(found->expires_at == 1000 + 7 * 24 * 3600);
        CHECK_FALSE(found->accepted_at.has_value());
        CHECK_FALSE(tx.invitation_by_token_hash(globex.id, "hash-a").has_value());
        CHECK_FALSE(tx.invitation_by_token_hash(acme.id, "hash-b").has_value());
        return {};
    }));
}

TEST_CASE("an invitation from the identity provider stores no inviter") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto invitation = invitation_for(ada, "hash-a");
        invitation.invited_by.reset();
        invitation.mail_id.reset();
        REQUIRE(tx.insert_invitation(invitation).ok());
        auto found = tx.invitation_by_token_hash(acme.id, "hash-a");
        REQUIRE(found.has_value());
        CHECK_FALSE(found->invited_by.has_value());
        CHECK_FALSE(found->mail_id.has_value());
        return {};
    }));
}

TEST_CASE("a member has at most one pending invitation") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_invitation(invitation_for(ada, "hash-a")).ok());
        auto second = tx.insert_invitation(invitation_for(ada, "hash-b"));
        REQUIRE_FALSE(second.ok());
        CHECK(second.error().code == store::kConflict);
        CHECK(tx.end_pending_invitations(acme.id, ada.id, 2000) == 1);
        REQUIRE(tx.insert_invitation(invitation_for(ada, "hash-b", 2000)).ok());
        auto pending = tx.pending_invitation(acme.id, ada.id);
        REQUIRE(pending.has_value());
        CHECK(pending->token_hash == "hash-b");
        return {};
    }));
}

TEST_CASE("an accepted invitation is no longer pending and cannot be accepted again") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto invitation = tx.insert_invitation(invitation_for(ada, "hash-a"));
        REQUIRE(invitation.ok());
        CHECK(tx.accept_invitation(acme.id, invitation->id, 1500) == 1);
        CHECK(tx.accept_invitation(acme.id, invitation->id, 1600) == 0);
        CHECK(tx.end_pending_invitations(acme.id, ada.id, 1700) == 0);
        CHECK_FALSE(tx.pending_invitation(acme.id, ada.id).has_value());
        auto found = tx.invitation_by_token_hash(acme.id, "hash-a");
        REQUIRE(found.has_value());
        CHECK(found->accepted_at == 1500);
        CHECK_FALSE(found->revoked_at.has_value());
        return {};
    }));
}

TEST_CASE("a revoked invitation cannot be accepted, and another org cannot change one") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto invitation = tx.insert_invitation(invitation_for(ada, "hash-a"));
        REQUIRE(invitation.ok());
        CHECK(tx.accept_invitation(globex.id, invitation->id, 1500) == 0);
        CHECK(tx.end_pending_invitations(globex.id, ada.id, 1500) == 0);
        CHECK(tx.end_pending_invitations(acme.id, ada.id, 1600) == 1);
        CHECK(tx.accept_invitation(acme.id, invitation->id, 1700) == 0);
        auto found = tx.invitation_by_token_hash(acme.id, "hash-a");
        REQUIRE(found.has_value());
        CHECK(found->revoked_at == 1600);
        CHECK_FALSE(found->accepted_at.has_value());
        return {};
    }));
}

TEST_CASE("pending invitations are listed newest first, per org, without ended ones") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto globex = f.make_org("globex");
    const auto ada = f.make_member(acme.id, "ada");
    const auto bob = f.make_member(acme.id, "bob");
    const auto cy = f.make_member(acme.id, "cy");
    const auto dee = f.make_member(globex.id, "dee");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_invitation(invitation_for(ada, "hash-a")).ok());
        REQUIRE(tx.insert_invitation(invitation_for(bob, "hash-b")).ok());
        auto cys = tx.insert_invitation(invitation_for(cy, "hash-c"));
        REQUIRE(cys.ok());
        REQUIRE(tx.insert_invitation(invitation_for(dee, "hash-d")).ok());
        CHECK(tx.accept_invitation(acme.id, cys->id, 1200) == 1);
        auto page = tx.list_pending_invitations(acme.id, store::Page{0, 10});
        CHECK(page.total == 2);
        REQUIRE(page.items.size() == 2);
        CHECK(page.items[0].member_id == bob.id);
        CHECK(page.items[1].member_id == ada.id);
        auto first = tx.list_pending_invitations(acme.id, store::Page{0, 1});
        CHECK(first.total == 2);
        CHECK(first.items.size() == 1);
        return {};
    }));
}

TEST_CASE("removing a member removes its invitations") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        REQUIRE(tx.insert_invitation(invitation_for(ada, "hash-a")).ok());
        REQUIRE(tx.delete_member(acme.id, ada.id).ok());
        CHECK_FALSE(tx.invitation_by_token_hash(acme.id, "hash-a").has_value());
        return {};
    }));
}
