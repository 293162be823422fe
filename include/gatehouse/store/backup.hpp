// Backing up a SQLite store while gateways serve it (`gatehouse backup FILE`): a consistent
// copy, taken with SQLite's online backup API, that a gateway can be started on as it is.
#pragma once

#include <cstdint>
#include <string>

#include "gatehouse/util/result.hpp"

namespace gatehouse::store {

// Error codes of backup_sqlite_store, beside kFailure (the database or the file system failed,
// or the copy did not pass its integrity check).
inline constexpr const char* kBackupSourceMissing = "backup.source_missing";
// PostgreSQL stores are backed up with PostgreSQL's tools (pg_dump), not by Gatehouse.
inline constexpr const char* kBackupSourceNotSqlite = "backup.source_not_sqlite";
inline constexpr const char* kBackupDestinationExists = "backup.destination_exists";

// What a finished backup holds.
struct BackupSummary {
    std::int64_t bytes = 0;  // the size of the backup file
    int schema_version = 0;  // the store schema version it was taken at
    std::int64_t organizations = 0;
    std::int64_t members = 0;
};

// Copies the SQLite store at `source_path` to the new file `destination_path`.
//
// The copy is one read transaction on the source: a snapshot holding exactly the writes
// committed before it began, whatever gateways write meanwhile (in WAL mode they are not
// blocked). Nothing is written to the source. The copy is written beside the destination
// under a temporary name, readable by its owner only (0600: the store holds password and
// token hashes and OpenID client secrets), checked with SQLite's integrity check, flushed to
// disk, and only then given its name; the name is never taken from a file that exists, so an
// earlier backup is never overwritten (kBackupDestinationExists) and a failed backup leaves no
// file. The backup is a complete store: a gateway started with --db on it (or on a copy of it
// put where the store was) serves what it holds.
//
// Fails with kBackupSourceNotSqlite for a postgresql:// URL, kBackupSourceMissing when no file
// is at `source_path`, and kFailure, naming the cause, for a file that is not a Gatehouse
// store or any database or file-system failure. Messages name both paths.
Result<BackupSummary> backup_sqlite_store(const std::string& source_path,
                                          const std::string& destination_path);

}  // namespace gatehouse::store
