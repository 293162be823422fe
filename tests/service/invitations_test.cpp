#include "gatehouse/service/invitations.hpp"

#include <doctest/doctest.h>

#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "provisioning_fixture.hpp"
#include "store/store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

namespace {

constexpr const char* kBaseUrl = "https://gate.example.com";
const std::string kPassword = "a long enough password";

struct InvitationFixture : StoreFixture {
    util::FixedClock clock{1'800'000'000};
    service::InvitationSettings settings{kBaseUrl};
    service::MemberAdmin admin{*db, clock, settings};
    service::Invitations invitations{*db, clock, settings};
    core::Org org = make_org("acme");
    core::Member owner = add_active("olive@example.com", core::Role::owner, "Olive Owner");
    service::Caller owner_caller{"member:" + owner.public_id, service::CallerKind::owner};
    service::SessionPolicy policy;

    core::Member add_active(const std::string& email, core::Role role,
                            const std::string& name = "") {
        core::Member m;
        m.org_id = org.id;
        m.email = email;
        m.user_name = email;
        m.display_name = name;
        m.role = role;
        m.state = core::MemberState::active;
        core::Member created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    }

    core::Member invite(const std::string& email, core::Role role = core::Role::member) {
        service::NewMember request;
        request.email = email;
        request.role = role;
        auto invited = admin.invite(org, request, owner_caller);
        REQUIRE_MESSAGE(invited.ok(), (invited.ok() ? "" : invited.error().message));
        return *invited;
    }

    std::vector<core::OutboundMail> outbox() {
        std::vector<core::OutboundMail> mails;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            mails = tx.list_outbound_mail(org.id, store::Page{0, 100}).items;
            return {};
        }));
        return mails;
    }

    std::optional<core::Invitation> pending(const core::Member& member) {
        std::optional<core::Invitation> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.pending_invitation(org.id, member.id);
            return {};
        }));
        return found;
    }

    core::Member reload(const core::Member& member) {
        std::optional<core::Member> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_id(org.id, member.id);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action;
            entries = tx.list_audit(org.id, query).items;
            return {};
        }));
        return entries;
    }
};

// The token of the newest mail's link, as the invited person would click it.
std::string token_of(const core::OutboundMail& mail) {
    const std::string marker = "?invite=";
    const auto at = mail.text_body.find(marker);
    REQUIRE(at != std::string::npos);
    const auto start = at + marker.size();
    const auto end = mail.text_body.find_first_of(" \r\n", start);
    return mail.text_body.substr(start, end - start);
}

saml::MappedIdentity identity(const std::string& subject, const std::string& email) {
    saml::MappedIdentity id;
    id.user_id = subject;
    id.email = email;
    return id;
}

}  // namespace

TEST_CASE("inviting a member without a password queues one invitation mail with its link") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    CHECK(ada.state == core::MemberState::invited);
    const auto mails = f.outbox();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].kind == "invitation");
    CHECK(mails[0].to == "ada@example.com");
    CHECK(mails[0].text_body.find("Olive Owner") != std::string::npos);
    CHECK(mails[0].text_body.find(std::string(kBaseUrl) + "/auth/login/acme/?invite=") !=
          std::string::npos);
    const auto invitation = f.pending(ada);
    REQUIRE(invitation.has_value());
    CHECK(invitation->mail_id == mails[0].id);
    CHECK(invitation->invited_by == "Olive Owner");
    CHECK(invitation->expires_at == f.clock.now() + 7 * 24 * 3600);
}

TEST_CASE("an invitation stores the SHA-256 of the link's token, never the token") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    CHECK(token.size() >= 43);  // 256 bits in base64url
    CHECK(f.pending(ada)->token_hash == util::sha256(token));
}

TEST_CASE("an invite refused by the store queues no mail") {
    InvitationFixture f;
    f.invite("ada@example.com");
    service::NewMember again;
    again.email = "ada@example.com";
    auto refused = f.admin.invite(f.org, again, f.owner_caller);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == store::kConflict);
    CHECK(f.outbox().size() == 1);
}

TEST_CASE("a member added with a password is active and gets no invitation") {
    InvitationFixture f;
    service::NewMember request;
    request.email = "pat@example.com";
    request.password = kPassword;
    auto added = f.admin.invite(f.org, request, f.owner_caller);
    REQUIRE(added.ok());
    CHECK(added->state == core::MemberState::active);
    CHECK(f.outbox().empty());
    CHECK_FALSE(f.pending(*added).has_value());
}

TEST_CASE("without a base URL members are added without an invitation") {
    InvitationFixture f;
    service::MemberAdmin cli_admin{*f.db, f.clock};
    service::NewMember request;
    request.email = "ada@example.com";
    auto added = cli_admin.invite(f.org, request, service::Caller::cli());
    REQUIRE(added.ok());
    CHECK(added->state == core::MemberState::invited);
    CHECK(f.outbox().empty());
}

TEST_CASE("a valid link names its member's email; another org does not know it") {
    InvitationFixture f;
    f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    auto valid = f.invitations.check(f.org, token);
    REQUIRE(valid.ok());
    CHECK(valid->email == "ada@example.com");
    const auto globex = f.make_org("globex");
    CHECK(f.invitations.check(globex, token).error().code == service::kInvitationInvalid);
    CHECK(f.invitations.check(f.org, token + "x").error().code == service::kInvitationInvalid);
    CHECK(f.invitations.check(f.org, "").error().code == service::kInvitationInvalid);
}

TEST_CASE("a link stops working after 7 days") {
    InvitationFixture f;
    f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    f.clock.advance(7 * 24 * 3600 - 1);
    CHECK(f.invitations.check(f.org, token).ok());
    f.clock.advance(1);
    auto expired = f.invitations.check(f.org, token);
    REQUIRE_FALSE(expired.ok());
    CHECK(expired.error().code == service::kInvitationExpired);
}

TEST_CASE("the invited member's first SSO sign-in accepts the invitation, and the link is used") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto linked =
            service::link_or_create_member(tx, f.org, identity("00u1", ada.email), f.clock.now());
        REQUIRE(linked.ok());
        CHECK(linked->member.state == core::MemberState::active);
        return {};
    }));
    CHECK(f.invitations.check(f.org, token).error().code == service::kInvitationUsed);
    const auto accepted = f.audit("member.invitation.accept");
    REQUIRE(accepted.size() == 1);
    CHECK(accepted[0].target == ada.public_id);
    CHECK(accepted[0].details.find("saml") != std::string::npos);
}

TEST_CASE("a sign-in that resolves to another member does not consume the invitation") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    f.invite("bob@example.com");
    const std::string ada_token = token_of(f.outbox().back());
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return service::link_or_create_member(tx, f.org, identity("00u2", "bob@example.com"),
                                              f.clock.now())
                       .ok()
                   ? Status{}
                   : fail("x", "link failed");
    }));
    CHECK(f.invitations.check(f.org, ada_token).ok());
    CHECK(f.pending(ada).has_value());
    CHECK(f.reload(ada).state == core::MemberState::invited);
}

TEST_CASE("choosing a password through the link activates the member and signs them in once") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    auto signed_in = f.invitations.accept_with_password(f.org, token, kPassword, f.policy);
    REQUIRE_MESSAGE(signed_in.ok(), (signed_in.ok() ? "" : signed_in.error().message));
    CHECK(signed_in->member.id == ada.id);
    CHECK(signed_in->member.state == core::MemberState::active);
    CHECK_FALSE(signed_in->session.token.empty());
    CHECK(signed_in->redirect_path == "/organizations/acme/");
    CHECK_FALSE(f.reload(ada).password_hash.empty());
    auto again =
        f.invitations.accept_with_password(f.org, token, "another long password", f.policy);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == service::kInvitationUsed);
    CHECK(f.audit("member.invitation.accept").size() == 1);
}

TEST_CASE("a password too short is refused through the link and the invitation stays pending") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    auto refused = f.invitations.accept_with_password(f.org, token, "short", f.policy);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "password.too_short");
    CHECK(f.reload(ada).state == core::MemberState::invited);
    CHECK(f.invitations.check(f.org, token).ok());
}

TEST_CASE("an org that requires SSO does not let an invitation choose a password") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    f.org.require_sso = true;
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.update_org(f.org); }));
    auto refused = f.invitations.accept_with_password(f.org, token, kPassword, f.policy);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kInvitationSsoOnly);
    CHECK(f.reload(ada).password_hash.empty());
}

TEST_CASE("resending ends the old link and mails a new one") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string old_token = token_of(f.outbox()[0]);
    auto resent = f.invitations.resend(f.org, ada.public_id, f.owner_caller);
    REQUIRE(resent.ok());
    const auto mails = f.outbox();
    REQUIRE(mails.size() == 2);
    const std::string new_token = token_of(mails[0]);  // newest first
    CHECK(new_token != old_token);
    CHECK(f.invitations.check(f.org, old_token).error().code == service::kInvitationInvalid);
    CHECK(f.invitations.check(f.org, new_token).ok());
    const auto audited = f.audit("member.invitation.resend");
    REQUIRE(audited.size() == 1);
    CHECK(audited[0].actor == f.owner_caller.actor);
}

TEST_CASE("revoking makes the link not valid, audited, and the member stays invited") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    REQUIRE(f.invitations.revoke(f.org, ada.public_id, f.owner_caller).ok());
    CHECK(f.invitations.check(f.org, token).error().code == service::kInvitationInvalid);
    CHECK(f.reload(ada).state == core::MemberState::invited);
    CHECK(f.audit("member.invitation.revoke").size() == 1);
    CHECK(f.invitations.revoke(f.org, ada.public_id, f.owner_caller).error().code ==
          service::kInvitationNotFound);
}

TEST_CASE("a member caller may not resend or revoke; a manager may") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const service::Caller member{"member:someone", service::CallerKind::member};
    CHECK(f.invitations.resend(f.org, ada.public_id, member).error().code ==
          service::kMembersForbidden);
    CHECK(f.invitations.revoke(f.org, ada.public_id, member).error().code ==
          service::kMembersForbidden);
    CHECK(f.invitations.list_pending(f.org, member).error().code == service::kMembersForbidden);
    const service::Caller manager{"member:mia", service::CallerKind::manager};
    CHECK(f.invitations.resend(f.org, ada.public_id, manager).ok());
    CHECK(f.invitations.revoke(f.org, ada.public_id, manager).ok());
}

TEST_CASE("only an owner resends an owner's invitation, and a manager's attempt is audited") {
    InvitationFixture f;
    const auto second_owner = f.invite("second@example.com", core::Role::owner);
    const service::Caller manager{"member:mia", service::CallerKind::manager};
    auto refused = f.invitations.resend(f.org, second_owner.public_id, manager);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kOwnerRequired);
    const auto audited = f.audit("member.invitation.resend");
    REQUIRE(audited.size() == 1);
    CHECK(audited[0].outcome == "failure");
    CHECK(f.outbox().size() == 1);
}

TEST_CASE("an active member has no invitation to resend") {
    InvitationFixture f;
    auto refused = f.invitations.resend(f.org, f.owner.public_id, f.owner_caller);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kInvitationNotInvited);
    CHECK(f.outbox().empty());
}

TEST_CASE("deactivating an invited member ends its invitation") {
    InvitationFixture f;
    const auto ada = f.invite("ada@example.com");
    const std::string token = token_of(f.outbox()[0]);
    REQUIRE(f.admin.set_active(f.org, ada.public_id, false, f.owner_caller).ok());
    CHECK(f.invitations.check(f.org, token).error().code == service::kInvitationInvalid);
    CHECK_FALSE(f.pending(ada).has_value());
}

TEST_CASE("pending invitations are listed with their inviter and the state of their mail") {
    InvitationFixture f;
    f.invite("ada@example.com");
    auto listed = f.invitations.list_pending(f.org, f.owner_caller);
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].member.email == "ada@example.com");
    CHECK((*listed)[0].invitation.invited_by == "Olive Owner");
    CHECK((*listed)[0].mail_state == "queued");
    CHECK_FALSE((*listed)[0].expired);
}

TEST_CASE("SCIM creating an active user queues one invitation from the identity provider") {
    testing::ProvisioningFixture p;
    service::ProvisioningService scim{*p.storage.db, p.clock, {kBaseUrl}};
    auto created = scim.create_user(p.client, testing::user_body("ada@example.com"));
    REQUIRE(created.ok());
    std::vector<core::OutboundMail> mails;
    REQUIRE(p.storage.db->read([&](store::Transaction& tx) -> Status {
        mails = tx.list_outbound_mail(p.client.org.id, store::Page{0, 10}).items;
        return {};
    }));
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].to == "ada@example.com");
    CHECK(mails[0].text_body.find("identity provider") != std::string::npos);
}

TEST_CASE("SCIM creating an inactive user, or one without an email, queues no invitation") {
    testing::ProvisioningFixture p;
    service::ProvisioningService scim{*p.storage.db, p.clock, {kBaseUrl}};
    REQUIRE(scim.create_user(p.client, testing::user_body("off@example.com", {{"active", false}}))
                .ok());
    auto no_email = testing::user_body("plain-user");
    no_email.erase("emails");
    REQUIRE(scim.create_user(p.client, no_email).ok());
    std::int64_t total = -1;
    REQUIRE(p.storage.db->read([&](store::Transaction& tx) -> Status {
        total = tx.list_outbound_mail(p.client.org.id, store::Page{0, 10}).total;
        return {};
    }));
    CHECK(total == 0);
}
