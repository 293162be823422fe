// The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parsing text into
// an immutable tree, checking it against attribute types, and evaluating it over JSON resources.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

// Error codes of this unit. Messages name the 1-based character position and what was
// expected there, e.g. "at character 12: expected a comparison operator, found \"eqq\"".
inline constexpr std::string_view kInvalidFilterCode = "scim.invalid_filter";
inline constexpr std::string_view kInvalidPathCode = "scim.invalid_path";

// Hard limits that keep a hostile filter from costing more than a small request should.
inline constexpr std::size_t kMaxFilterLength = 4096;  // bytes of filter or path text
inline constexpr int kMaxFilterDepth = 32;             // nested "(", "not (" and "["

// The schema URNs whose attributes live at the top level of a resource. A path qualified
// with one of them names the same attribute as the unqualified path.
inline constexpr std::string_view kCoreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kCoreGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kEnterpriseUserSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// True for the core User and Group schema URNs (any case).
bool is_core_schema(std::string_view urn);

// An attribute path: optional schema URN, attribute, optional sub-attribute. Names keep the
// spelling of the request; every comparison of names is ASCII case-insensitive.
// Inside a value filter (`emails[type eq "work"]`) paths are relative to one element of
// the multi-valued attribute: `attribute` is then the element's sub-attribute ("type").
struct AttributePath {
    std::string urn;  // without the trailing ':'; empty when unqualified
    std::string attribute;
    std::string sub_attribute;  // empty when absent

    friend bool operator==(const AttributePath&, const AttributePath&) = default;
};

enum class CompareOp { eq, ne, co, sw, ew, gt, ge, lt, le };

enum class LogicalOp { and_, or_ };

struct Filter;
using FilterPtr = std::shared_ptr<const Filter>;

// `attribute op value`. `value` is a JSON null, boolean, number (integer or floating) or
// string, exactly as written in the filter.
struct Comparison {
    AttributePath attribute;
    CompareOp op = CompareOp::eq;
    nlohmann::json value;
};

// `attribute pr`.
struct Presence {
    AttributePath attribute;
};

// `a and b and c` or `a or b`: chains of one operator are kept flat (two or more operands),
// so a long chain does not become a deep tree.
struct Junction {
    LogicalOp op = LogicalOp::and_;
    std::vector<FilterPtr> operands;
};

// `not (operand)`.
struct Negation {
    FilterPtr operand;
};

// `attribute[filter]`: some element of the multi-valued `attribute` satisfies `filter`.
// Entra ID's non-standard `emails[type eq "work"].value eq "x"` is parsed into the
// equivalent `emails[type eq "work" and value eq "x"]`.
struct ValuePath {
    AttributePath attribute;  // sub_attribute is always empty
    FilterPtr filter;
};

struct Filter {
    std::variant<Comparison, Presence, Junction, Negation, ValuePath> node;
};

// Parses RFC 7644 §3.4.2.2 filter text. Attribute names, operators and the literals true,
// false and null are case-insensitive; strings are JSON strings with their escapes.
// Precedence is not > and > or. co/sw/ew need a string operand; gt/ge/lt/le a string or
// number. Fails with kInvalidFilterCode on any syntax error, on text longer than
// kMaxFilterLength, or on nesting deeper than kMaxFilterDepth.
Result<FilterPtr> parse_filter(std::string_view text);

// A PATCH operation's target: `attrPath`, or `valuePath` optionally followed by
// ".subAttr" (`emails[type eq "work"].value`, `members[value eq "2819c223"]`).
// `value_filter` is null when the path has no brackets; `sub_attribute` is the part after
// the closing bracket (for a plain attrPath the sub-attribute is in `attribute`).
struct PatchPath {
    AttributePath attribute;
    FilterPtr value_filter;
    std::string sub_attribute;
};

// Parses a PATCH path. Fails with kInvalidPathCode (message with position) on bad syntax
// or bad value-filter syntax, and on text longer than kMaxFilterLength.
Result<PatchPath> parse_patch_path(std::string_view text);

// The SCIM data type of an attribute (RFC 7643 §2.3).
enum class AttributeType {
    string,
    boolean,
    decimal,
    integer,
    date_time,
    binary,
    reference,
    complex
};

// What the evaluator needs to know about one attribute.
struct AttributeTraits {
    AttributeType type = AttributeType::string;
    bool case_exact = false;
    bool multi_valued = false;
};

// A description of a resource type's attributes, keyed by lower-case path: "username",
// "name.familyname", "emails", "emails.value", and for extension schemas the URN-qualified
// form "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber".
// An attribute missing from the table is treated as a single-valued, case-insensitive
// string. Immutable once built; safe to share across threads for reading.
class AttributeTypes {
  public:
    // Declares (or redeclares) the attribute at `path` (any case).
    void set(std::string_view path, AttributeTraits traits);

    // The traits of the attribute `path` names; core-schema URNs are ignored. For a path
    // inside a value filter pass the enclosing attribute as `parent` ("emails").
    AttributeTraits lookup(const AttributePath& path, std::string_view parent = {}) const;

    // The traits a comparison on `path` uses: lookup(), except that a complex attribute
    // compared directly (`emails co "x"`) is compared through its "value" sub-attribute.
    AttributeTraits compared(const AttributePath& path, std::string_view parent = {}) const;

    // RFC 7643 §4.1, §4.2 (User and Group core schemas, with `meta`) and §4.3 (enterprise
    // User extension): id, externalId, meta.resourceType, meta.location and meta.version are
    // case-exact; userName, displayName, emails.value and the rest are not; active and every
    // `primary` are booleans; meta.created and meta.lastModified are dateTimes.
    static const AttributeTypes& scim_core();

  private:
    std::map<std::string, AttributeTraits, std::less<>> traits_;
};

// The lookup key AttributeTypes uses for `path` (inside the value filter of `parent` when
// non-empty): lower case, core-schema URN dropped, extension URN kept. Also the key of
// SqlColumnMap (filter_sql.hpp).
std::string attribute_key(const AttributePath& path, std::string_view parent = {});

// Checks a parsed filter against attribute types: gt/ge/lt/le on a boolean or binary
// attribute, and co/sw/ew on a boolean, number, binary or complex attribute, fail with
// kInvalidFilterCode (RFC 7644 asks for a 400 invalidFilter). Everything else passes.
Status validate_filter(const Filter& filter, const AttributeTypes& types);

// Evaluates `filter` against a SCIM resource in its JSON form. Attribute names in the
// resource match case-insensitively; a multi-valued attribute matches when ANY of its values
// matches; an absent attribute satisfies no comparison except `eq null`. Strings compare
// ASCII case-insensitively unless the attribute is case-exact; dateTimes compare as instants;
// gt/ge/lt/le compare strings lexically and numbers numerically, and never match booleans.
// `pr` needs a value that is not null, "" or an empty array or object. Never fails;
// thread-safe for concurrent calls on shared arguments.
bool matches(const Filter& filter, const nlohmann::json& resource, const AttributeTypes& types);

// Evaluates the value filter of a PatchPath against one element of the multi-valued
// attribute `attribute` (for `emails[type eq "work"]`: one object of the "emails" array),
// with the element's sub-attributes typed as `attribute`'s ("emails.type", …). This is how a
// PATCH picks the elements it changes. Never fails; thread-safe like matches().
bool matches_element(const Filter& value_filter, const nlohmann::json& element,
                     const AttributePath& attribute, const AttributeTypes& types);

}  // namespace gatehouse::scim
