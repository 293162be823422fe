#include "gatehouse/scim/error.hpp"

#include <array>

#include "gatehouse/scim/filter.hpp"

namespace gatehouse::scim {
namespace {

constexpr std::string_view kCodePrefix = "scim.";

// RFC 7644 §3.12, Table 9.
constexpr std::array<std::string_view, 10> kScimTypes = {
    "invalidFilter", "tooMany",  "uniqueness",   "mutability",  "invalidSyntax",
    "invalidPath",   "noTarget", "invalidValue", "invalidVers", "sensitive"};

bool is_scim_type(std::string_view text) {
    for (std::string_view type : kScimTypes) {
        if (type == text) return true;
    }
    return false;
}

}  // namespace

Error scim_fail(std::string_view scim_type, std::string detail) {
    return fail(std::string(kCodePrefix) + std::string(scim_type), std::move(detail));
}

Error scim_not_found(std::string detail) {
    return fail(std::string(kNotFoundCode), std::move(detail));
}

ScimError to_scim_error(const Error& error) {
    const std::string_view code = error.code;
    if (code == kNotFoundCode) return ScimError{404, "", error.message};
    if (code == kPreconditionFailedCode) return ScimError{412, "", error.message};
    if (code == kInvalidFilterCode) return ScimError{400, "invalidFilter", error.message};
    if (code == kInvalidPathCode) return ScimError{400, "invalidPath", error.message};
    if (code.starts_with(kCodePrefix)) {
        const std::string_view type = code.substr(kCodePrefix.size());
        if (is_scim_type(type)) {
            return ScimError{type == "uniqueness" ? 409 : 400, std::string(type), error.message};
        }
    }
    return ScimError{500, "", "The service provider could not complete the request."};
}

nlohmann::json to_json(const ScimError& error) {
    nlohmann::json body = {
        {"schemas", nlohmann::json::array({std::string(kErrorSchema)})},
        {"status", std::to_string(error.status)},
    };
    if (!error.scim_type.empty()) body["scimType"] = error.scim_type;
    body["detail"] = error.detail;
    return body;
}

}  // namespace gatehouse::scim
