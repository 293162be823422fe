// A User and a Group as the SCIM server stores and returns them, for the SCIM fuzz targets,
// and the check that whatever the server accepts it can write back and read again.
#pragma once

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "gatehouse/scim/group.hpp"
#include "gatehouse/scim/user.hpp"

namespace gatehouse::fuzz {

inline constexpr const char* kScimBase =
    "https://sso.example.test/api/0/organizations/acme/scim/v2";

// The User resource of a fully populated user (as GET /Users/{id} returns it).
inline const nlohmann::json& stored_user() {
    static const nlohmann::json resource = [] {
        const auto user = scim::decode_user(nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "00ub0oNGTSWTBKOLGLNR",
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "displayName": "Babs Jensen",
            "title": "Tour Guide",
            "active": true,
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                       {"value": "babs@jensen.org", "type": "home"}],
            "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984", "department": "Tour Operations",
                "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}}
        })"));
        if (!user) invariant_broken("the sample User does not decode");
        auto stored = user.value();
        stored.id = "2819c223-7f76-453a-919d-413861904646";
        return scim::encode_user(stored, {.created = 1264222582, .last_modified = 1305262954},
                                 kScimBase, {{"e9e30dba", "Admins"}});
    }();
    return resource;
}

// The Group resource of a group with two members.
inline const nlohmann::json& stored_group() {
    static const nlohmann::json resource = [] {
        const auto group = scim::decode_group(nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Tour Guides", "externalId": "00g1emaKYZTWRYYRRTSK",
            "members": [{"value": "2819c223-7f76-453a-919d-413861904646"},
                        {"value": "902c246b-6245-4190-8e05-00816be7344a"}]
        })"));
        if (!group) invariant_broken("the sample Group does not decode");
        auto stored = group.value();
        stored.id = "e9e30dba-f08f-4109-8486-d5c6a331660a";
        return scim::encode_group(stored, {.created = 1264222582, .last_modified = 1305262954},
                                  kScimBase);
    }();
    return resource;
}

// What the server accepts it stores, returns, and must be able to read again: a User or
// Group that decodes must decode again, unchanged, from what encoding it gives. `encode` and
// `decode` are encode_user and decode_user, or their Group counterparts.
template <typename Resource, typename Encode, typename Decode>
void check_round_trip(const Resource& resource, Encode encode, Decode decode, const char* id) {
    auto stored = resource;
    stored.id = id;
    const nlohmann::json encoded = encode(stored);
    const auto again = decode(encoded);
    if (!again) invariant_broken("an accepted resource does not decode from its own encoding");
    auto restored = again.value();
    restored.id = stored.id;  // read-only: a client's id is never taken
    if (encode(restored) != encoded) {
        invariant_broken("a resource changes when written back and read again");
    }
}

inline void check_user_round_trip(const scim::ScimUser& user) {
    check_round_trip(
        user, [](const scim::ScimUser& u) { return scim::encode_user(u, {}, kScimBase); },
        scim::decode_user, "2819c223-7f76-453a-919d-413861904646");
}

inline void check_group_round_trip(const scim::ScimGroup& group) {
    check_round_trip(
        group, [](const scim::ScimGroup& g) { return scim::encode_group(g, {}, kScimBase); },
        scim::decode_group, "e9e30dba-f08f-4109-8486-d5c6a331660a");
}

}  // namespace gatehouse::fuzz
