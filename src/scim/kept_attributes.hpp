// Private to the scim layer: the RFC 7643 §4.1 User attributes that Gatehouse does not act on
// but keeps as the IdP sent them, and the checks a request's copy of them must pass. The
// decoder validates with it and the Schemas document describes the same list.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"  // AttributeType
#include "gatehouse/util/result.hpp"

namespace gatehouse::scim::detail {

struct KeptSubAttribute {
    std::string_view name;
    AttributeType type = AttributeType::string;
};

struct KeptAttribute {
    std::string_view name;
    AttributeType type = AttributeType::string;  // complex for the multi-valued ones
    bool multi_valued = false;
    std::string_view description;
    std::span<const KeptSubAttribute> sub_attributes;  // empty unless complex
};

// nickName, profileUrl, title, userType, preferredLanguage, locale, timezone, phoneNumbers,
// ims, photos, addresses, entitlements, roles, x509Certificates.
std::span<const KeptAttribute> kept_user_attributes();

// The sub-attributes of `name` kept as sent besides givenName, familyName and formatted:
// middleName, honorificPrefix, honorificSuffix.
std::span<const KeptSubAttribute> kept_name_parts();

// The kept attribute called `name` (any case), or nullptr.
const KeptAttribute* find_kept_user_attribute(std::string_view name);

// Checks a request's value of `attribute` and returns it as stored: strings stay strings, a
// multi-valued attribute is an array of objects whose known sub-attributes have their type
// (`primary` as a boolean, "True"/"False" strings included) and whose other members are
// scalars; at most one element is primary. Fails with scim.invalidValue naming the attribute.
Result<nlohmann::json> check_kept_value(const KeptAttribute& attribute,
                                        const nlohmann::json& value);

// The most bytes (as compact JSON) of attributes kept as sent, extensions included, that one
// resource may carry: a page of 1,000 resources must stay a reasonable response.
inline constexpr std::size_t kMaxKeptBytes = 64 * 1024;

// How deeply an extension object may nest, the object itself counting 1: an attribute
// holding a multi-valued complex value is 3 (object, array, element), which is as deep as an
// RFC 7643 schema goes.
inline constexpr std::size_t kMaxExtensionDepth = 3;

// Checks an extension object a request sent as `urn`: an object nesting no deeper than
// kMaxExtensionDepth. Fails with scim.invalidValue naming the URN.
Status check_extension(std::string_view urn, const nlohmann::json& value);

// Checks that `kept` (everything one resource keeps as sent) is within kMaxKeptBytes. Fails
// with scim.invalidValue.
Status check_kept_size(const nlohmann::json& kept);

}  // namespace gatehouse::scim::detail
