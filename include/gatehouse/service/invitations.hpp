// Invitations: the mail that asks an invited member to sign in for the first time, its
// single-use link (/auth/login/{org}/?invite=TOKEN, valid 7 days), and resending or revoking it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Why a link does not work. The browser is told which of the three it is and nothing else:
// nothing about the member, or whether a token of another org exists.
inline constexpr std::string_view kInvitationInvalid = "invitation.invalid";  // unknown, revoked
inline constexpr std::string_view kInvitationExpired = "invitation.expired";
inline constexpr std::string_view kInvitationUsed = "invitation.used";  // already accepted
// Resend for a member who is not invited (active or deactivated) → 409.
inline constexpr std::string_view kInvitationNotInvited = "invitation.member_not_invited";
// Revoke for a member with no pending invitation → 404.
inline constexpr std::string_view kInvitationNotFound = "invitation.not_found";
// Choosing a password through an invitation in an org that signs in with SSO → 409.
inline constexpr std::string_view kInvitationSsoOnly = "invitation.sso_only";

// Where links point and how long they work. An empty base URL (the command line, which
// knows none) means members are added without an invitation.
struct InvitationSettings {
    std::string base_url;  // public URL of the gateway, no trailing slash
    util::UnixTime ttl_seconds = 7 * 24 * 3600;
};

// Issues an invitation to `member` inside the caller's write transaction: a fresh 256-bit
// token whose SHA-256 alone is stored, and the "invitation" mail queued in the outbox with the
// link, so the member change, the invitation and its mail commit or roll back together. Any
// pending invitation of the member is ended first. `invited_by` is shown in the mail; nullopt
// reads "your identity provider". A member without an email, or with one no mail can be
// sent to (see is_valid_mail_address), gets no invitation (nullopt).
// Errors: store and outbox failures.
Result<std::optional<core::Invitation>> issue_invitation(
    store::Transaction& tx, const util::Clock& clock, const InvitationSettings& settings,
    const core::Org& org, const core::Member& member, const std::optional<std::string>& invited_by);

// Who `actor` (an audit actor, see Caller) is in an invitation: a signed-in member's display
// name or email, nullopt for the IdP over SCIM, "an administrator" for API keys and the CLI.
std::optional<std::string> inviter_name(store::Transaction& tx, const core::Org& org,
                                        const std::string& actor);

// Marks the member's pending invitation accepted, inside the caller's write transaction, when
// its first sign-in (SAML, OpenID, or a password chosen through the link) has just made it
// active; audit "member.invitation.accept" with `method`. Nothing when none is pending.
Status accept_pending_invitation(store::Transaction& tx, const core::Org& org,
                                 const core::Member& member, util::UnixTime now,
                                 std::string_view method);

// Ends the member's pending invitation (its link stops working) inside the caller's write
// transaction, because the member was activated otherwise, deactivated or is being removed.
void end_invitation(store::Transaction& tx, const core::Org& org, const core::Member& member,
                    util::UnixTime now);

// An invitation link that works, and for whom.
struct ValidInvitation {
    core::Invitation invitation;
    std::string email;  // the invited member's address: the link proves it was received
};

// A pending invitation as the members page and the admin API show it.
struct PendingInvitation {
    core::Invitation invitation;
    core::Member member;
    bool expired = false;
    // The state of the mail that carried its link: "queued", "sending", "sent", "failed",
    // or empty when the outbox no longer has it; with the last error of a failed attempt.
    std::string mail_state;
    std::string mail_error;
};

class Invitations {
  public:
    // `store` and `clock` must outlive this object. Thread-safe.
    Invitations(store::Store& store, const util::Clock& clock, InvitationSettings settings)
        : store_(store), clock_(clock), settings_(std::move(settings)) {}

    // The org's pending invitations, newest first, with their members and mail state.
    // Refused with kMembersForbidden for a caller that may not manage members.
    Result<std::vector<PendingInvitation>> list_pending(const core::Org& org, const Caller& caller);

    // Ends the member's pending invitation (if any) and issues a new one with a new mail.
    // Audit "member.invitation.resend". For owners, managers, admin keys and the CLI
    // (kMembersForbidden); only owner rights touch an owner's invitation (kOwnerRequired,
    // audited as a failure). IdP-managed members may be sent theirs: it changes nothing the
    // IdP owns. Errors: kMemberNotFound, kInvitationNotInvited, "invitation.no_email",
    // store and outbox failures.
    Result<core::Invitation> resend(const core::Org& org, std::string_view member_id,
                                    const Caller& caller);

    // Ends the member's pending invitation: its link stops working. The member stays invited.
    // Audit "member.invitation.revoke". Same rights as resend. Errors: kMemberNotFound,
    // kInvitationNotFound.
    Status revoke(const core::Org& org, std::string_view member_id, const Caller& caller);

    // The invitation whose link carries `token`, when it may still be used in `org`: known
    // for this org, neither revoked nor accepted, not expired. Otherwise kInvitationInvalid,
    // kInvitationUsed or kInvitationExpired. Read-only.
    Result<ValidInvitation> check(const core::Org& org, std::string_view token);

    // The invited person chose a password through the link, in an org without single
    // sign-on: the member gets the password, becomes active, the invitation is accepted and
    // a password session starts (landing on the org's page). The token is checked before
    // the password is hashed, so only a holder of a valid link can make the gateway hash.
    // Errors: those of check, kInvitationSsoOnly (the org has a SAML or OpenID provider, or
    // requires SSO), "password.too_short", "password.too_long", "password.hash_failed".
    Result<PasswordSignIn> accept_with_password(const core::Org& org, std::string_view token,
                                                std::string_view password,
                                                const SessionPolicy& policy);

    // The org's outbox, every kind of mail, newest first: what waits, what went, what failed
    // and why. Same rights as list_pending.
    Result<store::PageOf<core::OutboundMail>> outgoing_mail(const core::Org& org,
                                                            const Caller& caller, store::Page page);

  private:
    store::Store& store_;
    const util::Clock& clock_;
    InvitationSettings settings_;
};

}  // namespace gatehouse::service
