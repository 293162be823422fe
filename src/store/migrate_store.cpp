// copy_sqlite_store_to_postgres: the source's snapshot and the target's transaction that carry
// out the copy plan (copy_plan.hpp), and the checks around them.
#include "gatehouse/store/migrate_store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "copy_plan.hpp"
#include "gatehouse/store/store.hpp"
#include "postgres.hpp"
#include "postgres_schema.hpp"
#include "sqlite.hpp"

namespace gatehouse::store {
namespace {

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
    const ColumnPlan& column = table.columns[static_cast<std::size_t>(index)];
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
            return postgres::Param::bytes(row.text(index));
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
