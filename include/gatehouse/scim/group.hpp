// SCIM Group resources (RFC 7643 §4.2): a POST/PUT body decoded into a validated ScimGroup,
// and a stored group encoded as its resource, with or without its members.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/scim/user.hpp"  // ResourceMeta, encode_meta
#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

struct ScimGroupMember {
    std::string value;    // the member's User id; the caller checks that it exists
    std::string display;  // optional, as sent or as stored
    std::string type;     // "User" or empty; Gatehouse groups hold users only
};

struct ScimGroup {
    std::string id;  // assigned by the service; never read from a request
    std::string external_id;
    std::string display_name;
    std::vector<ScimGroupMember> members;  // no two share a value
    // Extension objects the IdP sent, kept as sent under their URNs (an object, possibly
    // empty). The core Group schema has no other attributes.
    nlohmann::json attributes = nlohmann::json::object();
    // Top-level names of the request that no schema defines; dropped, for the caller to log.
    std::vector<std::string> ignored;
};

// Decodes and validates a Group request body (POST or PUT). Attribute names match
// case-insensitively; id and meta are dropped; extension objects ("urn:…" members) are kept
// in `attributes`; other names are dropped and listed in `ignored`. A member's `display`
// may also be sent as `displayName`; its `$ref` is ignored (Gatehouse derives it). A member
// listed twice is kept once.
// Fails with:
//   scim.invalidSyntax  the body is not an object, or `schemas` is missing or not an array
//                       of strings;
//   scim.invalidValue   `schemas` holds a string that is not a URN, a schema of another
//                       resource or message, or lacks the Group schema; displayName is
//                       missing, blank or not a string; externalId is not a string; members
//                       is not an array of objects each with a non-empty string value; a
//                       member's type is set and is not "User"; an extension is not an
//                       object, nests too deeply or is too large (as for Users).
Result<ScimGroup> decode_group(const nlohmann::json& body);

// The Group resource. `include_members` false leaves `members` out entirely (for
// excludedAttributes=members, which Entra ID asks for, and for large groups); otherwise
// `members` is always present, possibly empty, each with value, $ref
// `{base}/Users/{value}`, type "User" and display when known. Extension objects are
// written back and listed in `schemas`.
nlohmann::json encode_group(const ScimGroup& group, const ResourceMeta& meta,
                            std::string_view base_url, bool include_members = true);

}  // namespace gatehouse::scim
