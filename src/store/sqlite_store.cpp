#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gatehouse/util/log.hpp"
#include "migrations.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store {
namespace sqlite {
namespace {

// Copies the write-ahead log into the database on a thread of its own. SQLite's automatic
// checkpoint would run inside the COMMIT that crosses the threshold, copying thousands of
// pages and syncing the file while that writer still holds the write lock, so every other
// write (and the request behind it) waited. Here the writer only nudges; a PASSIVE
// checkpoint never blocks the writer or the readers. It also runs every few seconds, for
// the commits of other processes (the CLI) on the same file.
class Checkpointer {
  public:
    // Pages in the log after a commit that start a checkpoint (SQLite's own default).
    static constexpr int kThresholdPages = 1000;
    // Pages in the log at which the writer stops waiting for the thread.
    static constexpr int kWriterPages = 10 * kThresholdPages;

    explicit Checkpointer(const std::string& path)
        : connection_(path), thread_([this] { run(); }) {}

    ~Checkpointer() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_one();
        thread_.join();
    }

    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Installed with sqlite3_wal_hook on the writer; replaces the automatic checkpoint. Should
    // the thread fall far behind a burst of writes, the writer copies the log itself, so the
    // log stays bounded whatever the load.
    static int after_commit(void* self, sqlite3* db, const char*, int pages) {
        if (pages >= kWriterPages) {
            sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        } else if (pages >= kThresholdPages) {
            static_cast<Checkpointer*>(self)->nudge();
        }
        return SQLITE_OK;
    }

  private:
    void nudge() {
        {
            std::lock_guard lock(mutex_);
            nudged_ = true;
        }
        changed_.notify_one();
    }

    void run() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            changed_.wait_for(lock, std::chrono::seconds(5), [&] { return stopping_ || nudged_; });
            if (stopping_) break;
            nudged_ = false;
            lock.unlock();
            checkpoint();
            lock.lock();
        }
    }

    void checkpoint() {
        int log_pages = 0;
        int copied_pages = 0;
        const int rc = sqlite3_wal_checkpoint_v2(
            connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied_pages);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            util::log_event(util::LogLevel::warning, "store.checkpoint_failed",
                            {{"error", sqlite3_errstr(rc)}});
        }
    }

    Connection connection_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool nudged_ = false;    // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

// Readers take a connection from a small pool; the writer has its own connection behind a
// mutex, because SQLite admits one writer at a time and waiting on our own mutex is cheaper
// and fairer than spinning on SQLITE_BUSY.
class SqliteStore final : public Store {
  public:
    SqliteStore(std::string path, const util::Clock& clock)
        : path_(std::move(path)), in_memory_(path_ == ":memory:"), clock_(clock) {
        writer_ = std::make_unique<Connection>(path_);
        version_ = migrate(*writer_);
        if (!in_memory_) {
            // A log that a burst of writes grew is cut back to 32 MiB once it restarts.
            writer_->exec("PRAGMA journal_size_limit = 33554432");
            checkpointer_ = std::make_unique<Checkpointer>(path_);
            sqlite3_wal_hook(writer_->handle(), &Checkpointer::after_commit, checkpointer_.get());
        }
    }

    ~SqliteStore() override {
        // The hook points at the checkpointer, which goes first.
        if (checkpointer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    }

    Status read(const std::function<Status(Transaction&)>& work) override {
        if (in_memory_) return write(work);  // one private connection
        std::unique_ptr<Connection> connection = take_reader();
        Status status = run(*connection, "BEGIN", clock_, work);
        give_back(std::move(connection));
        return status;
    }

    Status write(const std::function<Status(Transaction&)>& work) override {
        std::lock_guard lock(writer_mutex_);
        return run(*writer_, "BEGIN IMMEDIATE", clock_, work);
    }

    int schema_version() const override { return version_; }

  private:
    static Status run(Connection& connection, const char* begin, const util::Clock& clock,
                      const std::function<Status(Transaction&)>& work) {
        try {
            connection.exec(begin);
        } catch (const DatabaseError& e) {
            util::log_event(util::LogLevel::error, "store.begin_failed", {{"error", e.what()}});
            return fail(kFailure, std::string("The database is unavailable: ") + e.what());
        }
        Status status;
        try {
            SqliteTransaction tx(connection, clock);
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
    const util::Clock& clock_;
    int version_ = 0;
    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;
    std::unique_ptr<Checkpointer> checkpointer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const util::Clock& clock) {
    try {
        return std::unique_ptr<Store>(std::make_unique<sqlite::SqliteStore>(path, clock));
    } catch (const sqlite::DatabaseError& e) {
        return fail(kFailure, std::string("Cannot open the store: ") + e.what());
    }
}

int latest_schema_version() { return sqlite::newest_version(); }

}  // namespace gatehouse::store
