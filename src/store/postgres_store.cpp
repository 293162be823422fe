// The PostgreSQL Store: for fleets of Gatehouse processes sharing one database.
//
// Every write transaction starts with BEGIN followed by pg_advisory_xact_lock on one fixed
// key, held until COMMIT or ROLLBACK. Writes are therefore serialised across every process
// and connection sharing the database, exactly as SQLite's single writer serialises them,
// and each write sees everything committed before it (READ COMMITTED takes a fresh snapshot
// for every statement, all of them after the lock). The rules that read and then write rely
// on this: a pending AuthnRequest is consumed once, an assertion ID is accepted once (the
// replay cache), one userName per org, the last owner stays, an outbox message is claimed
// by one sender. Reads run in parallel in REPEATABLE READ READ ONLY transactions, so every
// query of one read sees the same committed state (a page and its total agree).
// synchronous_commit keeps the server's default (on): a write that returned ok is on disk.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "gatehouse/util/log.hpp"
#include "postgres_schema.hpp"
#include "postgres_transaction.hpp"

namespace gatehouse::store {
namespace postgres {
namespace {

constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

// Connections opened on demand up to a bound, one per concurrent caller; a caller waits
// while all are busy. A connection that lost the server is dropped, not handed out again.
class ConnectionPool {
  public:
    static constexpr std::size_t kMaxConnections = 16;

    explicit ConnectionPool(std::string conninfo) : conninfo_(std::move(conninfo)) {}

    void add_idle(std::unique_ptr<Connection> connection) {
        std::lock_guard lock(mutex_);
        ++open_;
        idle_.push_back(std::move(connection));
    }

    // Throws DatabaseError when a new connection cannot be made.
    std::unique_ptr<Connection> take() {
        {
            std::unique_lock lock(mutex_);
            released_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
            if (!idle_.empty()) {
                auto connection = std::move(idle_.back());
                idle_.pop_back();
                return connection;
            }
            ++open_;
        }
        try {
            return std::make_unique<Connection>(conninfo_);
        } catch (...) {
            give_back(nullptr);
            throw;
        }
    }

    // Returns a connection taken with take(); a null or broken one is closed.
    void give_back(std::unique_ptr<Connection> connection) {
        {
            std::lock_guard lock(mutex_);
            if (connection && !connection->broken()) {
                idle_.push_back(std::move(connection));
            } else {
                --open_;
            }
        }
        released_.notify_one();
    }

  private:
    std::string conninfo_;
    std::mutex mutex_;
    std::condition_variable released_;
    std::size_t open_ = 0;  // idle and taken; guarded by mutex_
    std::vector<std::unique_ptr<Connection>> idle_;
};

class PostgresStore final : public Store {
  public:
    PostgresStore(const std::string& conninfo, const util::Clock& clock)
        : pool_(conninfo), clock_(clock) {
        auto first = std::make_unique<Connection>(conninfo);
        version_ = migrate(*first);
        pool_.add_idle(std::move(first));
    }

    Status read(const std::function<Status(Transaction&)>& work) override {
        return run(kBeginRead, work);
    }

    Status write(const std::function<Status(Transaction&)>& work) override {
        return run(kBeginWrite, work);
    }

    int schema_version() const override { return version_; }

  private:
    Status run(const char* begin, const std::function<Status(Transaction&)>& work) {
        std::unique_ptr<Connection> connection;
        try {
            connection = pool_.take();
            connection->exec(begin);
        } catch (const DatabaseError& e) {
            pool_.give_back(std::move(connection));
            util::log_event(util::LogLevel::error, "store.begin_failed", {{"error", e.what()}});
            return fail(kFailure, std::string("The database is unavailable: ") + e.what());
        }
        Status status;
        try {
            PostgresTransaction tx(*connection, clock_);
            status = work(tx);
            if (status) {
                connection->exec("COMMIT");
                pool_.give_back(std::move(connection));
                return status;
            }
        } catch (const DatabaseError& e) {
            util::log_event(util::LogLevel::error, "store.failure", {{"error", e.what()}});
            status = fail(kFailure, std::string("The database failed: ") + e.what());
        } catch (...) {
            rollback(connection);
            pool_.give_back(std::move(connection));
            throw;
        }
        rollback(connection);
        pool_.give_back(std::move(connection));
        return status;
    }

    // Undoes the transaction. A connection that cannot roll back is left broken or in an
    // unknown state: it is closed rather than reused.
    static void rollback(std::unique_ptr<Connection>& connection) {
        if (connection->broken()) return;
        try {
            connection->exec("ROLLBACK");
        } catch (const DatabaseError& e) {
            util::log_event(util::LogLevel::error, "store.rollback_failed", {{"error", e.what()}});
            connection.reset();
        }
    }

    ConnectionPool pool_;
    const util::Clock& clock_;
    int version_ = 0;
};

}  // namespace
}  // namespace postgres

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url,
                                                   const util::Clock& clock) {
    try {
        return std::unique_ptr<Store>(std::make_unique<postgres::PostgresStore>(url, clock));
    } catch (const postgres::DatabaseError& e) {
        return fail(kFailure, std::string("Cannot open the store: ") + e.what());
    }
}

std::string loggable_db(std::string_view db) {
    if (!is_postgres_url(db)) return std::string(db);
    const std::size_t scheme_end = db.find("://") + 3;
    std::string_view rest = db.substr(scheme_end);
    rest = rest.substr(0, rest.find_first_of("?#"));
    std::string out(db.substr(0, scheme_end));
    const std::size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view user_info = rest.substr(0, at);
        const std::size_t colon = user_info.find(':');
        out += colon == std::string_view::npos ? std::string(user_info)
                                               : std::string(user_info.substr(0, colon)) + ":***";
        out += '@';
        rest.remove_prefix(at + 1);
    }
    return out + std::string(rest);
}

bool is_postgres_url(std::string_view db) {
    return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> open_store(const std::string& db, const util::Clock& clock) {
    if (is_postgres_url(db)) return open_postgres_store(db, clock);
    return open_sqlite_store(db, clock);
}

}  // namespace gatehouse::store
