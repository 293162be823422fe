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

// Who signed in, in Gatehouse's terms. Optional claims are empty when absent.
struct MappedIdentity {
    std::string user_id;  // the IdP's stable user ID (the NameID unless mapped)
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string role;
    std::vector<std::string> groups;
};

// The attribute names an IdP sends by default. `preset` is one of okta, entra (alias
// azure), auth0, onelogin, generic, case-insensitively. Fails with
// "saml.preset.unknown" for anything else. Thread-safe.
Result<core::AttributeMapping> mapping_preset(std::string_view preset);

// The canonical preset names, for settings pages and `gatehouse saml` help.
std::vector<std::string> mapping_preset_names();

// Applies `mapping` to an assertion's NameID and attributes. Attribute names match
// exactly; the first non-blank value of an attribute counts, trimmed of white space.
// - user_id: the NameID when mapping.user_id is empty, else the mapped attribute;
//   fails with "saml.attribute.user_id_missing" when that is blank.
// - email: the mapped attribute; when it is absent (or unmapped), the NameID if that looks
//   like an email address. Fails with "saml.attribute.email_missing" when neither gives
//   one, and "saml.attribute.email_invalid" when the mapped value is not an address.
// - first_name, last_name, role: optional. groups: every non-blank value.
// Thread-safe; pure.
Result<MappedIdentity> map_identity(std::string_view name_id, const SamlAttributes& attributes,
                                    const core::AttributeMapping& mapping);

// A plausible email address: one '@' with text on both sides, a dot in the domain, no
// white space or control characters. Not a full RFC 5322 check; IdPs send plain addresses.
bool looks_like_email(std::string_view text);

}  // namespace gatehouse::saml
