// Fuzzes SCIM PATCH (scim::apply_patch) as PATCH /Users/{id} and /Groups/{id} run it: the
// input is the request body, read by the server's JSON body reader, applied to a stored User
// and to a stored Group, and the result decoded as the service would store it.
#include "fuzz_support.hpp"
#include "gatehouse/scim/patch.hpp"
#include "json_body.hpp"
#include "scim_resources.hpp"

using namespace gatehouse;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)fuzz::stored_user();
    (void)fuzz::stored_group();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = http::parse_json_body(fuzz::as_text(data, size));
    fuzz::trace_result("parse_json_body", body);
    if (!body) return 0;
    if (auto patched = scim::apply_patch(fuzz::stored_user(), *body, scim::ResourceKind::user);
        fuzz::trace_result("apply_patch to a User", patched), patched) {
        if (patched->resource.value("id", nlohmann::json()) != fuzz::stored_user()["id"]) {
            fuzz::invariant_broken("a PATCH changed a User's id");
        }
        if (auto user = scim::decode_user(patched->resource)) fuzz::check_user_round_trip(*user);
    } else if (patched.error().code.empty()) {
        fuzz::invariant_broken("a User PATCH refused without a reason code");
    }
    if (auto patched = scim::apply_patch(fuzz::stored_group(), *body, scim::ResourceKind::group);
        fuzz::trace_result("apply_patch to a Group", patched), patched) {
        if (patched->resource.value("id", nlohmann::json()) != fuzz::stored_group()["id"]) {
            fuzz::invariant_broken("a PATCH changed a Group's id");
        }
        if (auto group = scim::decode_group(patched->resource)) {
            fuzz::check_group_round_trip(*group);
        }
    } else if (patched.error().code.empty()) {
        fuzz::invariant_broken("a Group PATCH refused without a reason code");
    }
    return 0;
}
