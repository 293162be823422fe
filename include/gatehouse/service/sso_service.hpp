// SAML sign-in and sign-out for every org: starting SP-initiated logins, completing them at
// the ACS (validation, replay and InResponseTo bookkeeping, linking the SAML identity to a
// member, starting the session), test sign-ins that only report, and single logout.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/check_report.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/sp_key_ring.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct SsoSettings {
    std::string base_url;                 // public URL of the gateway, no trailing slash
    int authn_request_ttl_seconds = 600;  // how long a login may take at the IdP
    // The least time a LogoutRequest ID is remembered against replay; longer when the SAML
    // layer would accept the request for longer (saml::IncomingLogoutRequest::
    // replay_expires_at). A day outlasts every session (12 hours at most by default) a
    // captured request could name by SessionIndex.
    int logout_replay_seconds = 24 * 3600;
    SessionPolicy sessions;
};

// A completed sign-in: the browser gets `session.token` as its cookie and is sent to
// `redirect_path` (a path on this site).
struct SignIn {
    core::Member member;
    StartedSession session;
    std::string redirect_path;
    bool linked_now = false;   // the SAML identity was linked to an existing member
    bool created_now = false;  // the member was created just in time
};

// A refused sign-in or logout. `error.code` is the reason code (for logs, the audit log and
// `gatehouse saml check`); `reference` is the short id the browser is shown instead.
struct SsoFailure {
    Error error;
    std::string reference;
};

template <typename T>
using SsoResult = std::variant<T, SsoFailure>;

// Logs a refused sign-in or logout step (`action` + ".refused") and writes its failure audit
// entry (reason code, reference, detail) in a transaction of its own; returns the failure
// with a fresh reference, which is all the browser is shown. Thread-safe.
SsoFailure record_sso_refusal(store::Store& store, const core::Org& org, const std::string& action,
                              Error error, const std::string& subject, const std::string& actor);

// What a test sign-in found: every check, what the IdP sent, what the mapping made of it and
// what a real sign-in would do. Nothing in it was acted on.
struct TestReport {
    bool passed = false;  // every check passed (would_match may still be a refusal)
    std::vector<saml::CheckLine> checks;
    std::string name_id;  // empty when validation failed: unverified content is not shown
    std::map<std::string, std::vector<std::string>> attributes;  // likewise
    std::optional<saml::MappedIdentity> identity;                // when the mapping succeeded
    std::optional<Error> failure;                                // the first failed check
    // What sign-in would do: "existing member <email>", "link invited member <email>",
    // "link member <email>", "create member (JIT)", or the refusal ("<message> (<code>)").
    // Found by a read-only lookup; empty when the identity could not be mapped.
    std::string would_match;
    // The role and teams sign-in would apply, or why it would apply none or refuse
    // (describe_sign_in_attributes); empty when no member would be signed in.
    std::string would_apply;
};

// What a Response posted to the ACS led to: a sign-in, or the report of a test sign-in.
using AcsResult = std::variant<SignIn, TestReport>;

// Where to send the browser after a logout step.
struct LogoutRedirect {
    std::string url;  // absolute URL at the IdP, or a path on this site
};

class SsoService {
  public:
    // `store` and `clock` must outlive the service; `sp` may be null, and then every SAML
    // operation fails with "saml.sp_key_missing". Thread-safe.
    SsoService(store::Store& store, const util::Clock& clock, SsoSettings settings,
               std::shared_ptr<const saml::SpCredentials> sp);

    // The same with keys that may roll over while it runs (`keys` must not be null): each
    // operation uses the ring it reads at its start. The current pair signs; metadata
    // publishes the next pair beside it; assertions encrypted to the next or previous pair
    // are decrypted too.
    SsoService(store::Store& store, const util::Clock& clock, SsoSettings settings,
               std::shared_ptr<saml::SpKeys> keys);

    // Builds and records an AuthnRequest bound to the browser whose login cookie value is
    // `browser_key` (only its SHA-256 is stored), and returns the IdP URL to redirect to. Only a
    // Response posted with the same cookie can answer it, so nobody can post their own valid
    // Response from someone else's browser (login CSRF). `next` is kept only when
    // saml::is_safe_relay_path accepts it. Errors: "saml.not_configured", "saml.sp_key_missing",
    // store errors.
    SsoResult<std::string> start_login(const core::Org& org, std::string_view next,
                                       std::string_view browser_key);

    // Validates the SAMLResponse posted to the org's ACS and signs the member in.
    // `browser_key` is the login cookie value the POST carried (empty: none). A Response
    // with InResponseTo is refused with "saml.response.browser_mismatch" unless the request
    // it answers was bound to that cookie, and the request then stays pending; an
    // IdP-initiated Response (no InResponseTo, where the org allows it) needs no cookie.
    // Every failure is written to the audit log with its reason code and reference. A
    // Response answering a test sign-in is refused ("saml.response.test_request") and
    // leaves that request pending for complete_test_login.
    SsoResult<SignIn> complete_login(const core::Org& org, std::string_view saml_response,
                                     std::string_view relay_state, std::string_view browser_key);

    // The ACS: signs the member in (as complete_login), or, when the Response answers a
    // pending test sign-in, reports it (as complete_test_login). The test request is looked
    // for only after the sign-in has failed, so a normal sign-in validates its Response once
    // and pays nothing for tests; a refusal is audited once, as a sign-in or as a test.
    SsoResult<AcsResult> accept_response(const core::Org& org, std::string_view saml_response,
                                         std::string_view relay_state,
                                         std::string_view browser_key);

    // Starts a test sign-in for an org admin: like start_login, but the pending request is
    // marked as a test so the ACS reports instead of signing anyone in. Audited
    // ("saml.test.start", actor). Bound to `browser_key` like start_login when given (the
    // settings page); empty leaves it unbound, for the API and the CLI, which hand the URL
    // to a browser the gateway has never seen: a test signs nobody in, so a forged answer
    // gains nothing. Errors as start_login.
    SsoResult<std::string> start_test_login(const core::Org& org, const std::string& actor,
                                            std::string_view browser_key = {});

    // True when the Response answers a pending test request of this org (read-only peek at
    // InResponseTo; routing only — the report path validates fully). False for anything
    // that cannot be decoded or parsed, and when the store cannot be read.
    bool is_test_response(const core::Org& org, std::string_view saml_response);

    // Validates like complete_login, consumes the test request, records the assertion ID in
    // the replay cache, changes no member and starts no session. A Response that does not
    // answer a pending test request of this org fails the InResponseTo check; one answering
    // a request bound to another browser than `browser_key`'s fails with
    // "saml.response.browser_mismatch" and leaves it pending. Every outcome is audited
    // ("saml.test", actor: who started the test when known, else "idp").
    TestReport complete_test_login(const core::Org& org, std::string_view saml_response,
                                   std::string_view browser_key);

    // SP-initiated logout: ends the local session first, then, for a SAML session when the
    // IdP has an SLO URL, returns a signed LogoutRequest URL; else the org's landing path.
    LogoutRedirect logout(const core::Org& org, std::string_view session_token);

    // An IdP-initiated LogoutRequest or the IdP's LogoutResponse at the SLS, over the
    // Redirect binding (`raw_query`) or the POST binding (`form`). A LogoutRequest is acted
    // on once: its ID is remembered until the later of its replay_expires_at and
    // SsoSettings::logout_replay_seconds from now, and a second one is refused with
    // "saml.logout.replay", ending no session.
    SsoResult<LogoutRedirect> single_logout(const core::Org& org, std::string_view raw_query,
                                            const std::map<std::string, std::string>& form);

    // The SP metadata document of the org. Error: "saml.sp_key_missing".
    Result<std::string> sp_metadata(const core::Org& org) const;

    const SsoSettings& settings() const { return settings_; }

  private:
    // The org's IdP. Errors: the store's, "saml.not_configured" when there is none.
    Result<core::SamlProvider> configured_provider(const core::Org& org);
    // Records a pending AuthnRequest with `stored_relay`, bound to `browser_key` unless it is
    // empty, and returns the signed redirect URL carrying `relay_state`.
    SsoResult<std::string> begin_login(const core::Org& org, const std::string& action,
                                       const std::string& actor, const std::string& stored_relay,
                                       const std::string& relay_state,
                                       std::string_view browser_key);
    // The relay state stored with a pending request, leaving it pending.
    std::optional<std::string> peek_pending_relay(const core::Org& org,
                                                  const std::string& request_id);
    // Precondition: keys.current is set. The expectations borrow the keys of `keys`.
    saml::AcsExpectations acs_expectations(const core::Org& org, util::UnixTime now,
                                           const saml::SpKeyRing& keys);
    // Runs the checks of a test sign-in, filling the report's verified content; returns the
    // first failure.
    std::optional<Error> check_test_response(const core::Org& org, std::string_view saml_response,
                                             std::string_view browser_key, TestReport& report);
    // complete_login without the refusal bookkeeping: the failure, and in `subject` the
    // IdP user ID or NameID it concerns when one was read.
    Result<SignIn> attempt_login(const core::Org& org, std::string_view saml_response,
                                 std::string_view relay_state, std::string_view browser_key,
                                 std::string& subject);
    SsoFailure refuse(const core::Org& org, const std::string& action, Error error,
                      const std::string& subject = {}, const std::string& actor = "idp");

    store::Store& store_;
    const util::Clock& clock_;
    SsoSettings settings_;
    std::shared_ptr<saml::SpKeys> keys_;
};

// Which identity a sign-in links a member to. SAML keeps Member::saml_subject (the IdP user
// ID); OpenID Connect and GitHub keep Member::oidc_subject as "<issuer> <subject>", since a
// subject is unique only within its issuer.
struct IdentitySpace {
    enum class Kind { saml, oidc } kind = Kind::saml;
    std::string issuer;  // oidc only

    static IdentitySpace saml() { return {}; }
    static IdentitySpace oidc(std::string issuer) { return {Kind::oidc, std::move(issuer)}; }
    // The value stored on the member for the IdP user ID `user_id`.
    std::string stored_subject(const std::string& user_id) const;
    // "saml" or "oidc": the prefix of the refusal codes below.
    std::string_view code_prefix() const { return kind == Kind::saml ? "saml" : "oidc"; }
};

// Finds the member an identity belongs to, linking it on first sign-in, or creates one
// when the org allows just-in-time creation. Order: the stored subject; else a member
// without a subject whose externalId (or, for SAML, userName) equals the IdP user ID; else,
// when the identity has an email, one without a subject whose email matches
// (case-insensitively). OpenID callers pass an email only when the provider verified it. A
// member linked to another subject is never taken over. Creating a member needs an email.
// Errors, under the space's prefix ("saml.member.…" or "oidc.member.…"): "deactivated",
// "subject_conflict", "not_provisioned", "email_missing" (nothing matched and the identity
// has no email; the message names the attributes received), and store errors. Runs inside
// the caller's transaction.
struct LinkOutcome {
    core::Member member;
    bool linked_now = false;
    bool created_now = false;
};
Result<LinkOutcome> link_or_create_member(store::Transaction& tx, const core::Org& org,
                                          const saml::MappedIdentity& identity, util::UnixTime now,
                                          const IdentitySpace& space = IdentitySpace::saml());

// The member link_or_create_member would take, found without changing anything (any
// transaction, read or write): the same order and the same refusals, including
// "not_provisioned" when nothing matches and just-in-time creation is off, and
// "email_missing" when nothing matches and the identity has no email.
struct MemberMatch {
    std::optional<core::Member> member;  // nullopt: sign-in would create the member
    bool by_subject = false;             // found by its stored subject: nothing to link
};
Result<MemberMatch> find_member_for_identity(store::Transaction& tx, const core::Org& org,
                                             const saml::MappedIdentity& identity,
                                             const IdentitySpace& space = IdentitySpace::saml());

// What a sign-in's member lookup would do, in words for Test configuration: "existing
// member <email>", "link invited member <email>", "link member <email>", "create member
// (JIT)", or the refusal ("<message> (<code>)").
std::string describe_match(const Result<MemberMatch>& match);

}  // namespace gatehouse::service
