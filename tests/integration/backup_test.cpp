// `gatehouse backup FILE` against a gateway under SCIM write load, and a gateway serving the
// copy put back in place of the store.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>

#include "scim_gateway.hpp"
#include "scim_load.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

TEST_CASE("gatehouse backup under SCIM write load holds every user acknowledged before it began") {
    ScimGateway gw;
    ScimLoad load(gw.server->port(), gw.token);
    REQUIRE(wait_for_created(load, 30));

    const std::vector<std::string> before = load.created();
    const std::string backup = gw.dir.file("backup.db");
    const auto taken = run_gatehouse({"--db", gw.db, "backup", backup});
    REQUIRE_MESSAGE(taken.exit_code == 0, taken.err);
    CHECK(taken.out.find("Backed up " + gw.db + " to " + backup) != std::string::npos);
    // The load kept going while the backup ran, and none of its requests was refused.
    REQUIRE(wait_for_created(load, before.size() + 10));
    load.stop();
    CHECK(load.refusals() == 0);

    struct stat info {};
    REQUIRE(::stat(backup.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    // Restored as the store of a new gateway: every user acknowledged before the backup began
    // is there, and the gateway serves them to the IdP's same token.
    const std::string restored = gw.dir.file("restored.db");
    std::filesystem::copy_file(backup, restored);
    const auto listed = run_gatehouse({"--db", restored, "member", "list", "--org", "acme"});
    REQUIRE(listed.exit_code == 0);
    for (const auto& user_name : before) {
        CAPTURE(user_name);
        CHECK(listed.out.find(user_name) != std::string::npos);
    }
    ServerProcess server(restored);
    httplib::Client client("127.0.0.1", server.port());
    auto found = client.Get("/api/0/organizations/acme/scim/v2/Users?filter=" +
                                util::url_encode("userName eq \"" + before.back() + "\""),
                            {{"Authorization", "Bearer " + gw.token}});
    REQUIRE(found);
    CHECK(found->status == 200);
    CHECK(json::parse(found->body)["totalResults"] == 1);
}

TEST_CASE("gatehouse backup never overwrites a file and leaves nothing behind when it fails") {
    ScimGateway gw;
    const std::string existing = gw.dir.file("existing.db");
    std::ofstream(existing) << "an earlier backup";

    const auto refused = run_gatehouse({"--db", gw.db, "backup", existing});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find(existing + " already exists") != std::string::npos);
    std::ifstream kept(existing);
    CHECK(std::string(std::istreambuf_iterator<char>(kept), {}) == "an earlier backup");

    const std::string missing_store = gw.dir.file("missing.db");
    const std::string target = gw.dir.file("target.db");
    const auto no_store = run_gatehouse({"--db", missing_store, "backup", target});
    CHECK(no_store.exit_code == 1);
    CHECK(no_store.err.find("There is no store at " + missing_store) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(missing_store));

    const auto no_folder =
        run_gatehouse({"--db", gw.db, "backup", gw.dir.file("no-such-folder/backup.db")});
    CHECK(no_folder.exit_code == 1);

    const auto postgres =
        run_gatehouse({"--db", "postgresql://gatehouse@127.0.0.1:1/gatehouse", "backup", target});
    CHECK(postgres.exit_code == 2);
    CHECK(postgres.err.find("pg_dump") != std::string::npos);

    CHECK_FALSE(std::filesystem::exists(target));
    // Only the store, its log and the earlier file: no temporary copy was left.
    for (const auto& entry : std::filesystem::directory_iterator(gw.dir.path())) {
        CAPTURE(entry.path());
        CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);
    }
}
