// `gatehouse auth set` and `auth show` for the settings the CLI exposes beside the admin API
// and the settings page: AES-GCM, the maximum IssueInstant age and the audit retention.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/saml_idp.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse::testing;
using nlohmann::json;

namespace {

// An org with the test IdP configured, on a store in a temporary folder.
struct CliOrg {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");

    CliOrg() {
        std::ofstream(dir.file("idp.crt")) << shared_test_idp().identity().certificate_pem;
        REQUIRE(run({"org", "create", "acme"}).exit_code == 0);
        auto configured = run({"saml", "configure", "acme", "--entity-id", "https://idp.test",
                               "--sso-url", "https://idp.test/sso", "--cert", dir.file("idp.crt")});
        REQUIRE_MESSAGE(configured.exit_code == 0, configured.err);
    }

    CommandResult run(std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", db});
        return run_gatehouse(args);
    }

    json show() {
        auto shown = run({"auth", "show", "--org", "acme"});
        REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
        return json::parse(shown.out);
    }
};

}  // namespace

TEST_CASE("auth set changes AES-GCM, the maximum IssueInstant age and the audit retention") {
    CliOrg org;
    const json before = org.show();
    CHECK(before["saml"]["require_aes_gcm"] == false);
    CHECK(before["saml"]["max_issue_age_seconds"] == 300);
    CHECK(before["audit_retention_days"] == 400);
    auto set = org.run({"auth", "set", "--org", "acme", "--require-aes-gcm", "on",
                        "--max-issue-age", "120", "--audit-retention-days", "30"});
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    const json after = org.show();
    CHECK(after["saml"]["require_aes_gcm"] == true);
    CHECK(after["saml"]["max_issue_age_seconds"] == 120);
    CHECK(after["audit_retention_days"] == 30);
}

TEST_CASE("auth set refuses a maximum IssueInstant age or retention out of range as misuse") {
    CliOrg org;
    const std::vector<std::vector<std::string>> refused = {
        {"--max-issue-age", "29"},
        {"--max-issue-age", "86401"},
        {"--audit-retention-days", "0"},
        {"--audit-retention-days", "3651"},
    };
    for (const auto& flags : refused) {
        std::vector<std::string> args = {"auth", "set", "--org", "acme"};
        args.insert(args.end(), flags.begin(), flags.end());
        auto result = org.run(args);
        CAPTURE(flags[0]);
        CHECK(result.exit_code == 2);
        const bool clear = result.err.find("30 to 86400 seconds") != std::string::npos ||
                           result.err.find("1 to 3650 days") != std::string::npos;
        CHECK_MESSAGE(clear, result.err);
    }
    CHECK(org.run({"auth", "set", "--org", "acme", "--require-aes-gcm", "maybe"}).exit_code == 2);
    const json after = org.show();
    CHECK(after["saml"]["max_issue_age_seconds"] == 300);
    CHECK(after["audit_retention_days"] == 400);
}
