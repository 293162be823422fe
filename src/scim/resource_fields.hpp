// Private to the scim layer: typed reads of resource request bodies shared by the User and
// Group decoders, each failing with a SCIM error that names the attribute.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim::detail {

// `text` without leading and trailing ASCII white space.
std::string trim(std::string_view text);

// The string attribute `name` of `object` (case-insensitive), or "" when absent or null.
// Fails with scim.invalidValue naming `label` when present with another type.
Result<std::string> optional_string(const nlohmann::json& object, std::string_view name,
                                    std::string_view label);

// Checks the `schemas` member of a request body: the body must be an object and `schemas` an
// array of strings (else scim.invalidSyntax); every URN must be in `allowed` and `required`
// must be present (else scim.invalidValue). URNs compare case-insensitively.
Status check_schemas(const nlohmann::json& body, std::initializer_list<std::string_view> allowed,
                     std::string_view required);

}  // namespace gatehouse::scim::detail
