// Reading rows into domain types, shared by the SQLite and PostgreSQL backends: each reader
// takes the columns in the order of the column list above it (or of the backend's own list
// for orgs and teams, whose SELECTs differ only in how they name the table) from any row type
// with integer(), text(), boolean() and optional_integer() by column index. Private to the
// store layer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/core/names.hpp"

namespace gatehouse::store {

inline constexpr const char* kMemberColumns =
    "id, org_id, public_id, email, user_name, external_id, given_name, family_name, "
    "display_name, role, state, source, idp_managed, saml_subject, password_hash, break_glass, "
    "scim_attributes, created_at, updated_at, last_sign_in_at, version, oidc_subject";

template <typename R>
core::Member read_member(const R& r) {
    core::Member m;
    m.id = r.integer(0);
    m.org_id = r.integer(1);
    m.public_id = r.text(2);
    m.email = r.text(3);
    m.user_name = r.text(4);
    m.external_id = r.text(5);
    m.given_name = r.text(6);
    m.family_name = r.text(7);
    m.display_name = r.text(8);
    m.role = core::parse_role(r.text(9)).value_or(core::Role::member);
    m.state = core::parse_member_state(r.text(10)).value_or(core::MemberState::deactivated);
    m.source = core::parse_member_source(r.text(11)).value_or(core::MemberSource::invited);
    m.idp_managed = r.boolean(12);
    m.saml_subject = r.text(13);
    m.password_hash = r.text(14);
    m.break_glass = r.boolean(15);
    m.scim_attributes = r.text(16);
    m.created_at = r.integer(17);
    m.updated_at = r.integer(18);
    m.last_sign_in_at = r.optional_integer(19);
    m.version = r.integer(20);
    m.oidc_subject = r.text(21);
    return m;
}

template <typename R>
core::Org read_org(const R& r) {
    core::Org org;
    org.id = r.integer(0);
    org.slug = r.text(1);
    org.name = r.text(2);
    org.default_role = core::parse_role(r.text(3)).value_or(core::Role::member);
    org.require_sso = r.boolean(4);
    org.scim_enabled = r.boolean(5);
    org.jit_provisioning = r.boolean(6);
    org.allow_idp_initiated = r.boolean(7);
    org.created_at = r.integer(8);
    org.audit_retention_days = static_cast<int>(r.integer(9));
    org.apply_sign_in_attributes = r.boolean(10);
    return org;
}

inline constexpr const char* kProviderColumns =
    "SELECT org_id, idp_entity_id, sso_url, slo_url, certificates, metadata_url, preset, "
    "attribute_mapping, options, updated_at, metadata_fetched_at FROM saml_providers ";

template <typename R>
core::SamlProvider read_provider(const R& r) {
    core::SamlProvider p;
    p.org_id = r.integer(0);
    p.idp_entity_id = r.text(1);
    p.sso_url = r.text(2);
    p.slo_url = r.text(3);
    p.certificates = nlohmann::json::parse(r.text(4)).template get<std::vector<std::string>>();
    p.metadata_url = r.text(5);
    p.preset = r.text(6);
    const auto mapping = nlohmann::json::parse(r.text(7));
    p.mapping.user_id = mapping.value("user_id", "");
    p.mapping.email = mapping.value("email", "");
    p.mapping.first_name = mapping.value("first_name", "");
    p.mapping.last_name = mapping.value("last_name", "");
    p.mapping.role = mapping.value("role", "");
    p.mapping.groups = mapping.value("groups", "");
    const auto options = nlohmann::json::parse(r.text(8));
    p.options.clock_skew_seconds = options.value("clock_skew_seconds", 180);
    p.options.allow_sha1 = options.value("allow_sha1", false);
    p.options.require_signed_assertion = options.value("require_signed_assertion", false);
    p.options.require_aes_gcm = options.value("require_aes_gcm", false);
    p.options.max_issue_age_seconds = options.value("max_issue_age_seconds", 300);
    p.updated_at = r.integer(9);
    p.metadata_fetched_at = r.optional_integer(10);
    return p;
}

inline constexpr const char* kMailColumns =
    "id, org_id, kind, recipient, subject, text_body, html_body, message_id, state, attempts, "
    "next_attempt_at, last_error, created_at, sent_at";

template <typename R>
core::OutboundMail read_mail(const R& r) {
    core::OutboundMail m;
    m.id = r.integer(0);
    m.org_id = r.integer(1);
    m.kind = r.text(2);
    m.to = r.text(3);
    m.subject = r.text(4);
    m.text_body = r.text(5);
    m.html_body = r.text(6);
    m.message_id = r.text(7);
    m.state = core::parse_mail_state(r.text(8)).value_or(core::MailState::queued);
    m.attempts = static_cast<int>(r.integer(9));
    m.next_attempt_at = r.integer(10);
    m.last_error = r.text(11);
    m.created_at = r.integer(12);
    m.sent_at = r.optional_integer(13);
    return m;
}

template <typename R>
core::Team read_team(const R& r) {
    core::Team t;
    t.id = r.integer(0);
    t.org_id = r.integer(1);
    t.public_id = r.text(2);
    t.slug = r.text(3);
    t.display_name = r.text(4);
    t.external_id = r.text(5);
    t.idp_managed = r.boolean(6);
    t.created_at = r.integer(7);
    t.updated_at = r.integer(8);
    t.version = r.integer(9);
    t.scim_attributes = r.text(10);
    t.sign_in_managed = r.boolean(11);
    return t;
}

inline constexpr const char* kTokenColumns =
    "SELECT id, org_id, description, created_at, last_used_at, revoked_at FROM ";

template <typename R>
core::BearerToken read_token(const R& r) {
    core::BearerToken t;
    t.id = r.integer(0);
    t.org_id = r.integer(1);
    t.description = r.text(2);
    t.created_at = r.integer(3);
    t.last_used_at = r.optional_integer(4);
    t.revoked_at = r.optional_integer(5);
    return t;
}

}  // namespace gatehouse::store
