#include "postgres.hpp"

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <variant>

namespace gatehouse::store::postgres {
namespace {

std::string error_text(const PGresult* result, PGconn* connection) {
    const char* message = result ? PQresultErrorMessage(result) : nullptr;
    if (!message || !*message) message = PQerrorMessage(connection);
    std::string text = message ? message : "unknown error";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// Copies the parameters into the arrays libpq reads. PostgreSQL text cannot hold a NUL
// byte, and libpq would silently cut a text parameter at one, so such a value is refused.
struct WireParams {
    explicit WireParams(const Params& params) {
        for (const Param& p : params) {
            if (!p.value()) {
                values.push_back(nullptr);
                lengths.push_back(0);
                formats.push_back(0);
                continue;
            }
            const std::string& v = *p.value();
            if (!p.binary() && std::memchr(v.data(), '\0', v.size()) != nullptr) {
                throw DatabaseError("a text value holds a NUL byte, which cannot be stored");
            }
            values.push_back(v.data());
            lengths.push_back(static_cast<int>(v.size()));
            formats.push_back(p.binary() ? 1 : 0);
        }
    }
    int count() const { return static_cast<int>(values.size()); }

    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
};

}  // namespace

Param::Param(double value) {
    std::ostringstream out;
    out.precision(17);
    out << value;
    value_ = out.str();
}

Param::Param(const std::optional<std::int64_t>& value) {
    if (value) value_ = std::to_string(*value);
}

Param::Param(const sql::Param& value) {
    *this = std::visit([](const auto& v) { return Param(v); }, value);
}

std::int64_t Rows::affected() const {
    const char* tuples = PQcmdTuples(result_.get());
    return tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
}

std::string Rows::text(int row, int column) const {
    if (is_null(row, column)) return {};
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::integer(int row, int column) const {
    if (is_null(row, column)) return 0;
    return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

std::optional<std::int64_t> Rows::optional_integer(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return integer(row, column);
}

bool Rows::boolean(int row, int column) const {
    if (is_null(row, column)) return false;
    const char* value = PQgetvalue(result_.get(), row, column);
    return value[0] == 't' || value[0] == '1';
}

std::string Rows::bytes(int row, int column) const {
    if (is_null(row, column)) return {};
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
    if (!raw) throw DatabaseError("cannot decode a BYTEA value");
    std::string decoded(reinterpret_cast<const char*>(raw), length);
    PQfreemem(raw);
    return decoded;
}

Connection::Connection(const std::string& conninfo) : connection_(PQconnectdb(conninfo.c_str())) {
    if (!connection_) throw DatabaseError("cannot allocate a PostgreSQL connection");
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
        throw DatabaseError("cannot connect to PostgreSQL: " +
                            error_text(nullptr, connection_.get()));
    }
    // Notices (such as "there is no transaction in progress") are not errors; keep them
    // off standard error, where the server's JSON log lines go.
    PQsetNoticeProcessor(
        connection_.get(), [](void*, const char*) {}, nullptr);
    // Times are kept as Unix seconds and text compared byte by byte where it matters, so
    // no session setting changes a result; UTF-8 is the encoding of every string we send.
    exec("SET client_encoding = 'UTF8'");
}

Rows Connection::check(PGresult* result) {
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
    const std::string message = error_text(result, connection_.get());
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    if (result) PQclear(result);
    if (sqlstate == "23505" || sqlstate == "23503") throw ConstraintError(message);
    throw DatabaseError(message);
}

Rows Connection::query(const std::string& sql, const Params& params) {
    auto found = prepared_.find(sql);
    if (found == prepared_.end()) {
        const std::string name = "gh_" + std::to_string(prepared_.size() + 1);
        check(PQprepare(connection_.get(), name.c_str(), sql.c_str(), 0, nullptr));
        found = prepared_.emplace(sql, name).first;
    }
    const WireParams wire(params);
    return check(PQexecPrepared(connection_.get(), found->second.c_str(), wire.count(),
                                wire.values.data(), wire.lengths.data(), wire.formats.data(), 0));
}

Rows Connection::query_uncached(const std::string& sql, const Params& params) {
    const WireParams wire(params);
    return check(PQexecParams(connection_.get(), sql.c_str(), wire.count(), nullptr,
                              wire.values.data(), wire.lengths.data(), wire.formats.data(), 0));
}

Rows Connection::query_guarded(const std::string& sql, const Params& params) {
    exec("SAVEPOINT gatehouse_statement");
    try {
        Rows rows = query(sql, params);
        exec("RELEASE SAVEPOINT gatehouse_statement");
        return rows;
    } catch (const DatabaseError&) {
        if (!broken()) {
            exec(
                "ROLLBACK TO SAVEPOINT gatehouse_statement; "
                "RELEASE SAVEPOINT gatehouse_statement");
        }
        throw;
    }
}

void Connection::exec(const std::string& sql) { check(PQexec(connection_.get(), sql.c_str())); }

}  // namespace gatehouse::store::postgres
