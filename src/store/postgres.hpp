// RAII over libpq: a connection with a cache of prepared statements, parameters sent as text
// (or as raw bytes for BYTEA), and typed reads of a result. Private to the store layer.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "condition_sql.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::store::postgres {

// Thrown only inside the store, for failures of the database or of the connection to it;
// Store::read/write catch it and return kFailure.
struct DatabaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown when a statement breaks a UNIQUE or FOREIGN KEY constraint (SQLSTATE 23505, 23503),
// which the SQLite store reports as a constraint failure too; translated into kConflict by
// the callers that expect one, a failure of the transaction elsewhere.
struct ConstraintError : DatabaseError {
    using DatabaseError::DatabaseError;
};

// One statement parameter: SQL NULL, a text value, or bytes sent in binary format (for
// BYTEA columns, whose values may hold any byte). Numbers travel as their decimal text and
// are typed by the server from the statement.
class Param {
  public:
    Param(std::nullptr_t) {}
    Param(std::int64_t value) : value_(std::to_string(value)) {}
    Param(int value) : value_(std::to_string(value)) {}
    Param(bool value) : value_(value ? "true" : "false") {}
    Param(double value);
    Param(std::string_view text) : value_(std::string(text)) {}
    Param(const std::string& text) : value_(text) {}
    Param(const char* text) : value_(std::string(text)) {}
    Param(const std::optional<std::int64_t>& value);
    // A value of a compiled query condition.
    Param(const sql::Param& value);

    static Param bytes(std::string_view raw) {
        Param p(raw);
        p.binary_ = true;
        return p;
    }
    // NULL for an empty string: the columns with a uniqueness rule keep absent values as
    // NULL, so that many rows may lack one.
    static Param or_null(const std::string& text) {
        return text.empty() ? Param(nullptr) : Param(text);
    }

    const std::optional<std::string>& value() const { return value_; }
    bool binary() const { return binary_; }

  private:
    std::optional<std::string> value_;
    bool binary_ = false;
};

using Params = std::vector<Param>;

struct ResultFree {
    void operator()(PGresult* result) const { PQclear(result); }
};

// The rows a statement returned (none for most writes), read by row and column index.
class Rows {
  public:
    explicit Rows(PGresult* result) : result_(result) {}

    int size() const { return PQntuples(result_.get()); }
    bool empty() const { return size() == 0; }
    // Rows changed by INSERT, UPDATE or DELETE (with or without RETURNING).
    std::int64_t affected() const;

    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string text(int row, int column) const;
    std::int64_t integer(int row, int column) const;
    std::optional<std::int64_t> optional_integer(int row, int column) const;
    bool boolean(int row, int column) const;
    // A BYTEA value, decoded from the server's text form.
    std::string bytes(int row, int column) const;

  private:
    std::unique_ptr<PGresult, ResultFree> result_;
};

// One row of a Rows, so readers can be written against a single row.
class Row {
  public:
    Row(const Rows& rows, int index) : rows_(rows), index_(index) {}
    bool is_null(int column) const { return rows_.is_null(index_, column); }
    std::string text(int column) const { return rows_.text(index_, column); }
    std::int64_t integer(int column) const { return rows_.integer(index_, column); }
    std::optional<std::int64_t> optional_integer(int column) const {
        return rows_.optional_integer(index_, column);
    }
    bool boolean(int column) const { return rows_.boolean(index_, column); }
    std::string bytes(int column) const { return rows_.bytes(index_, column); }

  private:
    const Rows& rows_;
    int index_;
};

struct ConnectionFree {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};

// One connection to the server. Not thread-safe: one thread uses it at a time.
class Connection {
  public:
    // Connects with a libpq connection string or postgresql:// URL; throws DatabaseError.
    explicit Connection(const std::string& conninfo);

    // Runs a statement with `$1..$n` parameters through a statement prepared once per
    // connection and kept for its lifetime. Throws ConstraintError or DatabaseError.
    Rows query(const std::string& sql, const Params& params = {});
    // The same without preparing: for statements whose text varies.
    Rows query_uncached(const std::string& sql, const Params& params = {});
    // Like query, inside a savepoint: a failed statement aborts a PostgreSQL transaction
    // for good, while the callers expect (as with SQLite) to report a conflict and go on.
    // Only the statement is undone when it throws.
    Rows query_guarded(const std::string& sql, const Params& params = {});
    // Runs one or more statements without parameters.
    void exec(const std::string& sql);

    // True once the connection to the server is lost; such a connection is never reused.
    bool broken() const { return PQstatus(connection_.get()) != CONNECTION_OK; }

  private:
    Rows check(PGresult* result);

    std::unique_ptr<PGconn, ConnectionFree> connection_;
    std::map<std::string, std::string, std::less<>> prepared_;  // SQL text -> statement name
};

// Starts a write transaction: BEGIN, then the advisory lock that every write transaction of
// every process takes (the schema lock uses another key), so writes run one at a time.
inline constexpr const char* kBeginWrite =
    "BEGIN; SELECT pg_advisory_xact_lock(7120384211170052002)";

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

}  // namespace gatehouse::store::postgres
