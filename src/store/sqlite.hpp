// RAII over the SQLite C API: a connection with a cache of prepared statements, and a
// statement cursor that binds and reads typed values. Private to the store layer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "condition_sql.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::store::sqlite {

// Thrown only inside the store, for failures of the database itself (disk full, corrupt
// file); Store::read/write catch it and return kFailure.
struct DatabaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown when a UNIQUE constraint fails; translated into kConflict by the caller.
struct ConstraintError : DatabaseError {
    using DatabaseError::DatabaseError;
};

struct StatementFree {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// A prepared statement in use. Resets itself (and clears bindings) when destroyed so the
// cached statement is ready for the next use.
class Cursor {
  public:
    Cursor(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    // A cursor that owns a statement prepared for one use (finalized when destroyed).
    Cursor(sqlite3* db, std::unique_ptr<sqlite3_stmt, StatementFree> owned)
        : db_(db), stmt_(owned.get()), owned_(std::move(owned)) {}
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    Cursor& bind(std::int64_t value);
    Cursor& bind(int value) { return bind(static_cast<std::int64_t>(value)); }
    Cursor& bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }
    Cursor& bind(double value);
    Cursor& bind(std::string_view text);
    Cursor& bind(const std::string& text) { return bind(std::string_view(text)); }
    Cursor& bind(const char* text) { return bind(std::string_view(text)); }
    Cursor& bind(std::nullptr_t);
    Cursor& bind_blob(std::string_view bytes);
    Cursor& bind(const std::optional<std::int64_t>& value);
    Cursor& bind(const sql::Param& value);

    // Advances to the next row; false when done. Throws DatabaseError/ConstraintError.
    bool step();
    // Runs a statement that returns no rows.
    void run() {
        while (step()) {
        }
    }

    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const { return sqlite3_column_double(stmt_, column); }
    bool boolean(int column) const { return integer(column) != 0; }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    // The value's storage class: SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or
    // SQLITE_NULL (SQLite keeps in a column whatever was written to it).
    int storage_class(int column) const { return sqlite3_column_type(stmt_, column); }
    // The bytes of a TEXT or BLOB value, unchanged; empty for NULL.
    std::string text(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    std::unique_ptr<sqlite3_stmt, StatementFree> owned_;
    int next_index_ = 1;
};

// How a Connection opens its file.
enum class OpenMode {
    // Read-write, creating the file if needed, in WAL mode with foreign keys on: the store.
    store,
    // An existing file, for reading only: fails when the file is missing; no statement may
    // change the database (query_only), and closing does not checkpoint the log into it.
    existing_read_only,
    // An existing empty file that a backup is copied into: read-write and nothing set, since
    // the copy brings the source's own settings (WAL among them).
    backup_target,
};

// One connection and its prepared statements. Used by one thread at a time.
class Connection {
  public:
    // Opens and configures (busy timeout; for OpenMode::store also WAL and foreign keys).
    // Throws DatabaseError.
    explicit Connection(const std::string& path, OpenMode mode = OpenMode::store);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // A cursor over the cached statement for `sql` (prepared on first use).
    Cursor query(const std::string& sql);
    // A cursor over a statement prepared for this use only: for SQL assembled at run time
    // (filters), which would otherwise grow the cache without bound.
    Cursor query_uncached(const std::string& sql);
    // Runs one or more statements without results (schema, BEGIN/COMMIT).
    void exec(const std::string& sql);
    std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
    std::int64_t changes() const { return sqlite3_changes(db_); }
    sqlite3* handle() const { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<sqlite3_stmt, StatementFree>, std::less<>> statements_;
};

// The fragment `compile` returns; a malformed query (a programming error above the store)
// becomes a DatabaseError, so the transaction fails with kFailure instead of running SQL.
template <typename Compile>
sql::Fragment compile_where(Compile compile) {
    try {
        return compile();
    } catch (const std::invalid_argument& e) {
        throw DatabaseError(e.what());
    }
}

// Throws the right error type for a failed SQLite call.
[[noreturn]] void throw_error(sqlite3* db, int rc);

}  // namespace gatehouse::store::sqlite
