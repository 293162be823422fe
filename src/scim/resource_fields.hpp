// Private to the scim layer: typed reads of resource request bodies shared by the User and
// Group decoders, each failing with a SCIM error that names the attribute.
#pragma once

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
// array of strings (else scim.invalidSyntax); `required` must be present, and every other
// entry must be an extension URN: a "urn:" that is not another core schema
// ("urn:ietf:params:scim:schemas:core:…") nor a message ("urn:ietf:params:scim:api:…")
// (else scim.invalidValue). URNs compare case-insensitively.
Status check_schemas(const nlohmann::json& body, std::string_view required);

}  // namespace gatehouse::scim::detail
