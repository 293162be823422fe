// Evaluation of a parsed filter against a resource in its JSON form (RFC 7644 §3.4.2.2).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/scim/filter.hpp"
#include "gatehouse/util/time.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim {
namespace {

using nlohmann::json;

// Where paths are resolved: the resource itself, or one element of a multi-valued
// attribute inside a value filter (then `parent` is that attribute's key, e.g. "emails").
struct Scope {
    const json& object;
    std::string_view parent;
};

// The value of the attribute `path` names, before any sub-attribute; nullptr when absent.
const json* attribute_value(const json& object, const AttributePath& path) {
    const json* base = &object;
    if (!path.urn.empty() && !is_core_schema(path.urn)) {
        base = detail::find_attribute(object, path.urn);
        if (base == nullptr) return nullptr;
    }
    return detail::find_attribute(*base, path.attribute);
}

void add_each(std::vector<const json*>& out, const json& value) {
    if (value.is_array()) {
        for (const json& element : value) out.push_back(&element);
    } else {
        out.push_back(&value);
    }
}

// Every value `path` names: the elements of a multi-valued attribute, and the sub-attribute
// of every element that has it, so that "any value matches" is a loop over this list.
std::vector<const json*> values_of(const json& object, const AttributePath& path) {
    std::vector<const json*> values;
    const json* value = attribute_value(object, path);
    if (value == nullptr) return values;
    if (path.sub_attribute.empty()) {
        add_each(values, *value);
        return values;
    }
    std::vector<const json*> parents;
    add_each(parents, *value);
    for (const json* parent : parents) {
        if (const json* sub = detail::find_attribute(*parent, path.sub_attribute)) {
            add_each(values, *sub);
        }
    }
    return values;
}

// RFC 7644 `pr`: a value that is not null, not empty, and for complex values has at least
// one sub-attribute that is itself present.
bool present(const json& value) {
    if (value.is_null()) return false;
    if (value.is_string()) return !value.get_ref<const std::string&>().empty();
    if (value.is_array()) return std::any_of(value.begin(), value.end(), present);
    if (value.is_object()) return std::any_of(value.begin(), value.end(), present);
    return true;
}

template <typename T>
bool compare_ordered(const T& attribute, const T& operand, CompareOp op) {
    switch (op) {
        case CompareOp::eq:
            return attribute == operand;
        case CompareOp::ne:
            return attribute != operand;
        case CompareOp::gt:
            return attribute > operand;
        case CompareOp::ge:
            return attribute >= operand;
        case CompareOp::lt:
            return attribute < operand;
        case CompareOp::le:
            return attribute <= operand;
        case CompareOp::co:
        case CompareOp::sw:
        case CompareOp::ew:
            return false;
    }
    return false;
}

bool compare_strings(std::string attribute, std::string operand, CompareOp op, bool case_exact) {
    if (!case_exact) {
        attribute = detail::lowercase(attribute);
        operand = detail::lowercase(operand);
    }
    switch (op) {
        case CompareOp::co:
            return attribute.find(operand) != std::string::npos;
        case CompareOp::sw:
            return attribute.starts_with(operand);
        case CompareOp::ew:
            return attribute.ends_with(operand);
        default:
            return compare_ordered(attribute, operand, op);
    }
}

// JSON integers come signed or unsigned; both compare exactly while they fit in 64 bits
// signed, where a double would round above 2^53.
std::optional<std::int64_t> exact_integer(const json& value) {
    if (value.is_number_unsigned()) {
        const auto whole = value.get<std::uint64_t>();
        if (whole > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(whole);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    return std::nullopt;
}

bool compare_numbers(const json& attribute, const json& operand, CompareOp op) {
    const auto whole_attribute = exact_integer(attribute);
    const auto whole_operand = exact_integer(operand);
    if (whole_attribute && whole_operand) {
        return compare_ordered(*whole_attribute, *whole_operand, op);
    }
    return compare_ordered(attribute.get<double>(), operand.get<double>(), op);
}

// One attribute value against the operand of a comparison.
bool compare_value(const json& attribute, const Comparison& comparison,
                   const AttributeTraits& traits) {
    const json& operand = comparison.value;
    const CompareOp op = comparison.op;
    if (operand.is_boolean()) {
        if (op != CompareOp::eq && op != CompareOp::ne) return false;
        // Entra ID stores booleans as "True"/"False"; only a boolean attribute reads them so.
        const std::optional<bool> flag =
            traits.type == AttributeType::boolean
                ? detail::scim_boolean(attribute)
                : (attribute.is_boolean() ? std::optional<bool>(attribute.get<bool>())
                                          : std::nullopt);
        return flag.has_value() && compare_ordered(*flag, operand.get<bool>(), op);
    }
    if (operand.is_number()) {
        return attribute.is_number() && compare_numbers(attribute, operand, op);
    }
    if (!operand.is_string() || !attribute.is_string()) return false;
    const auto& text = attribute.get_ref<const std::string&>();
    const auto& wanted = operand.get_ref<const std::string&>();
    const bool substring = op == CompareOp::co || op == CompareOp::sw || op == CompareOp::ew;
    if (traits.type == AttributeType::date_time && !substring) {
        // Instants, not text: "2026-01-01T01:00:00+01:00" eq "2026-01-01T00:00:00Z".
        const auto at = util::parse_iso8601(text);
        const auto reference = util::parse_iso8601(wanted);
        return at.has_value() && reference.has_value() && compare_ordered(*at, *reference, op);
    }
    return compare_strings(text, wanted, op, traits.case_exact);
}

bool evaluate(const Filter& filter, const Scope& scope, const AttributeTypes& types);

bool evaluate_comparison(const Comparison& comparison, const Scope& scope,
                         const AttributeTypes& types) {
    const std::vector<const json*> values = values_of(scope.object, comparison.attribute);
    if (comparison.value.is_null()) {
        const bool any = std::any_of(values.begin(), values.end(),
                                     [](const json* value) { return present(*value); });
        if (comparison.op == CompareOp::eq) return !any;
        if (comparison.op == CompareOp::ne) return any;
        return false;
    }
    const AttributeTraits traits = types.compared(comparison.attribute, scope.parent);
    return std::any_of(values.begin(), values.end(), [&](const json* value) {
        // A complex value compared directly stands for its "value" sub-attribute.
        if (value->is_object()) value = detail::find_attribute(*value, "value");
        return value != nullptr && compare_value(*value, comparison, traits);
    });
}

bool evaluate_value_path(const ValuePath& value_path, const Scope& scope,
                         const AttributeTypes& types) {
    const json* value = attribute_value(scope.object, value_path.attribute);
    if (value == nullptr) return false;
    std::vector<const json*> elements;
    add_each(elements, *value);
    const std::string key = attribute_key(value_path.attribute, scope.parent);
    return std::any_of(elements.begin(), elements.end(), [&](const json* element) {
        return element->is_object() && evaluate(*value_path.filter, Scope{*element, key}, types);
    });
}

bool evaluate(const Filter& filter, const Scope& scope, const AttributeTypes& types) {
    if (const auto* comparison = std::get_if<Comparison>(&filter.node)) {
        return evaluate_comparison(*comparison, scope, types);
    }
    if (const auto* presence = std::get_if<Presence>(&filter.node)) {
        const auto values = values_of(scope.object, presence->attribute);
        return std::any_of(values.begin(), values.end(),
                           [](const json* value) { return present(*value); });
    }
    if (const auto* junction = std::get_if<Junction>(&filter.node)) {
        const auto holds = [&](const FilterPtr& operand) {
            return evaluate(*operand, scope, types);
        };
        return junction->op == LogicalOp::and_
                   ? std::all_of(junction->operands.begin(), junction->operands.end(), holds)
                   : std::any_of(junction->operands.begin(), junction->operands.end(), holds);
    }
    if (const auto* negation = std::get_if<Negation>(&filter.node)) {
        return !evaluate(*negation->operand, scope, types);
    }
    if (const auto* value_path = std::get_if<ValuePath>(&filter.node)) {
        return evaluate_value_path(*value_path, scope, types);
    }
    return false;
}

}  // namespace

bool matches(const Filter& filter, const nlohmann::json& resource, const AttributeTypes& types) {
    return evaluate(filter, Scope{resource, {}}, types);
}

bool matches_element(const Filter& value_filter, const nlohmann::json& element,
                     const AttributePath& attribute, const AttributeTypes& types) {
    const std::string key = attribute_key(attribute);
    return element.is_object() && evaluate(value_filter, Scope{element, key}, types);
}

}  // namespace gatehouse::scim
