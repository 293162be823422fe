// backup_sqlite_store: SQLite's online backup API from a read-only connection on the live
// store into a temporary file, checked and flushed before it is given its name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "gatehouse/store/backup.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/crypto.hpp"
#include "sqlite.hpp"

namespace gatehouse::store {
namespace {

namespace fs = std::filesystem;

struct BackupFinish {
    void operator()(sqlite3_backup* backup) const { sqlite3_backup_finish(backup); }
};

// Removes the temporary name (and any log SQLite left beside it); once the backup has its own
// name, that is all that goes.
class TemporaryFile {
  public:
    explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            fs::remove(path_.string() + suffix, ignored);
        }
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

Status flush_to_disk(const fs::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return fail(kFailure, "cannot open " + path.string() + " to flush it");
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return fail(kFailure, "cannot flush " + path.string() + " to disk");
    return {};
}

// Copies every page of `source` into `destination` in one step, so the whole copy is one
// read transaction on the source. A writer holding the file's lock at the moment of asking
// (SQLITE_BUSY, SQLITE_LOCKED) only delays the start.
void copy_pages(sqlite::Connection& source, sqlite::Connection& destination) {
    std::unique_ptr<sqlite3_backup, BackupFinish> backup(
        sqlite3_backup_init(destination.handle(), "main", source.handle(), "main"));
    if (!backup) sqlite::throw_error(destination.handle(), sqlite3_errcode(destination.handle()));
    for (int attempt = 0;; ++attempt) {
        const int rc = sqlite3_backup_step(backup.get(), -1);
        if (rc == SQLITE_DONE) break;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 100) {
            sqlite3_sleep(50);
            continue;
        }
        sqlite::throw_error(destination.handle(), rc);
    }
    const int rc = sqlite3_backup_finish(backup.release());
    if (rc != SQLITE_OK) sqlite::throw_error(destination.handle(), rc);
}

Result<BackupSummary> check_copy(sqlite::Connection& copy) {
    auto check = copy.query_uncached("PRAGMA integrity_check");
    if (!check.step() || check.text(0) != "ok") {
        return fail(kFailure, "the copy failed SQLite's integrity check");
    }
    BackupSummary summary;
    auto version = copy.query_uncached("PRAGMA user_version");
    summary.schema_version = version.step() ? static_cast<int>(version.integer(0)) : 0;
    if (summary.schema_version == 0) return fail(kFailure, "it is not a Gatehouse store");
    auto orgs = copy.query_uncached("SELECT count(*) FROM orgs");
    summary.organizations = orgs.step() ? orgs.integer(0) : 0;
    auto members = copy.query_uncached("SELECT count(*) FROM members");
    summary.members = members.step() ? members.integer(0) : 0;
    return summary;
}

}  // namespace

Result<BackupSummary> backup_sqlite_store(const std::string& source_path,
                                          const std::string& destination_path) {
    if (is_postgres_url(source_path)) {
        return fail(kBackupSourceNotSqlite,
                    "gatehouse backup copies a SQLite store; back up the PostgreSQL store " +
                        loggable_db(source_path) + " with pg_dump.");
    }
    const fs::path destination(destination_path);
    std::error_code error;
    if (!fs::is_regular_file(source_path, error)) {
        return fail(kBackupSourceMissing, "There is no store at " + source_path + ".");
    }
    if (fs::exists(fs::symlink_status(destination, error))) {
        return fail(kBackupDestinationExists,
                    destination_path + " already exists; give the backup a new file name.");
    }
    const fs::path folder = destination.has_parent_path() ? destination.parent_path() : ".";
    // Appended rather than `"." + …`: GCC 12 at -O3 takes that prepend for an overlapping
    // memcpy and warns (-Wrestrict, a false positive).
    std::string partial_name = ".";
    partial_name += destination.filename().string();
    partial_name += ".partial-";
    partial_name += util::random_token(6);
    TemporaryFile temporary(folder / partial_name);
    // Created first, owner-only and exclusively, so SQLite writes into a file nobody else may
    // read or has prepared.
    const int fd = ::open(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(kFailure, "Cannot create a file in " + folder.string() +
                                  " for the backup: " + std::strerror(errno) + ".");
    }
    ::close(fd);

    const auto failure = [&](const std::string& cause) {
        return fail(kFailure, "Cannot back up " + source_path + " to " + destination_path + ": " +
                                  cause + ".");
    };
    BackupSummary summary;
    try {
        sqlite::Connection source(source_path, sqlite::OpenMode::existing_read_only);
        sqlite::Connection copy(temporary.path().string(), sqlite::OpenMode::backup_target);
        copy_pages(source, copy);
        auto checked = check_copy(copy);
        if (!checked) return failure(checked.error().message);
        summary = *checked;
    } catch (const sqlite::DatabaseError& e) {
        return failure(e.what());
    }
    if (auto flushed = flush_to_disk(temporary.path(), O_RDONLY); !flushed) {
        return failure(flushed.error().message);
    }
    // A hard link gives the name only if nothing has it (rename would replace a file made
    // meanwhile); the temporary name is then removed.
    fs::create_hard_link(temporary.path(), destination, error);
    if (error) {
        return error == std::errc::file_exists
                   ? fail(kBackupDestinationExists,
                          destination_path + " already exists; give the backup a new file name.")
                   : failure(error.message());
    }
    if (auto flushed = flush_to_disk(folder, O_RDONLY | O_DIRECTORY); !flushed) {
        return failure(flushed.error().message);
    }
    summary.bytes = static_cast<std::int64_t>(fs::file_size(destination, error));
    return summary;
}

}  // namespace gatehouse::store
