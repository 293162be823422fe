// Versioned schema migrations for the SQLite store. Private to the store layer.
#pragma once

#include "sqlite.hpp"

namespace gatehouse::store::sqlite {

// Brings the database to the newest version, one migration per transaction, recording the
// version in PRAGMA user_version. A database newer than this build is refused (throws
// DatabaseError) rather than touched. Returns the version in force.
int migrate(Connection& connection);

int newest_version();

}  // namespace gatehouse::store::sqlite
