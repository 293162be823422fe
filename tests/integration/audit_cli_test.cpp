// `gatehouse admin-key` and `gatehouse audit`, run as an operator would.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::run_gatehouse;
using gatehouse::testing::TempDir;

namespace {

struct Cli {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    gatehouse::testing::CommandResult operator()(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", db});
        return run_gatehouse(args);
    }
};

std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        REQUIRE_MESSAGE(!parsed.is_discarded(), line);
        lines.push_back(parsed);
    }
    return lines;
}

}  // namespace

TEST_CASE("admin-key create prints a gha_ key once; list shows it without the secret") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    auto created = cli({"admin-key", "create", "acme", "--description", "deploy", "--quiet"});
    REQUIRE(created.exit_code == 0);
    CHECK(created.out.rfind("gha_", 0) == 0);
    auto listed = cli({"admin-key", "list", "acme"});
    CHECK(listed.out.find("active") != std::string::npos);
    CHECK(listed.out.find("deploy") != std::string::npos);
    CHECK(listed.out.find("gha_") == std::string::npos);
    CHECK(cli({"admin-key", "revoke", "acme", "1"}).exit_code == 0);
    CHECK(cli({"admin-key", "list", "acme"}).out.find("revoked") != std::string::npos);
    CHECK(cli({"admin-key", "revoke", "acme", "1"}).exit_code == 1);
    CHECK(cli({"admin-key", "create", "nope"}).exit_code == 1);
}

TEST_CASE("audit prints one JSON object per line, newest first, with filters") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    REQUIRE(cli({"scim-token", "create", "acme"}).exit_code == 0);
    REQUIRE(cli({"admin-key", "create", "acme"}).exit_code == 0);
    auto all = cli({"audit", "acme"});
    REQUIRE(all.exit_code == 0);
    const auto lines = json_lines(all.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["action"] == "admin_key.create");
    CHECK(lines[2]["action"] == "org.create");
    CHECK(lines[0]["actor"] == "cli");
    CHECK(lines[0]["org"] == "acme");
    CHECK(lines[0]["details"].is_object());

    const auto scim = json_lines(cli({"audit", "acme", "--action", "scim."}).out);
    REQUIRE(scim.size() == 1);
    CHECK(scim[0]["action"] == "scim.token.create");
    CHECK(json_lines(cli({"audit", "acme", "--limit", "1"}).out).size() == 1);
    CHECK(json_lines(cli({"audit", "acme", "--outcome", "failure"}).out).empty());
    CHECK(json_lines(cli({"audit", "acme", "--until", "2000-01-01T00:00:00Z"}).out).empty());
}

TEST_CASE("audit refuses bad times, bad outcomes and unknown orgs") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    CHECK(cli({"audit", "acme", "--since", "yesterday"}).exit_code == 2);
    CHECK(cli({"audit", "acme", "--outcome", "maybe"}).exit_code == 2);
    auto unknown = cli({"audit", "nope"});
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.err.find("nope") != std::string::npos);
}
