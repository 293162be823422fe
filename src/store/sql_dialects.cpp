// The SQL dialects of the two backends (see condition_sql.hpp).
#include <cctype>

#include "condition_sql.hpp"

namespace gatehouse::store::sql {
namespace {

std::string with_wildcards(Match match, const std::string& escaped, char any) {
    if (match == Match::starts_with) return escaped + any;
    if (match == Match::ends_with) return any + escaped;
    return any + escaped + any;
}

// A LIKE pattern (with ESCAPE '\') that matches `text` literally.
std::string like_pattern(Match match, std::string_view text) {
    std::string escaped;
    for (const char c : text) {
        if (c == '\\' || c == '%' || c == '_') escaped += '\\';
        escaped += c;
    }
    return with_wildcards(match, escaped, '%');
}

std::string ascii_lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

// SQLite: `?` placeholders, NOCASE collation (which folds ASCII only), LIKE (ASCII
// case-insensitive while PRAGMA case_sensitive_like is off) and GLOB (case-sensitive, no
// escape character: a one-character class "[*]" stands for the character itself), JSON
// through json_each and json_extract.
class SqliteDialect final : public Dialect {
  public:
    std::string placeholder(std::size_t) const override { return "?"; }

    std::string compare_text(const std::string& x, std::string_view op, const std::string& p,
                             bool exact) const override {
        return x + " " + std::string(op) + " " + p +
               (exact ? " COLLATE BINARY" : " COLLATE NOCASE");
    }

    std::string pattern(Match match, std::string_view text, bool exact) const override {
        if (!exact) return like_pattern(match, text);
        std::string escaped;
        for (const char c : text) {
            if (c == '*' || c == '?' || c == '[') {
                escaped += '[';
                escaped += c;
                escaped += ']';
            } else {
                escaped += c;
            }
        }
        return with_wildcards(match, escaped, '*');
    }

    std::string match_pattern(const std::string& x, const std::string& p,
                              bool exact) const override {
        return exact ? x + " GLOB " + p : x + " LIKE " + p + " ESCAPE '\\'";
    }

    Param boolean(bool value) const override { return std::int64_t{value ? 1 : 0}; }

    std::string email_field(Field field) const override {
        if (field == Field::email_type) return "json_extract(e.value, '$.type')";
        if (field == Field::email_primary) return "json_extract(e.value, '$.primary')";
        return "json_extract(e.value, '$.value')";
    }

    std::string some_email(const std::string& condition) const override {
        return "EXISTS (SELECT 1 FROM json_each(members.scim_attributes, '$.emails') AS e WHERE " +
               condition + ")";
    }
};

// PostgreSQL: `$n` placeholders; text compared under the "C" collation, case folded with
// lower(), which under "C" folds ASCII letters only (as SQLite's NOCASE does), whatever the
// database's locale; LIKE with its default '\' escape; JSON through jsonb.
class PostgresDialect final : public Dialect {
  public:
    std::string placeholder(std::size_t index) const override {
        // Appended rather than `"$" + …`: GCC 12 at -O3 takes that prepend for an
        // overlapping memcpy and warns (-Wrestrict, a false positive).
        std::string marker = "$";
        marker += std::to_string(index);
        return marker;
    }

    std::string compare_text(const std::string& x, std::string_view op, const std::string& p,
                             bool exact) const override {
        if (exact) return x + " COLLATE \"C\" " + std::string(op) + " " + p + "::text";
        return "lower(" + x + " COLLATE \"C\") " + std::string(op) + " lower(" + p +
               "::text COLLATE \"C\")";
    }

    std::string pattern(Match match, std::string_view text, bool exact) const override {
        const std::string p = like_pattern(match, text);
        return exact ? p : ascii_lower(p);
    }

    std::string match_pattern(const std::string& x, const std::string& p,
                              bool exact) const override {
        const std::string subject = exact ? x + " COLLATE \"C\"" : "lower(" + x + " COLLATE \"C\")";
        return subject + " LIKE " + p + "::text ESCAPE '\\'";
    }

    Param boolean(bool value) const override { return value; }

    std::string email_field(Field field) const override {
        if (field == Field::email_type) return "(e.value ->> 'type')";
        if (field == Field::email_primary) {
            return "(CASE WHEN jsonb_typeof(e.value -> 'primary') = 'boolean' "
                   "THEN (e.value ->> 'primary')::boolean END)";
        }
        return "(e.value ->> 'value')";
    }

    std::string some_email(const std::string& condition) const override {
        return "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN "
               "jsonb_typeof(members.scim_attributes::jsonb -> 'emails') = 'array' THEN "
               "members.scim_attributes::jsonb -> 'emails' ELSE '[]'::jsonb END) AS e(value) "
               "WHERE " +
               condition + ")";
    }
};

}  // namespace

const Dialect& sqlite_dialect() {
    static const SqliteDialect dialect;
    return dialect;
}

const Dialect& postgres_dialect() {
    static const PostgresDialect dialect;
    return dialect;
}

}  // namespace gatehouse::store::sql
