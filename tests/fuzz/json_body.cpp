// Fuzzes the JSON request bodies every JSON route reads (http::parse_json_body, with its
// nesting limit checked before nlohmann parses), and the SCIM User and Group decoders that
// POST and PUT run on them. The input is the request body.
#include "json_body.hpp"

#include "fuzz_support.hpp"
#include "scim_resources.hpp"

using namespace gatehouse;

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

namespace {

std::size_t depth_of(const nlohmann::json& value) {
    std::size_t deepest = 0;
    if (value.is_array() || value.is_object()) {
        for (const auto& child : value) deepest = std::max(deepest, depth_of(child));
        return deepest + 1;
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const auto body = http::parse_json_body(text);
    fuzz::trace_result("parse_json_body", body);
    if (!body) {
        const auto& code = body.error().code;
        if (code != http::kJsonTooDeep && code != http::kMalformedJson) {
            fuzz::invariant_broken("a body refused with an unknown code");
        }
        return 0;
    }
    // The byte count must agree with the parsed document, or the limit could be passed.
    const std::size_t depth = depth_of(*body);
    if (depth > http::kMaxJsonDepth) fuzz::invariant_broken("a body past the depth limit parsed");
    if (http::json_nesting_depth(text, http::kMaxJsonDepth) != depth) {
        fuzz::invariant_broken("the byte count of nesting disagrees with the parsed document");
    }
    const auto user = scim::decode_user(*body);
    fuzz::trace_result("decode_user", user);
    if (user) fuzz::check_user_round_trip(*user);
    const auto group = scim::decode_group(*body);
    fuzz::trace_result("decode_group", group);
    if (group) fuzz::check_group_round_trip(*group);
    return 0;
}
