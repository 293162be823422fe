// Private to the scim layer: reading SCIM JSON the way RFC 7643 §2.1 asks, with attribute
// names matched case-insensitively, and the lenient booleans that Entra ID sends.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::scim::detail {

// ASCII case-insensitive equality; SCIM attribute names and schema URNs are ASCII.
bool iequals(std::string_view a, std::string_view b);

// ASCII lowercase copy.
std::string lowercase(std::string_view text);

// The member of `object` whose name equals `name` case-insensitively, or nullptr when
// `object` is not an object or has no such member. The pointer lives as long as the member.
const nlohmann::json* find_attribute(const nlohmann::json& object, std::string_view name);
nlohmann::json* find_attribute(nlohmann::json& object, std::string_view name);

// Removes every member named `name` (case-insensitively); true when one was removed.
bool erase_attribute(nlohmann::json& object, std::string_view name);

// A SCIM boolean: JSON true/false, or the strings "true"/"false" in any case (Entra ID
// sends "True" and "False"). nullopt for anything else.
std::optional<bool> scim_boolean(const nlohmann::json& value);

}  // namespace gatehouse::scim::detail
