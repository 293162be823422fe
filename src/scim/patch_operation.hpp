// Private to the scim layer: one PATCH operation (RFC 7644 §3.5.2) applied to a resource's
// JSON at one resolved target. patch.cpp parses the request and calls this per operation.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gatehouse/scim/filter.hpp"
#include "gatehouse/scim/patch.hpp"
#include "gatehouse/util/result.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim::detail {

enum class PatchOperation { add, replace, remove };

struct PatchTarget {
    ResourcePath path;       // attribute (and sub-attribute) before any "["
    FilterPtr filter;        // the value filter of `attr[filter]`, or null
    std::string filter_sub;  // the sub-attribute after "]", or empty
};

// Applies one operation to `resource` in place, with the semantics documented at
// apply_patch. `value` is null when the operation has none. On failure `resource` may be
// partly changed: the caller works on a copy and discards it.
Status apply_operation(nlohmann::json& resource, ResourceKind kind, PatchOperation op,
                       const PatchTarget& target, const nlohmann::json* value);

}  // namespace gatehouse::scim::detail
