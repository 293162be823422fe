// Helpers for SCIM integration tests: the real gatehouse binary serving an org that has a
// SCIM token (made with the CLI, as an admin would), and one-line SCIM requests against it.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

using nlohmann::json;

inline constexpr const char* kScimUser = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr const char* kScimGroup = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr const char* kScimPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr const char* kScimError = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr const char* kScimEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// What came back: status, parsed body (null when empty or not JSON) and headers.
struct ScimReply {
    int status = 0;
    json body;
    httplib::Headers headers;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Inserts `count` SCIM members (user0@example.com, …) straight into the store of org
// "acme" in one transaction, for tests about reading many members rather than creating
// them over HTTP. Returns their public IDs in order.
inline std::vector<std::string> insert_scim_members(const std::string& db_path, int count) {
    auto opened = store::open_sqlite_store(db_path);
    REQUIRE(opened.ok());
    std::vector<std::string> ids;
    REQUIRE((*opened)->write([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        for (int i = 0; i < count; ++i) {
            core::Member m;
            m.org_id = org->id;
            m.user_name = "user" + std::to_string(i) + "@example.com";
            m.email = m.user_name;
            m.source = core::MemberSource::scim;
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            ids.push_back(inserted->public_id);
        }
        return {};
    }));
    return ids;
}

inline json patch_op(json operations) {
    return {{"schemas", {kScimPatchOp}}, {"Operations", std::move(operations)}};
}

// `filter=<text>` (percent-encoded) for a query string.
inline std::string filter_param(const std::string& text) {
    return "filter=" + util::url_encode(text);
}

struct ScimGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::string token;
    std::unique_ptr<ServerProcess> server;

    explicit ScimGateway(std::vector<std::string> server_args = {}) {
        add_org("acme");
        token = issue_token("acme");
        server = std::make_unique<ServerProcess>(db, std::move(server_args));
    }

    void add_org(const std::string& slug) {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", slug}).exit_code == 0);
    }

    std::string issue_token(const std::string& slug) {
        auto issued = run_gatehouse({"--db", db, "scim-token", "create", slug, "--quiet"});
        REQUIRE(issued.exit_code == 0);
        std::string value = issued.out;
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
        return value;
    }

    // `path` is relative to the org's SCIM base ("/Users?…").
    ScimReply send(const std::string& method, const std::string& path, const std::string& body = {},
                   const std::string& bearer = "default", const std::string& org = "acme",
                   const std::string& content_type = "application/scim+json",
                   httplib::Headers headers = {}) const {
        httplib::Client client("127.0.0.1", server->port());
        client.set_read_timeout(30, 0);
        const std::string target = "/api/0/organizations/" + org + "/scim/v2" + path;
        if (bearer == "default") {
            headers.emplace("Authorization", "Bearer " + token);
        } else if (!bearer.empty()) {
            headers.emplace("Authorization", "Bearer " + bearer);
        }
        httplib::Result res = method == "GET"    ? client.Get(target, headers)
                              : method == "POST" ? client.Post(target, headers, body, content_type)
                              : method == "PUT"  ? client.Put(target, headers, body, content_type)
                              : method == "PATCH"
                                  ? client.Patch(target, headers, body, content_type)
                                  : client.Delete(target, headers);
        REQUIRE_MESSAGE(res, "no answer to " << method << " " << target);
        ScimReply reply{res->status, json(), res->headers};
        if (!res->body.empty()) reply.body = json::parse(res->body, nullptr, false);
        return reply;
    }

    ScimReply get(const std::string& path) const { return send("GET", path); }
    ScimReply post(const std::string& path, const json& body) const {
        return send("POST", path, body.dump());
    }
    ScimReply put(const std::string& path, const json& body) const {
        return send("PUT", path, body.dump());
    }
    ScimReply patch(const std::string& path, const json& body) const {
        return send("PATCH", path, body.dump());
    }
    ScimReply del(const std::string& path) const { return send("DELETE", path); }
};

}  // namespace gatehouse::testing
