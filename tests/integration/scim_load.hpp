// A SCIM client in the background that creates Users one after another (and deactivates some
// of them) until stopped or until the gateway stops answering, remembering every write the
// gateway acknowledged: the load of the backup and crash-safety tests.
#pragma once

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse::testing {

class ScimLoad {
  public:
    // Starts at once against the gateway on 127.0.0.1:`port`, org acme, with `token`; with
    // `deactivate_every` n > 0, every n-th User created is then deactivated with a PATCH.
    ScimLoad(int port, std::string token, int deactivate_every = 0)
        : port_(port), token_(std::move(token)), deactivate_every_(deactivate_every) {
        thread_ = std::thread([this] { run(); });
    }
    ~ScimLoad() { stop(); }
    ScimLoad(const ScimLoad&) = delete;
    ScimLoad& operator=(const ScimLoad&) = delete;

    // Stops after the request in flight.
    void stop() {
        stopping_ = true;
        join();
    }
    // Waits until the load ends by itself: the gateway stopped answering.
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // The userNames the gateway answered 201 for, in order.
    std::vector<std::string> created() const {
        std::lock_guard lock(mutex_);
        return created_;
    }
    // The userNames whose deactivation the gateway answered 200 for.
    std::vector<std::string> deactivated() const {
        std::lock_guard lock(mutex_);
        return deactivated_;
    }
    // Answers other than 201 and 200 (a lost connection only ends the load).
    int refusals() const { return refusals_; }

  private:
    static constexpr const char* kUsers = "/api/0/organizations/acme/scim/v2/Users";

    void run() {
        httplib::Client client("127.0.0.1", port_);
        client.set_read_timeout(30, 0);
        const httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
        for (int i = 0; !stopping_; ++i) {
            const std::string user_name = "load" + std::to_string(i) + "@example.com";
            const nlohmann::json body = {
                {"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                {"userName", user_name},
                {"emails", {{{"value", user_name}, {"primary", true}}}},
                {"active", true}};
            auto res = client.Post(kUsers, headers, body.dump(), "application/scim+json");
            if (!res) return;
            if (res->status != 201) {
                ++refusals_;
                continue;
            }
            remember(created_, user_name);
            if (deactivate_every_ <= 0 || i % deactivate_every_ != 0) continue;
            const std::string id = nlohmann::json::parse(res->body)["id"];
            const nlohmann::json patch = {
                {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}};
            auto patched = client.Patch(std::string(kUsers) + "/" + id, headers, patch.dump(),
                                        "application/scim+json");
            if (!patched) return;
            if (patched->status == 200) {
                remember(deactivated_, user_name);
            } else {
                ++refusals_;
            }
        }
    }

    void remember(std::vector<std::string>& list, const std::string& user_name) {
        std::lock_guard lock(mutex_);
        list.push_back(user_name);
    }

    int port_;
    std::string token_;
    int deactivate_every_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> refusals_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> created_;
    std::vector<std::string> deactivated_;
    std::thread thread_;
};

// Waits up to 30 s until `load` has created at least `count` Users.
inline bool wait_for_created(const ScimLoad& load, std::size_t count) {
    for (int i = 0; i < 600 && load.created().size() < count; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return load.created().size() >= count;
}

}  // namespace gatehouse::testing
