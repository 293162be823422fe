#include "entra_response.hpp"

#include <cstdio>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::bench {
namespace {

constexpr const char* kClaims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";
constexpr const char* kIdentity = "http://schemas.microsoft.com/identity/claims/";
constexpr const char* kWsClaims = "http://schemas.microsoft.com/ws/2008/06/identity/claims/";

// A GUID-shaped identifier derived from two numbers, stable across runs.
std::string guid(std::size_t a, std::size_t b) {
    char text[40];
    std::snprintf(text, sizeof text, "%08zx-%04zx-4%03zx-8%03zx-%012zx",
                  a * 2654435761u % 0xffffffffu, b % 0xffff, (a + b) % 0xfff, (a * 7 + b) % 0xfff,
                  a * 1000003u + b);
    return text;
}

}  // namespace

std::string entra_response_base64(const testing::TestIdp& idp, const SpIdentity& sp,
                                  const std::string& request_id, std::size_t user,
                                  std::size_t serial, util::UnixTime now, int valid_seconds,
                                  Signing signing) {
    const std::string email = "user" + std::to_string(user) + "@contoso.example";
    testing::ResponseSpec spec;
    spec.response_id = "_r" + std::to_string(serial) + "-" + guid(serial, 1);
    spec.assertion_id = "_a" + std::to_string(serial) + "-" + guid(serial, 2);
    spec.response_issuer = idp.entity_id();
    spec.assertion_issuer = idp.entity_id();
    spec.destination = sp.acs_url;
    spec.recipient = sp.acs_url;
    spec.audience = sp.entity_id;
    spec.in_response_to = request_id;
    spec.name_id = email;
    spec.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    spec.session_index = spec.assertion_id;
    spec.issue_instant = now;
    spec.not_before = now - 60;
    spec.not_on_or_after = now + valid_seconds;
    spec.subject_not_on_or_after = now + valid_seconds;
    spec.session_not_on_or_after = now + 8 * 3600;

    std::vector<std::string> groups;
    for (std::size_t g = 0; g < 40; ++g) groups.push_back(guid(user % 97 + g, g));
    spec.attributes = {
        {std::string(kIdentity) + "tenantid", {guid(7, 7)}},
        {std::string(kIdentity) + "objectidentifier", {guid(user, 3)}},
        {std::string(kIdentity) + "displayname", {"Bench User " + std::to_string(user)}},
        {std::string(kIdentity) + "identityprovider",
         {"https://sts.windows.net/" + guid(7, 7) + "/"}},
        {std::string(kClaims) + "name", {email}},
        {std::string(kClaims) + "emailaddress", {email}},
        {std::string(kClaims) + "givenname", {"Bench"}},
        {std::string(kClaims) + "surname", {"User " + std::to_string(user)}},
        {std::string(kWsClaims) + "authnmethodsreferences",
         {"http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password",
          "http://schemas.microsoft.com/claims/multipleauthn"}},
        {std::string(kWsClaims) + "groups", groups},
    };
    std::string xml = testing::build_response_xml(spec);
    xml = idp.sign(xml, spec.assertion_id);
    if (signing == Signing::response_and_assertion) xml = idp.sign(xml, spec.response_id);
    return util::base64_encode(xml);
}

}  // namespace gatehouse::bench
