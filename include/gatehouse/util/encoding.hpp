// Byte encodings used across protocols: base64 (standard and URL-safe), hex, URL
// percent-encoding and application/x-www-form-urlencoded bodies.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::util {

// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);

// Decodes standard base64. ASCII white space (as IdPs wrap long lines) is skipped;
// any other character outside the alphabet, or bad padding, yields nullopt.
std::optional<std::string> base64_decode(std::string_view text);

// URL-safe base64 without padding (RFC 4648 §5), for tokens and cookies.
std::string base64url_encode(std::string_view bytes);

// Decodes URL-safe base64 without padding, strictly, as JOSE requires (RFC 7515 §2): only
// the characters A-Z a-z 0-9 '-' '_', no '=' padding, no white space, a length that is not
// 1 more than a multiple of 4, and zero unused bits in the last character (so that each
// byte string has exactly one accepted encoding). Anything else yields nullopt.
std::optional<std::string> base64url_decode(std::string_view text);

// Lowercase hexadecimal.
std::string hex_encode(std::string_view bytes);

// Percent-encodes everything except RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

// Decodes %XX escapes and, when `plus_is_space`, '+' as a space. Malformed escapes
// yield nullopt.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space = true);

// Parses an application/x-www-form-urlencoded body. A repeated key keeps its first
// value. Returns nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

}  // namespace gatehouse::util
