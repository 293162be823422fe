#include "gatehouse/scim/filter_sql.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"

using namespace gatehouse::scim;

namespace {

constexpr std::string_view kEmailsExists =
    "EXISTS (SELECT 1 FROM json_each(m.scim_attributes, '$.emails') AS e WHERE {})";

SqlColumn text_column(std::string expression, bool case_exact = false) {
    return SqlColumn{std::move(expression), AttributeType::string, case_exact, {}};
}

// The members table as a store would describe it.
SqlColumnMap member_columns() {
    return {
        {"username", text_column("m.user_name")},
        {"externalid", text_column("m.external_id", true)},
        {"id", text_column("m.public_id", true)},
        {"displayname", text_column("m.display_name")},
        {"active", SqlColumn{"(m.state <> 'deactivated')", AttributeType::boolean, false, {}}},
        {"meta.created", SqlColumn{"m.created_at", AttributeType::date_time, false, {}}},
        {"meta.lastmodified", SqlColumn{"m.updated_at", AttributeType::date_time, false, {}}},
        {"logincount", SqlColumn{"m.login_count", AttributeType::integer, false, {}}},
        {"emails", SqlColumn{{}, AttributeType::complex, false, std::string(kEmailsExists)}},
        {"emails.value", text_column("json_extract(e.value, '$.value')")},
        {"emails.type", text_column("json_extract(e.value, '$.type')")},
    };
}

std::optional<SqlWhere> compiled(std::string_view text,
                                 const SqlColumnMap& columns = member_columns()) {
    auto filter = parse_filter(text);
    INFO(text);
    REQUIRE(filter.ok());
    return compile_filter_sql(**filter, columns);
}

SqlWhere sql(std::string_view text) {
    auto where = compiled(text);
    INFO(text);
    REQUIRE(where.has_value());
    return *where;
}

std::size_t placeholders(const SqlWhere& where) {
    return static_cast<std::size_t>(std::count(where.where.begin(), where.where.end(), '?'));
}

}  // namespace

TEST_CASE("compile_filter_sql binds a case-insensitive equality as a NOCASE placeholder") {
    const auto where = sql(R"(userName eq "o'brien")");
    CHECK(where.where == "(m.user_name IS NOT NULL AND m.user_name = ? COLLATE NOCASE)");
    REQUIRE(where.params.size() == 1);
    CHECK(std::get<std::string>(where.params[0]) == "o'brien");
}

TEST_CASE("compile_filter_sql compares case-exact attributes with BINARY collation") {
    CHECK(sql(R"(externalId eq "Ext-42")").where ==
          "(m.external_id IS NOT NULL AND m.external_id = ? COLLATE BINARY)");
    CHECK(sql(R"(id ne "a")").where ==
          "(m.public_id IS NOT NULL AND m.public_id <> ? COLLATE BINARY)");
}

TEST_CASE("compile_filter_sql maps every ordering operator") {
    CHECK(sql(R"(displayName gt "a")").where.find("m.display_name > ? COLLATE NOCASE") !=
          std::string::npos);
    CHECK(sql(R"(displayName ge "a")").where.find("m.display_name >= ?") != std::string::npos);
    CHECK(sql(R"(displayName lt "a")").where.find("m.display_name < ?") != std::string::npos);
    CHECK(sql(R"(displayName le "a")").where.find("m.display_name <= ?") != std::string::npos);
}

TEST_CASE("compile_filter_sql escapes LIKE wildcards in co, sw and ew operands") {
    const auto contains = sql(R"(userName co "50%_off\\")");
    CHECK(contains.where == "(m.user_name IS NOT NULL AND m.user_name LIKE ? ESCAPE '\\')");
    CHECK(std::get<std::string>(contains.params[0]) == "%50\\%\\_off\\\\%");
    CHECK(std::get<std::string>(sql(R"(userName sw "a_")").params[0]) == "a\\_%");
    CHECK(std::get<std::string>(sql(R"(userName ew "a%")").params[0]) == "%a\\%");
}

TEST_CASE("compile_filter_sql matches case-exact substrings with an escaped GLOB") {
    const auto starts = sql(R"(externalId sw "a*b?[c")");
    CHECK(starts.where == "(m.external_id IS NOT NULL AND m.external_id GLOB ?)");
    CHECK(std::get<std::string>(starts.params[0]) == "a[*]b[?][[]c*");
    CHECK(std::get<std::string>(sql(R"(externalId co "x")").params[0]) == "*x*");
    CHECK(std::get<std::string>(sql(R"(externalId ew "x")").params[0]) == "*x");
}

TEST_CASE("compile_filter_sql binds booleans as 0 and 1") {
    const auto active = sql("active eq true");
    CHECK(active.where ==
          "((m.state <> 'deactivated') IS NOT NULL AND (m.state <> 'deactivated') = ?)");
    CHECK(std::get<std::int64_t>(active.params[0]) == 1);
    CHECK(std::get<std::int64_t>(sql("active ne false").params[0]) == 0);
}

TEST_CASE("compile_filter_sql binds dateTimes as seconds since the epoch") {
    const auto created = sql(R"(meta.created gt "2026-01-01T01:00:00+01:00")");
    CHECK(created.where == "(m.created_at IS NOT NULL AND m.created_at > ?)");
    CHECK(std::get<std::int64_t>(created.params[0]) == 1767225600);
}

TEST_CASE("compile_filter_sql binds integer and decimal operands of number columns") {
    CHECK(std::get<std::int64_t>(sql("loginCount ge 3").params[0]) == 3);
    CHECK(std::get<double>(sql("loginCount lt 2.5").params[0]) == doctest::Approx(2.5));
}

TEST_CASE("compile_filter_sql keeps and, or and not structure and parameter order") {
    const auto where = sql(R"(userName eq "a" or not (active eq true) and id eq "b")");
    CHECK(where.where ==
          "((m.user_name IS NOT NULL AND m.user_name = ? COLLATE NOCASE) OR "
          "((NOT ((m.state <> 'deactivated') IS NOT NULL AND (m.state <> 'deactivated') = ?)) "
          "AND (m.public_id IS NOT NULL AND m.public_id = ? COLLATE BINARY)))");
    REQUIRE(where.params.size() == 3);
    CHECK(std::get<std::string>(where.params[0]) == "a");
    CHECK(std::get<std::int64_t>(where.params[1]) == 1);
    CHECK(std::get<std::string>(where.params[2]) == "b");
}

TEST_CASE("compile_filter_sql writes pr and null comparisons without parameters") {
    const auto present = sql("displayName pr");
    CHECK(present.where == "(m.display_name IS NOT NULL AND m.display_name <> '')");
    CHECK(present.params.empty());
    CHECK(sql("displayName eq null").where ==
          "(NOT (m.display_name IS NOT NULL AND m.display_name <> ''))");
    CHECK(sql("meta.created ne null").where == "(m.created_at IS NOT NULL)");
}

TEST_CASE("compile_filter_sql puts a value path inside the attribute's EXISTS template") {
    const auto where = sql(R"(emails[type eq "work"].value eq "a@b")");
    CHECK(where.where ==
          "(EXISTS (SELECT 1 FROM json_each(m.scim_attributes, '$.emails') AS e WHERE "
          "((json_extract(e.value, '$.type') IS NOT NULL AND json_extract(e.value, '$.type') = "
          "? COLLATE NOCASE) AND (json_extract(e.value, '$.value') IS NOT NULL AND "
          "json_extract(e.value, '$.value') = ? COLLATE NOCASE))))");
    REQUIRE(where.params.size() == 2);
    CHECK(std::get<std::string>(where.params[1]) == "a@b");
}

TEST_CASE(
    "compile_filter_sql wraps a sub-attribute or direct comparison on a multi-valued attribute") {
    const std::string expected =
        "(EXISTS (SELECT 1 FROM json_each(m.scim_attributes, '$.emails') AS e WHERE "
        "(json_extract(e.value, '$.value') IS NOT NULL AND json_extract(e.value, '$.value') "
        "LIKE ? ESCAPE '\\')))";
    CHECK(sql(R"(emails.value co "@example.com")").where == expected);
    CHECK(sql(R"(emails co "@example.com")").where == expected);
}

TEST_CASE("compile_filter_sql never writes an operand into the SQL text") {
    const auto where = sql(R"(userName eq "zq1" or externalId co "zq2" or emails[value sw "zq3"])"
                           R"( or meta.created lt "2026-01-01T00:00:00Z" or loginCount eq 4242)");
    CHECK(where.where.find("zq") == std::string::npos);
    CHECK(where.where.find("4242") == std::string::npos);
    CHECK(placeholders(where) == where.params.size());
}

TEST_CASE("compile_filter_sql gives up when an attribute has no column") {
    CHECK_FALSE(compiled(R"(title eq "x")").has_value());
    CHECK_FALSE(compiled(R"(userName eq "a" and (title pr or active eq true))").has_value());
    CHECK_FALSE(compiled(R"(emails[display eq "x"])").has_value());
    CHECK_FALSE(compiled(R"(name.familyName eq "x")").has_value());
}

TEST_CASE("compile_filter_sql gives up on comparisons SQL cannot state as matches() does") {
    CHECK_FALSE(compiled("emails pr").has_value());
    CHECK_FALSE(compiled("emails.value eq null").has_value());
    CHECK_FALSE(compiled(R"(meta.created co "2026")").has_value());
    CHECK_FALSE(compiled(R"(meta.created gt "yesterday")").has_value());
    CHECK_FALSE(compiled("userName eq true").has_value());
    CHECK_FALSE(compiled("userName eq 7").has_value());
    CHECK_FALSE(compiled(R"(active eq "true")").has_value());
    CHECK_FALSE(compiled(R"(userName[value eq "x"])").has_value());
}

TEST_CASE("compile_filter_sql gives up when a template has no slot for the condition") {
    SqlColumnMap columns = member_columns();
    columns["emails"].exists_template = "EXISTS (SELECT 1 FROM member_emails)";
    CHECK_FALSE(compiled(R"(emails.value eq "x")", columns).has_value());
}
