// Parsing JSON text that arrives from outside (request bodies, an OpenID provider's answers,
// token parts) so that the document parsed is exactly the text received.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace gatehouse::util {

// Parses `text` as one JSON document; returns a discarded value (is_discarded()) when it is
// not one. A NUL byte anywhere is refused: JSON allows none outside an escape, and nlohmann
// stops reading at the first one, so "[1]\0<anything>" would otherwise parse as [1], and
// what follows the NUL would be read by nobody while another reader might see it.
// Thread-safe.
inline nlohmann::json parse_untrusted_json(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return nlohmann::json::value_t::discarded;
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace gatehouse::util
