// copy_sqlite_store_to_postgres (`gatehouse migrate-store`): a SQLite store with rows in
// every table reads back the same through the PostgreSQL store, all or nothing, from one
// snapshot of a source that is still being written. These run whatever GATEHOUSE_TEST_STORE
// says: the source is always SQLite and the target always PostgreSQL.
#include "gatehouse/store/migrate_store.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "gatehouse/core/names.hpp"
#include "gatehouse/util/encoding.hpp"
#include "store_fixture.hpp"
#include "table_rows.hpp"

using namespace gatehouse;
using gatehouse::testing::count_postgres_rows;
using gatehouse::testing::count_rows;
using nlohmann::json;

namespace {

const util::UnixTime kNow = static_cast<util::UnixTime>(std::time(nullptr));

// Hashes are raw bytes; these hold a NUL and bytes that are not UTF-8, as real digests do.
const std::string kSessionHash("session\0\xff\x01", 10);
const std::string kScimTokenHash("scim\0\xfe", 6);
const std::string kAdminKeyHash("admin\0\xfd", 7);
const std::string kBrowserHash("browser\0\xfc", 9);
const std::string kPendingInvitationHash("invite\0\xfb", 8);
const std::string kAcceptedInvitationHash("accepted\0\xfa", 10);

std::unique_ptr<store::Store> open_or_fail(const std::string& db) {
    auto opened = store::open_store(db);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    return std::move(opened).value();
}

// A SQLite store in a temporary folder, and an empty PostgreSQL database to copy it into.
struct CopyFixture {
    testing::TempDir dir;
    std::string source_path = dir.file("gatehouse.db");
    std::unique_ptr<store::Store> source = open_or_fail(source_path);
    std::string target_url = testing::shared_postgres_server().create_database();

    Result<store::StoreCopy> copy(const store::CopyProgress& progress = {}) {
        return store::copy_sqlite_store_to_postgres(source_path, target_url, progress);
    }
};

void exec_postgres(const std::string& url, const std::string& sql) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE_MESSAGE(PQstatus(db.get()) == CONNECTION_OK, PQerrorMessage(db.get()));
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), sql.c_str()),
                                                               &PQclear);
    const auto status = PQresultStatus(result.get());
    REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK),
                    PQerrorMessage(db.get()));
}

// The tables of the SQLite file at `path`, and those of the PostgreSQL database at `url`
// (without the one that records its schema version).
std::set<std::string> sqlite_tables(const std::string& path) {
    std::set<std::string> tables;
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(),
                               "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                               "LIKE 'sqlite_%'",
                               -1, &stmt, nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return tables;
}

std::set<std::string> postgres_tables(const std::string& url) {
    std::set<std::string> tables;
    const std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE(PQstatus(db.get()) == CONNECTION_OK);
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(db.get(),
               "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
               "AND tablename <> 'schema_version'"),
        &PQclear);
    REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(result.get()); ++i) tables.insert(PQgetvalue(result.get(), i, 0));
    return tables;
}

std::set<std::string> copied_table_names(const store::StoreCopy& copy) {
    std::set<std::string> names;
    for (const auto& table : copy.tables) names.insert(table.name);
    return names;
}

template <typename T>
T value_or_fail(Result<T> result) {
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    return std::move(result).value();
}

void require_ok(const Status& status) {
    REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message));
}

// Writes at least one row into every table of the store, every column away from its
// default where the API allows, so that a column the copy loses or changes shows.
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
        return {};
    }));
}

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

// Everything the store API shows, org by org, plus the session found by its hash.
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

// Inserts one member and, in the same transaction, the audit entry that records it: in any
// state of the store the two counts agree.
void add_member_with_audit(store::Store& db, core::RowId org_id, int n) {
    require_ok(db.write([&](store::Transaction& tx) -> Status {
        core::Member m;
        m.org_id = org_id;
        m.user_name = "user" + std::to_string(n);
        m.email = m.user_name + "@example.com";
        m = value_or_fail(tx.insert_member(m));
        core::AuditEntry entry;
        entry.org_id = org_id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.member_added";
        entry.target = m.public_id;
        entry.outcome = "success";
        return tx.append_audit(entry);
    }));
}

}  // namespace

TEST_CASE("migrate-store copies every table, and PostgreSQL reads back what SQLite held") {
    CopyFixture f;
    fill_every_table(*f.source);
    const json before = store_contents(*f.source);

    const auto copy = f.copy();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));

    // Every table of the source is in the report, with rows in each, as many as each side has.
    CHECK(copied_table_names(*copy) == sqlite_tables(f.source_path));
    for (const auto& table : copy->tables) {
        CAPTURE(table.name);
        CHECK(table.rows > 0);
        CHECK(table.rows == count_rows(f.source_path, table.name));
        CHECK(table.rows == count_postgres_rows(f.target_url, table.name, "true"));
    }
    auto target = open_or_fail(f.target_url);
    const json after = store_contents(*target);
    for (const auto& [slug, contents] : before["orgs"].items()) {
        for (const auto& [part, value] : contents.items()) {
            CAPTURE(slug);
            CAPTURE(part);
            CHECK(after["orgs"][slug][part].dump() == value.dump());
        }
    }
    CHECK(after["orgs"].size() == 2);
    CHECK(after["session"].dump() == before["session"].dump());
    CHECK_FALSE(before["session"].is_null());
}

TEST_CASE("the copy's report names exactly the tables of both schemas, even when empty") {
    CopyFixture f;
    const auto copy = f.copy();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));
    CHECK(copied_table_names(*copy) == sqlite_tables(f.source_path));
    CHECK(copied_table_names(*copy) == postgres_tables(f.target_url));
    CHECK(copy->total_rows() == 0);
}

TEST_CASE("rows created after the copy take ids past the copied ones") {
    CopyFixture f;
    fill_every_table(*f.source);
    REQUIRE(f.copy().ok());
    auto target = open_or_fail(f.target_url);
    require_ok(target->write([&](store::Transaction& tx) -> Status {
        const auto acme = tx.org_by_slug("acme");
        REQUIRE(acme.has_value());
        core::Org org;
        org.slug = "initech";
        org.name = "Initech";
        CHECK(value_or_fail(tx.insert_org(org)).id > 2);
        core::Member m;
        m.org_id = acme->id;
        m.email = "new@example.com";
        const core::Member added = value_or_fail(tx.insert_member(m));
        CHECK(added.id > 4);
        core::Team t;
        t.org_id = acme->id;
        t.slug = "new-team";
        t.display_name = "New team";
        CHECK(value_or_fail(tx.insert_team(t)).id > 2);
        core::Session s;
        s.org_id = acme->id;
        s.member_id = added.id;
        s.expires_at = kNow + 60;
        CHECK(value_or_fail(tx.insert_session(s, "new-session")).id > 1);
        CHECK(value_or_fail(tx.insert_credential(store::CredentialKind::scim_token, acme->id,
                                                 "new-token", ""))
                  .id > 1);
        CHECK(value_or_fail(
                  tx.insert_credential(store::CredentialKind::admin_key, acme->id, "new-key", ""))
                  .id > 1);
        core::AuditEntry entry;
        entry.org_id = acme->id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.after_copy";
        entry.outcome = "success";
        require_ok(tx.append_audit(entry));
        CHECK(tx.list_audit(acme->id, store::AuditQuery{}).items.front().id > 1);
        core::OutboundMail mail;
        mail.org_id = acme->id;
        mail.kind = "test";
        mail.to = "new@example.com";
        mail.message_id = "<new@gatehouse>";
        mail.next_attempt_at = kNow;
        CHECK(value_or_fail(tx.insert_outbound_mail(mail)).id > 2);
        core::Invitation invitation;
        invitation.org_id = acme->id;
        invitation.member_id = added.id;
        invitation.token_hash = "new-invitation";
        invitation.expires_at = kNow + 60;
        CHECK(value_or_fail(tx.insert_invitation(invitation)).id > 2);
        require_ok(tx.insert_org_alias({acme->id, "acme-newest", kNow - 10}));
        return {};
    }));
    // Aliases of one second keep their order of insertion, the new one last.
    require_ok(target->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("acme")->aliases ==
              std::vector<std::string>{"acme-inc", "acme-corp", "acme-newest"});
        return {};
    }));
}

TEST_CASE("a target that already holds rows is refused, named, and left unchanged") {
    CopyFixture f;
    fill_every_table(*f.source);
    {
        auto target = open_or_fail(f.target_url);
        require_ok(target->write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "already-here";
            org.name = "Already here";
            return value_or_fail(tx.insert_org(org)).id > 0 ? Status{} : fail("", "");
        }));
    }
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopyTargetNotEmpty);
    CHECK(copy.error().message.find("orgs") != std::string::npos);
    CHECK(count_postgres_rows(f.target_url, "orgs", "true") == 1);
    CHECK(count_postgres_rows(f.target_url, "orgs", "slug = 'already-here'") == 1);
    CHECK(count_postgres_rows(f.target_url, "members", "true") == 0);
}

TEST_CASE("a failure in the middle of the copy leaves the target empty") {
    CopyFixture f;
    fill_every_table(*f.source);
    // SQLite keeps a NUL byte in text; PostgreSQL text cannot hold one. The audit log is
    // copied after orgs, members and teams, so they were written when the copy fails.
    require_ok(f.source->write([&](store::Transaction& tx) -> Status {
        core::AuditEntry entry;
        entry.org_id = tx.org_by_slug("acme")->id;
        entry.at = kNow;
        entry.actor = "test";
        entry.action = "test.nul";
        entry.outcome = "success";
        entry.details = std::string("{\"x\":\"a\0b\"}", 12);
        return tx.append_audit(entry);
    }));
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kFailure);
    CHECK(copy.error().message.find("audit_log") != std::string::npos);
    for (const char* table : {"orgs", "members", "teams", "team_members", "audit_log"}) {
        CAPTURE(table);
        CHECK(count_postgres_rows(f.target_url, table, "true") == 0);
    }
}

TEST_CASE("a copy that does not hold the source's rows is rolled back") {
    CopyFixture f;
    fill_every_table(*f.source);
    // A rule in the target that silently drops audit rows: every statement succeeds, and only
    // the count of rows tells.
    open_or_fail(f.target_url);
    exec_postgres(f.target_url,
                  "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RETURN NULL; END $$; "
                  "CREATE TRIGGER drop_audit BEFORE INSERT ON audit_log "
                  "FOR EACH ROW EXECUTE FUNCTION drop_row()");
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kFailure);
    CHECK(copy.error().message.find("audit_log") != std::string::npos);
    CHECK(count_postgres_rows(f.target_url, "orgs", "true") == 0);
    CHECK(count_postgres_rows(f.target_url, "members", "true") == 0);
}

TEST_CASE("a source written to during the copy is copied as one snapshot") {
    CopyFixture f;
    const core::RowId org_id = [&] {
        core::RowId id = 0;
        require_ok(f.source->write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "busy";
            org.name = "Busy";
            id = value_or_fail(tx.insert_org(org)).id;
            return {};
        }));
        return id;
    }();
    for (int n = 0; n < 50; ++n) add_member_with_audit(*f.source, org_id, n);

    // Another connection (the gateway's, in real life) goes on writing member-and-audit pairs
    // on its own thread; the copy waits, between the members and the audit log, until it has
    // committed more of them. A copy that read each table at its own time would find more
    // audit entries than members.
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    auto gateway = open_or_fail(f.source_path);
    std::thread writer([&] {
        for (int n = 50; !stop; ++n) {
            add_member_with_audit(*gateway, org_id, n);
            ++written;
        }
    });
    const auto copy = f.copy([&](const store::CopiedTable& table) {
        if (table.name != "members") return;
        const int seen = written;
        while (written < seen + 10) std::this_thread::yield();
    });
    stop = true;
    writer.join();
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));

    const auto members = count_postgres_rows(f.target_url, "members", "true");
    CHECK(members >= 50);
    CHECK(count_postgres_rows(f.target_url, "audit_log", "action = 'test.member_added'") ==
          members);
    CHECK(count_rows(f.source_path, "members") >= members + 10);
}

TEST_CASE("a missing source is refused and nothing is created") {
    testing::TempDir dir;
    const std::string missing = dir.file("no-such.db");
    const std::string url = testing::shared_postgres_server().create_database();
    const auto copy = store::copy_sqlite_store_to_postgres(missing, url);
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopySourceMissing);
    CHECK(copy.error().message.find(missing) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(missing));
    CHECK(postgres_tables(url).empty());
}

TEST_CASE("a source at an older schema version is refused, not upgraded") {
    CopyFixture f;
    f.source.reset();
    const int older = store::latest_schema_version() - 1;
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(f.source_path.c_str(), &raw) == SQLITE_OK);
        const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        const std::string sql = "PRAGMA user_version = " + std::to_string(older);
        REQUIRE(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    const auto copy = f.copy();
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopySourceSchema);
    CHECK(copy.error().message.find("older") != std::string::npos);
    CHECK(copy.error().message.find("gatehouse --db " + f.source_path) != std::string::npos);
    CHECK(count_rows(f.source_path, "pragma_user_version",
                     "user_version = " + std::to_string(older)) == 1);
    CHECK(postgres_tables(f.target_url).empty());
}

TEST_CASE("a target that is not a PostgreSQL URL is refused") {
    CopyFixture f;
    const auto copy = store::copy_sqlite_store_to_postgres(f.source_path, f.dir.file("other.db"));
    REQUIRE_FALSE(copy.ok());
    CHECK(copy.error().code == store::kCopyTargetNotPostgres);
    CHECK_FALSE(std::filesystem::exists(f.dir.file("other.db")));
}

TEST_CASE("a store of 100,000 members is copied in well under a minute") {
    CopyFixture f;
    constexpr int kMembers = 100'000;
    require_ok(f.source->write([&](store::Transaction& tx) -> Status {
        core::Org org;
        org.slug = "large";
        org.name = "Large";
        const core::RowId org_id = value_or_fail(tx.insert_org(org)).id;
        for (int n = 0; n < kMembers; ++n) {
            core::Member m;
            m.org_id = org_id;
            m.user_name = "user" + std::to_string(n);
            m.email = m.user_name + "@example.com";
            m.display_name = "User " + std::to_string(n);
            if (auto inserted = tx.insert_member(m); !inserted) return inserted.error();
        }
        return {};
    }));
    const auto started = std::chrono::steady_clock::now();
    const auto copy = f.copy();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    REQUIRE_MESSAGE(copy.ok(), (copy.ok() ? "" : copy.error().message));
    MESSAGE("copied " << kMembers << " members in " << seconds.count() << " s");
    CHECK(count_postgres_rows(f.target_url, "members", "true") == kMembers);
    CHECK(seconds.count() < 60);
}
