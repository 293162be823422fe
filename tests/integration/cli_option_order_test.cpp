// Where the global options may stand on a `gatehouse` command line: before the command,
// after it, and after a nested command, as people copy them from the README and cron lines.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::run_gatehouse;
using gatehouse::testing::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("CLI reads the global --db given before the command") {
    TempDir dir;
    const std::string db = dir.file("before.db");

    const auto created = run_gatehouse({"--db", db, "org", "create", "acme"});
    const auto listed = run_gatehouse({"--db", db, "org", "list"});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(std::filesystem::exists(db));
    CHECK(contains(listed.out, "acme"));
}

TEST_CASE("CLI reads the global --db given after a top-level command") {
    TempDir dir;
    const std::string db = dir.file("after.db");
    REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);

    const auto audit = run_gatehouse({"audit", "acme", "--db", db});

    CHECK_MESSAGE(audit.exit_code == 0, audit.err);
    CHECK(contains(audit.out, "org.create"));
}

TEST_CASE("CLI reads the global --db given after a nested command and its arguments") {
    TempDir dir;
    const std::string db = dir.file("nested.db");

    const auto created = run_gatehouse({"org", "create", "acme", "--db", db, "--name", "Acme"});
    const auto token = run_gatehouse({"scim-token", "create", "acme", "--quiet", "--db", db});
    const auto listed = run_gatehouse({"org", "list", "--db", db});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK_MESSAGE(token.exit_code == 0, token.err);
    CHECK(token.out.rfind("ghs_", 0) == 0);
    CHECK(contains(listed.out, "acme\tAcme"));
    CHECK_FALSE(std::filesystem::exists(dir.file("var/gatehouse.db")));
}

TEST_CASE("CLI reads the global --db given between a command and its subcommand") {
    TempDir dir;
    const std::string db = dir.file("between.db");

    const auto created = run_gatehouse({"org", "--db", db, "create", "acme"});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(run_gatehouse({"--db", db, "org", "list"}).out, "acme"));
}

TEST_CASE("CLI takes the global --db from its environment variable when no option names it") {
    TempDir dir;
    const std::string db = dir.file("env.db");

    const auto created = run_gatehouse({"org", "create", "acme"}, "", {{"GATEHOUSE_DB", db}});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(run_gatehouse({"org", "list", "--db", db}).out, "acme"));
}

TEST_CASE("CLI refuses an unknown option after a nested command with exit code 2") {
    TempDir dir;
    const std::string db = dir.file("unknown.db");

    const auto refused = run_gatehouse({"org", "list", "--db", db, "--frobnicate"});

    CHECK(refused.exit_code == 2);
    CHECK(
        contains(refused.err, "gatehouse: The following argument was not expected: --frobnicate"));
    CHECK(contains(refused.err, "Run 'gatehouse --help' for usage."));
    CHECK(refused.out.empty());
}

TEST_CASE("CLI refuses an unknown option before the command with exit code 2") {
    const auto refused = run_gatehouse({"--frobnicate", "org", "list"});

    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "--frobnicate"));
    CHECK(contains(refused.err, "Run 'gatehouse --help' for usage."));
}

TEST_CASE("CLI refuses an option of another command with exit code 2") {
    TempDir dir;
    const std::string db = dir.file("other.db");

    // --listen belongs to serve: neither org create nor the top level takes it.
    const auto refused =
        run_gatehouse({"--db", db, "org", "create", "acme", "--listen", "127.0.0.1:0"});

    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "not expected"));
    CHECK(contains(refused.err, "--listen"));
    CHECK_FALSE(std::filesystem::exists(db));
}

TEST_CASE("CLI refuses an extra argument after a command's own with exit code 2") {
    TempDir dir;
    const std::string db = dir.file("extra.db");

    const auto refused = run_gatehouse({"--db", db, "org", "create", "acme", "surplus"});

    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "surplus"));
    CHECK_FALSE(std::filesystem::exists(db));
}
