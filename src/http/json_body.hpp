// Reading JSON request bodies with a nesting limit. nlohmann's DOM and every walk over it (copy,
// dump, comparison, the SCIM mapping) recurse once per level, so a 1 MiB body of '[' would run a
// worker thread out of stack; the depth is checked in one pass over the bytes, before nlohmann
// sees them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::http {

// Deeper than any SCIM or admin API body has reason to be (a SCIM PATCH that sets an enterprise
// manager nests six levels), and far below what recursion on a worker's stack can bear.
inline constexpr std::size_t kMaxJsonDepth = 32;

inline constexpr const char* kJsonTooDeep = "request.json_too_deep";
inline constexpr const char* kMalformedJson = "request.malformed_json";

// How deeply arrays and objects nest in `text` (0 for a scalar, 1 for "[]"), read without
// parsing: brackets inside strings (escapes included) do not count. Stops at the first bracket
// that passes `limit` and returns limit + 1, so a long run of '[' costs limit + 1 bytes. For
// text that is not JSON the count means nothing, but every text nlohmann accepts is counted
// exactly. Thread-safe.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);

// Parses a request body as JSON. Errors: kJsonTooDeep when arrays and objects nest deeper than
// `max_depth` (found before any parsing), kMalformedJson when the text is not JSON; both with a
// sentence the client can act on. Thread-safe.
Result<nlohmann::json> parse_json_body(std::string_view text,
                                       std::size_t max_depth = kMaxJsonDepth);

}  // namespace gatehouse::http
