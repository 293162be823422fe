// Fuzzes SCIM filter and PATCH path parsing (RFC 7644 §3.4.2.2, §3.5.2), and evaluating
// every filter that parses against a full User, as GET /Users?filter= and PATCH do. The input
// is the filter text.
#include "fuzz_support.hpp"
#include "gatehouse/scim/filter.hpp"

namespace {

using namespace gatehouse;

const nlohmann::json& sample_user() {
    static const nlohmann::json user = nlohmann::json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "00ub0oNGTSWTBKOLGLNR",
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen"},
        "displayName": "Babs Jensen",
        "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
        "groups": [{"value": "e9e30dba", "display": "Admins"}],
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\""},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "costCenter": "4130",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}},
        "x-count": 12, "x-ratio": 0.5, "x-none": null
    })");
    return user;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)sample_user();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const auto& types = scim::AttributeTypes::scim_core();
    auto filter = scim::parse_filter(text);
    fuzz::trace_result("parse_filter", filter);
    if (filter) {
        if (!*filter) fuzz::invariant_broken("a parsed filter is null");
        if (scim::validate_filter(**filter, types)) {
            (void)scim::matches(**filter, sample_user(), types);
        }
    } else if (text.size() <= scim::kMaxFilterLength && filter.error().code.empty()) {
        fuzz::invariant_broken("a filter refused without a reason code");
    }
    auto path = scim::parse_patch_path(text);
    fuzz::trace_result("parse_patch_path", path);
    if (path) {
        (void)scim::attribute_key(path->attribute);
        if (path->value_filter && scim::validate_filter(*path->value_filter, types)) {
            const auto elements = sample_user().find(path->attribute.attribute);
            if (elements != sample_user().end() && elements->is_array()) {
                for (const auto& element : *elements) {
                    (void)scim::matches_element(*path->value_filter, element, path->attribute,
                                                types);
                }
            }
        }
    }
    return 0;
}
