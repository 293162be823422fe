// The `attributes` and `excludedAttributes` query parameters (RFC 7644 §3.4.2.5, §3.9):
// parsed once per request, then applied to each resource JSON before it is returned.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

// One attribute named by a query parameter, resolved to where it lives in a resource.
struct ProjectedAttribute {
    std::string extension;  // extension URN, or empty for a core attribute
    std::string attribute;  // empty when the whole extension object is named
    std::string sub_attribute;
};

// What a client asked to see. With neither list set every attribute returned by default is
// kept.
struct Projection {
    std::vector<ProjectedAttribute> attributes;           // keep only these …
    std::vector<ProjectedAttribute> excluded_attributes;  // … or drop these
};

// Parses the raw parameter values (nullopt or "" when absent): comma-separated attribute
// paths, white space around names allowed, names case-insensitive, sub-attributes
// ("name.givenName", "emails.value") and URN-qualified names
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", or the bare
// extension URN for the whole extension, of any extension) accepted. A value filter reads as
// the attribute it filters (Entra ID's `emails[type eq "work"]` is `emails`, and
// `emails[type eq "work"].value` is `emails.value`): the elements are not narrowed. Names of
// attributes a resource does not have are kept and simply select nothing. Fails with
// scim.invalidValue when both parameters are set (RFC 7644 gives them no combined meaning,
// and guessing which one wins would silently return the wrong shape), when a name is not an
// attribute path or is qualified by something other than a URN.
Result<Projection> parse_projection(std::optional<std::string_view> attributes,
                                    std::optional<std::string_view> excluded_attributes);

// Applies `projection` to a resource. `id`, `schemas` and `meta.resourceType` are returned
// always (RFC 7643 marks id "always"; the other two let a client tell what it got); a
// top-level `password` is never returned, whatever was asked. An extension object left
// empty is dropped. Never fails.
nlohmann::json project(const nlohmann::json& resource, const Projection& projection);

// As above, but takes the resource over: with no `attributes` list the result is the same
// object with the excluded attributes removed, not a copy (a group of 20,000 members is
// several megabytes of JSON). Same result as the copying form for every projection.
nlohmann::json project(nlohmann::json&& resource, const Projection& projection);

}  // namespace gatehouse::scim
