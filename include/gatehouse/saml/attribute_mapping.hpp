// Turning the attributes of a validated SAML assertion into the identity Gatehouse
// links to a member, using the org's AttributeMapping; and each IdP's usual mapping.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Attribute name → values, as the assertion's AttributeStatement carries them.
using SamlAttributes = std::map<std::string, std::vector<std::string>>;

// Where each value of a MappedIdentity came from: the attribute's name as the assertion
// spelled it, "NameID", or empty when the value is empty.
struct ValueSources {
    std::string user_id;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string role;
    std::string groups;
};

// Who signed in, in Gatehouse's terms. Optional claims are empty when absent; so is the
// email when the assertion carries no address (linking by subject, externalId or userName
// still works; creating a member does not).
struct MappedIdentity {
    std::string user_id;  // the IdP's stable user ID (the NameID unless mapped)
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string role;
    std::vector<std::string> groups;
    ValueSources sources;
    // The name of every attribute the assertion carried, in order, so that a refusal can
    // say what was there.
    std::vector<std::string> attribute_names;
};

// The attribute names an IdP sends by default. `preset` is one of okta, entra (alias
// azure), auth0, onelogin, generic, case-insensitively. Fails with
// "saml.preset.unknown" for anything else. Thread-safe.
Result<core::AttributeMapping> mapping_preset(std::string_view preset);

// The canonical preset names, for settings pages and `gatehouse saml` help.
std::vector<std::string> mapping_preset_names();

// Applies `mapping` to an assertion's NameID and attributes. The attribute the mapping
// names always wins; when it is unmapped or absent, the standard names IdPs send are tried
// in a fixed order (standard_attribute_names). Names with neither ':' nor '/' (short names
// such as "mail") match case-insensitively, an exact match first; URIs and OIDs match
// exactly. The first non-blank value of an attribute counts, trimmed of white space.
// - user_id: the NameID when mapping.user_id is empty, else the mapped attribute (never a
//   standard name: the link rules trust it); fails with "saml.attribute.user_id_missing"
//   when that is blank.
// - email: the mapped attribute, and "saml.attribute.email_invalid" when it holds
//   something other than an address; else the first standard email attribute holding an
//   address, else the NameID if it is one, else a UPN claim holding an address; else empty.
// - first_name, last_name: mapped, else standard names, else split from a display name.
// - role: the mapped attribute only. groups: every non-blank value of the mapped, else
//   the first standard, group attribute present.
// Thread-safe; pure.
Result<MappedIdentity> map_identity(std::string_view name_id, const SamlAttributes& attributes,
                                    const core::AttributeMapping& mapping);

// A plausible email address: one '@' with text on both sides, a dot in the domain, no
// white space or control characters. Not a full RFC 5322 check; IdPs send plain addresses.
bool looks_like_email(std::string_view text);

// A display name split as a person's names when nothing else gives them: the first word as
// the given name, the rest (trimmed) as the family name ("Ada King Lovelace" → "Ada",
// "King Lovelace"). Right for most names, and editable by the member later. Pure.
std::pair<std::string, std::string> split_display_name(std::string_view display_name);

// What the assertion carried, for a refusal or warning about a missing value: "attributes
// present: uid, cn" or "no attributes". Pure.
std::string describe_received(const MappedIdentity& identity);

// The standard names tried for `field` ("email", "first_name", "last_name",
// "display_name", "groups"), in the order map_identity tries them; empty for any other
// field. For settings pages and documentation.
const std::vector<std::string>& standard_attribute_names(std::string_view field);

}  // namespace gatehouse::saml
