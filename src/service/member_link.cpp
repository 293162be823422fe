#include <nlohmann/json.hpp>

#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/sso_service.hpp"

namespace gatehouse::service {
namespace {

const std::string& linked_subject(const core::Member& member, const IdentitySpace& space) {
    return space.kind == IdentitySpace::Kind::saml ? member.saml_subject : member.oidc_subject;
}

// A member found by an attribute rather than by its stored subject may be linked only if
// it has no subject yet, or already has this very one.
bool linkable(const core::Member& member, const IdentitySpace& space, const std::string& subject) {
    const std::string& linked = linked_subject(member, space);
    return linked.empty() || linked == subject;
}

Error refused(const IdentitySpace& space, const char* reason, std::string message) {
    return fail(std::string(space.code_prefix()) + ".member." + reason, std::move(message));
}

}  // namespace

std::string IdentitySpace::stored_subject(const std::string& user_id) const {
    return kind == Kind::saml ? user_id : issuer + " " + user_id;
}

std::string describe_match(const Result<MemberMatch>& match) {
    if (!match) return match.error().message + " (" + match.error().code + ")";
    if (!match->member) return "create member (JIT)";
    const core::Member& member = *match->member;
    if (match->by_subject) return "existing member " + member.email;
    if (member.state == core::MemberState::invited) return "link invited member " + member.email;
    return "link member " + member.email;
}

Result<MemberMatch> find_member_for_identity(store::Transaction& tx, const core::Org& org,
                                             const saml::MappedIdentity& identity,
                                             const IdentitySpace& space) {
    const bool is_saml = space.kind == IdentitySpace::Kind::saml;
    const std::string& user_id = identity.user_id;
    const std::string subject = space.stored_subject(user_id);
    MemberMatch match;
    match.member = is_saml ? tx.member_by_saml_subject(org.id, subject)
                           : tx.member_by_oidc_subject(org.id, subject);
    match.by_subject = match.member.has_value();
    if (!match.member) {
        // The IdP user ID may equal what SCIM stored as externalId (or, where a SAML NameID
        // is an address or login, userName; an OpenID subject is an opaque identifier). The
        // email comes last: it is the attribute most likely to change or be reassigned.
        // Without an address there is nothing to match by email; a blank email must never
        // find a member whose stored email happens to be blank.
        for (auto candidate :
             {tx.member_by_external_id(org.id, user_id),
              is_saml ? tx.member_by_user_name(org.id, user_id) : std::nullopt,
              identity.email.empty() ? std::nullopt : tx.member_by_email(org.id, identity.email)}) {
            if (!candidate) continue;
            if (!linkable(*candidate, space, subject)) {
                return refused(space, "subject_conflict",
                               "Member " + candidate->public_id + " is linked to a different " +
                                   (is_saml ? "SAML" : "OpenID") +
                                   " subject; the sign-in of "
                                   "subject '" +
                                   user_id + "' may not take it over.");
            }
            match.member = candidate;
            break;
        }
    }

    if (match.member && match.member->state == core::MemberState::deactivated) {
        return refused(space, "deactivated",
                       "Member " + match.member->public_id + " is deactivated and cannot sign in.");
    }
    if (!match.member && !org.jit_provisioning) {
        return refused(space, "not_provisioned",
                       "No member matches this identity and just-in-time creation is off "
                       "for the organization.");
    }
    // A member is known by an address everywhere else (invitations, password sign-in, SCIM
    // userName); linking needs none, but creating one does.
    if (!match.member && identity.email.empty()) {
        return refused(space, "email_missing",
                       "No member matches subject '" + user_id +
                           (is_saml ? "' (SAML subject, externalId or userName)"
                                    : "' (OpenID subject or externalId)") +
                           ", and creating one just in time needs an email address, which the "
                           "sign-in does not carry (" +
                           saml::describe_received(identity) + ").");
    }
    return match;
}

Result<LinkOutcome> link_or_create_member(store::Transaction& tx, const core::Org& org,
                                          const saml::MappedIdentity& identity, util::UnixTime now,
                                          const IdentitySpace& space) {
    const std::string subject = space.stored_subject(identity.user_id);
    auto found = find_member_for_identity(tx, org, identity, space);
    if (!found) return found.error();
    std::optional<core::Member> member = std::move(found->member);
    LinkOutcome outcome;
    outcome.linked_now = member && !found->by_subject;
    auto link = [&](core::Member& m) {
        if (space.kind == IdentitySpace::Kind::saml) {
            m.saml_subject = subject;
        } else {
            m.oidc_subject = subject;
        }
    };

    if (!member) {
        core::Member created;
        created.org_id = org.id;
        created.email = identity.email;
        created.user_name = identity.email;
        created.given_name = identity.first_name;
        created.family_name = identity.last_name;
        created.role = org.default_role;
        created.state = core::MemberState::active;
        created.source = core::MemberSource::jit;
        link(created);
        created.created_at = now;
        created.last_sign_in_at = now;
        auto inserted = tx.insert_member(created);
        if (!inserted) return inserted.error();
        outcome.member = *inserted;
        outcome.created_now = true;
        return outcome;
    }

    link(*member);
    const bool first_sign_in = member->state == core::MemberState::invited;
    member->state = core::MemberState::active;
    member->last_sign_in_at = now;
    // Names follow the IdP unless SCIM manages the member, in which case SCIM is the
    // single source of truth and a sign-in does not overwrite it.
    if (!member->idp_managed) {
        if (!identity.first_name.empty()) member->given_name = identity.first_name;
        if (!identity.last_name.empty()) member->family_name = identity.last_name;
    }
    auto updated = tx.update_member(*member);
    if (!updated) return updated.error();
    // Whichever way this sign-in started (the invitation's link or the org's Login URL), the
    // member's first sign-in is what the invitation asked for; a sign-in that resolved to
    // another member never reaches this member's invitation.
    if (first_sign_in) {
        const char* method = space.kind == IdentitySpace::Kind::saml ? "saml" : "oidc";
        if (auto s = accept_pending_invitation(tx, org, *updated, now, method); !s) {
            return s.error();
        }
    }
    outcome.member = *updated;
    return outcome;
}

}  // namespace gatehouse::service
