// copy_sqlite_store_to_postgres: the copy plan (every table, its columns and how their values
// change type between the two backends) and the two transactions that carry it out.
#include "gatehouse/store/migrate_store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "gatehouse/store/store.hpp"
#include "postgres.hpp"
#include "postgres_schema.hpp"
#include "sqlite.hpp"

namespace gatehouse::store {
namespace {

// How a column's values travel from SQLite to PostgreSQL. Both schemas keep JSON documents
// (attribute mappings, options, SCIM attributes, audit details) as TEXT, so they are text.
enum class ValueKind {
    integer,  // INTEGER -> BIGINT or INTEGER
    boolean,  // INTEGER 0 or 1 -> BOOLEAN
    text,     // TEXT -> TEXT
    bytes,    // BLOB -> BYTEA (hashes of secrets, browser bindings)
};

struct Column {
    const char* name;
    ValueKind kind;
};

struct TablePlan {
    const char* name;
    std::vector<Column> columns;
    // The order rows are read and written in: the primary key, except for org_aliases,
    // whose order of insertion (SQLite's rowid) orders an org's aliases created in the same
    // second, and becomes PostgreSQL's generated seq column as the rows go in.
    const char* order_by;
    bool id_sequence;  // the table's `id` is an identity column: move it past the copied ids
};

constexpr ValueKind kInt = ValueKind::integer;
constexpr ValueKind kBool = ValueKind::boolean;
constexpr ValueKind kText = ValueKind::text;
constexpr ValueKind kBytes = ValueKind::bytes;

// Every table of the schema (migrations.cpp, postgres_schema.cpp), parents before the tables
// whose foreign keys name them. A table or column missing here fails the copy before it
// starts (see check_shape), so the plan cannot silently fall behind the schema.
const std::vector<TablePlan>& copy_plan() {
    static const std::vector<TablePlan> plan = {
        {"orgs",
         {{"id", kInt},
          {"slug", kText},
          {"name", kText},
          {"default_role", kText},
          {"require_sso", kBool},
          {"scim_enabled", kBool},
          {"jit_provisioning", kBool},
          {"allow_idp_initiated", kBool},
          {"created_at", kInt},
          {"audit_retention_days", kInt},
          {"apply_sign_in_attributes", kBool}},
         "id",
         true},
        {"org_aliases", {{"slug", kText}, {"org_id", kInt}, {"created_at", kInt}}, "rowid", false},
        {"saml_providers",
         {{"org_id", kInt},
          {"idp_entity_id", kText},
          {"sso_url", kText},
          {"slo_url", kText},
          {"certificates", kText},
          {"metadata_url", kText},
          {"preset", kText},
          {"attribute_mapping", kText},
          {"options", kText},
          {"updated_at", kInt},
          {"metadata_fetched_at", kInt}},
         "org_id",
         false},
        {"oidc_providers",
         {{"org_id", kInt},
          {"kind", kText},
          {"issuer", kText},
          {"client_id", kText},
          {"client_secret", kText},
          {"hosted_domains", kText},
          {"allowed_orgs", kText},
          {"clock_skew_seconds", kInt},
          {"discovery", kText},
          {"jwks", kText},
          {"jwks_fetched_at", kInt},
          {"updated_at", kInt},
          {"role_claim", kText},
          {"groups_claim", kText}},
         "org_id",
         false},
        {"members",
         {{"id", kInt},           {"org_id", kInt},           {"public_id", kText},
          {"email", kText},       {"user_name", kText},       {"external_id", kText},
          {"given_name", kText},  {"family_name", kText},     {"display_name", kText},
          {"role", kText},        {"state", kText},           {"source", kText},
          {"idp_managed", kBool}, {"saml_subject", kText},    {"password_hash", kText},
          {"break_glass", kBool}, {"scim_attributes", kText}, {"created_at", kInt},
          {"updated_at", kInt},   {"last_sign_in_at", kInt},  {"version", kInt},
          {"oidc_subject", kText}},
         "id",
         true},
        {"teams",
         {{"id", kInt},
          {"org_id", kInt},
          {"public_id", kText},
          {"slug", kText},
          {"display_name", kText},
          {"external_id", kText},
          {"idp_managed", kBool},
          {"created_at", kInt},
          {"updated_at", kInt},
          {"version", kInt},
          {"scim_attributes", kText},
          {"sign_in_managed", kBool}},
         "id",
         true},
        {"team_members",
         {{"org_id", kInt}, {"team_id", kInt}, {"member_id", kInt}},
         "team_id, member_id",
         false},
        {"scim_tokens",
         {{"id", kInt},
          {"org_id", kInt},
          {"token_hash", kBytes},
          {"description", kText},
          {"created_at", kInt},
          {"last_used_at", kInt},
          {"revoked_at", kInt}},
         "id",
         true},
        {"admin_keys",
         {{"id", kInt},
          {"org_id", kInt},
          {"token_hash", kBytes},
          {"description", kText},
          {"created_at", kInt},
          {"last_used_at", kInt},
          {"revoked_at", kInt}},
         "id",
         true},
        {"sessions",
         {{"id", kInt},
          {"org_id", kInt},
          {"member_id", kInt},
          {"id_hash", kBytes},
          {"method", kText},
          {"saml_name_id", kText},
          {"saml_session_index", kText},
          {"created_at", kInt},
          {"last_seen_at", kInt},
          {"expires_at", kInt}},
         "id",
         true},
        {"authn_requests",
         {{"org_id", kInt},
          {"request_id", kText},
          {"relay_state", kText},
          {"expires_at", kInt},
          {"browser_hash", kBytes}},
         "org_id, request_id",
         false},
        {"seen_assertions",
         {{"org_id", kInt}, {"assertion_id", kText}, {"expires_at", kInt}},
         "org_id, assertion_id",
         false},
        {"seen_logout_requests",
         {{"org_id", kInt}, {"request_id", kText}, {"expires_at", kInt}},
         "org_id, request_id",
         false},
        {"sign_in_throttle",
         {{"org_id", kInt}, {"subject", kText}, {"window_start", kInt}, {"failures", kInt}},
         "org_id, subject",
         false},
        {"audit_log",
         {{"id", kInt},
          {"org_id", kInt},
          {"at", kInt},
          {"actor", kText},
          {"action", kText},
          {"target", kText},
          {"outcome", kText},
          {"reason_code", kText},
          {"details", kText}},
         "id",
         true},
        {"outbound_mail",
         {{"id", kInt},
          {"org_id", kInt},
          {"kind", kText},
          {"recipient", kText},
          {"subject", kText},
          {"text_body", kText},
          {"html_body", kText},
          {"message_id", kText},
          {"state", kText},
          {"attempts", kInt},
          {"next_attempt_at", kInt},
          {"last_error", kText},
          {"created_at", kInt},
          {"sent_at", kInt}},
         "id",
         true},
        {"invitations",
         {{"id", kInt},
          {"org_id", kInt},
          {"member_id", kInt},
          {"token_hash", kBytes},
          {"invited_by", kText},
          {"mail_id", kInt},
          {"created_at", kInt},
          {"expires_at", kInt},
          {"accepted_at", kInt},
          {"revoked_at", kInt}},
         "id",
         true},
    };
    return plan;
}

// Tables and their column names.
using SchemaShape = std::map<std::string, std::set<std::string>>;

SchemaShape plan_shape() {
    SchemaShape shape;
    for (const auto& table : copy_plan()) {
        for (const auto& column : table.columns) shape[table.name].insert(column.name);
    }
    return shape;
}

// Why `actual` (the tables of one side) differs from the plan; empty when it does not.
std::string shape_difference(const SchemaShape& actual, const std::string& side) {
    const SchemaShape plan = plan_shape();
    for (const auto& [table, columns] : actual) {
        const auto planned = plan.find(table);
        if (planned == plan.end()) {
            return side + " has table " + table + ", which this build does not copy";
        }
        for (const auto& column : columns) {
            if (!planned->second.contains(column)) {
                return side + " has column " + table + "." + column +
                       ", which this build does not copy";
            }
        }
    }
    for (const auto& [table, columns] : plan) {
        const auto found = actual.find(table);
        if (found == actual.end()) return side + " has no table " + table;
        for (const auto& column : columns) {
            if (!found->second.contains(column)) {
                return side + " has no column " + table + "." + column;
            }
        }
    }
    return {};
}

SchemaShape sqlite_shape(sqlite::Connection& source) {
    SchemaShape shape;
    auto rows = source.query_uncached(
        "SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
        "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    while (rows.step()) shape[rows.text(0)].insert(rows.text(1));
    return shape;
}

// The columns a copy writes: those PostgreSQL generates itself (org_aliases.seq) are left
// out, as is the schema's own version table.
SchemaShape postgres_shape(postgres::Connection& target) {
    SchemaShape shape;
    const postgres::Rows rows = target.query_uncached(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name <> 'schema_version' "
        "AND is_generated = 'NEVER' AND coalesce(identity_generation, '') <> 'ALWAYS'");
    for (int i = 0; i < rows.size(); ++i) shape[rows.text(i, 0)].insert(rows.text(i, 1));
    return shape;
}

// The source's read transaction: its snapshot is taken at the first read and lasts until
// the end, while writers to the file go on (WAL). Ended without writing anything.
class SourceSnapshot {
  public:
    explicit SourceSnapshot(sqlite::Connection& source) : source_(source) { source_.exec("BEGIN"); }
    ~SourceSnapshot() {
        try {
            source_.exec("ROLLBACK");
        } catch (const sqlite::DatabaseError&) {
            // The read transaction is over already; nothing was written.
        }
    }
    SourceSnapshot(const SourceSnapshot&) = delete;
    SourceSnapshot& operator=(const SourceSnapshot&) = delete;

  private:
    sqlite::Connection& source_;
};

// The target's write transaction, rolled back unless committed.
class TargetTransaction {
  public:
    explicit TargetTransaction(postgres::Connection& target) : target_(target) {
        target_.exec(postgres::kBeginWrite);
    }
    ~TargetTransaction() {
        if (committed_ || target_.broken()) return;
        try {
            target_.exec("ROLLBACK");
        } catch (const postgres::DatabaseError&) {
            // The connection closes with this copy, which ends the transaction all the same.
        }
    }
    TargetTransaction(const TargetTransaction&) = delete;
    TargetTransaction& operator=(const TargetTransaction&) = delete;

    void commit() {
        target_.exec("COMMIT");
        committed_ = true;
    }

  private:
    postgres::Connection& target_;
    bool committed_ = false;
};

// The source must be a store at exactly this build's schema, with the tables the plan copies.
Status check_source_schema(sqlite::Connection& source, const std::string& path) {
    auto version_row = source.query_uncached("PRAGMA user_version");
    const int version = version_row.step() ? static_cast<int>(version_row.integer(0)) : 0;
    const int latest = latest_schema_version();
    if (version == 0) {
        return fail(kCopySourceSchema, path + " is not a Gatehouse store (it has no schema).");
    }
    if (version < latest) {
        return fail(kCopySourceSchema,
                    path + " has schema version " + std::to_string(version) +
                        ", older than this build's " + std::to_string(latest) +
                        ". migrate-store does not upgrade the file a gateway may be serving: "
                        "open it once with this build (restart its gateway on this build, or "
                        "run `gatehouse --db " +
                        path + " org list`), then run migrate-store again.");
    }
    if (version > latest) {
        return fail(kCopySourceSchema, path + " has schema version " + std::to_string(version) +
                                           ", newer than this build knows (" +
                                           std::to_string(latest) +
                                           "): copy it with the build that wrote it.");
    }
    if (auto difference = shape_difference(sqlite_shape(source), "the source");
        !difference.empty()) {
        return fail(kFailure, "Cannot copy " + path + ": " + difference + ".");
    }
    return {};
}

std::vector<CopiedTable> count_source_rows(sqlite::Connection& source) {
    std::vector<CopiedTable> counts;
    for (const auto& table : copy_plan()) {
        auto row = source.query_uncached(std::string("SELECT count(*) FROM ") + table.name);
        counts.push_back({table.name, row.step() ? row.integer(0) : 0});
    }
    return counts;
}

Status check_target_empty(postgres::Connection& target, const std::string& url) {
    for (const auto& table : copy_plan()) {
        const postgres::Rows rows =
            target.query_uncached(std::string("SELECT EXISTS (SELECT 1 FROM ") + table.name + ")");
        if (rows.boolean(0, 0)) {
            return fail(kCopyTargetNotEmpty,
                        loggable_db(url) + " is not empty: table " + table.name +
                            " has rows. migrate-store copies only into an empty database; "
                            "nothing was changed.");
        }
    }
    return {};
}

// One column of the current source row as a parameter of the INSERT.
postgres::Param read_value(const sqlite::Cursor& row, int index, const TablePlan& table) {
    const Column& column = table.columns[static_cast<std::size_t>(index)];
    const int storage = row.storage_class(index);
    if (storage == SQLITE_NULL) return nullptr;
    switch (column.kind) {
        case ValueKind::integer:
        case ValueKind::boolean:
            if (storage != SQLITE_INTEGER) {
                throw sqlite::DatabaseError(std::string(table.name) + "." + column.name +
                                            " holds a value that is not an integer");
            }
            if (column.kind == ValueKind::boolean) return row.integer(index) != 0;
            return row.integer(index);
        case ValueKind::text:
            return row.text(index);
        case ValueKind::bytes:
            return postgres::Param::bytes(row.blob(index));
    }
    return nullptr;
}

// INSERT INTO table (columns) VALUES ($1, …), … for `rows` rows.
std::string insert_sql(const TablePlan& table, std::size_t rows) {
    std::string sql = std::string("INSERT INTO ") + table.name + " (";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        sql += (c ? ", " : "") + std::string(table.columns[c].name);
    }
    sql += ") VALUES ";
    std::size_t parameter = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        sql += r ? ", (" : "(";
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            sql += (c ? ", $" : "$") + std::to_string(++parameter);
        }
        sql += ')';
    }
    return sql;
}

// Streams the table's rows from the snapshot into the target, many rows per statement: one
// statement prepared once for full batches, and one for the rows left at the end.
void copy_rows(sqlite::Connection& source, postgres::Connection& target, const TablePlan& table) {
    // PostgreSQL takes at most 65,535 parameters per statement; 16,384 keeps each statement
    // small while a table of 100,000 members goes in a few hundred round trips.
    const std::size_t rows_per_statement = std::max<std::size_t>(1, 16384 / table.columns.size());
    const std::string full_batch = insert_sql(table, rows_per_statement);

    std::string select = "SELECT ";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        select += (c ? ", " : "") + std::string(table.columns[c].name);
    }
    select += std::string(" FROM ") + table.name + " ORDER BY " + table.order_by;
    auto row = source.query_uncached(select);

    postgres::Params batch;
    batch.reserve(rows_per_statement * table.columns.size());
    std::size_t rows = 0;
    while (row.step()) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            batch.push_back(read_value(row, static_cast<int>(c), table));
        }
        if (++rows == rows_per_statement) {
            target.query(full_batch, batch);
            batch.clear();
            rows = 0;
        }
    }
    if (rows > 0) target.query_uncached(insert_sql(table, rows), batch);
}

// Rows inserted later take ids after the highest one copied. (An empty table keeps its
// sequence at the start.)
void move_id_sequence(postgres::Connection& target, const TablePlan& table) {
    if (!table.id_sequence) return;
    const std::string name = table.name;
    target.query_uncached("SELECT setval(pg_get_serial_sequence('" + name + "', 'id'), max(id)) " +
                          "FROM " + name + " HAVING count(*) > 0");
}

Status compare_counts(postgres::Connection& target, const std::vector<CopiedTable>& source) {
    for (const auto& table : source) {
        const postgres::Rows rows = target.query_uncached("SELECT count(*) FROM " + table.name);
        const std::int64_t copied = rows.integer(0, 0);
        if (copied != table.rows) {
            return fail(kFailure, "Table " + table.name + " holds " + std::to_string(copied) +
                                      " rows after the copy, the source " +
                                      std::to_string(table.rows) +
                                      ": the copy was rolled back, nothing was changed.");
        }
    }
    return {};
}

Result<StoreCopy> copy_from_snapshot(sqlite::Connection& source, const std::string& path,
                                     const std::string& url, const CopyProgress& progress) {
    SourceSnapshot snapshot(source);
    if (auto checked = check_source_schema(source, path); !checked) return checked.error();
    StoreCopy copy;
    copy.tables = count_source_rows(source);

    postgres::Connection target(url);
    postgres::migrate(target);
    if (auto difference = shape_difference(postgres_shape(target), "the target");
        !difference.empty()) {
        return fail(kFailure, "Cannot copy into " + loggable_db(url) + ": " + difference + ".");
    }
    TargetTransaction transaction(target);
    if (auto empty = check_target_empty(target, url); !empty) return empty.error();
    for (std::size_t i = 0; i < copy_plan().size(); ++i) {
        const TablePlan& table = copy_plan()[i];
        try {
            copy_rows(source, target, table);
            move_id_sequence(target, table);
        } catch (const postgres::DatabaseError& e) {
            throw postgres::DatabaseError(std::string("table ") + table.name + ": " + e.what());
        } catch (const sqlite::DatabaseError& e) {
            throw sqlite::DatabaseError(std::string("table ") + table.name + ": " + e.what());
        }
        if (progress) progress(copy.tables[i]);
    }
    if (auto same = compare_counts(target, copy.tables); !same) return same.error();
    transaction.commit();
    return copy;
}

}  // namespace

Result<StoreCopy> copy_sqlite_store_to_postgres(const std::string& sqlite_path,
                                                const std::string& postgres_url,
                                                const CopyProgress& progress) {
    if (!is_postgres_url(postgres_url)) {
        return fail(kCopyTargetNotPostgres,
                    "The target must be a PostgreSQL URL "
                    "(postgresql://… or postgres://…), not " +
                        loggable_db(postgres_url) + ".");
    }
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(sqlite_path, ignored)) {
        return fail(kCopySourceMissing, "No SQLite store at " + sqlite_path + ".");
    }
    try {
        sqlite::Connection source(sqlite_path, sqlite::OpenMode::existing_read_only);
        return copy_from_snapshot(source, sqlite_path, postgres_url, progress);
    } catch (const sqlite::DatabaseError& e) {
        return fail(kFailure,
                    "Reading " + sqlite_path + " failed: " + e.what() + ". Nothing was copied.");
    } catch (const postgres::DatabaseError& e) {
        return fail(kFailure, "Writing to " + loggable_db(postgres_url) + " failed: " + e.what() +
                                  ". The copy was rolled back: no row was copied.");
    }
}

}  // namespace gatehouse::store
