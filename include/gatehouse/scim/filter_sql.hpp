// Compiles a parsed SCIM filter to a parameterised SQLite WHERE fragment, so that a store can
// search in SQL when every attribute of the filter is one it keeps in a column.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gatehouse/scim/filter.hpp"

namespace gatehouse::scim {

// A value bound to one `?` placeholder, in order.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// How one attribute is stored.
//
// A single-valued attribute maps to an SQL `expression` that yields its value for the row
// being filtered ("m.user_name"). `type` says what that expression holds: text for string
// and reference, 0/1 for boolean, a number for integer and decimal, and seconds since the
// epoch (an integer) for date_time.
//
// A multi-valued complex attribute ("emails") maps to an entry whose `exists_template` is a
// boolean SQL expression containing "{}" exactly once and no `?`, for example
//   "EXISTS (SELECT 1 FROM json_each(m.scim_attributes, '$.emails') AS e WHERE {})".
// Its sub-attributes ("emails.value", "emails.type") then map to expressions over the row
// that template introduces ("json_extract(e.value, '$.value')"); the compiler puts the
// condition on the sub-attributes in place of "{}".
struct SqlColumn {
    std::string expression;
    AttributeType type = AttributeType::string;
    bool case_exact = false;
    std::string exists_template;
};

// Keyed by attribute_key() (lower case, e.g. "username", "meta.created", "emails.value").
using SqlColumnMap = std::map<std::string, SqlColumn, std::less<>>;

// A WHERE fragment with one `?` per entry of `params`. Values never appear in `where`.
struct SqlWhere {
    std::string where;
    std::vector<SqlValue> params;
};

// Compiles `filter` when every attribute in it is in `columns` and every comparison can be
// expressed exactly as matches() evaluates it; std::nullopt otherwise (then the caller
// evaluates the filter in memory with matches()). The fragment never yields NULL, so it can
// be negated and combined freely. Case-insensitive comparisons use COLLATE NOCASE and LIKE
// (ASCII folding, like matches()); case-exact ones use COLLATE BINARY and GLOB; the operand
// of co/sw/ew is escaped so that '%', '_', '\' (LIKE, with ESCAPE '\') and '*', '?', '['
// (GLOB) match only themselves. Assumes PRAGMA case_sensitive_like is off. Pure function;
// thread-safe.
std::optional<SqlWhere> compile_filter_sql(const Filter& filter, const SqlColumnMap& columns);

}  // namespace gatehouse::scim
