// Test sign-ins at the service level: SsoService::start_test_login, is_test_response,
// complete_test_login and accept_response against a real store, with Responses from the
// test IdP.
#include <doctest/doctest.h>

#include <algorithm>

#include "../store/store_fixture.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using gatehouse::testing::ResponseSpec;
using gatehouse::testing::shared_test_idp;
using Outcome = saml::CheckLine::Outcome;

namespace {

constexpr const char* kBaseUrl = "https://gatehouse.example.test";

std::shared_ptr<const saml::SpCredentials> sp_credentials() {
    static const auto sp = [] {
        util::SystemClock clock;
        auto generated = saml::generate_sp_credentials("test login SP", clock);
        REQUIRE(generated.ok());
        auto loaded =
            saml::SpCredentials::from_pem(generated->private_key_pem, generated->certificate_pem);
        REQUIRE(loaded.ok());
        return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
    }();
    return sp;
}

// The ID of the AuthnRequest carried by a Redirect-binding URL.
std::string request_id_of(const std::string& url) {
    const auto start = url.find("SAMLRequest=") + 12;
    const auto end = url.find('&', start);
    const auto encoded = util::url_decode(url.substr(start, end - start));
    REQUIRE(encoded.has_value());
    const auto deflated = util::base64_decode(*encoded);
    REQUIRE(deflated.has_value());
    auto xml = util::inflate_raw(*deflated, 1 << 20);
    REQUIRE(xml.ok());
    auto doc = saml::parse_untrusted_xml(*xml);
    REQUIRE(doc.ok());
    return saml::attribute(doc->root(), "ID").value_or("");
}

struct TestLoginFixture : testing::StoreFixture {
    util::FixedClock clock{util::SystemClock{}.now()};
    core::Org org = make_org("acme");
    saml::SpEndpoints endpoints = saml::sp_endpoints(kBaseUrl, "acme");
    service::SsoService sso{*db, clock, settings(), sp_credentials()};

    static service::SsoSettings settings() {
        service::SsoSettings settings;
        settings.base_url = kBaseUrl;
        return settings;
    }

    TestLoginFixture() {
        core::SamlProvider provider;
        provider.org_id = org.id;
        provider.idp_entity_id = shared_test_idp().entity_id();
        provider.sso_url = "https://idp.example.test/sso";
        provider.certificates = {shared_test_idp().identity().certificate_pem};
        provider.mapping = *saml::mapping_preset("generic");
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    }

    std::string start_test(const std::string& actor = "member:7") {
        auto started = sso.start_test_login(org, actor);
        REQUIRE(std::holds_alternative<std::string>(started));
        return request_id_of(std::get<std::string>(started));
    }

    std::string start_real() {
        auto started = sso.start_login(org, "/organizations/acme/");
        REQUIRE(std::holds_alternative<std::string>(started));
        return request_id_of(std::get<std::string>(started));
    }

    ResponseSpec spec_for(const std::string& request_id) const {
        const util::UnixTime now = clock.now();
        ResponseSpec spec;
        spec.response_id = "_r-" + util::random_token(8);
        spec.assertion_id = "_a-" + util::random_token(8);
        spec.response_issuer = shared_test_idp().entity_id();
        spec.assertion_issuer = shared_test_idp().entity_id();
        spec.destination = endpoints.acs_url;
        spec.recipient = endpoints.acs_url;
        spec.audience = endpoints.entity_id;
        spec.in_response_to = request_id;
        spec.name_id = "ada@example.com";
        spec.issue_instant = now;
        spec.not_before = now - 60;
        spec.not_on_or_after = now + 300;
        spec.subject_not_on_or_after = now + 300;
        spec.attributes = {{"email", {"ada@example.com"}},
                           {"firstName", {"Ada"}},
                           {"lastName", {"Lovelace"}},
                           {"groups", {"eng", "ops"}}};
        return spec;
    }

    static std::string signed_response(const ResponseSpec& spec,
                                       const testing::TestIdp& idp = shared_test_idp()) {
        return util::base64_encode(idp.sign(testing::build_response_xml(spec), spec.assertion_id));
    }

    std::string response_for(const std::string& request_id) const {
        return signed_response(spec_for(request_id));
    }

    std::int64_t member_count() {
        std::int64_t total = -1;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            total = tx.list_members(org.id, std::nullopt, {}).total;
            return {};
        }));
        return total;
    }

    core::Member member(const core::Member& m) {
        std::optional<core::Member> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_id(org.id, m.id);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action;
            for (auto& e : tx.list_audit(org.id, query).items) {
                if (e.action == action) entries.push_back(std::move(e));
            }
            return {};
        }));
        return entries;
    }
};

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
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()));
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
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()));
    CHECK(report.passed);
    CHECK(report.would_match == "create member (JIT)");
    CHECK(f.member_count() == 0);
}

TEST_CASE("a test sign-in leaves an invited member unlinked and without a session") {
    TestLoginFixture f;
    const auto invited = f.make_member(f.org.id, "ada");
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()));
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
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()));
    CHECK(report.would_match == "existing member ada@example.com");
}

TEST_CASE("a test sign-in reports the refusal a real sign-in would meet, checks still passed") {
    TestLoginFixture f;
    f.org.jit_provisioning = false;
    const auto report = f.sso.complete_test_login(f.org, f.response_for(f.start_test()));
    CHECK(report.passed);
    CHECK(report.would_match.find("(saml.member.not_provisioned)") != std::string::npos);
}

TEST_CASE("a test sign-in with the wrong audience reports that check failed and the rest not run") {
    TestLoginFixture f;
    auto spec = f.spec_for(f.start_test());
    spec.audience = "https://other-sp.example.test/";
    const auto report = f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec));
    check_failed_validation(report, kConditionsRule, "saml.assertion.audience_mismatch");
}

TEST_CASE("a test sign-in signed by another key reports the signature check failed") {
    TestLoginFixture f;
    const auto report = f.sso.complete_test_login(
        f.org,
        TestLoginFixture::signed_response(f.spec_for(f.start_test()), testing::other_test_idp()));
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
    const auto report = f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec));
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
    spec.attributes = {{"firstName", {"Ada"}}};
    const auto report = f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec));
    CHECK_FALSE(report.passed);
    CHECK(line_titled(report, "attributes mapped").outcome == Outcome::failed);
    CHECK(report.failure->code == "saml.attribute.email_missing");
    CHECK(count(report, Outcome::passed) == report.checks.size() - 1);
    CHECK(report.name_id == "00u123");
    CHECK(report.attributes.at("firstName") == std::vector<std::string>{"Ada"});
    CHECK_FALSE(report.identity.has_value());
    CHECK(report.would_match.empty());
}

TEST_CASE("complete_login refuses a Response to a test sign-in and signs nobody in") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    auto outcome = f.sso.complete_login(f.org, response, "");
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK(std::get<service::SsoFailure>(outcome).error.code == "saml.response.test_request");
    CHECK(f.member_count() == 0);
    // The refusal left the test request pending: the report can still be made.
    CHECK(f.sso.complete_test_login(f.org, response).passed);
}

TEST_CASE(
    "is_test_response recognises a Response to a pending test request and leaves it "
    "pending") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    CHECK(f.sso.is_test_response(f.org, response));
    CHECK(f.sso.is_test_response(f.org, response));
    CHECK(f.sso.complete_test_login(f.org, response).passed);
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
    const auto report = f.sso.complete_test_login(f.org, response);
    CHECK_FALSE(report.passed);
    CHECK(line_titled(report, "InResponseTo pending (or IdP-initiated allowed)").outcome ==
          Outcome::failed);
    CHECK(std::holds_alternative<service::SignIn>(f.sso.complete_login(f.org, response, "")));
}

TEST_CASE("a test request is consumed: the same Response cannot be reported twice") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test());
    REQUIRE(f.sso.complete_test_login(f.org, response).passed);
    const auto again = f.sso.complete_test_login(f.org, response);
    CHECK_FALSE(again.passed);
    CHECK(again.failure->code == "saml.response.unknown_request");
}

TEST_CASE("a tested assertion is remembered: reused under another test it is a replay") {
    TestLoginFixture f;
    auto first = f.spec_for(f.start_test());
    REQUIRE(f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(first)).passed);
    auto second = f.spec_for(f.start_test());
    second.assertion_id = first.assertion_id;
    const auto report = f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(second));
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
    REQUIRE(f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(tested)).passed);
    auto real = f.spec_for(f.start_real());
    real.assertion_id = tested.assertion_id;
    auto outcome = f.sso.complete_login(f.org, TestLoginFixture::signed_response(real), "");
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
    REQUIRE(f.sso.complete_test_login(f.org, f.response_for(request_id)).passed);
    auto spec = f.spec_for(f.start_test("cli"));
    spec.audience = "https://other-sp.example.test/";
    REQUIRE_FALSE(f.sso.complete_test_login(f.org, TestLoginFixture::signed_response(spec)).passed);
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
    auto outcome = f.sso.accept_response(f.org, f.response_for(f.start_real()), "");
    REQUIRE(std::holds_alternative<service::AcsResult>(outcome));
    const auto& accepted = std::get<service::AcsResult>(outcome);
    REQUIRE(std::holds_alternative<service::SignIn>(accepted));
    CHECK(std::get<service::SignIn>(accepted).member.email == "ada@example.com");
    CHECK(f.audit("saml.test").empty());
    CHECK(f.audit("saml.sign_in").size() == 1);
}

TEST_CASE("accept_response reports a test Response instead of refusing it as a sign-in") {
    TestLoginFixture f;
    auto outcome = f.sso.accept_response(f.org, f.response_for(f.start_test()), "");
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
    auto outcome = f.sso.accept_response(f.org, TestLoginFixture::signed_response(spec), "");
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
    auto outcome = f.sso.accept_response(f.org, "bm90IGEgcmVzcG9uc2U=", "");
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    CHECK_FALSE(std::get<service::SsoFailure>(outcome).reference.empty());
    const auto refusals = f.audit("saml.sign_in");
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0].outcome == "failure");
    CHECK(f.audit("saml.test").empty());
}
