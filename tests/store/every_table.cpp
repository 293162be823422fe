#include "every_table.hpp"

#include "gatehouse/core/names.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::testing {
namespace {

using nlohmann::json;

// Hashes are raw bytes; these hold a NUL and bytes that are not UTF-8, as real digests do.
const std::string kSessionHash("session\0\xff\x01", 10);
const std::string kScimTokenHash("scim\0\xfe", 6);
const std::string kAdminKeyHash("admin\0\xfd", 7);
const std::string kBrowserHash("browser\0\xfc", 9);
const std::string kPendingInvitationHash("invite\0\xfb", 8);
const std::string kAcceptedInvitationHash("accepted\0\xfa", 10);

template <typename Enum>
std::string name_of(Enum value) {
    return std::string(core::to_string(value));
}

json optional_json(const std::optional<std::int64_t>& value) {
    return value ? json(*value) : json(nullptr);
}

json member_json(const core::Member& m) {
    return {{"id", m.id},
            {"org_id", m.org_id},
            {"public_id", m.public_id},
            {"email", m.email},
            {"user_name", m.user_name},
            {"external_id", m.external_id},
            {"given_name", m.given_name},
            {"family_name", m.family_name},
            {"display_name", m.display_name},
            {"role", name_of(m.role)},
            {"state", name_of(m.state)},
            {"source", name_of(m.source)},
            {"idp_managed", m.idp_managed},
            {"saml_subject", m.saml_subject},
            {"oidc_subject", m.oidc_subject},
            {"password_hash", m.password_hash},
            {"break_glass", m.break_glass},
            {"scim_attributes", m.scim_attributes},
            {"created_at", m.created_at},
            {"updated_at", m.updated_at},
            {"last_sign_in_at", optional_json(m.last_sign_in_at)},
            {"version", m.version}};
}

json team_json(const core::Team& t) {
    return {{"id", t.id},
            {"org_id", t.org_id},
            {"public_id", t.public_id},
            {"slug", t.slug},
            {"display_name", t.display_name},
            {"external_id", t.external_id},
            {"idp_managed", t.idp_managed},
            {"sign_in_managed", t.sign_in_managed},
            {"scim_attributes", t.scim_attributes},
            {"created_at", t.created_at},
            {"updated_at", t.updated_at},
            {"version", t.version}};
}

json token_json(const core::BearerToken& t) {
    return {{"id", t.id},
            {"org_id", t.org_id},
            {"description", t.description},
            {"created_at", t.created_at},
            {"last_used_at", optional_json(t.last_used_at)},
            {"revoked_at", optional_json(t.revoked_at)}};
}

json invitation_json(const std::optional<core::Invitation>& found) {
    if (!found) return nullptr;
    const core::Invitation& i = *found;
    return {{"id", i.id},
            {"org_id", i.org_id},
            {"member_id", i.member_id},
            {"token_hash", util::hex_encode(i.token_hash)},
            {"invited_by", i.invited_by ? json(*i.invited_by) : json(nullptr)},
            {"mail_id", optional_json(i.mail_id)},
            {"created_at", i.created_at},
            {"expires_at", i.expires_at},
            {"accepted_at", optional_json(i.accepted_at)},
            {"revoked_at", optional_json(i.revoked_at)}};
}

// Everything the store API shows of one org, field by field.
json org_contents(store::Transaction& tx, const core::Org& org) {
    json out;
    out["org"] = {{"id", org.id},
                  {"slug", org.slug},
                  {"name", org.name},
                  {"default_role", name_of(org.default_role)},
                  {"require_sso", org.require_sso},
                  {"scim_enabled", org.scim_enabled},
                  {"jit_provisioning", org.jit_provisioning},
                  {"allow_idp_initiated", org.allow_idp_initiated},
                  {"apply_sign_in_attributes", org.apply_sign_in_attributes},
                  {"audit_retention_days", org.audit_retention_days},
                  {"created_at", org.created_at},
                  {"aliases", org.aliases}};
    for (const auto& alias : tx.list_org_aliases(org.id)) {
        out["alias_times"].push_back({alias.slug, alias.created_at});
    }
    if (auto p = tx.saml_provider(org.id)) {
        out["saml"] = {{"idp_entity_id", p->idp_entity_id},
                       {"sso_url", p->sso_url},
                       {"slo_url", p->slo_url},
                       {"certificates", p->certificates},
                       {"metadata_url", p->metadata_url},
                       {"metadata_fetched_at", optional_json(p->metadata_fetched_at)},
                       {"preset", p->preset},
                       {"mapping",
                        {p->mapping.user_id, p->mapping.email, p->mapping.first_name,
                         p->mapping.last_name, p->mapping.role, p->mapping.groups}},
                       {"options",
                        {p->options.clock_skew_seconds, p->options.allow_sha1,
                         p->options.require_signed_assertion, p->options.require_aes_gcm,
                         p->options.max_issue_age_seconds}},
                       {"updated_at", p->updated_at}};
    }
    if (auto p = tx.oidc_provider(org.id)) {
        out["oidc"] = {{"kind", name_of(p->kind)},
                       {"issuer", p->issuer},
                       {"client_id", p->client_id},
                       {"client_secret", p->client_secret},
                       {"hosted_domains", p->hosted_domains},
                       {"allowed_orgs", p->allowed_orgs},
                       {"clock_skew_seconds", p->clock_skew_seconds},
                       {"role_claim", p->role_claim},
                       {"groups_claim", p->groups_claim},
                       {"discovery", p->discovery},
                       {"jwks", p->jwks},
                       {"jwks_fetched_at", optional_json(p->jwks_fetched_at)},
                       {"updated_at", p->updated_at}};
    }
    for (const auto& m : tx.list_members(org.id, store::MemberQuery{}, {0, 1000}).items) {
        json member = member_json(m);
        for (const auto& team : tx.teams_of_member(org.id, m.id)) {
            member["teams"].push_back(team.slug);
        }
        out["members"].push_back(member);
    }
    for (const auto& t : tx.list_teams(org.id, store::TeamQuery{}, {0, 1000}).items) {
        json team = team_json(t);
        team["members"] = tx.team_members(org.id, t.id);
        out["teams"].push_back(team);
    }
    for (const auto kind : {store::CredentialKind::scim_token, store::CredentialKind::admin_key}) {
        for (const auto& t : tx.list_credentials(kind, org.id)) {
            json token = token_json(t);
            token["hash"] = util::hex_encode(tx.credential_hash(kind, org.id, t.id).value_or(""));
            out["credentials"].push_back(token);
        }
    }
    for (const char* request : {"_bound", "_unbound"}) {
        if (auto pending = tx.pending_authn_request(org.id, request, kNow)) {
            out["authn_requests"].push_back({request, pending->relay_state,
                                             pending->browser_hash
                                                 ? json(util::hex_encode(*pending->browser_hash))
                                                 : json(nullptr)});
        }
    }
    out["assertion_seen"] = tx.assertion_seen(org.id, "_assertion1", kNow);
    out["logout_request_seen"] = tx.logout_request_seen(org.id, "_logout1", kNow);
    const auto failures = tx.sign_in_failures(org.id, "account:ada@example.com", kNow, 900);
    out["sign_in_failures"] = {failures.failures, failures.window_start};
    for (const auto& a : tx.list_audit(org.id, store::AuditQuery{}).items) {
        out["audit"].push_back({a.id, a.org_id, a.at, a.actor, a.action, a.target, a.outcome,
                                a.reason_code, a.details});
    }
    for (const auto& m : tx.list_outbound_mail(org.id, {0, 100}).items) {
        out["mail"].push_back({m.id, m.org_id, m.kind, m.to, m.subject, m.text_body, m.html_body,
                               m.message_id, name_of(m.state), m.attempts, m.next_attempt_at,
                               m.last_error, m.created_at, optional_json(m.sent_at)});
    }
    for (const auto& hash : {kPendingInvitationHash, kAcceptedInvitationHash}) {
        out["invitations"].push_back(invitation_json(tx.invitation_by_token_hash(org.id, hash)));
    }
    return out;
}
}  // namespace

void fill_every_table(store::Store& db) {
    require_ok(db.write([&](store::Transaction& tx) -> Status {
        core::Org acme;
        acme.slug = "acme";
        acme.name = "Acme Corp";
        acme.default_role = core::Role::manager;
        acme.require_sso = true;
        acme.scim_enabled = true;
        acme.jit_provisioning = false;
        acme.allow_idp_initiated = true;
        acme.apply_sign_in_attributes = true;
        acme.audit_retention_days = 30;
        acme = value_or_fail(tx.insert_org(acme));
        core::Org globex;
        globex.slug = "globex";
        globex.name = "Globex";
        globex = value_or_fail(tx.insert_org(globex));
        // Two aliases created in the same second: their order is the order of insertion.
        require_ok(tx.insert_org_alias({acme.id, "acme-inc", kNow - 10}));
        require_ok(tx.insert_org_alias({acme.id, "acme-corp", kNow - 10}));

        core::SamlProvider saml;
        saml.org_id = acme.id;
        saml.idp_entity_id = "http://www.okta.com/exk1";
        saml.sso_url = "https://acme.okta.com/sso";
        saml.slo_url = "https://acme.okta.com/slo";
        saml.certificates = {"-----BEGIN CERTIFICATE-----\nAAA\n", "second"};
        saml.metadata_url = "https://acme.okta.com/metadata";
        saml.metadata_fetched_at = kNow - 5;
        saml.preset = "okta";
        saml.mapping = {"uid", "mail", "given", "family", "orgRole", "groups"};
        saml.options.clock_skew_seconds = 60;
        saml.options.allow_sha1 = true;
        saml.options.require_signed_assertion = true;
        saml.options.require_aes_gcm = true;
        saml.options.max_issue_age_seconds = 120;
        saml.updated_at = kNow - 4;
        require_ok(tx.put_saml_provider(saml));

        core::OidcProvider oidc;
        oidc.org_id = globex.id;
        oidc.kind = core::OidcKind::google;
        oidc.issuer = "https://accounts.google.com";
        oidc.client_id = "client";
        oidc.client_secret = "secret";
        oidc.hosted_domains = {"globex.com", "globex.org"};
        oidc.allowed_orgs = {"globex-eng"};
        oidc.clock_skew_seconds = 30;
        oidc.role_claim = "role";
        oidc.groups_claim = "groups";
        oidc.discovery = R"({"issuer":"https://accounts.google.com"})";
        oidc.jwks = R"({"keys":[]})";
        oidc.jwks_fetched_at = kNow - 3;
        oidc.updated_at = kNow - 2;
        require_ok(tx.put_oidc_provider(oidc));

        core::Member full;
        full.org_id = acme.id;
        full.public_id = "11111111-1111-4111-8111-111111111111";
        full.email = "Ada@Example.com";
        full.user_name = "ada";
        full.external_id = "00u1";
        full.given_name = "Ada";
        full.family_name = "Lovelace";
        full.display_name = "Ada Lovelace";
        full.role = core::Role::owner;
        full.state = core::MemberState::active;
        full.source = core::MemberSource::scim;
        full.idp_managed = true;
        full.saml_subject = "ada@example.com";
        full.oidc_subject = "https://issuer ada";
        full.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
        full.break_glass = true;
        full.scim_attributes = R"({"emails":[{"value":"ada@example.com","primary":true}]})";
        full.last_sign_in_at = kNow - 1;
        full = value_or_fail(tx.insert_member(full));
        full.display_name = "Ada King";
        full = value_or_fail(tx.update_member(full));  // version 2
        // A member deleted between two others leaves a gap the copy must keep.
        core::Member gone;
        gone.org_id = acme.id;
        gone.public_id = "22222222-2222-4222-8222-222222222222";
        gone.email = "gone@example.com";
        gone = value_or_fail(tx.insert_member(gone));
        core::Member minimal;  // no userName, externalId or subjects: NULLs
        minimal.org_id = acme.id;
        minimal.public_id = "33333333-3333-4333-8333-333333333333";
        minimal.email = "grace@example.com";
        minimal = value_or_fail(tx.insert_member(minimal));
        require_ok(tx.delete_member(acme.id, gone.id));
        core::Member other;
        other.org_id = globex.id;
        other.public_id = "44444444-4444-4444-8444-444444444444";
        other.email = "hank@globex.com";
        other.user_name = "hank";
        other = value_or_fail(tx.insert_member(other));

        core::Team team;
        team.org_id = acme.id;
        team.public_id = "55555555-5555-4555-8555-555555555555";
        team.slug = "engineering";
        team.display_name = "Engineering";
        team.external_id = "grp-1";
        team.idp_managed = true;
        team.sign_in_managed = true;
        team.scim_attributes = R"({"urn:example:ext":{"cost":"42"}})";
        team = value_or_fail(tx.insert_team(team));
        core::Team plain;
        plain.org_id = acme.id;
        plain.public_id = "66666666-6666-4666-8666-666666666666";
        plain.slug = "design";
        plain.display_name = "Design";
        plain = value_or_fail(tx.insert_team(plain));
        require_ok(tx.add_team_member(acme.id, team.id, full.id));
        require_ok(tx.add_team_member(acme.id, team.id, minimal.id));

        core::Session session;
        session.org_id = acme.id;
        session.member_id = full.id;
        session.method = core::SessionMethod::saml;
        session.saml_name_id = "ada@example.com";
        session.saml_session_index = "_idx1";
        session.created_at = kNow - 100;
        session.last_seen_at = kNow - 50;
        session.expires_at = kNow + 3600;
        value_or_fail(tx.insert_session(session, kSessionHash));

        const auto token = value_or_fail(tx.insert_credential(store::CredentialKind::scim_token,
                                                              acme.id, kScimTokenHash, "Okta"));
        require_ok(
            tx.touch_credential(store::CredentialKind::scim_token, acme.id, token.id, kNow - 7));
        const auto key = value_or_fail(
            tx.insert_credential(store::CredentialKind::admin_key, acme.id, kAdminKeyHash, "ci"));
        require_ok(
            tx.revoke_credential(store::CredentialKind::admin_key, acme.id, key.id, kNow - 6));

        require_ok(tx.insert_authn_request(acme.id, "_bound", "/landing", kNow + 600));
        require_ok(tx.bind_authn_request(acme.id, "_bound", kBrowserHash));
        require_ok(tx.insert_authn_request(acme.id, "_unbound", "", kNow + 600));
        require_ok(tx.remember_assertion(acme.id, "_assertion1", kNow + 600));
        require_ok(tx.remember_logout_request(acme.id, "_logout1", kNow + 600));
        tx.record_sign_in_failure(acme.id, "account:ada@example.com", kNow - 20, 900);
        tx.record_sign_in_failure(acme.id, "account:ada@example.com", kNow - 10, 900);

        core::AuditEntry audit;
        audit.org_id = acme.id;
        audit.at = kNow - 30;
        audit.actor = "member:1";
        audit.action = "saml.sign_in";
        audit.target = "member:1";
        audit.outcome = "failure";
        audit.reason_code = "saml.audience";
        audit.details = R"({"ip":"192.0.2.1","note":"é"})";
        require_ok(tx.append_audit(audit));

        core::OutboundMail mail;
        mail.org_id = acme.id;
        mail.kind = "invitation";
        mail.to = "grace@example.com";
        mail.subject = "Join Acme";
        mail.text_body = "Hello\r\n";
        mail.html_body = "<p>Hello</p>";
        mail.message_id = "<m1@gatehouse>";
        mail.attempts = 2;
        mail.next_attempt_at = kNow + 60;
        mail.last_error = "451 try later";
        mail.created_at = kNow - 40;
        mail = value_or_fail(tx.insert_outbound_mail(mail));
        core::OutboundMail sent = mail;
        sent.message_id = "<m2@gatehouse>";
        sent = value_or_fail(tx.insert_outbound_mail(sent));
        require_ok(tx.mark_outbound_mail_sent(acme.id, sent.id, kNow - 35));

        core::Invitation pending;
        pending.org_id = acme.id;
        pending.member_id = minimal.id;
        pending.token_hash = kPendingInvitationHash;
        pending.invited_by = "ada@example.com";
        pending.mail_id = mail.id;
        pending.created_at = kNow - 40;
        pending.expires_at = kNow + 86400;
        value_or_fail(tx.insert_invitation(pending));
        core::Invitation accepted;  // from the IdP: no inviter, no mail
        accepted.org_id = globex.id;
        accepted.member_id = other.id;
        accepted.token_hash = kAcceptedInvitationHash;
        accepted.created_at = kNow - 90;
        accepted.expires_at = kNow + 86400;
        accepted = value_or_fail(tx.insert_invitation(accepted));
        CHECK(tx.accept_invitation(globex.id, accepted.id, kNow - 80) == 1);
        CHECK(tx.claim_job(kHeldJob, kNow, kNow + 3600));
        return {};
    }));
}

json store_contents(store::Store& db) {
    json out;
    require_ok(db.read([&](store::Transaction& tx) -> Status {
        for (const auto& org : tx.list_orgs()) out["orgs"][org.slug] = org_contents(tx, org);
        if (auto s = tx.session_by_hash(kSessionHash)) {
            out["session"] = {s->id,           s->org_id,
                              s->member_id,    name_of(s->method),
                              s->saml_name_id, s->saml_session_index,
                              s->created_at,   s->last_seen_at,
                              s->expires_at};
        }
        return {};
    }));
    return out;
}

}  // namespace gatehouse::testing
