#include "sqlite.hpp"

namespace gatehouse::store::sqlite {

void throw_error(sqlite3* db, int rc) {
    const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xFF) == SQLITE_CONSTRAINT) throw ConstraintError(message);
    throw DatabaseError(message);
}

Cursor::~Cursor() {
    if (owned_) return;  // finalized by owned_
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Cursor& Cursor::bind(std::int64_t value) {
    sqlite3_bind_int64(stmt_, next_index_++, value);
    return *this;
}

Cursor& Cursor::bind(double value) {
    sqlite3_bind_double(stmt_, next_index_++, value);
    return *this;
}

Cursor& Cursor::bind(std::string_view text) {
    sqlite3_bind_text(stmt_, next_index_++, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Cursor& Cursor::bind(std::nullptr_t) {
    sqlite3_bind_null(stmt_, next_index_++);
    return *this;
}

Cursor& Cursor::bind_blob(std::string_view bytes) {
    sqlite3_bind_blob(stmt_, next_index_++, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Cursor& Cursor::bind(const std::optional<std::int64_t>& value) {
    return value ? bind(*value) : bind(nullptr);
}

Cursor& Cursor::bind(const sql::Param& value) {
    return std::visit([this](const auto& v) -> Cursor& { return bind(v); }, value);
}

bool Cursor::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_error(db_, rc);
}

std::string Cursor::text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Cursor::optional_integer(int column) const {
    if (is_null(column)) return std::nullopt;
    return integer(column);
}

Connection::Connection(const std::string& path, OpenMode mode) {
    // A reader of an existing file still opens it read-write: a reader in WAL mode writes
    // the shared-memory index beside the file, which a read-only open may be unable to do.
    // query_only below keeps the database itself unchanged.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                      (mode == OpenMode::store ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw DatabaseError("cannot open " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    if (mode == OpenMode::backup_target) return;
    if (mode == OpenMode::existing_read_only) {
        // Closing the last connection to a file would otherwise copy the log into it.
        sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        exec("PRAGMA query_only=ON");
        return;
    }
    // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode writes each
    // commit to the log before COMMIT returns, so a committed write survives the process
    // being killed; only an operating-system crash can lose the last commits.
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

Connection::~Connection() {
    statements_.clear();
    sqlite3_close(db_);
}

Cursor Connection::query(const std::string& sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) throw_error(db_, rc);
        found = statements_.emplace(sql, std::unique_ptr<sqlite3_stmt, StatementFree>(stmt)).first;
    }
    return Cursor(db_, found->second.get());
}

Cursor Connection::query_uncached(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) throw_error(db_, rc);
    return Cursor(db_, std::unique_ptr<sqlite3_stmt, StatementFree>(stmt));
}

void Connection::exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        if ((rc & 0xFF) == SQLITE_CONSTRAINT) throw ConstraintError(message);
        throw DatabaseError(message);
    }
}

}  // namespace gatehouse::store::sqlite
