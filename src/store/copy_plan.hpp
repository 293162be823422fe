// The copy plan of copy_sqlite_store_to_postgres: every table of the schema, its columns, and
// how each column's values change type between SQLite and PostgreSQL. Private to the store
// layer.
#pragma once

#include <vector>

namespace gatehouse::store {

// How a column's values travel from SQLite to PostgreSQL. Both schemas keep JSON documents
// (attribute mappings, options, SCIM attributes, audit details) as TEXT, so they are text.
enum class ValueKind {
    integer,  // INTEGER -> BIGINT or INTEGER
    boolean,  // INTEGER 0 or 1 -> BOOLEAN
    text,     // TEXT -> TEXT
    bytes,    // BLOB -> BYTEA (hashes of secrets, browser bindings)
};

struct ColumnPlan {
    const char* name;
    ValueKind kind;
};

struct TablePlan {
    const char* name;
    std::vector<ColumnPlan> columns;
    // The order rows are read and written in: the primary key, except for org_aliases,
    // whose order of insertion (SQLite's rowid) orders an org's aliases created in the same
    // second, and becomes PostgreSQL's generated seq column as the rows go in.
    const char* order_by;
    bool id_sequence;  // the table's `id` is an identity column: move it past the copied ids
};

// Every table of the schema (migrations.cpp, postgres_schema.cpp), parents before the tables
// whose foreign keys name them. A table or column missing here fails the copy before it
// starts, when the schemas of the two databases are compared with the plan, so the plan
// cannot silently fall behind the schema.
const std::vector<TablePlan>& copy_plan();

}  // namespace gatehouse::store
