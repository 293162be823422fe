#include "gatehouse/store/query.hpp"

#include <utility>

namespace gatehouse::store {
namespace {

bool is_email_field(Field field) {
    return field == Field::email_value || field == Field::email_type ||
           field == Field::email_primary;
}

bool is_member_only(Field field) {
    return field == Field::user_name || field == Field::given_name || field == Field::family_name ||
           field == Field::active;
}

// The collection whose elements `field` belongs to; nullopt for a field of the row itself.
std::optional<Collection> collection_of(Field field) {
    if (is_email_field(field)) return Collection::emails;
    if (field == Field::team_member_public_id) return Collection::team_members;
    return std::nullopt;
}

std::optional<std::string> operand_problem(const FieldTest& t) {
    const FieldType type = field_type(t.field);
    if (t.match == Match::present) {
        if (!std::holds_alternative<std::monostate>(t.operand)) {
            return "a presence test takes no operand";
        }
        return std::nullopt;
    }
    const bool text = type == FieldType::text || type == FieldType::exact_text;
    const bool pattern =
        t.match == Match::contains || t.match == Match::starts_with || t.match == Match::ends_with;
    if (text) {
        if (!std::holds_alternative<std::string>(t.operand)) return "a text field needs text";
        return std::nullopt;
    }
    if (pattern) return "only text fields take contains, starts_with and ends_with";
    if (type == FieldType::boolean) {
        if (!std::holds_alternative<bool>(t.operand)) return "a boolean field needs a boolean";
        if (t.match != Match::eq && t.match != Match::ne) return "booleans compare with eq and ne";
        return std::nullopt;
    }
    if (!std::holds_alternative<std::int64_t>(t.operand)) return "a time field needs seconds";
    return std::nullopt;
}

std::optional<std::string> problem(const Condition& c, bool for_teams,
                                   std::optional<Collection> inside) {
    if (const auto* t = std::get_if<FieldTest>(&c.node)) {
        if (collection_of(t->field) != inside) {
            return inside ? "a field of the row inside a collection's element condition"
                          : "a collection element's field outside its collection";
        }
        if (for_teams && (is_member_only(t->field) || is_email_field(t->field))) {
            return "a member field in a team query";
        }
        if (!for_teams && t->field == Field::team_member_public_id) {
            return "a team field in a member query";
        }
        return operand_problem(*t);
    }
    const auto junction =
        [&](const std::vector<ConditionPtr>& operands) -> std::optional<std::string> {
        if (operands.empty()) return "an empty junction";
        for (const auto& operand : operands) {
            if (!operand) return "a missing operand";
            if (auto p = problem(*operand, for_teams, inside)) return p;
        }
        return std::nullopt;
    };
    if (const auto* a = std::get_if<AllOf>(&c.node)) return junction(a->operands);
    if (const auto* a = std::get_if<AnyOf>(&c.node)) return junction(a->operands);
    if (const auto* n = std::get_if<Not>(&c.node)) {
        if (!n->operand) return "a missing operand";
        return problem(*n->operand, for_teams, inside);
    }
    const auto& element = std::get<SomeElement>(c.node);
    if (inside) return "a collection inside a collection";
    if (!element.condition) return "a missing operand";
    if (for_teams != (element.collection == Collection::team_members)) {
        return "a collection of the other kind of row";
    }
    return problem(*element.condition, for_teams, element.collection);
}

}  // namespace

FieldType field_type(Field field) {
    switch (field) {
        case Field::public_id:
        case Field::external_id:
            return FieldType::exact_text;
        case Field::created_at:
        case Field::updated_at:
            return FieldType::time;
        case Field::active:
        case Field::email_primary:
            return FieldType::boolean;
        default:
            return FieldType::text;
    }
}

ConditionPtr test(Field field, Match match, Operand operand) {
    return std::make_shared<const Condition>(
        Condition{FieldTest{field, match, std::move(operand)}});
}

ConditionPtr all_of(std::vector<ConditionPtr> operands) {
    return std::make_shared<const Condition>(Condition{AllOf{std::move(operands)}});
}

ConditionPtr any_of(std::vector<ConditionPtr> operands) {
    return std::make_shared<const Condition>(Condition{AnyOf{std::move(operands)}});
}

ConditionPtr negate(ConditionPtr operand) {
    return std::make_shared<const Condition>(Condition{Not{std::move(operand)}});
}

ConditionPtr some_element(Collection collection, ConditionPtr condition) {
    return std::make_shared<const Condition>(
        Condition{SomeElement{collection, std::move(condition)}});
}

std::optional<std::string> condition_problem(const Condition& condition, bool for_teams) {
    return problem(condition, for_teams, std::nullopt);
}

}  // namespace gatehouse::store
