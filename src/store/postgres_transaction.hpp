// The PostgreSQL implementation of store::Transaction, with the same meaning as the SQLite
// one method for method. Its methods are defined in one file per aggregate
// (postgres_orgs.cpp, postgres_members.cpp, ...). Private to the store layer.
#pragma once

#include "gatehouse/store/store.hpp"
#include "postgres.hpp"

namespace gatehouse::store::postgres {

class PostgresTransaction final : public Transaction {
  public:
    PostgresTransaction(Connection& connection, const util::Clock& clock)
        : db_(connection), clock_(clock) {}

    Result<core::Org> insert_org(core::Org org) override;
    std::optional<core::Org> org_by_slug(std::string_view slug) override;
    std::optional<core::Org> org_by_id(RowId id) override;
    std::vector<core::Org> list_orgs() override;
    Status update_org(const core::Org& org) override;

    // Org aliases (postgres_orgs.cpp).
    std::optional<core::Org> org_by_alias(std::string_view slug) override;
    std::vector<core::OrgAlias> list_org_aliases(RowId org_id) override;
    Status insert_org_alias(const core::OrgAlias& alias) override;
    Status delete_org_alias(RowId org_id, std::string_view slug) override;
    Status rename_org(RowId org_id, std::string_view new_slug, UnixTime at) override;
    // Fills org.aliases; returns the org.
    core::Org with_aliases(core::Org org);

    std::optional<core::SamlProvider> saml_provider(RowId org_id) override;
    Status put_saml_provider(const core::SamlProvider& provider) override;
    Status delete_saml_provider(RowId org_id) override;
    std::vector<core::SamlProvider> providers_with_metadata_url() override;

    std::optional<core::OidcProvider> oidc_provider(RowId org_id) override;
    Status put_oidc_provider(const core::OidcProvider& provider) override;
    Status delete_oidc_provider(RowId org_id) override;

    Result<core::Member> insert_member(core::Member member) override;
    std::optional<core::Member> member_by_id(RowId org_id, RowId id) override;
    std::optional<core::Member> member_by_public_id(RowId org_id,
                                                    std::string_view public_id) override;
    std::optional<core::Member> member_by_user_name(RowId org_id,
                                                    std::string_view user_name) override;
    std::optional<core::Member> member_by_email(RowId org_id, std::string_view email) override;
    std::optional<core::Member> member_by_external_id(RowId org_id,
                                                      std::string_view external_id) override;
    std::optional<core::Member> member_by_saml_subject(RowId org_id,
                                                       std::string_view subject) override;
    std::optional<core::Member> member_by_oidc_subject(RowId org_id,
                                                       std::string_view subject) override;
    Result<core::Member> update_member(core::Member member) override;
    Status delete_member(RowId org_id, RowId id) override;
    PageOf<core::Member> list_members(RowId org_id, const MemberQuery& query, Page page) override;

    Result<core::Team> insert_team(core::Team team) override;
    std::optional<core::Team> team_by_public_id(RowId org_id, std::string_view public_id) override;
    std::optional<core::Team> team_by_slug(RowId org_id, std::string_view slug) override;
    Result<core::Team> update_team(core::Team team) override;
    Status delete_team(RowId org_id, RowId id) override;
    PageOf<core::Team> list_teams(RowId org_id, const TeamQuery& query, Page page) override;
    Status add_team_member(RowId org_id, RowId team_id, RowId member_id) override;
    Status remove_team_member(RowId org_id, RowId team_id, RowId member_id) override;
    Status clear_team_members(RowId org_id, RowId team_id) override;
    std::vector<std::pair<std::string, std::string>> team_members(RowId org_id,
                                                                  RowId team_id) override;
    std::vector<core::Team> teams_of_member(RowId org_id, RowId member_id) override;

    Result<core::Session> insert_session(core::Session session, std::string_view id_hash) override;
    std::optional<core::Session> session_by_hash(std::string_view id_hash) override;
    Status touch_session(RowId org_id, RowId session_id, UnixTime at) override;
    Status delete_session(RowId org_id, RowId session_id) override;
    std::int64_t delete_member_sessions(RowId org_id, RowId member_id) override;
    std::int64_t count_password_sessions(RowId org_id) override;
    std::int64_t delete_password_sessions(RowId org_id) override;
    std::int64_t delete_saml_sessions(RowId org_id, std::string_view name_id,
                                      const std::vector<std::string>& session_indexes) override;

    // Bearer credentials (postgres_sessions.cpp).
    Result<core::BearerToken> insert_credential(CredentialKind kind, RowId org_id,
                                                std::string_view secret_hash,
                                                std::string_view description) override;
    std::optional<core::BearerToken> active_credential(CredentialKind kind,
                                                       std::string_view secret_hash) override;
    std::optional<std::string> credential_hash(CredentialKind kind, RowId org_id,
                                               RowId id) override;
    std::vector<core::BearerToken> list_credentials(CredentialKind kind, RowId org_id) override;
    Status revoke_credential(CredentialKind kind, RowId org_id, RowId id, UnixTime at) override;
    Status touch_credential(CredentialKind kind, RowId org_id, RowId id, UnixTime at) override;

    Status insert_authn_request(RowId org_id, std::string_view request_id,
                                std::string_view relay_state, UnixTime expires_at) override;
    bool authn_request_pending(RowId org_id, std::string_view request_id, UnixTime now) override;
    std::optional<std::string> pending_authn_request_relay(RowId org_id,
                                                           std::string_view request_id,
                                                           UnixTime now) override;
    std::optional<std::string> consume_authn_request(RowId org_id, std::string_view request_id,
                                                     UnixTime now) override;

    Status bind_authn_request(RowId org_id, std::string_view request_id,
                              std::string_view browser_hash) override;
    std::optional<PendingAuthnRequest> pending_authn_request(RowId org_id,
                                                             std::string_view request_id,
                                                             UnixTime now) override;

    bool assertion_seen(RowId org_id, std::string_view assertion_id, UnixTime now) override;
    Status remember_assertion(RowId org_id, std::string_view assertion_id, UnixTime until) override;

    // LogoutRequest replay cache (postgres_saml_state.cpp).
    bool logout_request_seen(RowId org_id, std::string_view request_id, UnixTime now) override;
    Status remember_logout_request(RowId org_id, std::string_view request_id,
                                   UnixTime until) override;

    // Password sign-in throttle (postgres_saml_state.cpp).
    SignInFailures sign_in_failures(RowId org_id, std::string_view subject, UnixTime now,
                                    std::int64_t window_seconds) override;
    SignInFailures record_sign_in_failure(RowId org_id, std::string_view subject, UnixTime now,
                                          std::int64_t window_seconds) override;
    Status clear_sign_in_failures(RowId org_id, std::string_view subject) override;

    Status append_audit(core::AuditEntry entry) override;
    PageOf<core::AuditEntry> list_audit(RowId org_id, const AuditQuery& query) override;

    // Maintenance (postgres_maintenance.cpp).
    std::int64_t purge_expired(UnixTime now) override;
    PurgeCounts purge_due(UnixTime now, std::int64_t limit) override;
    std::int64_t cap_pending_authn_requests(RowId org_id, std::int64_t cap) override;
    bool claim_job(std::string_view name, UnixTime now, UnixTime held_until) override;

    // SCIM provisioning (postgres_members.cpp).
    std::vector<std::optional<RowId>> member_row_ids(
        RowId org_id, const std::vector<std::string>& public_ids) override;

    // Outbound mail (postgres_outbox.cpp).
    Result<core::OutboundMail> insert_outbound_mail(core::OutboundMail mail) override;
    std::optional<core::OutboundMail> outbound_mail_by_id(RowId org_id, RowId id) override;
    PageOf<core::OutboundMail> list_outbound_mail(RowId org_id, Page page) override;
    PageOf<core::OutboundMail> list_all_outbound_mail(std::optional<RowId> org_id,
                                                      std::optional<core::MailState> state,
                                                      Page page) override;
    std::vector<core::OutboundMail> claim_due_outbound_mail(UnixTime now,
                                                            std::int64_t lease_seconds,
                                                            std::int64_t limit) override;
    Status mark_outbound_mail_sent(RowId org_id, RowId id, UnixTime at) override;
    Status retry_outbound_mail(RowId org_id, RowId id, int attempt, UnixTime next_attempt_at,
                               std::string_view error) override;
    Status fail_outbound_mail(RowId org_id, RowId id, int attempt, std::string_view error) override;

    // Invitations (postgres_outbox.cpp).
    Result<core::Invitation> insert_invitation(core::Invitation invitation) override;
    std::optional<core::Invitation> invitation_by_token_hash(RowId org_id,
                                                             std::string_view token_hash) override;
    std::optional<core::Invitation> pending_invitation(RowId org_id, RowId member_id) override;
    PageOf<core::Invitation> list_pending_invitations(RowId org_id, Page page) override;
    std::int64_t accept_invitation(RowId org_id, RowId invitation_id, UnixTime at) override;
    std::int64_t end_pending_invitations(RowId org_id, RowId member_id, UnixTime at) override;

  private:
    // The store clock's time, for created_at/updated_at columns the caller left unset.
    UnixTime now_seconds() const { return clock_.now(); }

    Connection& db_;
    const util::Clock& clock_;
};

}  // namespace gatehouse::store::postgres
