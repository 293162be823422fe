// Private to the scim layer: where an attribute path points inside a resource's JSON. Core
// attributes are top-level members (a core-schema URN prefix changes nothing); extension
// attributes live in the object keyed by the extension's URN.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"

namespace gatehouse::scim::detail {

struct ResourcePath {
    std::string extension;  // extension URN, or empty for core attributes
    std::string attribute;  // empty when the path names the whole extension object
    std::string sub_attribute;
};

// The URN prefixes RFC 7643 §10.2 and RFC 7644 §10.2 keep for SCIM's own schemas and
// messages. No client extension may live under them.
inline constexpr std::string_view kReservedSchemaPrefix = "urn:ietf:params:scim:schemas:core:";
inline constexpr std::string_view kReservedApiPrefix = "urn:ietf:params:scim:api:";

// True when `text` starts with either reserved prefix (any case).
bool is_reserved_urn(std::string_view text);

// True for a top-level member name that can hold an extension object: a "urn:" name outside
// the reserved prefixes. A core-schema-qualified attribute ("urn:…:core:2.0:User:orgRole") or
// any other name under them is not one.
bool is_extension_name(std::string_view name);

// Resolves a parsed path. "urn:…:enterprise:2.0:User" names the whole extension object,
// "urn:…:enterprise:2.0:User:manager.value" one of its sub-attributes, and
// "urn:…:core:2.0:User:name.givenName" the same as "name.givenName". Any other "urn:" prefix
// names an extension the client defines. The path parser splits at the last ':', so a bare
// extension URN reads as an attribute of a shorter URN; it is recognised as the whole
// extension when it is the enterprise URN or when `resource` (may be null) has a member of
// that name. The extension keeps the spelling `resource` uses, else the request's. nullopt
// when the prefix is not a URN.
std::optional<ResourcePath> resolve_path(const AttributePath& path,
                                         const nlohmann::json* resource = nullptr);

// The path as text for messages, e.g. "name.givenName".
std::string describe(const ResourcePath& path);

}  // namespace gatehouse::scim::detail
