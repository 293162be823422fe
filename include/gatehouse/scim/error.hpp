// SCIM errors (RFC 7644 §3.12): how this layer reports a rejection inside Result<T>, and
// the `urn:ietf:params:scim:api:messages:2.0:Error` body the HTTP layer sends for it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

inline constexpr std::string_view kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

// A SCIM error as sent on the wire. `scim_type` is empty when RFC 7644 defines none for the
// status (404, 412, 500, …).
struct ScimError {
    int status = 400;
    std::string scim_type;
    std::string detail;
};

// Every fallible function of the scim layer fails with an Error whose code is
// "scim.<scimType>" (for example "scim.invalidValue", "scim.mutability") or one of the
// codes below, and whose message is the `detail` shown to the IdP administrator.
inline constexpr std::string_view kNotFoundCode = "scim.notFound";
inline constexpr std::string_view kPreconditionFailedCode = "scim.preconditionFailed";

// Builds the Error for a 400/409 rejection with the given RFC 7644 scimType, e.g.
// `return scim_fail("invalidPath", "…")`.
Error scim_fail(std::string_view scim_type, std::string detail);

// Builds the Error for a resource (or schema, resource type) that does not exist.
Error scim_not_found(std::string detail);

// Maps an Error to its wire form. "scim.<scimType>" codes become 400 with that scimType
// (409 for "uniqueness"), kNotFoundCode becomes 404 and kPreconditionFailedCode 412, both
// without scimType. The filter parser's kInvalidFilterCode and kInvalidPathCode become 400
// invalidFilter and invalidPath.
// Any other code (a failure from a lower layer) becomes a 500 whose detail is generic, so
// internal messages never reach the IdP.
ScimError to_scim_error(const Error& error);

// The Error message body: schemas, `status` as a string (RFC 7644 §3.12 shows it so, and
// Entra ID expects it), `scimType` only when set, and `detail`.
nlohmann::json to_json(const ScimError& error);

}  // namespace gatehouse::scim
