// Translation of filters into SQLite WHERE fragments with bound parameters. Every predicate
// is guarded with "IS NOT NULL" so that a missing value gives 0, never NULL: SQL's
// three-valued logic would otherwise make `NOT (...)` disagree with matches().
#include "gatehouse/scim/filter_sql.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/util/time.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim {
namespace {

using nlohmann::json;

bool is_text(AttributeType type) {
    return type == AttributeType::string || type == AttributeType::reference;
}

bool is_number(AttributeType type) {
    return type == AttributeType::integer || type == AttributeType::decimal;
}

std::string_view sql_operator(CompareOp op) {
    switch (op) {
        case CompareOp::eq:
            return "=";
        case CompareOp::ne:
            return "<>";
        case CompareOp::gt:
            return ">";
        case CompareOp::ge:
            return ">=";
        case CompareOp::lt:
            return "<";
        case CompareOp::le:
            return "<=";
        default:
            return "";
    }
}

bool is_substring(CompareOp op) {
    return op == CompareOp::co || op == CompareOp::sw || op == CompareOp::ew;
}

// Wraps an escaped operand in the wildcards co/sw/ew need.
std::string with_wildcards(CompareOp op, const std::string& escaped, std::string_view any) {
    const std::string wildcard(any);
    if (op == CompareOp::sw) return escaped + wildcard;
    if (op == CompareOp::ew) return wildcard + escaped;
    return wildcard + escaped + wildcard;
}

// LIKE pattern (with ESCAPE '\') that matches `text` literally.
std::string like_pattern(CompareOp op, std::string_view text) {
    std::string escaped;
    for (char c : text) {
        if (c == '\\' || c == '%' || c == '_') escaped += '\\';
        escaped += c;
    }
    return with_wildcards(op, escaped, "%");
}

// GLOB pattern that matches `text` literally; GLOB has no escape character, but a
// one-character class "[*]" stands for the character itself.
std::string glob_pattern(CompareOp op, std::string_view text) {
    std::string escaped;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[') {
            escaped += '[';
            escaped += c;
            escaped += ']';
        } else {
            escaped += c;
        }
    }
    return with_wildcards(op, escaped, "*");
}

class SqlCompiler {
  public:
    explicit SqlCompiler(const SqlColumnMap& columns) : columns_(columns) {}

    std::optional<SqlWhere> run(const Filter& filter) {
        auto where = compile(filter, {});
        if (!where) return std::nullopt;
        return SqlWhere{std::move(*where), std::move(params_)};
    }

  private:
    // `parent` is the key of the enclosing value path's attribute, empty at the top level.
    std::optional<std::string> compile(const Filter& filter, std::string_view parent) {
        if (const auto* comparison = std::get_if<Comparison>(&filter.node)) {
            return attribute_condition(comparison->attribute, comparison, parent);
        }
        if (const auto* presence = std::get_if<Presence>(&filter.node)) {
            return attribute_condition(presence->attribute, nullptr, parent);
        }
        if (const auto* junction = std::get_if<Junction>(&filter.node)) {
            std::string where = "(";
            for (std::size_t i = 0; i < junction->operands.size(); ++i) {
                auto operand = compile(*junction->operands[i], parent);
                if (!operand) return std::nullopt;
                if (i > 0) where += junction->op == LogicalOp::and_ ? " AND " : " OR ";
                where += *operand;
            }
            return where + ")";
        }
        if (const auto* negation = std::get_if<Negation>(&filter.node)) {
            auto operand = compile(*negation->operand, parent);
            if (!operand) return std::nullopt;
            return "(NOT " + *operand + ")";
        }
        if (const auto* value_path = std::get_if<ValuePath>(&filter.node)) {
            const std::string key = attribute_key(value_path->attribute);
            const SqlColumn* container = find(key);
            if (container == nullptr || container->exists_template.empty()) return std::nullopt;
            auto inner = compile(*value_path->filter, key);
            if (!inner) return std::nullopt;
            return fill(*container, *inner);
        }
        return std::nullopt;
    }

    // A comparison (or, when `comparison` is null, a presence test) on `path`.
    std::optional<std::string> attribute_condition(const AttributePath& path,
                                                   const Comparison* comparison,
                                                   std::string_view parent) {
        if (!parent.empty()) {
            const SqlColumn* column = find(attribute_key(path, parent));
            if (column == nullptr || !column->exists_template.empty()) return std::nullopt;
            return predicate(*column, comparison);
        }
        const std::string container_key =
            attribute_key(AttributePath{path.urn, path.attribute, ""});
        const SqlColumn* container = find(container_key);
        if (container == nullptr || container->exists_template.empty()) {
            const SqlColumn* column = find(attribute_key(path));
            if (column == nullptr || !column->exists_template.empty()) return std::nullopt;
            return predicate(*column, comparison);
        }
        // A multi-valued attribute. "Absent" and "present" are about the whole list, which
        // EXISTS over its elements cannot say exactly, so those stay in memory.
        if (comparison == nullptr || comparison->value.is_null()) return std::nullopt;
        const std::string sub =
            path.sub_attribute.empty() ? "value" : detail::lowercase(path.sub_attribute);
        const SqlColumn* column = find(container_key + "." + sub);
        if (column == nullptr || !column->exists_template.empty()) return std::nullopt;
        auto inner = predicate(*column, comparison);
        if (!inner) return std::nullopt;
        return fill(*container, *inner);
    }

    std::optional<std::string> predicate(const SqlColumn& column, const Comparison* comparison) {
        const std::string& x = column.expression;
        const std::string present = is_text(column.type)
                                        ? "(" + x + " IS NOT NULL AND " + x + " <> '')"
                                        : "(" + x + " IS NOT NULL)";
        if (comparison == nullptr) return present;
        const json& operand = comparison->value;
        const CompareOp op = comparison->op;
        if (operand.is_null()) {
            if (op == CompareOp::eq) return "(NOT " + present + ")";
            if (op == CompareOp::ne) return present;
            return std::nullopt;
        }
        const std::string guard = "(" + x + " IS NOT NULL AND " + x + " ";
        if (operand.is_boolean()) {
            if (column.type != AttributeType::boolean) return std::nullopt;
            if (op != CompareOp::eq && op != CompareOp::ne) return std::nullopt;
            params_.emplace_back(std::int64_t{operand.get<bool>() ? 1 : 0});
            return guard + std::string(sql_operator(op)) + " ?)";
        }
        if (operand.is_number()) {
            if (!is_number(column.type) || is_substring(op)) return std::nullopt;
            if (operand.is_number_integer() && !operand.is_number_unsigned()) {
                params_.emplace_back(operand.get<std::int64_t>());
            } else {
                params_.emplace_back(operand.get<double>());
            }
            return guard + std::string(sql_operator(op)) + " ?)";
        }
        if (!operand.is_string()) return std::nullopt;
        const auto& text = operand.get_ref<const std::string&>();
        if (column.type == AttributeType::date_time) {
            const auto at = util::parse_iso8601(text);
            if (!at || is_substring(op)) return std::nullopt;
            params_.emplace_back(std::int64_t{*at});
            return guard + std::string(sql_operator(op)) + " ?)";
        }
        if (!is_text(column.type)) return std::nullopt;
        if (is_substring(op)) {
            if (column.case_exact) {
                params_.emplace_back(glob_pattern(op, text));
                return guard + "GLOB ?)";
            }
            params_.emplace_back(like_pattern(op, text));
            return guard + "LIKE ? ESCAPE '\\')";
        }
        params_.emplace_back(text);
        return guard + std::string(sql_operator(op)) + " ? COLLATE " +
               (column.case_exact ? "BINARY" : "NOCASE") + ")";
    }

    // The container's template with `condition` in place of its "{}".
    static std::optional<std::string> fill(const SqlColumn& container,
                                           const std::string& condition) {
        std::string where = container.exists_template;
        const auto slot = where.find("{}");
        if (slot == std::string::npos) return std::nullopt;
        where.replace(slot, 2, condition);
        return "(" + where + ")";
    }

    const SqlColumn* find(std::string_view key) const {
        const auto found = columns_.find(key);
        return found == columns_.end() ? nullptr : &found->second;
    }

    const SqlColumnMap& columns_;
    std::vector<SqlValue> params_;
};

}  // namespace

std::optional<SqlWhere> compile_filter_sql(const Filter& filter, const SqlColumnMap& columns) {
    return SqlCompiler(columns).run(filter);
}

}  // namespace gatehouse::scim
