// Writes to the read-only discovery endpoints against the real server: Okta's SCIM spec test
// expects 405 (not 404) in SCIM's error format, with the methods that are allowed.
#include "integration/scim_gateway.hpp"

using gatehouse::testing::json;
using gatehouse::testing::kScimError;
using gatehouse::testing::ScimGateway;

TEST_CASE("SCIM answers writes to the discovery endpoints with 405, Allow and a SCIM error") {
    ScimGateway gw;
    for (const char* path :
         {"/Schemas", "/ResourceTypes", "/ServiceProviderConfig",
          "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "/ResourceTypes/User"}) {
        for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
            CAPTURE(path);
            CAPTURE(method);
            auto reply = gw.send(method, path, "{}");
            CHECK(reply.status == 405);
            CHECK(reply.header("Allow") == "GET, HEAD");
            CHECK(reply.header("Content-Type") == "application/scim+json");
            CHECK(reply.body["schemas"] == json::array({kScimError}));
            CHECK(reply.body["status"] == "405");
            CHECK(reply.body["detail"].is_string());
        }
    }
    CHECK(gw.get("/Schemas").status == 200);
    CHECK(gw.send("POST", "/Bulk", "{}").status == 404);
}
