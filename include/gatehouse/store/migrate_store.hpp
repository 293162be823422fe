// Moving a store from SQLite to PostgreSQL (`gatehouse migrate-store`): every row of every
// table copied into an empty PostgreSQL database, ids kept, all or nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::store {

// Error codes of copy_sqlite_store_to_postgres, beside kFailure (the database failed, or the
// copy did not hold the rows the source held).
inline constexpr const char* kCopySourceMissing = "copy.source_missing";  // no file at the path
// The source is not a store at the schema version of this build (older, newer, or none).
inline constexpr const char* kCopySourceSchema = "copy.source_schema";
inline constexpr const char* kCopyTargetNotPostgres = "copy.target_not_postgres";
inline constexpr const char* kCopyTargetNotEmpty = "copy.target_not_empty";

// One table as copied: its name and the rows it holds in the source's snapshot.
struct CopiedTable {
    std::string name;
    std::int64_t rows = 0;
};

struct StoreCopy {
    std::vector<CopiedTable> tables;  // every table of the schema, in the order copied

    std::int64_t total_rows() const {
        std::int64_t total = 0;
        for (const auto& table : tables) total += table.rows;
        return total;
    }
};

// Called after each table is written to the target, before the copy commits (so a later
// failure still leaves the target unchanged). It runs while the source's read transaction
// is open.
using CopyProgress = std::function<void(const CopiedTable&)>;

// Copies the SQLite store at `sqlite_path` into the PostgreSQL database at `postgres_url`.
//
// The source is read in one read transaction, a consistent snapshot, while gateways may keep
// writing to it (WAL mode); nothing is written to it. It must be at this build's schema
// version: an older one is refused (kCopySourceSchema) rather than upgraded here, so the
// copy never changes the file a running gateway serves; opening it once with this build
// (any `gatehouse` command, or the gateway) upgrades it. A missing file is kCopySourceMissing
// and nothing is created anywhere.
//
// The target is opened as open_postgres_store opens it, which creates the schema in an
// empty database. Every table must be empty, else kCopyTargetNotEmpty names one that is not,
// and nothing changes. The rows are written in one transaction that holds the lock of the
// store's write transactions, parents before children, with their ids; each id sequence is
// then moved past the highest id copied, so rows inserted later get new ids. Before the
// commit the row count of every table is compared with the source's snapshot; any
// difference, or any failure, rolls the whole copy back (kFailure), leaving the target as
// it was. Messages name the target only as loggable_db shows it (never its password).
//
// Safe to call from any thread; it opens connections of its own.
Result<StoreCopy> copy_sqlite_store_to_postgres(const std::string& sqlite_path,
                                                const std::string& postgres_url,
                                                const CopyProgress& progress = {});

}  // namespace gatehouse::store
