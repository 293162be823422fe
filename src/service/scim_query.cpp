#include "scim_query.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gatehouse/util/time.hpp"

namespace gatehouse::service::provisioning {
namespace {

using nlohmann::json;
using store::Collection;
using store::Field;
using store::Match;

// What an attribute key names in the store: a field of the row, a field of one element of a
// collection, or a whole collection (whose sub-attribute "value" is its default).
struct Target {
    std::optional<Field> field;
    std::optional<Collection> collection;
};

using TargetMap = std::map<std::string, Target, std::less<>>;

const TargetMap& targets(ScimResourceType resource) {
    static const TargetMap users = {
        {"id", {Field::public_id, {}}},
        {"externalid", {Field::external_id, {}}},
        {"username", {Field::user_name, {}}},
        {"displayname", {Field::display_name, {}}},
        {"name.givenname", {Field::given_name, {}}},
        {"name.familyname", {Field::family_name, {}}},
        {"active", {Field::active, {}}},
        {"meta.created", {Field::created_at, {}}},
        {"meta.lastmodified", {Field::updated_at, {}}},
        {"emails", {{}, Collection::emails}},
        {"emails.value", {Field::email_value, {}}},
        {"emails.type", {Field::email_type, {}}},
        {"emails.primary", {Field::email_primary, {}}},
    };
    static const TargetMap groups = {
        {"id", {Field::public_id, {}}},
        {"externalid", {Field::external_id, {}}},
        {"displayname", {Field::display_name, {}}},
        {"meta.created", {Field::created_at, {}}},
        {"meta.lastmodified", {Field::updated_at, {}}},
        {"members", {{}, Collection::team_members}},
        {"members.value", {Field::team_member_public_id, {}}},
    };
    return resource == ScimResourceType::user ? users : groups;
}

std::optional<Match> match_of(scim::CompareOp op) {
    switch (op) {
        case scim::CompareOp::eq:
            return Match::eq;
        case scim::CompareOp::ne:
            return Match::ne;
        case scim::CompareOp::co:
            return Match::contains;
        case scim::CompareOp::sw:
            return Match::starts_with;
        case scim::CompareOp::ew:
            return Match::ends_with;
        case scim::CompareOp::gt:
            return Match::gt;
        case scim::CompareOp::ge:
            return Match::ge;
        case scim::CompareOp::lt:
            return Match::lt;
        case scim::CompareOp::le:
            return Match::le;
    }
    return std::nullopt;
}

bool is_pattern(Match match) {
    return match == Match::contains || match == Match::starts_with || match == Match::ends_with;
}

class Translator {
  public:
    explicit Translator(ScimResourceType resource) : targets_(targets(resource)) {}

    // `parent` is the key of the enclosing value path's attribute, empty at the top level.
    store::ConditionPtr condition(const scim::Filter& filter, std::string_view parent) {
        if (const auto* comparison = std::get_if<scim::Comparison>(&filter.node)) {
            return attribute_condition(comparison->attribute, comparison, parent);
        }
        if (const auto* presence = std::get_if<scim::Presence>(&filter.node)) {
            return attribute_condition(presence->attribute, nullptr, parent);
        }
        if (const auto* junction = std::get_if<scim::Junction>(&filter.node)) {
            std::vector<store::ConditionPtr> operands;
            for (const auto& operand : junction->operands) {
                auto translated = condition(*operand, parent);
                if (!translated) return nullptr;
                operands.push_back(std::move(translated));
            }
            return junction->op == scim::LogicalOp::and_ ? store::all_of(std::move(operands))
                                                         : store::any_of(std::move(operands));
        }
        if (const auto* negation = std::get_if<scim::Negation>(&filter.node)) {
            auto operand = condition(*negation->operand, parent);
            return operand ? store::negate(std::move(operand)) : nullptr;
        }
        const auto& value_path = std::get<scim::ValuePath>(filter.node);
        if (!parent.empty()) return nullptr;
        const std::string key = scim::attribute_key(value_path.attribute);
        const Target* container = find(key);
        if (container == nullptr || !container->collection) return nullptr;
        auto inner = condition(*value_path.filter, key);
        return inner ? store::some_element(*container->collection, std::move(inner)) : nullptr;
    }

  private:
    // A comparison (or, when `comparison` is null, a presence test) on `path`.
    store::ConditionPtr attribute_condition(const scim::AttributePath& path,
                                            const scim::Comparison* comparison,
                                            std::string_view parent) {
        if (!parent.empty()) {
            const Target* target = find(scim::attribute_key(path, parent));
            if (target == nullptr || !target->field) return nullptr;
            return field_test(*target->field, comparison);
        }
        const Target* container =
            find(scim::attribute_key(scim::AttributePath{path.urn, path.attribute, ""}));
        if (container == nullptr || !container->collection) {
            const Target* target = find(scim::attribute_key(path));
            if (target == nullptr || !target->field) return nullptr;
            return field_test(*target->field, comparison);
        }
        // A multi-valued attribute. "Absent" and "present" are about the whole list, which a
        // test on its elements cannot say exactly, so those stay in memory.
        if (comparison == nullptr || comparison->value.is_null()) return nullptr;
        const std::string sub = path.sub_attribute.empty() ? "value" : path.sub_attribute;
        const Target* target =
            find(scim::attribute_key(scim::AttributePath{path.urn, path.attribute, sub}));
        if (target == nullptr || !target->field) return nullptr;
        auto inner = field_test(*target->field, comparison);
        return inner ? store::some_element(*container->collection, std::move(inner)) : nullptr;
    }

    static store::ConditionPtr field_test(Field field, const scim::Comparison* comparison) {
        if (comparison == nullptr) return store::test(field, Match::present);
        const json& operand = comparison->value;
        const auto match = match_of(comparison->op);
        if (!match) return nullptr;
        if (operand.is_null()) {
            if (*match == Match::eq) return store::negate(store::test(field, Match::present));
            if (*match == Match::ne) return store::test(field, Match::present);
            return nullptr;
        }
        const store::FieldType type = store::field_type(field);
        if (operand.is_boolean()) {
            if (type != store::FieldType::boolean) return nullptr;
            if (*match != Match::eq && *match != Match::ne) return nullptr;
            return store::test(field, *match, operand.get<bool>());
        }
        if (!operand.is_string()) return nullptr;
        const auto& text = operand.get_ref<const std::string&>();
        if (type == store::FieldType::time) {
            const auto at = util::parse_iso8601(text);
            if (!at || is_pattern(*match)) return nullptr;
            return store::test(field, *match, std::int64_t{*at});
        }
        if (type != store::FieldType::text && type != store::FieldType::exact_text) return nullptr;
        return store::test(field, *match, text);
    }

    const Target* find(std::string_view key) const {
        const auto found = targets_.find(key);
        return found == targets_.end() ? nullptr : &found->second;
    }

    const TargetMap& targets_;
};

}  // namespace

store::ConditionPtr store_condition(const scim::Filter& filter, ScimResourceType resource) {
    return Translator(resource).condition(filter, {});
}

}  // namespace gatehouse::service::provisioning
