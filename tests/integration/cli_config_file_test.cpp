// The TOML file --config (or GATEHOUSE_CONFIG) names: its keys are the long option names,
// the command line and the environment override it, and anything it cannot mean is refused.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::run_gatehouse;
using gatehouse::testing::ServerProcess;
using gatehouse::testing::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Writes `text` as the config file of `dir` and returns its path.
std::string write_config(const TempDir& dir, const std::string& text) {
    const std::string path = dir.file("gatehouse.toml");
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The orgs of the store at `db`, as `gatehouse org list` prints them.
std::string orgs_in(const std::string& db) {
    return run_gatehouse({"--db", db, "org", "list"}).out;
}

// Runs `gatehouse serve` with `config` and checks that it stops on the trusted proxy `proxy`
// the file lists, which shows the value was read.
void check_serve_refuses_proxy(const TempDir& dir, const std::string& config,
                               const std::string& proxy) {
    const auto served = run_gatehouse(
        {"--config", config, "--db", dir.file("gatehouse.db"), "serve", "--listen", "127.0.0.1:0"});
    CHECK(served.exit_code == 2);
    CHECK(contains(served.err, proxy));
}

}  // namespace

TEST_CASE("CLI reads the global db from the config file") {
    TempDir dir;
    const std::string db = dir.file("from-config.db");
    const std::string config = write_config(dir, "# the store\ndb = \"" + db + "\"\n");

    const auto created = run_gatehouse({"--config", config, "org", "create", "acme"});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(orgs_in(db), "acme"));
}

TEST_CASE("CLI reads the config file GATEHOUSE_CONFIG names") {
    TempDir dir;
    const std::string db = dir.file("from-config.db");
    const std::string config = write_config(dir, "db = \"" + db + "\"\n");

    const auto created =
        run_gatehouse({"org", "create", "acme"}, "", {{"GATEHOUSE_CONFIG", config}});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(orgs_in(db), "acme"));
}

TEST_CASE("CLI lets the command line override the config file") {
    TempDir dir;
    const std::string config = write_config(dir, "db = \"" + dir.file("file.db") + "\"\n");

    const auto created =
        run_gatehouse({"--config", config, "org", "create", "acme", "--db", dir.file("flag.db")});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(orgs_in(dir.file("flag.db")), "acme"));
    CHECK_FALSE(std::filesystem::exists(dir.file("file.db")));
}

TEST_CASE("CLI lets an option's environment variable override the config file") {
    TempDir dir;
    const std::string config = write_config(dir, "db = \"" + dir.file("file.db") + "\"\n");

    const auto created = run_gatehouse({"--config", config, "org", "create", "acme"}, "",
                                       {{"GATEHOUSE_DB", dir.file("env.db")}});

    CHECK_MESSAGE(created.exit_code == 0, created.err);
    CHECK(contains(orgs_in(dir.file("env.db")), "acme"));
    CHECK_FALSE(std::filesystem::exists(dir.file("file.db")));
}

TEST_CASE("serve reads its options from the config file's [serve] section, under the flags") {
    TempDir dir;
    // Port 1 is privileged: had the file's listen won over the --listen the test passes,
    // the server could not bind and would not start.
    const std::string config = write_config(dir,
                                            "[serve]\n"
                                            "base-url = \"http://config.test\"\n"
                                            "listen = \"127.0.0.1:1\"\n");

    ServerProcess server(dir.file("gatehouse.db"), {"--config", config});

    CHECK(contains(server.log(), R"("base_url":"http://config.test")"));
    CHECK(server.port() != 1);
}

TEST_CASE("serve reads every value of a list in the config file") {
    TempDir dir;
    const std::string config =
        write_config(dir, "[serve]\ntrusted-proxy = [\"10.0.0.0/8\", \"not-an-address\"]\n");

    check_serve_refuses_proxy(dir, config, "not-an-address");
}

TEST_CASE("CLI refuses a config key that names no option, saying which, and changes nothing") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    for (const std::string& text :
         {"db = \"" + db + "\"\nlisten = \"127.0.0.1:9\"\n",
          "db = \"" + db + "\"\n[serve]\nlisten-address = \"127.0.0.1:9\"\n",
          "db = \"" + db + "\"\n[nosuchcommand]\nx = 1\n"}) {
        CAPTURE(text);
        const std::string config = write_config(dir, text);

        const auto created = run_gatehouse({"--config", config, "org", "create", "acme"});

        CHECK(created.exit_code == 2);
        CHECK(contains(created.err, "the config file sets "));
        CHECK(contains(created.err, "which is not the long name of an option there"));
        CHECK_FALSE(std::filesystem::exists(db));
    }
}

TEST_CASE("CLI refuses a config file that sets a one-value key twice, on adjacent lines or not") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    for (const std::string& text :
         {"db = \"" + dir.file("a.db") + "\"\ndb = \"" + dir.file("b.db") + "\"\n",
          "db = \"" + db +
              "\"\n[serve]\nlisten = \"127.0.0.1:0\"\nbase-url = \"http://a.test\"\n"
              "listen = \"127.0.0.1:1\"\n",
          "db = [\"" + dir.file("a.db") + "\", \"" + dir.file("b.db") + "\"]\n"}) {
        CAPTURE(text);
        const std::string config = write_config(dir, text);

        const auto served = run_gatehouse({"--config", config, "serve"});

        CHECK(served.exit_code == 2);
        CHECK(contains(served.err, " twice, or to a list, where it takes one value"));
        CHECK_FALSE(std::filesystem::exists(dir.file("a.db")));
        CHECK_FALSE(std::filesystem::exists(dir.file("b.db")));
        CHECK_FALSE(std::filesystem::exists(db));
    }
}

TEST_CASE("serve reads a list key set on several lines of the config file as one list") {
    // CLI11 alone would keep the first line's values and drop the later ones.
    TempDir dir;
    const std::string config = write_config(dir,
                                            "[serve]\n"
                                            "trusted-proxy = \"10.0.0.0/8\"\n"
                                            "base-url = \"http://a.test\"\n"
                                            "trusted-proxy = \"not-an-address\"\n");

    check_serve_refuses_proxy(dir, config, "not-an-address");
}

TEST_CASE("CLI refuses a config file that names itself another config file") {
    TempDir dir;
    const std::string config = write_config(dir, "config = \"/etc/other.toml\"\n");

    const auto listed = run_gatehouse({"--config", config, "org", "list"});

    CHECK(listed.exit_code == 2);
    CHECK(contains(listed.err, "config"));
}

TEST_CASE("CLI refuses a missing config file, named by option or by environment") {
    TempDir dir;
    const std::string missing = dir.file("missing.toml");
    const std::string db = dir.file("gatehouse.db");

    const auto by_option = run_gatehouse({"--config", missing, "--db", db, "org", "list"});
    const auto by_environment =
        run_gatehouse({"--db", db, "org", "list"}, "", {{"GATEHOUSE_CONFIG", missing}});

    CHECK(by_option.exit_code == 2);
    CHECK(contains(by_option.err, missing));
    CHECK(by_environment.exit_code == 2);
    CHECK(contains(by_environment.err, missing));
    CHECK_FALSE(std::filesystem::exists(db));
}
