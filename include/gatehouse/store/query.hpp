// Typed queries over members and teams. Callers say which rows they want in terms of fields
// and values; each backend turns a query into its own SQL inside the store
// (src/store/condition_sql.hpp), so no SQL text exists above the store layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gatehouse/core/domain.hpp"

namespace gatehouse::store {

// A field a condition can test. Each has one type, fixed by the store (see field_type):
// text fields compare ASCII case-insensitively unless they are exact text.
enum class Field {
    // Members and teams.
    public_id,     // exact text
    external_id,   // exact text
    display_name,  // text
    created_at,    // time (seconds since the epoch)
    updated_at,    // time
    // Members only.
    user_name,    // text
    given_name,   // text
    family_name,  // text
    active,       // boolean: the member is not deactivated
    // One element of a member's SCIM "emails" (only inside SomeElement{Collection::emails}).
    email_value,    // text
    email_type,     // text
    email_primary,  // boolean
    // One member of a team (only inside SomeElement{Collection::team_members}).
    team_member_public_id,  // text
};

enum class FieldType { text, exact_text, boolean, time };

FieldType field_type(Field field);

// The collections a condition can reach into: each element is tested on its own.
enum class Collection {
    emails,        // a member's SCIM emails: email_* fields
    team_members,  // a team's members: team_member_* fields
};

// How a field is compared with the operand. `present` takes no operand: a text field is
// present when it is set and not empty, any other field when it is set. Ordering compares
// text in ASCII order (after folding case unless exact) and times numerically; booleans
// allow eq and ne only; contains/starts_with/ends_with apply to text only.
enum class Match { eq, ne, contains, starts_with, ends_with, gt, ge, lt, le, present };

// The operand: text for text fields, a boolean for boolean fields, seconds for times, and
// nothing for `present`.
using Operand = std::variant<std::monostate, std::string, bool, std::int64_t>;

struct Condition;
using ConditionPtr = std::shared_ptr<const Condition>;

// `field match operand`. A field that is not set (NULL) never matches a comparison, so
// `not (x eq "a")` holds for a row without x.
struct FieldTest {
    Field field = Field::public_id;
    Match match = Match::eq;
    Operand operand;
};

struct AllOf {
    std::vector<ConditionPtr> operands;
};

struct AnyOf {
    std::vector<ConditionPtr> operands;
};

struct Not {
    ConditionPtr operand;
};

// Some element of `collection` satisfies `condition`, whose fields are the collection's.
struct SomeElement {
    Collection collection = Collection::emails;
    ConditionPtr condition;
};

struct Condition {
    std::variant<FieldTest, AllOf, AnyOf, Not, SomeElement> node;
};

// Builders.
ConditionPtr test(Field field, Match match, Operand operand = {});
ConditionPtr all_of(std::vector<ConditionPtr> operands);
ConditionPtr any_of(std::vector<ConditionPtr> operands);
ConditionPtr negate(ConditionPtr operand);
ConditionPtr some_element(Collection collection, ConditionPtr condition);

// Checks that `condition` can be run against members (for_teams false) or teams: operands
// of the field's type, element fields only inside their collection, no empty junctions.
// Returns a description of the first problem, or nullopt when it is well formed.
std::optional<std::string> condition_problem(const Condition& condition, bool for_teams);

// Which members list_members returns. Every part that is set must hold.
struct MemberQuery {
    // Members whose email, user name or display name contain this text, compared ASCII
    // case-insensitively; "" = no search.
    std::string search;
    std::optional<core::Role> role;
    std::optional<core::MemberState> state;
    std::optional<core::RowId> team_id;  // members of this team
    // Only break-glass members who have a password to sign in with.
    bool break_glass_with_password = false;
    ConditionPtr condition;  // null = none
};

// Which teams list_teams returns.
struct TeamQuery {
    ConditionPtr condition;  // null = none
};

}  // namespace gatehouse::store
