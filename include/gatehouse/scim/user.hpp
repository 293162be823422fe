// SCIM User resources (RFC 7643 §4.1 plus the enterprise extension and Gatehouse's orgRole):
// a POST/PUT body decoded into a validated ScimUser, and a stored user encoded as its resource.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/scim/filter.hpp"  // schema URNs
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::scim {

// kCoreUserSchema and kEnterpriseUserSchema come from filter.hpp.
// IdP admins configure the org role as a custom attribute in the core User namespace.
inline constexpr std::string_view kOrgRoleUrn =
    "urn:ietf:params:scim:schemas:core:2.0:User:orgRole";

// The name sub-attributes Gatehouse keeps, exactly as the IdP sent them; empty = not sent.
struct ScimName {
    std::string given_name;
    std::string family_name;
    std::string formatted;
};

struct ScimEmail {
    std::string value;
    std::string type;  // "work", "home", … or empty
    bool primary = false;
};

// A User as Gatehouse understands it, independent of how the store keeps it.
struct ScimUser {
    std::string id;  // assigned by the service; never read from a request
    std::string external_id;
    std::string user_name;
    ScimName name;
    std::string display_name;
    std::vector<ScimEmail> emails;  // at most one has primary == true
    bool active = true;             // a body without `active` means an active user
    // nullopt when the IdP sent no role or a blank one: the caller applies the org's default.
    // Never core::Role::owner.
    std::optional<core::Role> org_role;
    nlohmann::json enterprise;  // the enterprise extension object as sent; null when absent
    // Everything else the IdP sent that the User schema or an extension defines, kept as
    // sent (an object, possibly empty): core attributes Gatehouse does not act on (title,
    // addresses, phoneNumbers, …), the name parts other than the three above under "name",
    // and every other extension object under its URN.
    nlohmann::json attributes = nlohmann::json::object();
    // Top-level names of the request that no schema defines; dropped, for the caller to log.
    std::vector<std::string> ignored;
};

// A group the user belongs to, as listed in the read-only `groups` attribute.
struct ScimGroupRef {
    std::string value;  // the group's id
    std::string display;
};

// What `meta` says about a stored resource. `version` becomes the weak ETag W/"<version>".
struct ResourceMeta {
    util::UnixTime created = 0;
    util::UnixTime last_modified = 0;
    std::int64_t version = 1;
};

// The org role an IdP names, by the rules of orgRole (SCIM's, and those of sign-ins that
// carry a role): trimmed; blank means nullopt (the org's default for a new member);
// admin, manager, billing or member, case-insensitively. Anything else, owner included,
// fails with scim.invalidValue naming the value. Pure.
Result<std::optional<core::Role>> parse_org_role(std::string_view value);

// Decodes and validates a User request body (POST or PUT). Attribute names are matched
// case-insensitively (RFC 7643 §2.1); read-only attributes (id, meta, groups) and `password`
// are dropped; every other core User attribute and every extension object ("urn:…" member)
// is kept (see ScimUser::attributes); names no schema defines are dropped and listed in
// `ignored`. A core attribute may also be sent qualified ("urn:…:core:2.0:User:title").
// JSON null means "not sent". `orgRole` is read plainly, as kOrgRoleUrn, or inside an object
// keyed by kCoreUserSchema. Booleans may be the strings "true"/"false" in any case (Entra ID).
// Fails with:
//   scim.invalidSyntax  the body is not an object, or `schemas` is missing or not an array
//                       of strings (the message structure itself is wrong);
//   scim.invalidValue   `schemas` holds a string that is not a URN, a schema of another
//                       resource or message, or lacks the User schema; userName is missing,
//                       blank or not a string; any kept attribute has the wrong type; more
//                       than one primary value of an attribute; `active` is neither a boolean
//                       nor "true"/"false"; orgRole is not one of admin, manager, billing,
//                       member (owner included); an extension is not an object or nests
//                       deeper than an RFC 7643 attribute can; what is kept as sent exceeds
//                       64 KiB of JSON.
Result<ScimUser> decode_user(const nlohmann::json& body);

// The User resource for a stored user. `base_url` is the org's SCIM base
// (".../scim/v2", a trailing '/' is ignored) and gives meta.location `{base}/Users/{id}` and
// each group's `$ref`. orgRole is written once, plainly as "orgRole": attributes of the core
// schema are top-level members of a resource (RFC 7643 §3), whatever URN a request used.
// The attributes kept as sent are written back, and `schemas` lists every extension present.
// Empty strings and empty lists are left out; `groups` only when non-empty.
nlohmann::json encode_user(const ScimUser& user, const ResourceMeta& meta,
                           std::string_view base_url, const std::vector<ScimGroupRef>& groups = {});

// The address the service should use for the member: the primary email, else the first
// email, else empty.
std::string preferred_email(const ScimUser& user);

// The `meta` object of any resource: resourceType, created and lastModified (xs:dateTime),
// location `{base_url}/{endpoint}/{id}` and version W/"<version>".
nlohmann::json encode_meta(const ResourceMeta& meta, std::string_view resource_type,
                           std::string_view base_url, std::string_view endpoint,
                           std::string_view id);

// `base_url` without trailing slashes, so locations never contain "//".
std::string trim_base_url(std::string_view base_url);

}  // namespace gatehouse::scim
