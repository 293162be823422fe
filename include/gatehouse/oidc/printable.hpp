// Renders text from a remote party (a provider's error, a token's issuer) safely inside an
// administrator-facing message or a log line.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse::oidc {

// `text` with every byte outside printable ASCII (0x20-0x7e) replaced by '?', cut to
// `max_length` bytes (and "..." appended when cut).
inline std::string printable(std::string_view text, std::size_t max_length = 200) {
    std::string out;
    for (const char c : text.substr(0, max_length)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > max_length) out += "...";
    return out;
}

}  // namespace gatehouse::oidc
