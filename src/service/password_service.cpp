#include "gatehouse/service/password_service.hpp"

#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"
#include "gatehouse/util/password.hpp"
#include "sign_in_limits.hpp"

namespace gatehouse::service {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxEmailBytes = 320;
constexpr const char* kSignInAction = "auth.password_sign_in";

Error org_not_found(const std::string& slug) {
    return fail("org.not_found", "No organization with the slug '" + slug + "'.");
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string display_name(const NewMember& request) {
    if (request.given_name.empty()) return request.family_name;
    if (request.family_name.empty()) return request.given_name;
    return request.given_name + " " + request.family_name;
}

// Verifying against this when the member has no hash makes an unknown email cost as much
// as a known one. Hashing a random secret once means no password can ever match it.
const std::string& dummy_hash() {
    static const std::string hash = [] {
        auto made = util::password::hash(util::random_token(24));
        // Without memory for one hash no real sign-in can succeed either; an empty hash
        // only loses the equal timing for as long as that lasts.
        return made ? *made : std::string();
    }();
    return hash;
}

std::string landing_path(const core::Org& org) { return "/organizations/" + org.slug + "/"; }

// What the member found by email (if any) allows, decided before any write.
struct Verdict {
    std::optional<core::Member> member;
    bool password_matches = false;
};

Result<Verdict> check_credentials(store::Store& store, const core::Org& org, std::string_view email,
                                  std::string_view password) {
    Verdict verdict;
    if (!email.empty() && email.size() <= kMaxEmailBytes) {
        const Status read = store.read([&](store::Transaction& tx) -> Status {
            verdict.member = tx.member_by_email(org.id, email);
            return {};
        });
        if (!read) return read.error();
    }
    const bool has_hash = verdict.member && !verdict.member->password_hash.empty();
    // Always one full verification, whatever was found.
    const bool matches =
        util::password::verify(has_hash ? verdict.member->password_hash : dummy_hash(), password);
    verdict.password_matches = has_hash && matches;
    return verdict;
}

bool is_break_glass_owner(const std::optional<core::Member>& member) {
    return member && member->break_glass && member->role == core::Role::owner;
}

// The precise reason a password sign-in is refused, or empty when it may go ahead.
std::string refusal_reason(const Verdict& verdict) {
    if (!verdict.member) return "auth.password.unknown_member";
    if (verdict.member->password_hash.empty()) return "auth.password.no_password";
    if (!verdict.password_matches) return "auth.password.wrong_password";
    if (verdict.member->state == core::MemberState::deactivated) return "auth.member.deactivated";
    if (verdict.member->state == core::MemberState::invited) return "auth.member.invited";
    return {};
}

Error browser_error(const std::string& reason) {
    if (reason == "auth.member.deactivated") {
        return fail(reason, "The member is deactivated and cannot sign in.");
    }
    if (reason == "auth.member.invited") {
        return fail(reason, "The member has not accepted the invitation yet.");
    }
    return fail("auth.password.invalid", "The email or password is not right.");
}

std::string refusal_target(const Verdict& verdict, std::string_view email) {
    return verdict.member ? verdict.member->public_id
                          : std::string(email.substr(0, kMaxEmailBytes));
}

// Records a sign-in that did not happen, in the audit log and the server log, and counts it
// against the attempt's throttle subjects.
void record_refusal(store::Store& store, const util::Clock& clock, const SignInLimits& limits,
                    const core::Org& org, const Verdict& verdict, std::string_view email,
                    const ThrottleSubjects& subjects, const std::string& reason) {
    const std::string target = refusal_target(verdict, email);
    const util::UnixTime now = clock.now();
    util::metrics::count_sign_in_refusal(kSignInAction, reason);
    util::log_event(util::LogLevel::info, "auth.password_sign_in.refused",
                    {{"org", org.slug}, {"reason", reason}});
    (void)store.write([&](store::Transaction& tx) -> Status {
        if (auto appended = tx.append_audit(
                audit_entry(org.id, now, "anonymous", kSignInAction, target, "failure", reason));
            !appended) {
            return appended;
        }
        return count_failure(tx, org, limits, subjects, now, target);
    });
}

}  // namespace

Result<core::Member> add_member(store::Store& store, const util::Clock& clock,
                                const std::string& org_slug, const NewMember& request,
                                const std::string& actor, const InvitationSettings* invitations) {
    if (!saml::looks_like_email(request.email) || request.email.size() > kMaxEmailBytes) {
        return fail("member.invalid_email", "'" + request.email + "' is not an email address.");
    }
    if (request.break_glass && request.role != core::Role::owner) {
        return fail("member.break_glass_not_owner",
                    "Only an owner can hold the break-glass account.");
    }
    std::string hash;
    if (!request.password.empty()) {
        auto hashed = util::password::hash(request.password);
        if (!hashed) return hashed.error();
        hash = std::move(*hashed);
    }
    core::Member created;
    const Status status = store.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        // Email is not unique in the schema (SCIM may store the same address twice), but
        // an owner adding a second account for one address is always a mistake.
        if (tx.member_by_email(org->id, request.email)) {
            return fail(store::kConflict, "A member with the email '" + request.email +
                                              "' already exists in this organization.");
        }
        core::Member member;
        member.org_id = org->id;
        member.email = request.email;
        member.user_name = request.email;
        member.given_name = request.given_name;
        member.family_name = request.family_name;
        member.display_name = display_name(request);
        member.role = request.role;
        member.password_hash = hash;
        member.break_glass = request.break_glass;
        member.state = hash.empty() ? core::MemberState::invited : core::MemberState::active;
        member.source = hash.empty() ? core::MemberSource::invited : core::MemberSource::owner;
        member.created_at = clock.now();
        auto inserted = tx.insert_member(member);
        if (!inserted) return inserted.error();
        created = *inserted;
        if (invitations && created.state == core::MemberState::invited) {
            auto invited = issue_invitation(tx, clock, *invitations, *org, created,
                                            inviter_name(tx, *org, actor));
            if (!invited) return invited.error();
        }
        return tx.append_audit(audit_entry(org->id, clock.now(), actor, "member.create",
                                           created.public_id, "success", "",
                                           {{"email", created.email},
                                            {"role", std::string(core::to_string(created.role))},
                                            {"password", !hash.empty()},
                                            {"break_glass", created.break_glass}}));
    });
    if (!status) return status.error();
    return created;
}

Status set_password(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                    const std::string& email, const std::string& password,
                    const std::string& actor) {
    auto hashed = util::password::hash(password);
    if (!hashed) return hashed.error();
    return store.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        auto member = tx.member_by_email(org->id, email);
        if (!member) {
            return fail("member.not_found",
                        "No member with the email '" + email + "' in this organization.");
        }
        member->password_hash = *hashed;
        if (member->state == core::MemberState::invited) {
            // Active now, so the invitation's link has nothing left to do.
            member->state = core::MemberState::active;
            end_invitation(tx, *org, *member, clock.now());
        }
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        const std::int64_t ended = tx.delete_member_sessions(org->id, member->id);
        return tx.append_audit(audit_entry(org->id, clock.now(), actor, "member.password.set",
                                           member->public_id, "success", "",
                                           {{"sessions_ended", ended}}));
    });
}

PasswordOutcome password_sign_in(store::Store& store, const util::Clock& clock,
                                 const SessionPolicy& policy, SignInGuard& guard,
                                 const core::Org& org, const PasswordAttempt& attempt) {
    const std::string_view email = trim(attempt.email);
    const std::string destination =
        saml::is_safe_relay_path(attempt.next) ? std::string(attempt.next) : landing_path(org);
    const SignInLimits& limits = guard.limits;
    const ThrottleSubjects subjects = throttle_subjects(email, attempt.client_address);

    // Both refusals below come before any hashing: that is their point.
    if (const auto retry_after = throttled_for(store, clock, org, limits, subjects)) {
        util::metrics::count_sign_in_refusal(kSignInAction, "auth.throttled");
        return SignInThrottled{*retry_after};
    }
    auto slot = guard.slots.acquire(limits.hash_wait);
    if (!slot) {
        util::metrics::count_sign_in_refusal(kSignInAction, "auth.busy");
        util::log_event(util::LogLevel::warning, "auth.password_sign_in.busy", {{"org", org.slug}});
        return SignInBusy{limits.busy_retry_after_seconds};
    }
    auto verdict = check_credentials(store, org, email, attempt.password);
    if (!verdict) return PasswordRefused{verdict.error()};

    const std::string reason = refusal_reason(*verdict);
    // Under Require SSO only the break-glass owner's right password signs in.
    const bool signs_in =
        reason.empty() && (!org.require_sso || is_break_glass_owner(verdict->member));
    // An outdated hash is upgraded now, while the plaintext is at hand (the only other hash
    // of an attempt, and only a right password reaches it); a failure to hash only
    // postpones the upgrade.
    std::string upgraded;
    if (signs_in && util::password::needs_rehash(verdict->member->password_hash)) {
        if (auto hashed = util::password::hash(attempt.password)) upgraded = std::move(*hashed);
    }
    slot.reset();

    // Every other attempt under Require SSO, the break-glass owner's wrong password included,
    // goes to the IdP alike, known email or not: an answer of its own for that owner would
    // point out the most privileged account. Only the right password can tell, by signing in.
    if (!signs_in && org.require_sso) {
        record_refusal(store, clock, limits, org, *verdict, email, subjects,
                       is_break_glass_owner(verdict->member) ? reason : "auth.require_sso");
        return SsoRequired{"/auth/login/" + org.slug + "/?next=" + util::url_encode(destination)};
    }
    if (!signs_in) {
        record_refusal(store, clock, limits, org, *verdict, email, subjects, reason);
        return PasswordRefused{browser_error(reason)};
    }

    const bool break_glass_use = org.require_sso;
    const util::UnixTime now = clock.now();
    PasswordSignIn sign_in;
    const Status settled = store.write([&](store::Transaction& tx) -> Status {
        // The member may have changed since the check; only the checked state may sign in.
        auto member = tx.member_by_id(org.id, verdict->member->id);
        if (!member || member->state != core::MemberState::active ||
            member->password_hash != verdict->member->password_hash) {
            return fail("auth.password.invalid", "The email or password is not right.");
        }
        member->last_sign_in_at = now;
        if (!upgraded.empty()) member->password_hash = upgraded;
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        auto session = start_session(tx, *updated, core::SessionMethod::password, policy, now);
        if (!session) return session.error();
        if (auto cleared = tx.clear_sign_in_failures(org.id, subjects.account); !cleared) {
            return cleared;
        }
        sign_in.member = *updated;
        sign_in.session = std::move(*session);
        sign_in.redirect_path = destination;
        json details = json::object();
        if (break_glass_use) details["break_glass"] = true;
        return tx.append_audit(audit_entry(org.id, now, "member:" + updated->public_id,
                                           kSignInAction, updated->public_id, "success", "",
                                           details));
    });
    if (!settled) {
        record_refusal(store, clock, limits, org, *verdict, email, subjects, settled.error().code);
        return PasswordRefused{settled.error()};
    }
    util::metrics::count_sign_in("password");
    if (break_glass_use) {
        util::log_event(util::LogLevel::warning, "auth.break_glass.used",
                        {{"org", org.slug}, {"member", sign_in.member.public_id}});
    } else {
        util::log_event(util::LogLevel::info, kSignInAction,
                        {{"org", org.slug}, {"member", sign_in.member.public_id}});
    }
    return sign_in;
}

}  // namespace gatehouse::service
