// Local password accounts: owners add members and set passwords; members sign in with one,
// throttled against guessing, unless the org requires SSO (then only the break-glass owner).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
// With `invitations` (see invitations.hpp), an invited member gets its invitation and mail in
// that same transaction, from `actor`.
// Errors: "org.not_found", "member.invalid_email", store::kConflict (email or user name
// taken), "password.too_short", "password.too_long", "password.hash_failed",
// "member.break_glass_not_owner", outbox failures. Thread-safe; hashes outside the write lock.
struct InvitationSettings;
Result<core::Member> add_member(store::Store& store, const util::Clock& clock,
                                const std::string& org_slug, const NewMember& request,
                                const std::string& actor,
                                const InvitationSettings* invitations = nullptr);

// Replaces the password of the member with `email`, activates it if it was invited and
// ends every session it has (a reset usually follows a suspected leak). Audit entry
// "member.password.set". Errors: "org.not_found", "member.not_found", "password.*".
// A deactivated member stays deactivated. Thread-safe.
Status set_password(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                    const std::string& email, const std::string& password,
                    const std::string& actor);

// What bounds the cost of anonymous password attempts. Guessing is throttled per account and
// per client address with counts kept in the store (so they hold across processes and
// restarts), and the Argon2id hashes (about 64 MiB each) that may run at once are bounded in
// the process, so parallel attempts cannot pin its memory.
struct SignInLimits {
    int account_failures = 5;                   // failed attempts per org and lower-cased email …
    int address_failures = 20;                  // … and per org and client address …
    int window_seconds = 15 * 60;               // … in a window that opens at the first failure
    int hash_slots = 4;                         // password hashes running at once
    std::chrono::milliseconds hash_wait{2000};  // how long an attempt waits for a slot
    int busy_retry_after_seconds = 1;           // what a refused wait asks the client to wait
};

// A counting semaphore over the password hashes of one process. Thread-safe.
class HashSlots {
  public:
    explicit HashSlots(int slots);
    HashSlots(const HashSlots&) = delete;
    HashSlots& operator=(const HashSlots&) = delete;

    // A slot held; destroying it hands the slot back (and wakes one waiter).
    class Slot {
      public:
        Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Slot& operator=(Slot&&) = delete;
        ~Slot();

      private:
        friend class HashSlots;
        explicit Slot(HashSlots* owner) : owner_(owner) {}
        HashSlots* owner_;
    };

    // Takes a free slot, waiting up to `wait` for one; nullopt when none freed in time.
    std::optional<Slot> acquire(std::chrono::milliseconds wait);
    // Slots free right now.
    int available() const;

  private:
    void release();

    mutable std::mutex mutex_;
    std::condition_variable freed_;
    int available_;
};

// What every password sign-in of a process shares; create one per server and keep it alive
// while requests run. Thread-safe.
struct SignInGuard {
    explicit SignInGuard(SignInLimits chosen = {}) : limits(chosen), slots(chosen.hash_slots) {}
    const SignInLimits limits;
    HashSlots slots;
};

// One password sign-in as the browser sent it.
struct PasswordAttempt {
    std::string_view email;
    std::string_view password;
    std::string_view next;
    // Where the attempt came from (see http::client_address); empty: no per-address limit.
    std::string_view client_address;
};

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
// Too many failures for the email or the client address: refused before the password was
// looked at. Answer 429 with Retry-After.
struct SignInThrottled {
    int retry_after_seconds = 1;  // until the window that throttles it closes
};
// Every hashing slot stayed busy for SignInLimits::hash_wait: refused before the password
// was looked at. Answer 503 with Retry-After.
struct SignInBusy {
    int retry_after_seconds = 1;
};
using PasswordOutcome =
    std::variant<PasswordSignIn, SsoRequired, PasswordRefused, SignInThrottled, SignInBusy>;

// Signs a member of `org` in with email and password.
// - Throttled first, without hashing: when the account (org, lower-cased email, known or
//   not) has SignInLimits::account_failures failures in its window, or the client address
//   address_failures, SignInThrottled. The first throttled attempt of a window is audited
//   with reason "auth.password.throttled"; later ones only logged, so a flood cannot grow
//   the audit log.
// - Then a hashing slot: none within hash_wait gives SignInBusy (logged, not audited).
// - Unknown email, no password, wrong password: refused with "auth.password.invalid"; the
//   password is checked against a fixed dummy hash when there is no real one, so the answer
//   takes as long whether or not the member exists. Audit reason codes
//   "auth.password.unknown_member", "auth.password.no_password", "auth.password.wrong_password".
// - Right password but a deactivated or invited member: refused with
//   "auth.member.deactivated" / "auth.member.invited".
// - Require SSO on: only the active break-glass owner with the right password signs in (the
//   use audited with {"break_glass": true} and logged as a warning). Every other attempt,
//   the break-glass owner's with a wrong password included, is SsoRequired, so no answer
//   tells the break-glass owner's email from a member's or a stranger's. Audit reason
//   "auth.require_sso", or the precise one for the break-glass owner.
// - Every refused attempt counts one failure for its account and its address; a success
//   clears the account's count (not the address's: one good account must not buy more
//   guesses at others).
// - Success: sets last_sign_in_at, upgrades an outdated hash, starts a password session.
//   The redirect is `next` when saml::is_safe_relay_path accepts it, else the org's landing page.
// Every outcome but SignInBusy and repeated throttling is audited as "auth.password_sign_in".
// Store failures are refused with their own code. Thread-safe.
PasswordOutcome password_sign_in(store::Store& store, const util::Clock& clock,
                                 const SessionPolicy& policy, SignInGuard& guard,
                                 const core::Org& org, const PasswordAttempt& attempt);

}  // namespace gatehouse::service
