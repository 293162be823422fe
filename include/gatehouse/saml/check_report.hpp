// The checks an administrator reads when a SAMLResponse is tested or explained: the
// validator's reason codes grouped into titled rules, each marked passed, failed or not run.
#pragma once

#include <string>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// One line of a check report.
struct CheckLine {
    enum class Outcome { passed, failed, not_run };
    std::string title;  // what the rule establishes, for example "not a replay"
    Outcome outcome = Outcome::not_run;
    std::string code;     // the reason code, on the failed line only
    std::string message;  // the validator's sentence, on the failed line only
};

// The report for one check of a SAMLResponse: validate_response, then the replay cache,
// then map_identity, stopping at the first failure.
// - `failure` null: every rule passed.
// - `failure` whose code belongs to a rule (longest matching reason-code prefix): that rule
//   failed. The checks run in stages (decoding, XML parsing, the rest of validation, replay,
//   mapping), so the rules of earlier stages passed. Inside the validation stage the checks
//   do not follow the order of the table, so its other rules are not_run (not established),
//   as is everything in later stages.
// - any other code (a store error, a refusal outside these checks): every rule not_run and a
//   final failed line titled "other check" carrying the code and message.
// Pure and thread-safe; `failure` is only read.
std::vector<CheckLine> check_report(const Error* failure);

// "passed", "failed" or "not run", as pages and commands print them.
const char* outcome_label(CheckLine::Outcome outcome);

}  // namespace gatehouse::saml
