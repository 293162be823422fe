// PATCH on the attributes Gatehouse keeps as sent: the rest of the core User schema
// (addresses, phoneNumbers, …) and extensions of the client's own.
#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/patch.hpp"
#include "gatehouse/scim/user.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

const std::string kAcme = "urn:example:params:scim:schemas:extension:acme:2.0:User";

json user_resource() {
    return {{"schemas", json::array({std::string(kCoreUserSchema), kAcme})},
            {"id", "u-1"},
            {"userName", "ada@example.com"},
            {"addresses", json::array({{{"type", "work"}, {"locality", "Berlin"}},
                                       {{"type", "home"}, {"locality", "Potsdam"}}})},
            {kAcme, {{"badge", "7"}, {"floor", "3"}}},
            {"meta", {{"resourceType", "User"}}}};
}

json op(std::string name, std::string path, json value) {
    return {{"op", std::move(name)}, {"path", std::move(path)}, {"value", std::move(value)}};
}

json op(std::string name, json value) {
    return {{"op", std::move(name)}, {"value", std::move(value)}};
}

json remove_op(std::string path) { return {{"op", "Remove"}, {"path", std::move(path)}}; }

json patched(json operations) {
    const json request = {{"schemas", json::array({std::string(kPatchOpSchema)})},
                          {"Operations", std::move(operations)}};
    auto result = apply_patch(user_resource(), request, ResourceKind::user);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    return result->resource;
}

}  // namespace

TEST_CASE("PATCH replaces a sub-attribute of the address a value filter selects") {
    const json out =
        patched(json::array({op("Replace", "addresses[type eq \"work\"].country", "Germany")}));
    CHECK(out["addresses"][0] ==
          json{{"type", "work"}, {"locality", "Berlin"}, {"country", "Germany"}});
    CHECK_FALSE(out["addresses"][1].contains("country"));
}

TEST_CASE("PATCH removes the address a value filter selects, and a whole kept attribute") {
    const json out = patched(json::array({remove_op("addresses[type eq \"home\"]")}));
    CHECK(out["addresses"] == json::array({{{"type", "work"}, {"locality", "Berlin"}}}));
    CHECK_FALSE(patched(json::array({remove_op("addresses")})).contains("addresses"));
}

TEST_CASE("PATCH adds phoneNumbers and reads Entra ID's \"True\" as the primary flag") {
    const json out = patched(json::array(
        {op("Add", "phoneNumbers", json::array({{{"value", "+49 30 1"}, {"type", "work"}}})),
         op("Add", "phoneNumbers[type eq \"mobile\"].value", "+49 170 2"),
         op("Replace", "phoneNumbers[type eq \"mobile\"].primary", "True")}));
    CHECK(out["phoneNumbers"] ==
          json::array({{{"value", "+49 30 1"}, {"type", "work"}},
                       {{"type", "mobile"}, {"value", "+49 170 2"}, {"primary", true}}}));
}

TEST_CASE("PATCH sets a singular kept attribute by path and without one") {
    CHECK(patched(json::array({op("replace", "title", "Countess")}))["title"] == "Countess");
    const json pathless = patched(json::array({op("replace", json{{"title", "Countess"}})}));
    CHECK(pathless["title"] == "Countess");
}

TEST_CASE("PATCH edits and removes an attribute of a client's extension by its URN path") {
    const json out =
        patched(json::array({op("replace", kAcme + ":badge", "8"), remove_op(kAcme + ":floor")}));
    CHECK(out[kAcme] == json{{"badge", "8"}});
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema), kAcme}));
}

TEST_CASE("PATCH remove of a client's whole extension drops it from the resource and schemas") {
    const json out = patched(json::array({remove_op(kAcme)}));
    CHECK_FALSE(out.contains(kAcme));
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema)}));
}

TEST_CASE("PATCH without a path adds a new extension object and lists it in schemas") {
    const std::string other = "urn:example:params:scim:schemas:extension:travel:1.0:User";
    const json out = patched(json::array({op("add", {{other, {{"seat", "aisle"}}}})}));
    CHECK(out[other] == json{{"seat", "aisle"}});
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema), kAcme, other}));
}

TEST_CASE("PATCH without a path sets one attribute of a known extension by its qualified name") {
    const json out = patched(json::array({op("replace", {{kAcme + ":badge", "9"}})}));
    CHECK(out[kAcme] == json{{"badge", "9"}, {"floor", "3"}});
}
