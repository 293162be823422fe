// Local password accounts: owners add members (with a password, or invited to sign in
// through SSO), set passwords, and members sign in with one unless the org requires SSO.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct NewMember {
    std::string email;
    core::Role role = core::Role::member;
    std::string password;      // empty: invited, signs in through SSO
    bool break_glass = false;  // owners only
    std::string given_name, family_name;
};

// Adds an owner-created or invited member to the org; the email is also its user name. With
// a password the member is active (source owner); without, invited (source invited) until
// its first SAML sign-in links it by email. One transaction, audit entry "member.create".
// Errors: "org.not_found", "member.invalid_email", store::kConflict (email or user name
// taken), "password.too_short", "password.too_long", "password.hash_failed",
// "member.break_glass_not_owner". Thread-safe; hashes outside the write lock.
Result<core::Member> add_member(store::Store& store, const util::Clock& clock,
                                const std::string& org_slug, const NewMember& request,
                                const std::string& actor);

// Replaces the password of the member with `email`, activates it if it was invited and
// ends every session it has (a reset usually follows a suspected leak). Audit entry
// "member.password.set". Errors: "org.not_found", "member.not_found", "password.*".
// A deactivated member stays deactivated. Thread-safe.
Status set_password(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                    const std::string& email, const std::string& password,
                    const std::string& actor);

// A successful sign-in: the session to hand to the browser and where to send it.
struct PasswordSignIn {
    core::Member member;
    StartedSession session;
    std::string redirect_path;
};
// The org requires SSO: send the browser here ("/auth/login/{org}/?next=…").
struct SsoRequired {
    std::string login_path;
};
// Refused. The browser sees one generic message whatever the code; the audit log keeps the
// precise reason.
struct PasswordRefused {
    Error error;
};
using PasswordOutcome = std::variant<PasswordSignIn, SsoRequired, PasswordRefused>;

// Signs a member of `org` in with email and password.
// - Unknown email, no password, wrong password: refused with "auth.password.invalid"; the
//   password is checked against a fixed dummy hash when there is no real one, so the answer
//   takes as long whether or not the member exists. Audit reason codes
//   "auth.password.unknown_member", "auth.password.no_password", "auth.password.wrong_password".
// - Right password but a deactivated or invited member: refused with
//   "auth.member.deactivated" / "auth.member.invited".
// - Require SSO on and not the break-glass owner (known or not): SsoRequired, audit reason
//   "auth.require_sso". The break-glass owner signs in; that use is audited with
//   {"break_glass": true} and logged as a warning.
// - Success: sets last_sign_in_at, upgrades an outdated hash, starts a password session.
//   The redirect is `next` when saml::is_safe_relay_path accepts it, else the org's landing page.
// Every outcome is audited as "auth.password_sign_in". Store failures are refused with their
// own code. Thread-safe.
PasswordOutcome password_sign_in(store::Store& store, const util::Clock& clock,
                                 const SessionPolicy& policy, const core::Org& org,
                                 std::string_view email, std::string_view password,
                                 std::string_view next);

}  // namespace gatehouse::service
