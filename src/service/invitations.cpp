#include "gatehouse/service/invitations.hpp"

#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/mail_outbox.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/metrics.hpp"
#include "gatehouse/util/password.hpp"

namespace gatehouse::service {
namespace {

// Tokens carry 256 random bits. Guessing one is hopeless at any request rate, so the link
// needs no throttle of its own: the only thing an anonymous client can learn from it is that
// its guess is "not valid", which every wrong guess is.
constexpr std::size_t kTokenBytes = 32;

std::string link_of(const InvitationSettings& settings, const core::Org& org,
                    const std::string& token) {
    return settings.base_url + "/auth/login/" + org.slug + "/?invite=" + token;
}

std::string display_of(const core::Member& member) {
    if (!member.display_name.empty()) return member.display_name;
    std::string name = member.given_name;
    if (!member.family_name.empty()) name += (name.empty() ? "" : " ") + member.family_name;
    return name.empty() ? member.email : name;
}

std::string member_actor(const core::Member& member) { return "member:" + member.public_id; }

Error member_not_found(std::string_view member_id) {
    return fail(std::string(kMemberNotFound),
                "No member with the id '" + std::string(member_id) + "' in this organization.");
}

// Loads a member whose invitation the caller may send or revoke: the owner rule applies, the
// IdP lock does not (an invitation changes nothing the IdP provisioned).
Result<core::Member> invitable_member(store::Transaction& tx, const core::Org& org,
                                      std::string_view member_id, const Caller& caller) {
    auto member = tx.member_by_public_id(org.id, member_id);
    if (!member) return member_not_found(member_id);
    if (member->role == core::Role::owner && !caller.acts_as_owner()) {
        return fail(std::string(kOwnerRequired),
                    "Only an owner can send or revoke an owner's invitation.");
    }
    return *member;
}

// A refusal by the owner rule becomes a failure audit entry (the use case's transaction
// rolled back); every error passes through.
Error audited(store::Store& store, const util::Clock& clock, const core::Org& org,
              const Caller& caller, const char* action, std::string_view target, Error error) {
    if (error.code == kOwnerRequired) {
        record_refusal(store, clock, org.slug, caller.actor, action, std::string(target), error);
    }
    return error;
}

}  // namespace

Result<std::optional<core::Invitation>> issue_invitation(
    store::Transaction& tx, const util::Clock& clock, const InvitationSettings& settings,
    const core::Org& org, const core::Member& member,
    const std::optional<std::string>& invited_by) {
    // An address the outbox would refuse (SCIM stores what the IdP sends) gets no mail rather
    // than failing the change that made the member.
    if (!is_valid_mail_address(member.email)) return std::optional<core::Invitation>{};
    const util::UnixTime now = clock.now();
    tx.end_pending_invitations(org.id, member.id, now);
    const std::string token = util::random_token(kTokenBytes);
    core::Invitation invitation;
    invitation.org_id = org.id;
    invitation.member_id = member.id;
    invitation.token_hash = util::sha256(token);
    invitation.invited_by = invited_by;
    invitation.created_at = now;
    invitation.expires_at = now + settings.ttl_seconds;

    MailDraft draft;
    draft.kind = "invitation";
    draft.to = member.email;
    draft.template_name = "invitation";
    draft.values = {{"org_name", org.name},
                    {"inviter", invited_by.value_or("your identity provider")},
                    {"name", display_of(member)},
                    {"email", member.email},
                    {"link", link_of(settings, org, token)},
                    {"expires", util::format_iso8601(invitation.expires_at)}};
    auto mail = queue_mail(tx, clock, org, draft);
    if (!mail) return mail.error();
    invitation.mail_id = mail->id;
    auto inserted = tx.insert_invitation(invitation);
    if (!inserted) return inserted.error();
    return std::optional<core::Invitation>{*inserted};
}

std::optional<std::string> inviter_name(store::Transaction& tx, const core::Org& org,
                                        const std::string& actor) {
    constexpr std::string_view kMember = "member:";
    if (actor.rfind("scim-token:", 0) == 0) return std::nullopt;
    if (actor.rfind(kMember, 0) == 0) {
        if (auto member = tx.member_by_public_id(org.id, actor.substr(kMember.size()))) {
            return display_of(*member);
        }
    }
    return std::string("an administrator");
}

Status accept_pending_invitation(store::Transaction& tx, const core::Org& org,
                                 const core::Member& member, util::UnixTime now,
                                 std::string_view method) {
    auto pending = tx.pending_invitation(org.id, member.id);
    if (!pending) return {};
    if (tx.accept_invitation(org.id, pending->id, now) == 0) return {};
    auto entry =
        audit_entry(org, member_actor(member), "member.invitation.accept", member.public_id,
                    {{"email", member.email}, {"method", std::string(method)}});
    entry.at = now;
    return tx.append_audit(entry);
}

void end_invitation(store::Transaction& tx, const core::Org& org, const core::Member& member,
                    util::UnixTime now) {
    tx.end_pending_invitations(org.id, member.id, now);
}

Result<std::vector<PendingInvitation>> Invitations::list_pending(const core::Org& org,
                                                                 const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    std::vector<PendingInvitation> listed;
    const util::UnixTime now = clock_.now();
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        for (auto& invitation : tx.list_pending_invitations(org.id, store::Page{0, 1000}).items) {
            auto member = tx.member_by_id(org.id, invitation.member_id);
            if (!member) continue;
            PendingInvitation row;
            row.expired = invitation.expires_at <= now;
            if (invitation.mail_id) {
                if (auto mail = tx.outbound_mail_by_id(org.id, *invitation.mail_id)) {
                    row.mail_state = std::string(core::to_string(mail->state));
                    row.mail_error = mail->last_error;
                }
            }
            row.invitation = std::move(invitation);
            row.member = std::move(*member);
            listed.push_back(std::move(row));
        }
        return {};
    });
    if (!status) return status.error();
    return listed;
}

Result<core::Invitation> Invitations::resend(const core::Org& org, std::string_view member_id,
                                             const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    core::Invitation issued;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = invitable_member(tx, org, member_id, caller);
        if (!member) return member.error();
        if (member->state != core::MemberState::invited) {
            return fail(std::string(kInvitationNotInvited),
                        "The member " + member->email +
                            " is not waiting for an invitation: only invited members get one.");
        }
        auto invitation = issue_invitation(tx, clock_, settings_, org, *member,
                                           inviter_name(tx, org, caller.actor));
        if (!invitation) return invitation.error();
        if (!*invitation) {
            return fail("invitation.no_email",
                        "The member has no email address an invitation can be sent to.");
        }
        issued = **invitation;
        auto entry = audit_entry(org, caller.actor, "member.invitation.resend", member->public_id,
                                 {{"email", member->email}, {"expires_at", issued.expires_at}});
        entry.at = clock_.now();
        return tx.append_audit(entry);
    });
    if (!status) {
        return audited(store_, clock_, org, caller, "member.invitation.resend", member_id,
                       status.error());
    }
    return issued;
}

Status Invitations::revoke(const core::Org& org, std::string_view member_id, const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = invitable_member(tx, org, member_id, caller);
        if (!member) return member.error();
        if (tx.end_pending_invitations(org.id, member->id, clock_.now()) == 0) {
            return fail(std::string(kInvitationNotFound),
                        "The member " + member->email + " has no pending invitation.");
        }
        auto entry = audit_entry(org, caller.actor, "member.invitation.revoke", member->public_id,
                                 {{"email", member->email}});
        entry.at = clock_.now();
        return tx.append_audit(entry);
    });
    if (!status) {
        return audited(store_, clock_, org, caller, "member.invitation.revoke", member_id,
                       status.error());
    }
    return {};
}

namespace {

// The invitation behind `token` in `org`, if it may still be used; read inside `tx`.
Result<ValidInvitation> valid_invitation(store::Transaction& tx, const core::Org& org,
                                         std::string_view token, util::UnixTime now) {
    const Error invalid =
        fail(std::string(kInvitationInvalid), "This invitation link is not valid.");
    if (token.empty() || token.size() > 256) return invalid;
    const std::string hash = util::sha256(token);
    auto found = tx.invitation_by_token_hash(org.id, hash);
    // The lookup is by hash, so timing tells nothing about the token; comparing what was
    // found in constant time anyway keeps the check independent of how the index matches.
    if (!found || !util::constant_time_equal(found->token_hash, hash)) return invalid;
    if (found->accepted_at) {
        return fail(std::string(kInvitationUsed), "This invitation link was already used.");
    }
    if (found->revoked_at) return invalid;
    if (found->expires_at <= now) {
        return fail(std::string(kInvitationExpired), "This invitation link has expired.");
    }
    auto member = tx.member_by_id(org.id, found->member_id);
    if (!member || member->state != core::MemberState::invited) return invalid;
    return ValidInvitation{*found, member->email};
}

}  // namespace

Result<ValidInvitation> Invitations::check(const core::Org& org, std::string_view token) {
    Result<ValidInvitation> result = fail(std::string(kInvitationInvalid), "");
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = valid_invitation(tx, org, token, clock_.now());
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<PasswordSignIn> Invitations::accept_with_password(const core::Org& org,
                                                         std::string_view token,
                                                         std::string_view password,
                                                         const SessionPolicy& policy) {
    // The link first: nobody without one may make the gateway spend a hash.
    if (auto valid = check(org, token); !valid) return valid.error();
    auto hashed = util::password::hash(password);
    if (!hashed) return hashed.error();
    PasswordSignIn sign_in;
    const util::UnixTime now = clock_.now();
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto valid = valid_invitation(tx, org, token, now);
        if (!valid) return valid.error();
        const auto current = tx.org_by_id(org.id);
        if (!current || current->require_sso || tx.saml_provider(org.id) ||
            tx.oidc_provider(org.id)) {
            return fail(std::string(kInvitationSsoOnly),
                        "This organization signs in with single sign-on; follow the invitation "
                        "link to sign in there.");
        }
        auto member = tx.member_by_id(org.id, valid->invitation.member_id);
        if (!member) return fail(std::string(kInvitationInvalid), "");
        member->password_hash = *hashed;
        member->state = core::MemberState::active;
        member->last_sign_in_at = now;
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        if (auto s = accept_pending_invitation(tx, org, *updated, now, "password"); !s) return s;
        auto session = start_session(tx, *updated, core::SessionMethod::password, policy, now);
        if (!session) return session.error();
        sign_in.member = *updated;
        sign_in.session = std::move(*session);
        sign_in.redirect_path = "/organizations/" + org.slug + "/";
        return {};
    });
    if (!status) return status.error();
    util::metrics::count_sign_in("invitation");
    return sign_in;
}

Result<store::PageOf<core::OutboundMail>> Invitations::outgoing_mail(const core::Org& org,
                                                                     const Caller& caller,
                                                                     store::Page page) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    store::PageOf<core::OutboundMail> result;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = tx.list_outbound_mail(org.id, page);
        return {};
    });
    if (!status) return status.error();
    return result;
}

}  // namespace gatehouse::service
