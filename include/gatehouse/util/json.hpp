// Parsing JSON text that arrives from outside (request bodies, an OpenID provider's answers,
// token parts) so that the document parsed is exactly the text received.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::util {

// Parses `text` as one JSON document. Refused ("json.malformed", with a sentence saying why):
// - text that is not exactly one JSON document;
// - a NUL byte anywhere: JSON allows none outside an escape, and nlohmann stops reading at
//   the first one, so "[1]\0<anything>" would otherwise parse as [1] and what follows the
//   NUL would be read by nobody while another reader might see it;
// - an object naming one member twice (RFC 8259 §4 leaves the meaning to each reader):
//   nlohmann keeps the last, another reader may keep the first, so {"active":true,
//   "active":false} would mean different things to the sender's checks and to Gatehouse.
// Thread-safe.
Result<nlohmann::json> read_untrusted_json(std::string_view text);

// read_untrusted_json without the reason: a discarded value (is_discarded()) when refused.
inline nlohmann::json parse_untrusted_json(std::string_view text) {
    auto document = read_untrusted_json(text);
    if (!document) return nlohmann::json::value_t::discarded;
    return std::move(*document);
}

}  // namespace gatehouse::util
