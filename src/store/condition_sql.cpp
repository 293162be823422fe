// Every predicate is guarded with "IS NOT NULL" so that a missing value gives false, never
// NULL: SQL's three-valued logic would otherwise make `NOT (...)` hold for neither a row
// with the value nor a row without it.
#include "condition_sql.hpp"

#include <stdexcept>
#include <utility>

#include "gatehouse/core/names.hpp"

namespace gatehouse::store::sql {
namespace {

// "(" `sql` ")", appended rather than written `"(" + sql + ")"`: GCC 12 at -O3 takes that
// prepend for an overlapping memcpy and warns (-Wrestrict, a false positive).
std::string parenthesized(std::string_view sql) {
    std::string out = "(";
    out += sql;
    out += ')';
    return out;
}

std::string_view comparison_operator(Match match) {
    switch (match) {
        case Match::eq:
            return "=";
        case Match::ne:
            return "<>";
        case Match::gt:
            return ">";
        case Match::ge:
            return ">=";
        case Match::lt:
            return "<";
        case Match::le:
            return "<=";
        default:
            return "";
    }
}

bool is_pattern(Match match) {
    return match == Match::contains || match == Match::starts_with || match == Match::ends_with;
}

class Compiler {
  public:
    Compiler(const Dialect& dialect, std::size_t first_index, bool for_teams)
        : dialect_(dialect), next_index_(first_index), for_teams_(for_teams) {}

    // A placeholder bound to `value`.
    std::string bind(Param value) {
        params_.push_back(std::move(value));
        return dialect_.placeholder(next_index_++);
    }

    std::string condition(const Condition& c) {
        if (const auto* t = std::get_if<FieldTest>(&c.node)) return field_test(*t);
        if (const auto* a = std::get_if<AllOf>(&c.node)) return junction(a->operands, " AND ");
        if (const auto* a = std::get_if<AnyOf>(&c.node)) return junction(a->operands, " OR ");
        if (const auto* n = std::get_if<Not>(&c.node))
            return "(NOT " + condition(*n->operand) + ")";
        const auto& element = std::get<SomeElement>(c.node);
        const std::string inner = condition(*element.condition);
        if (element.collection == Collection::emails) {
            return parenthesized(dialect_.some_email(inner));
        }
        return "(EXISTS (SELECT 1 FROM team_members tm JOIN members mm ON mm.id = tm.member_id "
               "WHERE tm.team_id = teams.id AND " +
               inner + "))";
    }

    Fragment finish(std::string text) { return Fragment{std::move(text), std::move(params_)}; }

  private:
    std::string junction(const std::vector<ConditionPtr>& operands, std::string_view op) {
        std::string text = "(";
        for (std::size_t i = 0; i < operands.size(); ++i) {
            if (i > 0) text += op;
            text += condition(*operands[i]);
        }
        return text + ")";
    }

    std::string expression(Field field) const {
        const std::string table = for_teams_ ? "teams." : "members.";
        switch (field) {
            case Field::public_id:
                return table + "public_id";
            case Field::external_id:
                return table + "external_id";
            case Field::display_name:
                return table + "display_name";
            case Field::created_at:
                return table + "created_at";
            case Field::updated_at:
                return table + "updated_at";
            case Field::user_name:
                return "members.user_name";
            case Field::given_name:
                return "members.given_name";
            case Field::family_name:
                return "members.family_name";
            case Field::active:
                return "(members.state <> 'deactivated')";
            case Field::team_member_public_id:
                return "mm.public_id";
            default:
                return dialect_.email_field(field);
        }
    }

    std::string field_test(const FieldTest& t) {
        const std::string x = expression(t.field);
        const FieldType type = field_type(t.field);
        const bool text = type == FieldType::text || type == FieldType::exact_text;
        const bool exact = type == FieldType::exact_text;
        if (t.match == Match::present) {
            return text ? "(" + x + " IS NOT NULL AND " + x + " <> '')" : "(" + x + " IS NOT NULL)";
        }
        const std::string guard = "(" + x + " IS NOT NULL AND ";
        if (text) {
            const auto& operand = std::get<std::string>(t.operand);
            if (is_pattern(t.match)) {
                const std::string p = bind(dialect_.pattern(t.match, operand, exact));
                return guard + dialect_.match_pattern(x, p, exact) + ")";
            }
            const std::string p = bind(operand);
            return guard + dialect_.compare_text(x, comparison_operator(t.match), p, exact) + ")";
        }
        const std::string p = type == FieldType::boolean
                                  ? bind(dialect_.boolean(std::get<bool>(t.operand)))
                                  : bind(std::get<std::int64_t>(t.operand));
        return guard + x + " " + std::string(comparison_operator(t.match)) + " " + p + ")";
    }

    const Dialect& dialect_;
    std::size_t next_index_;
    bool for_teams_;
    std::vector<Param> params_;
};

void check(const ConditionPtr& condition, bool for_teams) {
    if (!condition) return;
    if (auto problem = condition_problem(*condition, for_teams)) {
        throw std::invalid_argument("malformed query condition: " + *problem);
    }
}

std::string joined(const std::vector<std::string>& parts) {
    if (parts.empty()) return "1 = 1";
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) text += " AND ";
        text += parts[i];
    }
    return text;
}

}  // namespace

Fragment member_where(const MemberQuery& query, const Dialect& dialect, std::size_t first_index) {
    check(query.condition, false);
    Compiler compiler(dialect, first_index, false);
    std::vector<std::string> parts;
    if (!query.search.empty()) {
        // One placeholder per use: SQLite's `?` cannot be referred to twice.
        std::string any;
        for (const char* column : {"members.email", "members.user_name", "members.display_name"}) {
            const std::string p =
                compiler.bind(dialect.pattern(Match::contains, query.search, false));
            if (!any.empty()) any += " OR ";
            std::string matches = column;
            matches += " IS NOT NULL AND ";
            matches += dialect.match_pattern(column, p, false);
            any += parenthesized(matches);
        }
        parts.push_back(parenthesized(any));
    }
    if (query.role) {
        parts.push_back("members.role = " +
                        compiler.bind(std::string(core::to_string(*query.role))));
    }
    if (query.state) {
        parts.push_back("members.state = " +
                        compiler.bind(std::string(core::to_string(*query.state))));
    }
    if (query.team_id) {
        parts.push_back("members.id IN (SELECT member_id FROM team_members WHERE team_id = " +
                        compiler.bind(std::int64_t{*query.team_id}) + ")");
    }
    if (query.break_glass_with_password) {
        parts.push_back("members.break_glass = " + compiler.bind(dialect.boolean(true)) +
                        " AND members.password_hash IS NOT NULL AND members.password_hash <> ''");
    }
    if (query.condition) parts.push_back(compiler.condition(*query.condition));
    return compiler.finish(joined(parts));
}

Fragment team_where(const TeamQuery& query, const Dialect& dialect, std::size_t first_index) {
    check(query.condition, true);
    Compiler compiler(dialect, first_index, true);
    std::vector<std::string> parts;
    if (query.condition) parts.push_back(compiler.condition(*query.condition));
    return compiler.finish(joined(parts));
}

}  // namespace gatehouse::store::sql
