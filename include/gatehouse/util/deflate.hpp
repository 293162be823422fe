// Raw DEFLATE (RFC 1951), as the SAML HTTP-Redirect binding uses it, with a hard cap on
// inflated size so a small message cannot expand into gigabytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::util {

// Compresses with raw DEFLATE (no zlib or gzip header).
std::string deflate_raw(std::string_view bytes);

// Inflates raw DEFLATE. Fails with "deflate.too_large" as soon as the output would
// exceed `max_output` bytes, and with "deflate.invalid" on corrupt or truncated input.
Result<std::string> inflate_raw(std::string_view bytes, std::size_t max_output);

}  // namespace gatehouse::util
