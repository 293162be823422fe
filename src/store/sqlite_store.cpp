#include <mutex>
#include <vector>

#include "gatehouse/util/log.hpp"
#include "migrations.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store {
namespace sqlite {
namespace {

// Readers take a connection from a small pool; the writer has its own connection behind a
// mutex, because SQLite admits one writer at a time and waiting on our own mutex is cheaper
// and fairer than spinning on SQLITE_BUSY.
class SqliteStore final : public Store {
  public:
    explicit SqliteStore(std::string path)
        : path_(std::move(path)), in_memory_(path_ == ":memory:") {
        writer_ = std::make_unique<Connection>(path_);
        version_ = migrate(*writer_);
    }

    Status read(const std::function<Status(Transaction&)>& work) override {
        if (in_memory_) return write(work);  // one private connection
        std::unique_ptr<Connection> connection = take_reader();
        Status status = run(*connection, "BEGIN", work);
        give_back(std::move(connection));
        return status;
    }

    Status write(const std::function<Status(Transaction&)>& work) override {
        std::lock_guard lock(writer_mutex_);
        return run(*writer_, "BEGIN IMMEDIATE", work);
    }

    int schema_version() const override { return version_; }

  private:
    static Status run(Connection& connection, const char* begin,
                      const std::function<Status(Transaction&)>& work) {
        try {
            connection.exec(begin);
        } catch (const DatabaseError& e) {
            util::log_event(util::LogLevel::error, "store.begin_failed", {{"error", e.what()}});
            return fail(kFailure, std::string("The database is unavailable: ") + e.what());
        }
        Status status;
        try {
            SqliteTransaction tx(connection);
            status = work(tx);
            if (status) {
                connection.exec("COMMIT");
                return status;
            }
        } catch (const DatabaseError& e) {
            util::log_event(util::LogLevel::error, "store.failure", {{"error", e.what()}});
            status = fail(kFailure, std::string("The database failed: ") + e.what());
        } catch (...) {
            rollback(connection);
            throw;
        }
        rollback(connection);
        return status;
    }

    static void rollback(Connection& connection) {
        try {
            connection.exec("ROLLBACK");
        } catch (const DatabaseError&) {
            // SQLite rolls back by itself after some errors; nothing is left to undo.
        }
    }

    std::unique_ptr<Connection> take_reader() {
        {
            std::lock_guard lock(readers_mutex_);
            if (!readers_.empty()) {
                auto connection = std::move(readers_.back());
                readers_.pop_back();
                return connection;
            }
        }
        return std::make_unique<Connection>(path_);
    }

    void give_back(std::unique_ptr<Connection> connection) {
        std::lock_guard lock(readers_mutex_);
        if (readers_.size() < kMaxIdleReaders) readers_.push_back(std::move(connection));
    }

    static constexpr std::size_t kMaxIdleReaders = 16;
    std::string path_;
    bool in_memory_;
    int version_ = 0;
    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
    try {
        return std::unique_ptr<Store>(std::make_unique<sqlite::SqliteStore>(path));
    } catch (const sqlite::DatabaseError& e) {
        return fail(kFailure, std::string("Cannot open the store: ") + e.what());
    }
}

int latest_schema_version() { return sqlite::newest_version(); }

}  // namespace gatehouse::store
