#include <nlohmann/json.hpp>

#include "gatehouse/service/sso_service.hpp"

namespace gatehouse::service {
namespace {

Error refused(const char* code, std::string message) { return fail(code, std::move(message)); }

// A member found by an attribute rather than by its stored subject may be linked only if
// it has no subject yet, or already has this very one.
bool linkable(const core::Member& member, const std::string& subject) {
    return member.saml_subject.empty() || member.saml_subject == subject;
}

}  // namespace

Result<MemberMatch> find_member_for_identity(store::Transaction& tx, const core::Org& org,
                                             const saml::MappedIdentity& identity) {
    const std::string& subject = identity.user_id;
    MemberMatch match;
    match.member = tx.member_by_saml_subject(org.id, subject);
    match.by_subject = match.member.has_value();
    if (!match.member) {
        // The IdP user ID may equal what SCIM stored as externalId or userName. The email
        // comes last: it is the attribute most likely to change or be reassigned.
        // Without an address there is nothing to match by email; a blank email must never
        // find a member whose stored email happens to be blank.
        for (auto candidate :
             {tx.member_by_external_id(org.id, subject), tx.member_by_user_name(org.id, subject),
              identity.email.empty() ? std::nullopt : tx.member_by_email(org.id, identity.email)}) {
            if (!candidate) continue;
            if (!linkable(*candidate, subject)) {
                return refused("saml.member.subject_conflict",
                               "Member " + candidate->public_id +
                                   " is linked to a different SAML subject; the sign-in of "
                                   "subject '" +
                                   subject + "' may not take it over.");
            }
            match.member = candidate;
            break;
        }
    }

    if (match.member && match.member->state == core::MemberState::deactivated) {
        return refused("saml.member.deactivated",
                       "Member " + match.member->public_id + " is deactivated and cannot sign in.");
    }
    if (!match.member && !org.jit_provisioning) {
        return refused("saml.member.not_provisioned",
                       "No member matches this identity and just-in-time creation is off "
                       "for the organization.");
    }
    // A member is known by an address everywhere else (invitations, password sign-in, SCIM
    // userName); linking needs none, but creating one does.
    if (!match.member && identity.email.empty()) {
        return refused("saml.member.email_missing",
                       "No member matches subject '" + subject +
                           "' (SAML subject, externalId or userName), and creating one just in "
                           "time needs an email address, which the assertion does not carry (" +
                           saml::describe_received(identity) + ").");
    }
    return match;
}

Result<LinkOutcome> link_or_create_member(store::Transaction& tx, const core::Org& org,
                                          const saml::MappedIdentity& identity,
                                          util::UnixTime now) {
    const std::string& subject = identity.user_id;
    auto found = find_member_for_identity(tx, org, identity);
    if (!found) return found.error();
    std::optional<core::Member> member = std::move(found->member);
    LinkOutcome outcome;
    outcome.linked_now = member && !found->by_subject;

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
        created.saml_subject = subject;
        created.created_at = now;
        created.last_sign_in_at = now;
        auto inserted = tx.insert_member(created);
        if (!inserted) return inserted.error();
        outcome.member = *inserted;
        outcome.created_now = true;
        return outcome;
    }

    member->saml_subject = subject;
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
    outcome.member = *updated;
    return outcome;
}

}  // namespace gatehouse::service
