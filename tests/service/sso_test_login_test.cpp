// Test sign-ins at the service level: SsoService::start_test_login, is_test_response,
// complete_test_login and accept_response against a real store, with Responses from the
// test IdP.
#include <doctest/doctest.h>

#include <algorithm>

#include "sso_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::TestLoginFixture;
using Outcome = saml::CheckLine::Outcome;

namespace {

const saml::CheckLine& line_titled(const service::TestReport& report, const std::string& title) {
    const auto found = std::find_if(report.checks.begin(), report.checks.end(),
                                    [&](const auto& line) { return line.title == title; });
    REQUIRE_MESSAGE(found != report.checks.end(), title);
    return *found;
}

std::size_t count(const service::TestReport& report, Outcome outcome) {
    return static_cast<std::size_t>(
        std::count_if(report.checks.begin(), report.checks.end(),
                      [&](const auto& line) { return line.outcome == outcome; }));
}

// A failed report: exactly one failed line, under `title` with `code`; decoding and parsing
// passed; the other checks not run; no unverified content reported.
void check_failed_validation(const service::TestReport& report, const std::string& title,
                             const std::string& code) {
    CHECK_FALSE(report.passed);
    REQUIRE(report.failure.has_value());
    CHECK(report.failure->code == code);
    const auto& failed = line_titled(report, title);
    CHECK(failed.outcome == Outcome::failed);
    CHECK(failed.code == code);
    CHECK(count(report, Outcome::failed) == 1);
    CHECK(count(report, Outcome::passed) == 2);
    CHECK(count(report, Outcome::not_run) == report.checks.size() - 3);
    CHECK_FALSE(report.identity.has_value());
    CHECK(report.name_id.empty());
    CHECK(report.attributes.empty());
}

const char* const kConditionsRule = "status, destination, issuer, subject, time window, audience";

}  // namespace

TEST_CASE("a test sign-in reports every check passed, the NameID, attributes and mapped identity") {
    TestLoginFixture f;
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()), f.browser);
    CHECK(report.passed);
    CHECK_FALSE(report.failure.has_value());
    CHECK(count(report, Outcome::passed) == report.checks.size());
    CHECK(report.name_id == "ada@example.com");
    CHECK(report.attributes.at("groups") == std::vector<std::string>{"eng", "ops"});
    CHECK(report.attributes.at("firstName") == std::vector<std::string>{"Ada"});
    REQUIRE(report.identity.has_value());
    CHECK(report.identity->user_id == "ada@example.com");
    CHECK(report.identity->email == "ada@example.com");
    CHECK(report.identity->first_name == "Ada");
    CHECK(report.identity->last_name == "Lovelace");
    CHECK(report.identity->groups == std::vector<std::string>{"eng", "ops"});
}

TEST_CASE("a test sign-in creates no member and says just-in-time creation would") {
    TestLoginFixture f;
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()), f.browser);
    CHECK(report.passed);
    CHECK(report.would_match == "create member (JIT)");
    CHECK(f.member_count() == 0);
}

TEST_CASE("a test sign-in leaves an invited member unlinked and without a session") {
    TestLoginFixture f;
    const auto invited = f.make_member(f.org.id, "ada");
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()), f.browser);
    CHECK(report.passed);
    CHECK(report.would_match == "link invited member ada@example.com");
    const auto after = f.member(invited);
    CHECK(after.state == core::MemberState::invited);
    CHECK(after.saml_subject.empty());
    CHECK_FALSE(after.last_sign_in_at.has_value());
    CHECK(after.version == invited.version);
    std::int64_t sessions = -1;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        sessions = tx.delete_member_sessions(f.org.id, invited.id);
        return {};
    }));
    CHECK(sessions == 0);
    CHECK(f.member_count() == 1);
}

TEST_CASE("a test sign-in names the member already linked to the subject") {
    TestLoginFixture f;
    auto linked = f.make_member(f.org.id, "ada");
    linked.saml_subject = "ada@example.com";
    linked.state = core::MemberState::active;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto updated = tx.update_member(linked);
        return updated ? Status{} : Status{updated.error()};
    }));
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()), f.browser);
    CHECK(report.would_match == "existing member ada@example.com");
}

TEST_CASE("a test sign-in reports the refusal a real sign-in would meet, checks still passed") {
    TestLoginFixture f;
    f.org.jit_provisioning = false;
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()), f.browser);
    CHECK(report.passed);
    CHECK(report.would_match.find("(saml.member.not_provisioned)") != std::string::npos);
}

TEST_CASE("a test sign-in with the wrong audience reports that check failed and the rest not run") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    spec.audience = "https://other-sp.example.test/";
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), f.browser);
    check_failed_validation(report, kConditionsRule, "saml.assertion.audience_mismatch");
}

TEST_CASE("a test sign-in signed by another key reports the signature check failed") {
    TestLoginFixture f;
    const auto report = f.sso.complete_test_login(
        f.org,
        TestLoginFixture::signed_response(f.spec_for(f.start_test()), testing::other_test_idp()),
        f.browser);
    REQUIRE(report.failure.has_value());
    check_failed_validation(report, "signature verified with a configured certificate",
                            report.failure->code);
    CHECK(report.failure->code.rfind("saml.signature.invalid", 0) == 0);
}

TEST_CASE("a test sign-in with an expired assertion reports the time window failed") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    // Beyond the default clock skew of 180 s.
    spec.issue_instant = f.clock.now() - 900;
    spec.not_before = f.clock.now() - 960;
    spec.not_on_or_after = f.clock.now() - 400;
    spec.subject_not_on_or_after = f.clock.now() - 400;
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), f.browser);
    REQUIRE(report.failure.has_value());
    check_failed_validation(report, kConditionsRule, report.failure->code);
    CHECK((report.failure->code == "saml.assertion.expired" ||
           report.failure->code == "saml.assertion.subject_expired"));
}

TEST_CASE(
    "a test sign-in whose attributes cannot be mapped reports them with the mapping "
    "failed") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    spec.name_id = "00u123";
    spec.attributes = {{"email", {"not an address"}}, {"firstName", {"Ada"}}};
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), f.browser);
    CHECK_FALSE(report.passed);
    CHECK(line_titled(report, "attributes mapped").outcome == Outcome::failed);
    CHECK(report.failure->code == "saml.attribute.email_invalid");
    CHECK(count(report, Outcome::passed) == report.checks.size() - 1);
    CHECK(report.name_id == "00u123");
    CHECK(report.attributes.at("firstName") == std::vector<std::string>{"Ada"});
    CHECK_FALSE(report.identity.has_value());
    CHECK(report.would_match.empty());
}

TEST_CASE("a test sign-in without any email passes and says creating the member would be refused") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    spec.name_id = "00u123";
    spec.attributes = {{"firstName", {"Ada"}}};
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), f.browser);
    CHECK(report.passed);
    REQUIRE(report.identity.has_value());
    CHECK(report.identity->email.empty());
    CHECK(report.identity->sources.first_name == "firstName");
    CHECK(report.would_match.find("saml.member.email_missing") != std::string::npos);
    CHECK(report.would_match.find("attributes present: firstName") != std::string::npos);
}

TEST_CASE("complete_login refuses a Response to a test sign-in and signs nobody in") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    auto outcome = f.sso.complete_login(f.org, response, "", f.browser);
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK(std::get<service::SsoFailure>(outcome).error.code == "saml.response.test_request");
    CHECK(f.member_count() == 0);
    // The refusal left the test request pending: the report can still be made.
    CHECK(f.sso.complete_test_login(f.org, response, f.browser).passed);
}

TEST_CASE(
    "is_test_response recognises a Response to a pending test request and leaves it "
    "pending") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    CHECK(f.sso.is_test_response(f.org, response));
    CHECK(f.sso.is_test_response(f.org, response));
    CHECK(f.sso.complete_test_login(f.org, response, f.browser).passed);
    CHECK_FALSE(f.sso.is_test_response(f.org, response));
}

TEST_CASE("is_test_response is false for a normal sign-in, an unsolicited Response and garbage") {
    TestLoginFixture f;
    CHECK_FALSE(f.sso.is_test_response(f.org, f.response_for(f.start_real())));
    CHECK_FALSE(f.sso.is_test_response(f.org, f.response_for("")));
    CHECK_FALSE(f.sso.is_test_response(f.org, "not base64!"));
    CHECK_FALSE(f.sso.is_test_response(f.org, util::base64_encode("<unclosed")));
}

TEST_CASE("complete_test_login refuses a Response to a normal sign-in and leaves it usable") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_real());
    const auto report = f.sso.complete_test_login(f.org, response, f.browser);
    CHECK_FALSE(report.passed);
    CHECK(line_titled(report, "InResponseTo pending (or IdP-initiated allowed)").outcome ==
          Outcome::failed);
    CHECK(std::holds_alternative<service::SignIn>(
        f.sso.complete_login(f.org, response, "", f.browser)));
}

TEST_CASE("a test request is consumed: the same Response cannot be reported twice") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    REQUIRE(f.sso.complete_test_login(f.org, response, f.browser).passed);
    const auto again = f.sso.complete_test_login(f.org, response, f.browser);
    CHECK_FALSE(again.passed);
    CHECK(again.failure->code == "saml.response.unknown_request");
}

TEST_CASE("a tested assertion is remembered: reused under another test it is a replay") {
    TestLoginFixture f;
    auto first = f.spec_for(f.start_test());
    REQUIRE(f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(first), f.browser)
                .passed);
    auto second = f.spec_for(f.start_test());
    second.assertion_id = first.assertion_id;
    const auto report =
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(second), f.browser);
    CHECK_FALSE(report.passed);
    const auto& replay = line_titled(report, "not a replay");
    CHECK(replay.outcome == Outcome::failed);
    CHECK(replay.code == "saml.replay");
    CHECK(line_titled(report, "signature verified with a configured certificate").outcome ==
          Outcome::passed);
    CHECK(line_titled(report, "attributes mapped").outcome == Outcome::not_run);
}

TEST_CASE("a tested assertion cannot sign anybody in afterwards") {
    TestLoginFixture f;
    auto tested = f.spec_for(f.start_test());
    REQUIRE(f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(tested), f.browser)
                .passed);
    auto real = f.spec_for(f.start_real());
    real.assertion_id = tested.assertion_id;
    auto outcome =
        f.sso.complete_login(f.org, TestLoginFixture::signed_response(real), "", f.browser);
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK(std::get<service::SsoFailure>(outcome).error.code == "saml.replay");
}

TEST_CASE("test sign-ins are audited with the actor who started them") {
    TestLoginFixture f;
    const auto request_id = f.start_test("member:7");
    const auto started = f.audit("saml.test.start");
    REQUIRE(started.size() == 1);
    CHECK(started[0].actor == "member:7");
    CHECK(started[0].outcome == "success");
    REQUIRE(f.sso.complete_test_login(f.org, f.response_for(request_id), f.browser).passed);
    auto spec = f.spec_for(f.start_test("cli"));
    spec.audience = "https://other-sp.example.test/";
    REQUIRE_FALSE(
        f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec), f.browser)
            .passed);
    auto reported = f.audit("saml.test");
    REQUIRE(reported.size() == 2);
    std::sort(reported.begin(), reported.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    CHECK(reported[0].actor == "member:7");
    CHECK(reported[0].outcome == "success");
    CHECK(reported[0].target == "ada@example.com");
    CHECK(reported[1].actor == "cli");
    CHECK(reported[1].outcome == "failure");
    CHECK(reported[1].reason_code == "saml.assertion.audience_mismatch");
}

TEST_CASE("start_test_login fails when the org has no IdP configured") {
    TestLoginFixture f;
    const auto other = f.make_org("globex");
    auto started = f.sso.start_test_login(other, "cli");
    REQUIRE(std::holds_alternative<service::SsoFailure>(started));
    CHECK(std::get<service::SsoFailure>(started).error.code == "saml.not_configured");
}

TEST_CASE("accept_response signs in a normal Response and audits no test") {
    TestLoginFixture f;
    auto outcome = f.sso.accept_response(f.org, f.response_for(f.start_real()), "", f.browser);
    REQUIRE(std::holds_alternative<service::AcsResult>(outcome));
    const auto& accepted = std::get<service::AcsResult>(outcome);
    REQUIRE(std::holds_alternative<service::SignIn>(accepted));
    CHECK(std::get<service::SignIn>(accepted).member.email == "ada@example.com");
    CHECK(f.audit("saml.test").empty());
    CHECK(f.audit("saml.sign_in").size() == 1);
}

TEST_CASE("accept_response reports a test Response instead of refusing it as a sign-in") {
    TestLoginFixture f;
    auto outcome = f.sso.accept_response(f.org, f.response_for(f.start_test()), "", f.browser);
    REQUIRE(std::holds_alternative<service::AcsResult>(outcome));
    const auto& accepted = std::get<service::AcsResult>(outcome);
    REQUIRE(std::holds_alternative<service::TestReport>(accepted));
    CHECK(std::get<service::TestReport>(accepted).passed);
    CHECK(f.member_count() == 0);
    CHECK(f.audit("saml.sign_in").empty());
    CHECK(f.audit("saml.test").size() == 1);
}

TEST_CASE("accept_response reports a failing test Response once, as a test") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    spec.audience = "https://someone-else.example.test/";
    auto outcome =
        f.sso.accept_response(f.org, TestLoginFixture::signed_response(spec), "", f.browser);
    REQUIRE(std::holds_alternative<service::AcsResult>(outcome));
    const auto& accepted = std::get<service::AcsResult>(outcome);
    REQUIRE(std::holds_alternative<service::TestReport>(accepted));
    const auto& report = std::get<service::TestReport>(accepted);
    CHECK_FALSE(report.passed);
    CHECK(report.failure->code == "saml.assertion.audience_mismatch");
    CHECK(f.audit("saml.sign_in").empty());
    const auto tests = f.audit("saml.test");
    REQUIRE(tests.size() == 1);
    CHECK(tests[0].outcome == "failure");
}

TEST_CASE("accept_response refuses what answers no test, and audits it as a sign-in") {
    TestLoginFixture f;
    auto outcome = f.sso.accept_response(f.org, "bm90IGEgcmVzcG9uc2U=", "", f.browser);
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK_FALSE(std::get<service::SsoFailure>(outcome).reference.empty());
    const auto refusals = f.audit("saml.sign_in");
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0].outcome == "failure");
    CHECK(f.audit("saml.test").empty());
}
