// The PostgreSQL schema of the store. Private to the store layer.
#pragma once

#include "postgres.hpp"

namespace gatehouse::store::postgres {

// Creates the schema in an empty database, or checks the version of an existing one, and
// returns the version in force: always latest_schema_version(), so both backends report the
// same number for the same meaning. The work runs under a session advisory lock, so
// processes opening one database at once create the schema exactly once. A database whose
// version is newer than this build knows is refused (throws DatabaseError) rather than
// touched.
int migrate(Connection& connection);

}  // namespace gatehouse::store::postgres
