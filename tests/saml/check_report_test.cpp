#include "gatehouse/saml/check_report.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace gatehouse;
using Outcome = saml::CheckLine::Outcome;

namespace {

constexpr std::size_t kRules = 12;

std::size_t count(const std::vector<saml::CheckLine>& lines, Outcome outcome) {
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const auto& line) { return line.outcome == outcome; }));
}

// The index of the line with this title; fails the test when there is none.
std::size_t line_titled(const std::vector<saml::CheckLine>& lines, const std::string& title) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].title == title) return i;
    }
    FAIL("no line titled " << title);
    return lines.size();
}

}  // namespace

TEST_CASE("check_report marks every rule passed when nothing failed") {
    const auto lines = saml::check_report(nullptr);
    REQUIRE(lines.size() == kRules);
    CHECK(count(lines, Outcome::passed) == kRules);
    CHECK(lines.front().title == "encoding and size");
    CHECK(lines.back().title == "attributes mapped");
    for (const auto& line : lines) CHECK(line.code.empty());
}

TEST_CASE(
    "check_report names the failed validation rule with its code and leaves the rest of "
    "validation not run") {
    const Error error = fail("saml.signature.invalid", "The signature does not verify.");
    const auto lines = saml::check_report(&error);
    REQUIRE(lines.size() == kRules);
    const auto failed = line_titled(lines, "signature verified with a configured certificate");
    CHECK(lines[failed].outcome == Outcome::failed);
    CHECK(lines[failed].code == "saml.signature.invalid");
    CHECK(lines[failed].message == "The signature does not verify.");
    CHECK(count(lines, Outcome::failed) == 1);
    CHECK(count(lines, Outcome::not_run) == kRules - 3);
    CHECK(lines[line_titled(lines, "not a replay")].outcome == Outcome::not_run);
}

TEST_CASE("check_report marks decoding and parsing passed once validation went past them") {
    const Error error = fail("saml.assertion.audience_mismatch", "Wrong audience.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[line_titled(lines, "encoding and size")].outcome == Outcome::passed);
    CHECK(
        lines[line_titled(lines,
                          "XML parsed safely (no DTD, entities, PIs, xml:id, external references)")]
            .outcome == Outcome::passed);
    CHECK(count(lines, Outcome::passed) == 2);
}

TEST_CASE("check_report does not claim other validation rules passed, whatever their place") {
    // Status is checked before the signature, so a status failure establishes nothing about
    // the signature rules listed above it.
    const Error error = fail("saml.response.status", "The IdP did not report success.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[line_titled(lines, "signature structure and algorithms")].outcome ==
          Outcome::not_run);
    CHECK(lines[line_titled(lines, "shape: one Response, exactly one Assertion")].outcome ==
          Outcome::not_run);
    CHECK(lines[line_titled(lines, "status, destination, issuer, subject, time window, audience")]
              .outcome == Outcome::failed);
}

TEST_CASE("check_report marks only the encoding passed when the XML is refused") {
    const Error error = fail("xml.dtd", "The message has a DOCTYPE.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[0].outcome == Outcome::passed);
    CHECK(lines[1].outcome == Outcome::failed);
    CHECK(count(lines, Outcome::not_run) == kRules - 2);
}

TEST_CASE("check_report files an oversized message under encoding and size, nothing passed") {
    const Error error = fail("xml.too_large", "The message is larger than 1 MiB.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[line_titled(lines, "encoding and size")].outcome == Outcome::failed);
    CHECK(count(lines, Outcome::not_run) == kRules - 1);
}

TEST_CASE("check_report files a code under its longest matching prefix") {
    const Error error = fail("saml.assertion.unsigned", "Only the Response is signed.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[line_titled(lines, "signed element is the one read")].outcome == Outcome::failed);
    CHECK(lines[line_titled(lines, "status, destination, issuer, subject, time window, audience")]
              .outcome == Outcome::not_run);
}

TEST_CASE("check_report files an external reference with the safe parsing of the XML") {
    const Error error = fail("saml.reference.external", "The message carries a CipherReference.");
    const auto lines = saml::check_report(&error);
    CHECK(lines[1].outcome == Outcome::failed);
    CHECK(lines[1].code == "saml.reference.external");
}

TEST_CASE("check_report files the new shape and time codes under their rules") {
    const auto rule_of = [](const std::string& code) {
        const Error error = fail(code, "Refused.");
        const auto lines = saml::check_report(&error);
        for (const auto& line : lines) {
            if (line.outcome == Outcome::failed) return line.title;
        }
        return std::string("none");
    };
    const std::string shape = "shape: one Response, exactly one Assertion";
    const std::string checks = "status, destination, issuer, subject, time window, audience";
    CHECK(rule_of("saml.response.id_missing") == shape);
    CHECK(rule_of("saml.response.unexpected_element") == shape);
    CHECK(rule_of("saml.assertion.id_missing") == shape);
    CHECK(rule_of("saml.response.issue_instant") == checks);
    CHECK(rule_of("saml.assertion.issue_instant") == checks);
    CHECK(rule_of("saml.assertion.subject_ambiguous") == checks);
    CHECK(rule_of("saml.assertion.encrypted_cbc") == "encrypted assertion decrypted");
}

TEST_CASE("check_report marks every rule above a replay passed and the mapping not run") {
    const Error error = fail("saml.replay", "The assertion _a was already used.");
    const auto lines = saml::check_report(&error);
    const auto replay = line_titled(lines, "not a replay");
    CHECK(lines[replay].outcome == Outcome::failed);
    for (std::size_t i = 0; i < replay; ++i) CHECK(lines[i].outcome == Outcome::passed);
    CHECK(lines[line_titled(lines, "attributes mapped")].outcome == Outcome::not_run);
}

TEST_CASE("check_report marks every rule above a mapping failure passed") {
    const Error error = fail("saml.attribute.email_missing", "No email attribute.");
    const auto lines = saml::check_report(&error);
    REQUIRE(lines.size() == kRules);
    CHECK(lines.back().outcome == Outcome::failed);
    CHECK(lines.back().code == "saml.attribute.email_missing");
    CHECK(count(lines, Outcome::passed) == kRules - 1);
}

TEST_CASE("check_report adds a final failed line for a code no rule claims") {
    const Error error = fail("store.failure", "The database failed.");
    const auto lines = saml::check_report(&error);
    REQUIRE(lines.size() == kRules + 1);
    CHECK(count(lines, Outcome::not_run) == kRules);
    CHECK(lines.back().outcome == Outcome::failed);
    CHECK(lines.back().code == "store.failure");
    CHECK(lines.back().message == "The database failed.");
}

TEST_CASE("outcome_label spells each outcome as pages print it") {
    CHECK(std::string(saml::outcome_label(Outcome::passed)) == "passed");
    CHECK(std::string(saml::outcome_label(Outcome::failed)) == "failed");
    CHECK(std::string(saml::outcome_label(Outcome::not_run)) == "not run");
}
