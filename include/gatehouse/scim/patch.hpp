// SCIM PATCH (RFC 7644 §3.5.2) applied to a User or Group in its JSON form, as Okta and
// Entra ID send it, all operations or none, with a summary of what changed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

inline constexpr std::string_view kPatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

enum class ResourceKind { user, group };

// What a PATCH did, so the service can act (add team members, end sessions) without
// diffing resources itself.
struct PatchSummary {
    std::vector<std::string> members_added;    // ids now in `members` that were not before
    std::vector<std::string> members_removed;  // ids in `members` before that are gone
    bool active_changed = false;               // `active` now differs from before
    bool changed = false;                      // the resource differs from before at all
};

struct PatchResult {
    nlohmann::json resource;  // the patched resource; `meta` untouched (the caller bumps it)
    PatchSummary summary;
};

// Applies the PatchOp `request` to `resource` (as encode_user / encode_group produce it).
// Either every operation applies or the function fails and nothing is returned. The result
// is not validated as a whole: the caller decodes it with decode_user / decode_group, which
// rejects, for example, a removed userName.
//
// Accepted, beyond the plain RFC forms:
//   - op names in any case ("Add", "Replace", "Remove" from Entra ID);
//   - string booleans "True"/"False" for boolean attributes (active, emails.primary);
//   - without `path`, a value object whose keys are attribute names, dotted sub-attributes
//     ("name.givenName") or URN-qualified names (Entra ID), or an extension URN keyed
//     object; Okta's {"op":"replace","value":{"active":false}} is this form;
//   - `remove` of `members` with a value array ({"op":"remove","path":"members",
//     "value":[{"value":"<id>"}]}, Entra ID) removes just those members;
//   - `add`/`replace` at `attr[sub eq "v"].subAttr` when no element matches appends
//     {"sub": "v", "subAttr": value}: Entra ID creates a work email this way;
//   - a read-only attribute (id, meta, schemas, a User's groups) set to its current
//     value is a no-op (Okta repeats the id when renaming a group);
//   - the enterprise manager given as a bare id string becomes {"value": id} (Entra ID);
//   - paths into any extension ("urn:…:attr", "urn:…:attr.sub", or the bare URN of one the
//     resource has), and without `path` a "urn:…" key given an object adds that extension;
//     `schemas` then lists exactly the extensions the resource holds.
// `add` to a multi-valued attribute appends only values not already present (same `value`
// sub-attribute, else equal JSON). An element added with primary true makes the others
// non-primary. `remove` with a value filter that matches nothing succeeds and changes
// nothing: RFC 7644 §3.5.2.2 does not ask for an error there, and Entra ID re-sends
// removals it already made. `replace` with a filter that matches nothing (and no element
// can be created) fails with noTarget, as §3.5.2.3 requires.
//
// Fails with:
//   scim.invalidSyntax  the request is not an object; `schemas` lacks the PatchOp URN;
//                       `Operations` is missing, not an array or empty; an operation is
//                       not an object; its op is missing or not add/replace/remove (the
//                       message structure is wrong, so RFC 7644 §3.12's invalidSyntax fits
//                       better than invalidValue);
//   scim.invalidPath    `path` is not a string, does not parse, or is qualified by
//                       something other than a URN;
//   scim.noTarget       remove without path; replace of a filtered item that matches nothing;
//   scim.mutability     the operation would change id, meta, schemas or a User's groups;
//   scim.invalidValue   add/replace without a value; a path-less value that is not an
//                       object; a string boolean that is not "true"/"false"; a value of the
//                       wrong shape for its target (a filtered item replaced by a non-object).
// Messages start with "Operations[<index>]" (0-based) to name the failing operation.
Result<PatchResult> apply_patch(const nlohmann::json& resource, const nlohmann::json& request,
                                ResourceKind kind);

}  // namespace gatehouse::scim
