// Compiles typed member and team queries (gatehouse/store/query.hpp) to SQL WHERE fragments
// with bound parameters. One compiler serves every backend: what differs between SQLite and
// PostgreSQL (placeholders, case folding, patterns, JSON) is asked of a Dialect. Private to
// the store layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gatehouse/store/query.hpp"

namespace gatehouse::store::sql {

// A value bound to one placeholder.
using Param = std::variant<std::int64_t, bool, std::string>;

// A WHERE fragment and the values of its placeholders, in order. Values never appear in
// `text`. The fragment never yields NULL, so it can be negated and combined freely.
struct Fragment {
    std::string text;
    std::vector<Param> params;
};

// How one backend spells the parts of a condition that SQL dialects disagree on.
class Dialect {
  public:
    virtual ~Dialect() = default;

    // The placeholder for the `index`-th parameter of the statement (1-based).
    virtual std::string placeholder(std::size_t index) const = 0;
    // `x <op> p` for text, where op is one of = <> > >= < <=; ASCII case-insensitive unless
    // `exact`.
    virtual std::string compare_text(const std::string& x, std::string_view op,
                                     const std::string& p, bool exact) const = 0;
    // The pattern that makes match_pattern() test contains/starts_with/ends_with `text`
    // literally (every wildcard of the dialect in `text` escaped).
    virtual std::string pattern(Match match, std::string_view text, bool exact) const = 0;
    // `x` matches the pattern bound to `p`; ASCII case-insensitive unless `exact`.
    virtual std::string match_pattern(const std::string& x, const std::string& p,
                                      bool exact) const = 0;
    // The value a boolean column is compared with.
    virtual Param boolean(bool value) const = 0;
    // The expression of an email_* field over the current element of the member's emails.
    virtual std::string email_field(Field field) const = 0;
    // True when some element of the member's SCIM emails satisfies `condition`.
    virtual std::string some_email(const std::string& condition) const = 0;
};

// The WHERE fragment of a query (without the org scope, which the caller adds); "1 = 1"
// when the query selects every row. Placeholders are numbered from `first_index`. Throws
// std::invalid_argument for a condition that condition_problem() rejects.
Fragment member_where(const MemberQuery& query, const Dialect& dialect, std::size_t first_index);
Fragment team_where(const TeamQuery& query, const Dialect& dialect, std::size_t first_index);

// The dialects of the two backends.
const Dialect& sqlite_dialect();
const Dialect& postgres_dialect();

}  // namespace gatehouse::store::sql
