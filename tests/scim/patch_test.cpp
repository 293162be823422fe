#include "gatehouse/scim/patch.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/group.hpp"
#include "gatehouse/scim/user.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

const std::string kEnterprise(kEnterpriseUserSchema);

json user_resource() {
    return {{"schemas", json::array({std::string(kCoreUserSchema)})},
            {"id", "u-1"},
            {"userName", "ada@example.com"},
            {"name", {{"givenName", "Ada"}, {"familyName", "Lovelace"}}},
            {"emails",
             json::array({{{"value", "ada@example.com"}, {"type", "work"}, {"primary", true}},
                          {{"value", "ada@home.example"}, {"type", "home"}, {"primary", false}}})},
            {"active", true},
            {"meta", {{"resourceType", "User"}, {"version", "W/\"1\""}}}};
}

json group_resource() {
    return {{"schemas", json::array({std::string(kCoreGroupSchema)})},
            {"id", "g-1"},
            {"displayName", "Engineering"},
            {"members", json::array({{{"value", "u-1"}}, {{"value", "u-2"}}})},
            {"meta", {{"resourceType", "Group"}}}};
}

json op(std::string name, json value) {
    return {{"op", std::move(name)}, {"value", std::move(value)}};
}

json op(std::string name, std::string path, json value) {
    return {{"op", std::move(name)}, {"path", std::move(path)}, {"value", std::move(value)}};
}

json remove_op(std::string path) { return {{"op", "remove"}, {"path", std::move(path)}}; }

json patch_request(json operations) {
    return {{"schemas", json::array({std::string(kPatchOpSchema)})},
            {"Operations", std::move(operations)}};
}

PatchResult patch_user(json operations, json resource = user_resource()) {
    auto result = apply_patch(resource, patch_request(std::move(operations)), ResourceKind::user);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    return *result;
}

PatchResult patch_group(json operations) {
    auto result =
        apply_patch(group_resource(), patch_request(std::move(operations)), ResourceKind::group);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    return *result;
}

ScimError user_patch_error(json request) {
    auto result = apply_patch(user_resource(), request, ResourceKind::user);
    REQUIRE_FALSE(result.ok());
    return to_scim_error(result.error());
}

ScimError user_ops_error(json operations) {
    return user_patch_error(patch_request(std::move(operations)));
}

}  // namespace

TEST_CASE("PATCH Okta {\"op\":\"replace\",\"value\":{\"active\":false}} deactivates the user") {
    const PatchResult result = patch_user(json::array({op("replace", {{"active", false}})}));
    CHECK(result.resource["active"] == false);
    CHECK(result.summary.active_changed);
    CHECK(result.summary.changed);
}

TEST_CASE("PATCH Entra {\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"} is accepted") {
    const PatchResult result = patch_user(json::array({op("Replace", "active", "False")}));
    CHECK(result.resource["active"] == false);
    CHECK(result.summary.active_changed);
}

TEST_CASE("PATCH refuses a string boolean other than true or false") {
    CHECK(user_ops_error(json::array({op("replace", "active", "nope")})).scim_type ==
          "invalidValue");
}

TEST_CASE("PATCH that sets active to its current value reports no active change") {
    const PatchResult result = patch_user(json::array({op("replace", "active", "True")}));
    CHECK_FALSE(result.summary.active_changed);
    CHECK_FALSE(result.summary.changed);
}

TEST_CASE("PATCH replace of name.givenName changes only that sub-attribute") {
    const PatchResult result =
        patch_user(json::array({op("replace", "name.givenName", "Augusta")}));
    CHECK(result.resource["name"] == json{{"givenName", "Augusta"}, {"familyName", "Lovelace"}});
}

TEST_CASE("PATCH path names match case-insensitively and keep the resource's spelling") {
    const PatchResult result =
        patch_user(json::array({op("replace", "NAME.GIVENNAME", "Augusta")}));
    CHECK(result.resource["name"]["givenName"] == "Augusta");
    CHECK_FALSE(result.resource["name"].contains("GIVENNAME"));
}

TEST_CASE("PATCH Entra path-less value with dotted and URN-qualified keys") {
    const PatchResult result =
        patch_user(json::array({op("Replace", {{"displayName", "Ada L."},
                                               {"name.familyName", "King"},
                                               {kEnterprise + ":department", "Research"}})}));
    CHECK(result.resource["displayName"] == "Ada L.");
    CHECK(result.resource["name"]["familyName"] == "King");
    CHECK(result.resource[kEnterprise]["department"] == "Research");
    CHECK(result.resource["schemas"].back() == kEnterprise);
}

TEST_CASE("PATCH path-less value keyed by the extension URN merges into the extension") {
    json resource = user_resource();
    resource[kEnterprise] = {{"employeeNumber", "7"}};
    const PatchResult result = patch_user(
        json::array({op("add", {{kEnterprise, {{"department", "Research"}}}})}), resource);
    CHECK(result.resource[kEnterprise] ==
          json{{"employeeNumber", "7"}, {"department", "Research"}});
}

TEST_CASE("PATCH URN-qualified path sets an enterprise attribute") {
    const PatchResult result =
        patch_user(json::array({op("add", kEnterprise + ":employeeNumber", "701984")}));
    CHECK(result.resource[kEnterprise]["employeeNumber"] == "701984");
}

TEST_CASE("PATCH Entra manager given as a bare id becomes {\"value\": id}") {
    const PatchResult result =
        patch_user(json::array({op("Add", kEnterprise + ":manager", "u-9")}));
    CHECK(result.resource[kEnterprise]["manager"] == json{{"value", "u-9"}});
}

TEST_CASE("PATCH remove of the last enterprise attribute drops the extension and its schema") {
    json resource = user_resource();
    resource[kEnterprise] = {{"department", "Research"}};
    resource["schemas"].push_back(kEnterprise);
    const PatchResult result =
        patch_user(json::array({remove_op(kEnterprise + ":department")}), resource);
    CHECK_FALSE(result.resource.contains(kEnterprise));
    CHECK(result.resource["schemas"] == json::array({std::string(kCoreUserSchema)}));
}

TEST_CASE("PATCH core-URN-qualified orgRole path sets the plain orgRole") {
    const PatchResult result =
        patch_user(json::array({op("replace", std::string(kOrgRoleUrn), "admin")}));
    CHECK(result.resource["orgRole"] == "admin");
}

TEST_CASE("PATCH Entra emails[type eq \"work\"].value replaces the work address") {
    const PatchResult result = patch_user(
        json::array({op("replace", "emails[type eq \"work\"].value", "ada@new.example")}));
    CHECK(result.resource["emails"][0]["value"] == "ada@new.example");
    CHECK(result.resource["emails"][1]["value"] == "ada@home.example");
}

TEST_CASE("PATCH Entra add at emails[type eq \"work\"].value creates the work email when missing") {
    json resource = user_resource();
    resource.erase("emails");
    const PatchResult result = patch_user(
        json::array({op("Add", "emails[type eq \"work\"].value", "ada@example.com")}), resource);
    CHECK(result.resource["emails"] ==
          json::array({{{"type", "work"}, {"value", "ada@example.com"}}}));
}

TEST_CASE("PATCH replace of a filtered item with an object replaces the whole element") {
    const PatchResult result =
        patch_user(json::array({op("replace", "emails[type eq \"home\"]",
                                   {{"value", "ada@other.example"}, {"type", "other"}})}));
    CHECK(result.resource["emails"][1] == json{{"value", "ada@other.example"}, {"type", "other"}});
}

TEST_CASE(
    "PATCH replace with a filter that matches nothing and cannot create fails with noTarget") {
    CHECK(user_ops_error(json::array({op("replace", "emails[type eq \"other\"]",
                                         {{"value", "x@example.com"}})}))
              .scim_type == "noTarget");
    CHECK(user_ops_error(json::array({op("replace", "emails[value co \"nobody\"].type", "work")}))
              .scim_type == "noTarget");
}

TEST_CASE("PATCH remove with a filter removes the matching element only") {
    const PatchResult result = patch_user(json::array({remove_op("emails[type eq \"home\"]")}));
    CHECK(result.resource["emails"].size() == 1);
    CHECK(result.resource["emails"][0]["type"] == "work");
}

TEST_CASE("PATCH remove with a filter that matches nothing succeeds and changes nothing") {
    const PatchResult result = patch_user(json::array({remove_op("emails[type eq \"other\"]")}));
    CHECK(result.resource == user_resource());
    CHECK_FALSE(result.summary.changed);
}

TEST_CASE("PATCH add to emails appends without duplicating an existing value") {
    const PatchResult result = patch_user(
        json::array({op("add", "emails",
                        json::array({{{"value", "ada@example.com"}, {"type", "work"}},
                                     {{"value", "ada@third.example"}, {"type", "other"}}}))}));
    REQUIRE(result.resource["emails"].size() == 3);
    CHECK(result.resource["emails"][2]["value"] == "ada@third.example");
}

TEST_CASE("PATCH adding a primary email makes the previous primary non-primary") {
    const PatchResult result = patch_user(json::array(
        {op("add", "emails", json::array({{{"value", "new@example.com"}, {"primary", "True"}}}))}));
    CHECK(result.resource["emails"][0]["primary"] == false);
    CHECK(result.resource["emails"][2]["primary"] == true);
}

TEST_CASE("PATCH replace of a multi-valued attribute without filter replaces all values") {
    const PatchResult result = patch_user(
        json::array({op("replace", "emails", json::array({{{"value", "only@example.com"}}}))}));
    CHECK(result.resource["emails"] == json::array({{{"value", "only@example.com"}}}));
}

TEST_CASE("PATCH remove of a single-valued attribute unassigns it") {
    const PatchResult result =
        patch_user(json::array({remove_op("name.givenName"), remove_op("displayName")}));
    CHECK(result.resource["name"] == json{{"familyName", "Lovelace"}});
    CHECK_FALSE(result.resource.contains("displayName"));
}

TEST_CASE("PATCH value null on replace unassigns the attribute") {
    const PatchResult result = patch_user(json::array({op("replace", "name", nullptr)}));
    CHECK_FALSE(result.resource.contains("name"));
}

TEST_CASE(
    "PATCH Entra {\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"value\":id}]} adds members") {
    const PatchResult result = patch_group(
        json::array({op("Add", "members", json::array({{{"value", "u-3"}}, {{"value", "u-1"}}}))}));
    CHECK(result.resource["members"].size() == 3);
    CHECK(result.summary.members_added == std::vector<std::string>{"u-3"});
    CHECK(result.summary.members_removed.empty());
}

TEST_CASE(
    "PATCH Entra {\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":id}]} removes those "
    "members") {
    const PatchResult result =
        patch_group(json::array({op("Remove", "members", json::array({{{"value", "u-2"}}}))}));
    CHECK(result.resource["members"] == json::array({{{"value", "u-1"}}}));
    CHECK(result.summary.members_removed == std::vector<std::string>{"u-2"});
}

TEST_CASE("PATCH Okta remove of members[value eq \"id\"] removes that member") {
    const PatchResult result = patch_group(json::array({remove_op("members[value eq \"u-1\"]")}));
    CHECK(result.summary.members_removed == std::vector<std::string>{"u-1"});
    CHECK(result.resource["members"].size() == 1);
}

TEST_CASE("PATCH remove of members without value removes every member") {
    const PatchResult result = patch_group(json::array({remove_op("members")}));
    CHECK_FALSE(result.resource.contains("members"));
    CHECK(result.summary.members_removed == std::vector<std::string>{"u-1", "u-2"});
}

TEST_CASE("PATCH replace of members reports both additions and removals") {
    const PatchResult result = patch_group(json::array(
        {op("replace", "members", json::array({{{"value", "u-2"}}, {{"value", "u-4"}}}))}));
    CHECK(result.summary.members_added == std::vector<std::string>{"u-4"});
    CHECK(result.summary.members_removed == std::vector<std::string>{"u-1"});
}

TEST_CASE(
    "PATCH Okta group rename {\"op\":\"replace\",\"value\":{\"id\":same,\"displayName\":x}}") {
    const PatchResult result =
        patch_group(json::array({op("replace", {{"id", "g-1"}, {"displayName", "Platform"}})}));
    CHECK(result.resource["displayName"] == "Platform");
    CHECK(result.resource["id"] == "g-1");
}

TEST_CASE("PATCH changing id, meta or a user's groups fails with mutability") {
    CHECK(user_ops_error(json::array({op("replace", "id", "other")})).scim_type == "mutability");
    CHECK(user_ops_error(json::array({op("replace", {{"id", "other"}})})).scim_type ==
          "mutability");
    CHECK(user_ops_error(json::array({remove_op("meta")})).scim_type == "mutability");
    CHECK(user_ops_error(json::array({op("replace", "meta.version", "W/\"9\"")})).scim_type ==
          "mutability");
    CHECK(user_ops_error(json::array({op("add", "groups", json::array({{{"value", "g-1"}}}))}))
              .scim_type == "mutability");
}

TEST_CASE("PATCH with an unparsable path fails with invalidPath and names the operation") {
    const ScimError error = user_ops_error(
        json::array({op("replace", "active", true), op("replace", "emails[type eq", "x")}));
    CHECK(error.scim_type == "invalidPath");
    CHECK(error.detail.starts_with("Operations[1]"));
}

TEST_CASE(
    "PATCH with a path qualified by something not a URN, or a non-string path, fails with "
    "invalidPath") {
    const ScimError qualified = user_ops_error(json::array({op("add", "custom:level", "3")}));
    CHECK(qualified.scim_type == "invalidPath");
    CHECK(qualified.detail.find("not a schema URN") != std::string::npos);
    json numeric_path = {{"op", "add"}, {"path", 5}, {"value", "x"}};
    CHECK(user_ops_error(json::array({numeric_path})).scim_type == "invalidPath");
}

TEST_CASE("PATCH cannot make an extension under a reserved SCIM URN, with or without a path") {
    const ScimError with_path = user_ops_error(
        json::array({op("add", "urn:ietf:params:scim:schemas:core:2.0:Username", "x")}));
    CHECK(with_path.scim_type == "invalidPath");
    CHECK(with_path.detail.find("SCIM reserves") != std::string::npos);
    const ScimError without_path = user_ops_error(json::array(
        {{{"op", "add"},
          {"value", {{"urn:ietf:params:scim:api:messages:2.0:Note", {{"text", "x"}}}}}}}));
    CHECK(without_path.scim_type == "invalidPath");
    CHECK(without_path.detail.find("SCIM reserves") != std::string::npos);
}

TEST_CASE("PATCH remove without path fails with noTarget") {
    CHECK(user_ops_error(json::array({{{"op", "remove"}}})).scim_type == "noTarget");
}

TEST_CASE("PATCH with an unknown op fails with invalidSyntax") {
    const ScimError error = user_ops_error(json::array({op("merge", "active", false)}));
    CHECK(error.scim_type == "invalidSyntax");
    CHECK(error.detail.find("merge") != std::string::npos);
    CHECK(user_ops_error(json::array({{{"path", "active"}}})).scim_type == "invalidSyntax");
}

TEST_CASE("PATCH add or replace without a value fails with invalidValue") {
    CHECK(user_ops_error(json::array({{{"op", "add"}, {"path", "displayName"}}})).scim_type ==
          "invalidValue");
    CHECK(user_ops_error(json::array({op("replace", "not an object")})).scim_type ==
          "invalidValue");
}

TEST_CASE("PATCH without the PatchOp schema or with empty Operations fails with invalidSyntax") {
    json no_schema = patch_request(json::array({op("replace", "active", false)}));
    no_schema["schemas"] = json::array({std::string(kCoreUserSchema)});
    CHECK(user_patch_error(no_schema).scim_type == "invalidSyntax");
    CHECK(user_patch_error(patch_request(json::array())).scim_type == "invalidSyntax");
    CHECK(user_patch_error(patch_request("replace")).scim_type == "invalidSyntax");
    CHECK(user_patch_error(json::array()).scim_type == "invalidSyntax");
    CHECK(user_ops_error(json::array({"replace"})).scim_type == "invalidSyntax");
}

TEST_CASE("PATCH applies all operations or none") {
    json resource = user_resource();
    auto result = apply_patch(resource,
                              patch_request(json::array({op("replace", "displayName", "Changed"),
                                                         op("replace", "id", "other")})),
                              ResourceKind::user);
    REQUIRE_FALSE(result.ok());
    CHECK(resource == user_resource());
}

TEST_CASE("a patched user decodes, so the service can validate the outcome") {
    const PatchResult result = patch_user(json::array({remove_op("userName")}));
    auto decoded = decode_user(result.resource);
    REQUIRE_FALSE(decoded.ok());
    CHECK(to_scim_error(decoded.error()).scim_type == "invalidValue");
}

TEST_CASE("PATCH add to a complex attribute merges the given sub-attributes") {
    const PatchResult result =
        patch_user(json::array({op("add", "name", {{"formatted", "Ada L."}})}));
    CHECK(result.resource["name"] ==
          json{{"givenName", "Ada"}, {"familyName", "Lovelace"}, {"formatted", "Ada L."}});
}

TEST_CASE("PATCH add at a filtered item merges the value into the matching element") {
    const PatchResult result =
        patch_user(json::array({op("add", "emails[type eq \"home\"]", {{"display", "Home"}})}));
    CHECK(result.resource["emails"][1]["display"] == "Home");
    CHECK(result.resource["emails"][1]["value"] == "ada@home.example");
}

TEST_CASE("PATCH emails[type eq \"home\"].primary accepts \"True\" and demotes the old primary") {
    const PatchResult result =
        patch_user(json::array({op("replace", "emails[type eq \"home\"].primary", "True")}));
    CHECK(result.resource["emails"][1]["primary"] == true);
    CHECK(result.resource["emails"][0]["primary"] == false);
}

TEST_CASE("PATCH replace of a filtered item by a non-object fails with invalidValue") {
    CHECK(user_ops_error(json::array({op("replace", "emails[type eq \"work\"]", "x@example.com")}))
              .scim_type == "invalidValue");
}

TEST_CASE("PATCH remove of the bare enterprise URN drops the extension and its schema") {
    json resource = user_resource();
    resource[kEnterprise] = {{"department", "Research"}};
    resource["schemas"].push_back(kEnterprise);
    const PatchResult result = patch_user(json::array({remove_op(kEnterprise)}), resource);
    CHECK_FALSE(result.resource.contains(kEnterprise));
    CHECK(result.resource["schemas"].size() == 1);
}

TEST_CASE("PATCH add of a non-object at the bare enterprise URN fails with invalidValue") {
    CHECK(user_ops_error(json::array({op("add", kEnterprise, "Research")})).scim_type ==
          "invalidValue");
}

TEST_CASE("PATCH path-less value with a filtered key fails with invalidPath") {
    CHECK(user_ops_error(json::array({op("add", {{"emails[type eq \"work\"].value", "x@y.z"}})}))
              .scim_type == "invalidPath");
}

TEST_CASE("PATCH changing schemas fails with mutability") {
    CHECK(
        user_ops_error(json::array({op("replace", "schemas", json::array({"urn:x"}))})).scim_type ==
        "mutability");
}

TEST_CASE("PATCH adding an attribute named in another case stores it under its SCIM spelling") {
    json resource = user_resource();
    resource.erase("displayName");
    const PatchResult result = patch_user(json::array({op("add", "DISPLAYNAME", "Ada")}), resource);
    CHECK(result.resource["displayName"] == "Ada");
    CHECK_FALSE(result.resource.contains("DISPLAYNAME"));
}
