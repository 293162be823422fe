// `gatehouse backup FILE` against a gateway under SCIM write load, and a gateway serving the
// copy put back in place of the store.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "scim_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

json user_body(const std::string& user_name) {
    return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
            {"userName", user_name},
            {"name", {{"givenName", "Load"}, {"familyName", "Writer"}}},
            {"emails", {{{"value", user_name}, {"primary", true}}}},
            {"active", true}};
}

// POSTs new Users one after another until stopped, remembering each one the gateway
// acknowledged (201) and counting every other answer.
class ScimWriter {
  public:
    ScimWriter(int port, std::string token) : port_(port), token_(std::move(token)) {
        thread_ = std::thread([this] { run(); });
    }
    ~ScimWriter() { stop(); }

    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::vector<std::string> acknowledged() const {
        std::lock_guard lock(mutex_);
        return acknowledged_;
    }
    int failures() const { return failures_; }

  private:
    void run() {
        httplib::Client client("127.0.0.1", port_);
        client.set_read_timeout(30, 0);
        const httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
        for (int i = 0; !stopping_; ++i) {
            const std::string user_name = "load" + std::to_string(i) + "@example.com";
            auto res = client.Post("/api/0/organizations/acme/scim/v2/Users", headers,
                                   user_body(user_name).dump(), "application/scim+json");
            if (res && res->status == 201) {
                std::lock_guard lock(mutex_);
                acknowledged_.push_back(user_name);
            } else {
                ++failures_;
            }
        }
    }

    int port_;
    std::string token_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> failures_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> acknowledged_;
    std::thread thread_;
};

void wait_for_writes(const ScimWriter& writer, std::size_t count) {
    for (int i = 0; i < 600 && writer.acknowledged().size() < count; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(writer.acknowledged().size() >= count);
}

}  // namespace

TEST_CASE("gatehouse backup under SCIM write load holds every user acknowledged before it began") {
    ScimGateway gw;
    ScimWriter writer(gw.server->port(), gw.token);
    wait_for_writes(writer, 30);

    const std::vector<std::string> before = writer.acknowledged();
    const std::string backup = gw.dir.file("backup.db");
    const auto taken = run_gatehouse({"--db", gw.db, "backup", backup});
    REQUIRE_MESSAGE(taken.exit_code == 0, taken.err);
    CHECK(taken.out.find("Backed up " + gw.db + " to " + backup) != std::string::npos);
    // The writer kept going while the backup ran, and none of its requests failed.
    wait_for_writes(writer, before.size() + 10);
    writer.stop();
    CHECK(writer.failures() == 0);

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
