#include "gatehouse/scim/error.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/filter.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;

TEST_CASE("to_scim_error turns scim.<scimType> codes into a 400 carrying that scimType") {
    const ScimError error = to_scim_error(scim_fail("mutability", "id is read-only."));
    CHECK(error.status == 400);
    CHECK(error.scim_type == "mutability");
    CHECK(error.detail == "id is read-only.");
}

TEST_CASE("to_scim_error answers a uniqueness conflict with 409") {
    const ScimError error = to_scim_error(scim_fail("uniqueness", "userName is taken."));
    CHECK(error.status == 409);
    CHECK(error.scim_type == "uniqueness");
}

TEST_CASE("to_scim_error answers not found with 404 and no scimType") {
    const ScimError error = to_scim_error(scim_not_found("No User with id \"x\"."));
    CHECK(error.status == 404);
    CHECK(error.scim_type.empty());
    CHECK(error.detail == "No User with id \"x\".");
}

TEST_CASE("to_scim_error answers a failed If-Match precondition with 412") {
    const ScimError error = to_scim_error(fail(std::string(kPreconditionFailedCode), "stale"));
    CHECK(error.status == 412);
    CHECK(error.scim_type.empty());
}

TEST_CASE("to_scim_error maps the filter parser's codes to invalidFilter and invalidPath") {
    CHECK(to_scim_error(fail(std::string(kInvalidFilterCode), "bad")).scim_type == "invalidFilter");
    const ScimError path = to_scim_error(fail(std::string(kInvalidPathCode), "at character 3"));
    CHECK(path.status == 400);
    CHECK(path.scim_type == "invalidPath");
    CHECK(path.detail == "at character 3");
}

TEST_CASE("to_scim_error hides the message of a lower layer's failure behind a generic 500") {
    const ScimError error = to_scim_error(fail("store.busy", "database is locked at /var/x.db"));
    CHECK(error.status == 500);
    CHECK(error.scim_type.empty());
    CHECK(error.detail.find("/var") == std::string::npos);
    CHECK(to_scim_error(scim_fail("notAScimType", "x")).status == 500);
}

TEST_CASE("the Error body carries the Error schema, status as a string, scimType and detail") {
    const nlohmann::json body = to_json(ScimError{400, "invalidValue", "orgRole is invalid."});
    CHECK(body["schemas"] ==
          nlohmann::json::array({"urn:ietf:params:scim:api:messages:2.0:Error"}));
    CHECK(body["status"] == "400");
    CHECK(body["scimType"] == "invalidValue");
    CHECK(body["detail"] == "orgRole is invalid.");
}

TEST_CASE("the Error body leaves scimType out when the status has none") {
    const nlohmann::json body = to_json(ScimError{404, "", "gone"});
    CHECK(body["status"] == "404");
    CHECK_FALSE(body.contains("scimType"));
}
