// The User attributes Gatehouse keeps as the IdP sent them: the rest of the core User schema,
// the name parts it does not act on, and extensions other than the enterprise one.
#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/user.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

constexpr const char* kAcmeExtension = "urn:example:params:scim:schemas:extension:acme:2.0:User";

json user_body() {
    return {{"schemas", json::array({std::string(kCoreUserSchema)})},
            {"userName", "ada@example.com"}};
}

json with(json body, const std::string& key, json value) {
    body[key] = std::move(value);
    return body;
}

json germany() {
    return json::array({{{"type", "work"},
                         {"streetAddress", "Unter den Linden 1"},
                         {"locality", "Berlin"},
                         {"postalCode", "10117"},
                         {"country", "Germany"},
                         {"primary", true}}});
}

Error error_of(const Result<ScimUser>& result) {
    REQUIRE_FALSE(result.ok());
    return result.error();
}

std::string scim_type_of(const Result<ScimUser>& result) {
    const ScimError error = to_scim_error(error_of(result));
    CHECK(error.status == 400);
    return error.scim_type;
}

json round_trip(const json& body) {
    auto user = decode_user(body);
    REQUIRE(user.ok());
    return encode_user(*user, {}, "https://gh.example/scim/v2");
}

}  // namespace

TEST_CASE("decode_user keeps addresses, phoneNumbers and title, and encode_user returns them") {
    json body = with(user_body(), "addresses", germany());
    body["phoneNumbers"] = json::array({{{"value", "+49 30 1234"}, {"type", "work"}}});
    body["title"] = "Countess";
    body["preferredLanguage"] = "de-DE";
    const json out = round_trip(body);
    CHECK(out["addresses"] == germany());
    CHECK(out["phoneNumbers"][0]["value"] == "+49 30 1234");
    CHECK(out["title"] == "Countess");
    CHECK(out["preferredLanguage"] == "de-DE");
}

TEST_CASE("decode_user keeps name parts other than givenName, familyName and formatted") {
    const json out = round_trip(
        with(user_body(), "name",
             {{"givenName", "Ada"}, {"middleName", "Augusta"}, {"honorificPrefix", "Countess"}}));
    CHECK(out["name"] ==
          json{{"givenName", "Ada"}, {"middleName", "Augusta"}, {"honorificPrefix", "Countess"}});
}

TEST_CASE("decode_user keeps an extension of the client's own and lists it in schemas") {
    json body = user_body();
    body["schemas"].push_back(kAcmeExtension);
    body[kAcmeExtension] = {{"badge", "7"}, {"floors", json::array({1, 2})}};
    const json out = round_trip(body);
    CHECK(out[kAcmeExtension] == body[kAcmeExtension]);
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema), kAcmeExtension}));
}

TEST_CASE("decode_user reads \"True\" and \"False\" for the primary flag of kept attributes") {
    json addresses = germany();
    addresses[0]["primary"] = "True";
    auto user = decode_user(with(user_body(), "addresses", addresses));
    REQUIRE(user.ok());
    CHECK(user->attributes["addresses"][0]["primary"] == true);
    addresses[0]["primary"] = "maybe";
    CHECK(scim_type_of(decode_user(with(user_body(), "addresses", addresses))) == "invalidValue");
}

TEST_CASE("decode_user rejects kept attributes of the wrong shape and names them") {
    auto title = decode_user(with(user_body(), "title", 7));
    CHECK(scim_type_of(title) == "invalidValue");
    CHECK(error_of(title).message.find("title") != std::string::npos);
    auto addresses = decode_user(with(user_body(), "addresses", "Berlin"));
    CHECK(scim_type_of(addresses) == "invalidValue");
    CHECK(error_of(addresses).message.find("addresses") != std::string::npos);
    json bad_country = germany();
    bad_country[0]["country"] = json::array({"DE"});
    auto country = decode_user(with(user_body(), "addresses", bad_country));
    CHECK(scim_type_of(country) == "invalidValue");
    CHECK(error_of(country).message.find("addresses.country") != std::string::npos);
    json two =
        json::array({{{"value", "1"}, {"primary", true}}, {{"value", "2"}, {"primary", true}}});
    CHECK(scim_type_of(decode_user(with(user_body(), "phoneNumbers", two))) == "invalidValue");
}

TEST_CASE("decode_user drops names no schema defines and reports them as ignored") {
    json body = with(user_body(), "favouriteColour", "teal");
    body["name"] = {{"givenName", "Ada"}, {"nickname", "A"}};
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->ignored == std::vector<std::string>{"name.nickname", "favouriteColour"});
    const json out = encode_user(*user, {}, "https://gh.example/scim/v2");
    CHECK_FALSE(out.contains("favouriteColour"));
    CHECK(out["name"] == json{{"givenName", "Ada"}});
}

TEST_CASE("decode_user ignores a urn: member under a reserved SCIM prefix, so it round-trips") {
    json body = user_body();
    const std::string near_core = "urn:ietf:params:scim:schemas:core:2.0:Username";
    const std::string api = "urn:ietf:params:scim:api:messages:2.0:Extra";
    body[near_core] = {{"givenName", "Ada"}};
    body[api] = {{"x", "y"}};
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->ignored == std::vector<std::string>{api, near_core});
    const json out = encode_user(*user, {}, "https://gh.example/scim/v2");
    CHECK_FALSE(out.contains(near_core));
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema)}));
    CHECK(decode_user(out).ok());
}

TEST_CASE("decode_user refuses an extension nested deeper than any SCIM attribute") {
    json body = user_body();
    body[kAcmeExtension] = {{"a", json::array({{{"b", {{"c", "d"}}}}})}};
    auto deep = decode_user(body);
    CHECK(scim_type_of(deep) == "invalidValue");
    CHECK(error_of(deep).message.find(kAcmeExtension) != std::string::npos);
    CHECK(error_of(deep).message.find("nests deeper") != std::string::npos);
    body[kAcmeExtension] = "flat";
    CHECK(scim_type_of(decode_user(body)) == "invalidValue");
}

TEST_CASE("decode_user refuses more than 64 KiB of attributes kept as sent") {
    json body = user_body();
    body[kAcmeExtension] = {{"blob", std::string(70 * 1024, 'x')}};
    auto large = decode_user(body);
    CHECK(scim_type_of(large) == "invalidValue");
    CHECK(error_of(large).message.find("65536") != std::string::npos);
    body[kAcmeExtension] = {{"blob", std::string(60 * 1024, 'x')}};
    CHECK(decode_user(body).ok());
}
