// SAML sign-in and sign-out for every org: starting SP-initiated logins, completing them at
// the ACS (validation, replay and InResponseTo bookkeeping, linking the SAML identity to a
// member, starting the session), and single logout in both directions.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct SsoSettings {
    std::string base_url;                 // public URL of the gateway, no trailing slash
    int authn_request_ttl_seconds = 600;  // how long a login may take at the IdP
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

    // Builds and records an AuthnRequest and returns the IdP URL to redirect to.
    // `next` is kept only when saml::is_safe_relay_path accepts it.
    // Errors: "saml.not_configured", "saml.sp_key_missing", store errors.
    SsoResult<std::string> start_login(const core::Org& org, std::string_view next);

    // Validates the SAMLResponse posted to the org's ACS and signs the member in.
    // Every failure is written to the audit log with its reason code and reference.
    SsoResult<SignIn> complete_login(const core::Org& org, std::string_view saml_response,
                                     std::string_view relay_state);

    // SP-initiated logout: ends the local session first, then, for a SAML session when the
    // IdP has an SLO URL, returns a signed LogoutRequest URL; else the org's landing path.
    LogoutRedirect logout(const core::Org& org, std::string_view session_token);

    // An IdP-initiated LogoutRequest or the IdP's LogoutResponse at the SLS, over the
    // Redirect binding (`raw_query`) or the POST binding (`form`).
    SsoResult<LogoutRedirect> single_logout(const core::Org& org, std::string_view raw_query,
                                            const std::map<std::string, std::string>& form);

    // The SP metadata document of the org. Error: "saml.sp_key_missing".
    Result<std::string> sp_metadata(const core::Org& org) const;

    const SsoSettings& settings() const { return settings_; }

  private:
    SsoFailure refuse(const core::Org& org, const std::string& action, Error error,
                      const std::string& subject = {});

    store::Store& store_;
    const util::Clock& clock_;
    SsoSettings settings_;
    std::shared_ptr<const saml::SpCredentials> sp_;
};

// Finds the member a SAML identity belongs to, linking it on first sign-in, or creates one
// when the org allows just-in-time creation. Order: the stored SAML subject; else a member
// without a subject whose externalId or userName equals the IdP user ID; else one without a
// subject whose email matches (case-insensitively). A member linked to another subject is
// never taken over. Errors: "saml.member.deactivated", "saml.member.subject_conflict",
// "saml.member.not_provisioned", store errors. Runs inside the caller's transaction.
struct LinkOutcome {
    core::Member member;
    bool linked_now = false;
    bool created_now = false;
};
Result<LinkOutcome> link_or_create_member(store::Transaction& tx, const core::Org& org,
                                          const saml::MappedIdentity& identity, util::UnixTime now);

}  // namespace gatehouse::service
