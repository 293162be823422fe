// The administration commands of the gatehouse binary, run as a user would.
#include <doctest/doctest.h>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::run_gatehouse;
using gatehouse::testing::TempDir;

namespace {

struct Cli {
    TempDir dir;
    std::string db = dir.file("var/gatehouse.db");
    gatehouse::testing::CommandResult operator()(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", db});
        return run_gatehouse(args);
    }
};

}  // namespace

TEST_CASE("org create makes an org with an owner and org list shows it") {
    Cli cli;
    auto created =
        cli({"org", "create", "acme", "--name", "Acme Inc", "--owner-email", "ada@acme.test"});
    CHECK(created.exit_code == 0);
    CHECK(created.out.find("acme") != std::string::npos);
    CHECK(created.out.find("ada@acme.test") != std::string::npos);
    auto listed = cli({"org", "list"});
    CHECK(listed.exit_code == 0);
    CHECK(listed.out.find("acme\tAcme Inc") != std::string::npos);
}

TEST_CASE("org create refuses a taken slug with exit code 1 and a clear message") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    auto again = cli({"org", "create", "acme"});
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("already exists") != std::string::npos);
}

TEST_CASE("bad arguments get a clear message and exit code 2") {
    Cli cli;
    auto bad_slug = cli({"org", "create", "Not A Slug"});
    CHECK(bad_slug.exit_code == 2);
    CHECK(bad_slug.err.find("slug") != std::string::npos);
    auto bad_email = cli({"org", "create", "acme", "--owner-email", "not-an-email"});
    CHECK(bad_email.exit_code == 2);
    CHECK(cli({"org", "create"}).exit_code == 2);
    CHECK(cli({"frobnicate"}).exit_code == 2);
    CHECK(cli({"scim-token", "revoke", "acme", "not-a-number"}).exit_code == 2);
}

TEST_CASE("--help explains each command") {
    Cli cli;
    auto help = cli({"--help"});
    CHECK(help.exit_code == 0);
    for (const char* command : {"serve", "org", "scim-token"}) {
        CHECK(help.out.find(command) != std::string::npos);
    }
    auto token_help = cli({"scim-token", "--help"});
    CHECK(token_help.out.find("revoke") != std::string::npos);
}

TEST_CASE("scim-token create prints the token once and the store keeps only its hash") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    auto created = cli({"scim-token", "create", "acme", "--quiet"});
    REQUIRE(created.exit_code == 0);
    const std::string token = created.out.substr(0, created.out.find('\n'));
    CHECK(token.rfind("ghs_", 0) == 0);
    CHECK(token.size() > 40);
    auto listed = cli({"scim-token", "list", "acme"});
    CHECK(listed.out.find(token) == std::string::npos);
    CHECK(listed.out.find("active") != std::string::npos);
    // The secret never reaches the database file in the clear.
    for (const char* file : {"var/gatehouse.db", "var/gatehouse.db-wal"}) {
        FILE* f = std::fopen(cli.dir.file(file).c_str(), "rb");
        if (!f) continue;
        std::string bytes;
        char buffer[4096];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.append(buffer, n);
        std::fclose(f);
        CHECK(bytes.find(token) == std::string::npos);
    }
}

TEST_CASE("scim-token revoke ends a token and refuses an unknown one") {
    Cli cli;
    REQUIRE(cli({"org", "create", "acme"}).exit_code == 0);
    REQUIRE(cli({"scim-token", "create", "acme"}).exit_code == 0);
    CHECK(cli({"scim-token", "revoke", "acme", "1"}).exit_code == 0);
    CHECK(cli({"scim-token", "list", "acme"}).out.find("revoked") != std::string::npos);
    auto again = cli({"scim-token", "revoke", "acme", "1"});
    CHECK(again.exit_code == 1);
    CHECK(cli({"scim-token", "create", "nope"}).err.find("No organization") != std::string::npos);
}
