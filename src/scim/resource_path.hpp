// Private to the scim layer: where an attribute path points inside a resource's JSON. Core
// attributes are top-level members (a core-schema URN prefix changes nothing); extension
// attributes live in the object keyed by the extension's URN.
#pragma once

#include <optional>
#include <string>

#include "gatehouse/scim/filter.hpp"

namespace gatehouse::scim::detail {

struct ResourcePath {
    std::string extension;  // canonical extension URN, or empty for core attributes
    std::string attribute;  // empty when the path names the whole extension object
    std::string sub_attribute;
};

// Resolves a parsed path. "urn:…:enterprise:2.0:User" names the whole extension object,
// "urn:…:enterprise:2.0:User:manager.value" one of its sub-attributes, and
// "urn:…:core:2.0:User:name.givenName" the same as "name.givenName". nullopt for a URN that
// is neither a core schema nor the enterprise extension.
std::optional<ResourcePath> resolve_path(const AttributePath& path);

// The path as text for messages, e.g. "name.givenName".
std::string describe(const ResourcePath& path);

}  // namespace gatehouse::scim::detail
