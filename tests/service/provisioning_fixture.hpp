// Helpers for provisioning tests: an org with a SCIM token on a real SQLite store in a
// temporary folder, and small builders for SCIM request bodies.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "store/store_fixture.hpp"

namespace gatehouse::testing {

using nlohmann::json;

inline constexpr const char* kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr const char* kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr const char* kPatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

inline json user_body(const std::string& user_name, json extra = json::object()) {
    json body = {{"schemas", {kUserSchema}},
                 {"userName", user_name},
                 {"name", {{"givenName", "Ada"}, {"familyName", "Lovelace"}}},
                 {"emails", {{{"value", user_name}, {"type", "work"}, {"primary", true}}}},
                 {"active", true}};
    body.update(extra);
    return body;
}

inline json group_body(const std::string& display_name,
                       const std::vector<std::string>& member_ids = {}) {
    json members = json::array();
    for (const auto& id : member_ids) members.push_back({{"value", id}});
    return {{"schemas", {kGroupSchema}}, {"displayName", display_name}, {"members", members}};
}

inline json patch_body(json operations) {
    return {{"schemas", {kPatchSchema}}, {"Operations", operations}};
}

// The HTTP status a failure would be answered with.
inline int scim_status(const Error& error) { return scim::to_scim_error(error).status; }
inline std::string scim_type(const Error& error) { return scim::to_scim_error(error).scim_type; }

struct ProvisioningFixture {
    StoreFixture storage;
    util::FixedClock clock{1'800'000'000};
    service::AdminService admin{*storage.db, clock};
    service::ProvisioningService service{*storage.db, clock};
    service::ScimClient client = connect("acme");

    // Creates an org with a SCIM token and authenticates with it.
    service::ScimClient connect(const std::string& slug) {
        REQUIRE(admin.create_org({slug, slug, ""}, "test").ok());
        auto issued = admin.create_scim_token(slug, "idp", service::Caller::cli());
        REQUIRE(issued.ok());
        auto authenticated = service.authenticate(
            org(slug), "Bearer " + issued->token,
            "https://sso.example.com/api/0/organizations/" + slug + "/scim/v2");
        REQUIRE(authenticated.ok());
        return *authenticated;
    }

    core::Org org(const std::string& slug) {
        auto found = admin.find_org(slug);
        REQUIRE(found.ok());
        return *found;
    }

    std::string create_user(const std::string& user_name, json extra = json::object()) {
        auto created = service.create_user(client, user_body(user_name, std::move(extra)));
        REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().message));
        return created->body["id"].get<std::string>();
    }

    std::string create_group(const std::string& display_name,
                             const std::vector<std::string>& members = {}) {
        auto created = service.create_group(client, group_body(display_name, members));
        REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().message));
        return created->body["id"].get<std::string>();
    }

    core::Member member(const std::string& public_id) {
        std::optional<core::Member> found;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_public_id(client.org.id, public_id);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    bool member_exists(const std::string& public_id) {
        bool exists = false;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            exists = tx.member_by_public_id(client.org.id, public_id).has_value();
            return {};
        }));
        return exists;
    }

    std::optional<core::Team> team(const std::string& public_id) {
        std::optional<core::Team> found;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            found = tx.team_by_public_id(client.org.id, public_id);
            return {};
        }));
        return found;
    }

    std::vector<std::string> team_member_ids(const std::string& team_public_id) {
        std::vector<std::string> ids;
        const auto t = team(team_public_id);
        REQUIRE(t.has_value());
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            for (const auto& [id, display] : tx.team_members(client.org.id, t->id))
                ids.push_back(id);
            return {};
        }));
        return ids;
    }

    // Opens a session for the member; returns how many sessions they have afterwards.
    void open_session(const std::string& public_id, const std::string& id_hash) {
        const core::Member m = member(public_id);
        REQUIRE(storage.db->write([&](store::Transaction& tx) -> Status {
            core::Session session;
            session.org_id = m.org_id;
            session.member_id = m.id;
            session.created_at = clock.now();
            session.last_seen_at = clock.now();
            session.expires_at = clock.now() + 3600;
            auto inserted = tx.insert_session(session, id_hash);
            return inserted ? Status{} : Status{inserted.error()};
        }));
    }

    bool session_exists(const std::string& id_hash) {
        bool exists = false;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            exists = tx.session_by_hash(id_hash).has_value();
            return {};
        }));
        return exists;
    }

    std::vector<core::AuditEntry> audit(const std::string& action_prefix) {
        store::PageOf<core::AuditEntry> page;
        REQUIRE(storage.db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action_prefix;
            query.page.limit = 1000;
            page = tx.list_audit(client.org.id, query);
            return {};
        }));
        return page.items;
    }
};

}  // namespace gatehouse::testing
