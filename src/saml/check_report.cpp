#include "gatehouse/saml/check_report.hpp"

#include <cstddef>
#include <string_view>

namespace gatehouse::saml {
namespace {

// Checks run in stages, one after another, each only once the stages before it passed:
// base64 decoding and the size limit, then XML parsing, then the rest of validate_response,
// then the replay cache, then the attribute mapping. Inside the validation stage the checks
// do not run in the order of the table (status and Destination come before the signature),
// so a failure there says nothing about the other rules of that stage.
enum class Stage { decode, parse, validate, replay, map };

struct Rule {
    const char* title;
    std::vector<std::string_view> prefixes;
    Stage stage;
};

const std::vector<Rule>& rules() {
    static const std::vector<Rule> all = {
        {"encoding and size", {"saml.response.encoding", "xml.too_large"}, Stage::decode},
        {"XML parsed safely (no DTD, entities, PIs, xml:id, external references)",
         {"xml.", "saml.reference."},
         Stage::parse},
        {"shape: one Response, exactly one Assertion",
         {"saml.response.not_a_response", "saml.response.version", "saml.response.id_missing",
          "saml.response.unexpected_element", "saml.assertion.count", "saml.assertion.version",
          "saml.assertion.id_missing"},
         Stage::validate},
        {"IDs registered, none duplicated",
         {"saml.signature.duplicate_id", "saml.signature.no_id"},
         Stage::validate},
        {"signature structure and algorithms",
         {"saml.signature.missing", "saml.signature.multiple", "saml.signature.reference",
          "saml.signature.transform_not_allowed", "saml.signature.algorithm_not_allowed"},
         Stage::validate},
        {"signature verified with a configured certificate",
         {"saml.signature.invalid", "saml.keys."},
         Stage::validate},
        {"signed element is the one read", {"saml.assertion.unsigned"}, Stage::validate},
        {"encrypted assertion decrypted", {"saml.assertion.encrypted"}, Stage::validate},
        {"status, destination, issuer, subject, time window, audience",
         {"saml.response.status", "saml.response.destination", "saml.response.issuer",
          "saml.response.issue_instant", "saml.assertion."},
         Stage::validate},
        {"InResponseTo pending (or IdP-initiated allowed)",
         {"saml.response.unknown_request", "saml.response.unsolicited"},
         Stage::validate},
        {"not a replay", {"saml.replay"}, Stage::replay},
        {"attributes mapped", {"saml.attribute."}, Stage::map},
    };
    return all;
}

// The index of the rule `code` belongs to, or rules().size() when none claims it. The
// longest matching prefix wins: "saml.assertion.unsigned" is its own rule, not part of the
// catch-all "saml.assertion.".
std::size_t rule_of(std::string_view code) {
    std::size_t best = rules().size();
    std::size_t best_length = 0;
    for (std::size_t i = 0; i < rules().size(); ++i) {
        for (const auto prefix : rules()[i].prefixes) {
            if (code.substr(0, prefix.size()) == prefix && prefix.size() > best_length) {
                best = i;
                best_length = prefix.size();
            }
        }
    }
    return best;
}

}  // namespace

std::vector<CheckLine> check_report(const Error* failure) {
    using Outcome = CheckLine::Outcome;
    std::vector<CheckLine> lines;
    lines.reserve(rules().size() + 1);
    const std::size_t failed = failure ? rule_of(failure->code) : rules().size();
    const bool known = failed < rules().size();
    for (std::size_t i = 0; i < rules().size(); ++i) {
        CheckLine line;
        line.title = rules()[i].title;
        if (failure && i == failed) {
            line.outcome = Outcome::failed;
            line.code = failure->code;
            line.message = failure->message;
        } else if (!failure || (known && rules()[i].stage < rules()[failed].stage)) {
            line.outcome = Outcome::passed;
        } else {
            line.outcome = Outcome::not_run;
        }
        lines.push_back(std::move(line));
    }
    if (failure && failed == rules().size()) {
        lines.push_back(CheckLine{"other check", Outcome::failed, failure->code, failure->message});
    }
    return lines;
}

const char* outcome_label(CheckLine::Outcome outcome) {
    switch (outcome) {
        case CheckLine::Outcome::passed:
            return "passed";
        case CheckLine::Outcome::failed:
            return "failed";
        case CheckLine::Outcome::not_run:
            break;
    }
    return "not run";
}

}  // namespace gatehouse::saml
