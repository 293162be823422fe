// SCIM over loopback HTTP against a store pre-filled with 100,000 members and 1,000 teams
// (inserted directly in one transaction, as a migration would): POST /Users, GET
// filter=userName eq, PATCH active=false, group member add, reading a group of 20,000
// members, and an Okta-style initial sync of 10,000 users and 100 groups into a fresh org.
// On SQLite it ends with the durability check: acknowledged POSTs, kill -9, every one still
// stored.
//
// The store is SQLite (a file in DIR) or a database on a private PostgreSQL server; with
// several gateway processes on that database, requests go to them in turn (round robin).
//
//   scim_bench --out DIR [--members 100000] [--teams 1000] [--big-team 20000]
//              [--requests 2000] [--concurrency 4] [--sync-users 10000] [--sync-groups 100]
//              [--store sqlite|postgresql] [--processes 1] [--server-cpu 0] [--run 1]
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "bench_setup.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "load.hpp"

using namespace gatehouse;
using namespace gatehouse::bench;
using json = nlohmann::json;

namespace {

constexpr const char* kScimJson = "application/scim+json";

std::string user_name(std::size_t n) { return "user" + std::to_string(n) + "@contoso.example"; }

struct Prefilled {
    std::vector<std::string> member_ids;  // public ids, by user number
    std::vector<std::string> team_ids;    // public ids; [0] is the big team
};

// Members as provisioning stores them (SCIM source, IdP-managed, invited until first sign-in).
Prefilled prefill(store::Store& store, const core::Org& org, std::size_t members, std::size_t teams,
                  std::size_t big_team) {
    Prefilled out;
    const Status done = store.write([&](store::Transaction& tx) -> Status {
        for (std::size_t n = 0; n < members; ++n) {
            core::Member m;
            m.org_id = org.id;
            m.email = user_name(n);
            m.user_name = m.email;
            m.external_id = "00u" + std::to_string(1000000 + n);
            m.given_name = "Bench";
            m.family_name = "User " + std::to_string(n);
            m.display_name = "Bench User " + std::to_string(n);
            m.source = core::MemberSource::scim;
            m.idp_managed = true;
            m.state = core::MemberState::invited;
            m.scim_attributes = json{
                {"emails", {{{"value", m.email}, {"primary", true}, {"type", "work"}}}},
                {"name", {{"givenName", m.given_name}, {"familyName", m.family_name}}},
                {"displayName",
                 m.display_name}}.dump();
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            out.member_ids.push_back(inserted->public_id);
        }
        std::mt19937 random(7);
        for (std::size_t t = 0; t < teams; ++t) {
            core::Team team;
            team.org_id = org.id;
            team.slug = "team-" + std::to_string(t);
            team.display_name = "Team " + std::to_string(t);
            team.idp_managed = true;
            auto inserted = tx.insert_team(team);
            if (!inserted) return inserted.error();
            out.team_ids.push_back(inserted->public_id);
            const std::size_t size = t == 0 ? big_team : 20;
            for (std::size_t i = 0; i < size; ++i) {
                const std::size_t member = t == 0 ? i : random() % members;
                // Member row ids are 1…members in insertion order in a fresh store, but
                // the store is asked rather than assumed.
                auto row = tx.member_by_public_id(org.id, out.member_ids[member]);
                if (auto s = tx.add_team_member(org.id, inserted->id, row->id); !s && t == 0)
                    return s;
            }
        }
        return {};
    });
    if (!done) throw std::runtime_error("prefill failed: " + done.error().message);
    return out;
}

std::string scim_path(const std::string& org, const std::string& rest) {
    return "/api/0/organizations/" + org + "/scim/v2/" + rest;
}

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string expect(const httplib::Result& res, int status) {
    if (!res) return "no answer (" + httplib::to_string(res.error()) + ")";
    if (res->status != status) {
        return "status " + std::to_string(res->status) + " (expected " + std::to_string(status) +
               "): " + res->body.substr(0, 300);
    }
    return {};
}

json new_user(std::size_t n) {
    return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
            {"userName", user_name(n)},
            {"externalId", "00u" + std::to_string(1000000 + n)},
            {"name", {{"givenName", "New"}, {"familyName", "User " + std::to_string(n)}}},
            {"emails", {{{"value", user_name(n)}, {"primary", true}, {"type", "work"}}}},
            {"active", true}};
}

// What every result line of one scim_bench invocation carries, so that the report can
// group lines by store, process count and run.
struct Setting {
    StoreKind store;
    int processes;
    int run;
};

void emit_scim(const Setting& setting, const std::string& bench,
               std::map<std::string, double> numbers,
               std::map<std::string, std::string> labels = {}) {
    numbers["processes"] = setting.processes;
    numbers["run"] = setting.run;
    labels["store"] = name_of(setting.store);
    emit(bench, numbers, labels);
}

void report(const Setting& setting, const std::string& operation, const LoadResult& result,
            std::size_t concurrency) {
    emit_scim(setting, "scim",
              {{"per_second", result.per_second()},
               {"p50_ms", result.percentile_ms(50)},
               {"p99_ms", result.percentile_ms(99)},
               {"count", double(result.latencies_ms.size())},
               {"concurrency", double(concurrency)}},
              {{"operation", operation}});
}

std::string filter_query(const std::string& attribute, const std::string& value) {
    return "?filter=" + util::url_encode(attribute + " eq \"" + value + "\"");
}

// Durability: every POST the gateway acknowledged is in the SQLite file after kill -9.
// Throws std::runtime_error when one is missing. Users are numbered from `first_user`.
void check_durability(const Setting& setting, const std::string& db, GatewayFleet& fleet,
                      const std::string& token, std::size_t first_user) {
    std::vector<std::string> acknowledged;
    {
        httplib::Client client("127.0.0.1", fleet.ports().front());
        for (std::size_t i = 0; i < 200; ++i) {
            const std::size_t n = first_user + i;
            auto res = client.Post(scim_path("bench", "Users"), bearer(token), new_user(n).dump(),
                                   kScimJson);
            if (auto problem = expect(res, 201); !problem.empty())
                throw std::runtime_error(problem);
            acknowledged.push_back(user_name(n));
        }
    }
    fleet.kill_hard();
    auto store = store::open_store(db);
    if (!store) throw std::runtime_error("cannot reopen the store after kill -9");
    std::size_t found = 0;
    (void)(*store)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("bench");
        for (const auto& name : acknowledged)
            found += tx.member_by_user_name(org->id, name) ? 1 : 0;
        return {};
    });
    emit_scim(setting, "scim_durability",
              {{"acknowledged", double(acknowledged.size())}, {"found_after_kill", double(found)}});
    if (found != acknowledged.size()) {
        throw std::runtime_error("acknowledged POSTs lost across kill -9: " +
                                 std::to_string(acknowledged.size() - found));
    }
}

}  // namespace

int main(int argc, char** argv) try {
    const auto args = parse_args(argc, argv);
    const std::filesystem::path out = arg_or(args, "out", "bench-out");
    std::filesystem::create_directories(out);
    const std::size_t members = std::stoul(arg_or(args, "members", "100000"));
    const std::size_t teams = std::stoul(arg_or(args, "teams", "1000"));
    const std::size_t big_team = std::min(members, std::stoul(arg_or(args, "big-team", "20000")));
    const std::size_t requests = std::stoul(arg_or(args, "requests", "2000"));
    const std::size_t concurrency = std::stoul(arg_or(args, "concurrency", "4"));
    const std::size_t sync_users = std::stoul(arg_or(args, "sync-users", "10000"));
    const std::size_t sync_groups = std::stoul(arg_or(args, "sync-groups", "100"));

    const Setting setting{parse_store_kind(arg_or(args, "store", "sqlite")),
                          std::stoi(arg_or(args, "processes", "1")),
                          std::stoi(arg_or(args, "run", "1"))};
    const int server_cpu = std::stoi(arg_or(args, "server-cpu", "0"));

    // With one gateway the PostgreSQL server shares its CPU, as SQLite's work runs on the
    // gateway's own.
    const BenchDatabase database(setting.store, out, "scim",
                                 setting.processes == 1 ? server_cpu : -1);
    const std::string& db = database.db();
    gatehouse_cli(db, {"org", "create", "bench"});
    gatehouse_cli(db, {"org", "create", "fresh"});
    auto trim = [](std::string text) {
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        return text;
    };
    const std::string token = trim(gatehouse_cli(db, {"scim-token", "create", "bench", "--quiet"}));
    const std::string fresh_token =
        trim(gatehouse_cli(db, {"scim-token", "create", "fresh", "--quiet"}));

    Prefilled filled;
    {
        auto store = store::open_store(db);
        if (!store) throw std::runtime_error("cannot open the store: " + store.error().message);
        std::optional<core::Org> org;
        (void)(*store)->read([&](store::Transaction& tx) -> Status {
            org = tx.org_by_slug("bench");
            return {};
        });
        const double started = now_ms();
        filled = prefill(**store, *org, members, teams, big_team);
        emit_scim(setting, "scim_prefill",
                  {{"seconds", (now_ms() - started) / 1000},
                   {"members", double(members)},
                   {"teams", double(teams)}});
    }

    GatewayFleet fleet(db, {"--base-url", "https://gatehouse.bench.test"}, setting.processes,
                       server_cpu);
    const std::vector<int> ports = fleet.ports();
    const auto headers = bearer(token);

    // POST /Users: new members, numbered after the prefilled ones.
    report(setting, "POST /Users",
           run_load(ports, requests, concurrency,
                    [&](httplib::Client& client, std::size_t i) {
                        return expect(client.Post(scim_path("bench", "Users"), headers,
                                                  new_user(members + i).dump(), kScimJson),
                                      201);
                    }),
           concurrency);

    std::mt19937 random(11);
    std::vector<std::size_t> picks(requests);
    for (auto& pick : picks) pick = random() % members;
    report(
        setting, "GET Users?filter=userName eq",
        run_load(ports, requests, concurrency,
                 [&](httplib::Client& client, std::size_t i) {
                     auto res = client.Get(scim_path("bench", "Users") +
                                               filter_query("userName", user_name(picks[i])),
                                           headers);
                     auto problem = expect(res, 200);
                     if (problem.empty() && json::parse(res->body).value("totalResults", 0) != 1) {
                         problem = "the filter did not find exactly one user";
                     }
                     return problem;
                 }),
        concurrency);

    // Distinct members, so each PATCH really deactivates someone.
    const json deactivate = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                             {"Operations", {{{"op", "replace"}, {"value", {{"active", false}}}}}}};
    report(setting, "PATCH Users active=false",
           run_load(ports, requests, concurrency,
                    [&](httplib::Client& client, std::size_t i) {
                        return expect(
                            client.Patch(
                                scim_path("bench", "Users/" + filled.member_ids[big_team + i]),
                                headers, deactivate.dump(), kScimJson),
                            200);
                    }),
           concurrency);

    report(
        setting, "PATCH Groups add member",
        run_load(ports, requests, concurrency,
                 [&](httplib::Client& client, std::size_t i) {
                     const json add = {
                         {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                         {"Operations",
                          {{{"op", "add"},
                            {"path", "members"},
                            {"value", {{{"value", filled.member_ids[(i * 7919) % members]}}}}}}}};
                     auto res = client.Patch(
                         scim_path("bench", "Groups/" + filled.team_ids[1 + i % (teams - 1)]),
                         headers, add.dump(), kScimJson);
                     if (res && res->status == 204) return std::string();
                     return expect(res, 200);
                 }),
        concurrency);

    {
        std::vector<std::unique_ptr<httplib::Client>> clients;
        for (const int port : ports)
            clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
        std::vector<double> times;
        std::size_t listed = 0;
        for (int run = 0; run < 3; ++run) {
            const double started = now_ms();
            httplib::Client& client = *clients[run % clients.size()];
            auto res = client.Get(scim_path("bench", "Groups/" + filled.team_ids[0]), headers);
            if (auto problem = expect(res, 200); !problem.empty())
                throw std::runtime_error(problem);
            times.push_back(now_ms() - started);
            listed = json::parse(res->body)["members"].size();
        }
        if (listed != big_team)
            throw std::runtime_error("the big group lists " + std::to_string(listed) + " members");
        emit_scim(setting, "scim_big_group", {{"ms", median(times)}, {"members", double(listed)}});
    }

    // Okta's initial push: for each user, look it up by userName, then create it; then for
    // each group, look it up by displayName, create it, and push its members in PATCHes of
    // 100 values.
    {
        const auto fresh = bearer(fresh_token);
        std::vector<std::string> ids(sync_users);
        const double started = now_ms();
        run_load(ports, sync_users, concurrency, [&](httplib::Client& client, std::size_t i) {
            auto found = client.Get(
                scim_path("fresh", "Users") + filter_query("userName", user_name(i)), fresh);
            if (auto problem = expect(found, 200); !problem.empty()) return problem;
            auto created =
                client.Post(scim_path("fresh", "Users"), fresh, new_user(i).dump(), kScimJson);
            if (auto problem = expect(created, 201); !problem.empty()) return problem;
            ids[i] = json::parse(created->body).at("id").get<std::string>();
            return std::string();
        });
        const std::size_t per_group = sync_users / std::max<std::size_t>(sync_groups, 1);
        run_load(ports, sync_groups, concurrency, [&](httplib::Client& client, std::size_t g) {
            const std::string name = "Sync Group " + std::to_string(g);
            auto found =
                client.Get(scim_path("fresh", "Groups") + filter_query("displayName", name), fresh);
            if (auto problem = expect(found, 200); !problem.empty()) return problem;
            const json group = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                {"displayName", name},
                                {"members", json::array()}};
            auto created =
                client.Post(scim_path("fresh", "Groups"), fresh, group.dump(), kScimJson);
            if (auto problem = expect(created, 201); !problem.empty()) return problem;
            const std::string id = json::parse(created->body).at("id");
            for (std::size_t from = 0; from < per_group; from += 100) {
                json values = json::array();
                for (std::size_t k = from; k < std::min(per_group, from + 100); ++k) {
                    values.push_back({{"value", ids[g * per_group + k]}});
                }
                const json add = {
                    {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                    {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", values}}}}};
                auto res =
                    client.Patch(scim_path("fresh", "Groups/" + id), fresh, add.dump(), kScimJson);
                if (!(res && res->status == 204)) {
                    if (auto problem = expect(res, 200); !problem.empty()) return problem;
                }
            }
            return std::string();
        });
        emit_scim(setting, "scim_sync",
                  {{"seconds", (now_ms() - started) / 1000},
                   {"users", double(sync_users)},
                   {"groups", double(sync_groups)}});
    }

    const long rss = fleet.peak_rss_kib();
    if (setting.store == StoreKind::sqlite) {
        check_durability(setting, db, fleet, token, members + requests);
    } else {
        // A PostgreSQL gateway keeps nothing of its own: a write is the database server's
        // once COMMIT returns, and killing a gateway process leaves that server untouched.
        // Whether the server keeps commits across its own crash is PostgreSQL's setting
        // (this bench's private server runs with fsync off), not Gatehouse's.
        const std::string reason =
            "The kill -9 check applies to SQLite only: a PostgreSQL gateway holds no data of "
            "its own, commits are the database server's";
        std::cerr << "scim_bench: durability check skipped. " << reason << "\n";
        emit_scim(setting, "scim_durability_skipped", {}, {{"reason", reason}});
    }
    // With several processes: the largest of them.
    emit_scim(setting, "scim_rss", {{"peak_rss_kib", double(rss)}, {"members", double(members)}});
    return 0;
} catch (const std::exception& e) {
    std::cerr << "scim_bench: FAILED: " << e.what() << "\n";
    return 1;
}
