// SCIM service discovery (RFC 7644 §4, RFC 7643 §5–§7): the ServiceProviderConfig,
// ResourceTypes and Schemas documents that tell an IdP what this gateway supports.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

inline constexpr std::string_view kServiceProviderConfigSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
inline constexpr std::string_view kResourceTypeSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
inline constexpr std::string_view kSchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";

// Every function takes the org's SCIM base URL (".../scim/v2"; a trailing '/' is ignored)
// for meta.location, returns a fresh document and is safe to call from any thread.

// What Gatehouse supports: PATCH yes; bulk, changePassword and sort no; filter yes with
// maxResults = kMaxPageSize; ETags yes (meta.version); one authentication scheme, the
// org's OAuth bearer token, marked primary.
nlohmann::json service_provider_config(std::string_view base_url);

// The User (with the enterprise extension, not required) and Group resource types, as a
// ListResponse.
nlohmann::json resource_types(std::string_view base_url);

// One resource type by id ("User" or "Group", case-insensitively). Fails with
// kNotFoundCode for any other id.
Result<nlohmann::json> resource_type(std::string_view id, std::string_view base_url);

// The core User schema (with orgRole), the enterprise User extension and the core Group
// schema as RFC 7643 §7 attribute definitions, as a ListResponse. Only the attributes
// Gatehouse keeps are listed; the common attributes id, externalId and meta are not
// (RFC 7643 §3.1 defines them for every resource).
nlohmann::json schemas(std::string_view base_url);

// One schema by its URN (case-insensitively). Fails with kNotFoundCode for any other id.
Result<nlohmann::json> schema(std::string_view id, std::string_view base_url);

}  // namespace gatehouse::scim
