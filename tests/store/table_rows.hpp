// Counts rows straight from a store's database (its SQLite file or its PostgreSQL database),
// for tests that must see whether a row is really gone: the store's own reads hide expired
// rows that are still there.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "gatehouse/store/store.hpp"

namespace gatehouse::testing {

// Runs `sql` (statements or a query) on the PostgreSQL database at `url`, to set up a case the
// store would not make itself.
inline void exec_postgres(const std::string& url, const std::string& sql) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE_MESSAGE(PQstatus(db.get()) == CONNECTION_OK, PQerrorMessage(db.get()));
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), sql.c_str()),
                                                               &PQclear);
    const auto status = PQresultStatus(result.get());
    REQUIRE_MESSAGE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK),
                    PQerrorMessage(db.get()));
}

// Rows of `table` matching the SQL condition `where` in the PostgreSQL database at `url`.
inline std::int64_t count_postgres_rows(const std::string& url, const std::string& table,
                                        const std::string& where) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE_MESSAGE(PQstatus(db.get()) == CONNECTION_OK, PQerrorMessage(db.get()));
    const std::string sql = "SELECT count(*) FROM " + table + " WHERE " + where;
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), sql.c_str()),
                                                               &PQclear);
    REQUIRE_MESSAGE(PQresultStatus(result.get()) == PGRES_TUPLES_OK, PQerrorMessage(db.get()));
    return std::stoll(PQgetvalue(result.get(), 0, 0));
}

// Rows of `table` matching the SQL condition `where` in the store at `path` (a SQLite path or
// a PostgreSQL URL), as committed.
inline std::int64_t count_rows(const std::string& path, const std::string& table,
                               const std::string& where = "true") {
    if (store::is_postgres_url(path)) return count_postgres_rows(path, table, where);
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    REQUIRE(opened == SQLITE_OK);
    sqlite3_stmt* stmt_raw = nullptr;
    const std::string sql = "SELECT count(*) FROM " + table + " WHERE " + where;
    REQUIRE_MESSAGE(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_raw, nullptr) == SQLITE_OK,
                    sqlite3_errmsg(db.get()));
    const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(stmt_raw,
                                                                          &sqlite3_finalize);
    REQUIRE(sqlite3_step(stmt.get()) == SQLITE_ROW);
    return sqlite3_column_int64(stmt.get(), 0);
}

}  // namespace gatehouse::testing
