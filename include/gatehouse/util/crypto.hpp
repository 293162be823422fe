// Small cryptographic primitives: secure random tokens, SHA-256, constant-time
// comparison and Argon2id password hashing (libsodium). Safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::util {

// Makes libsodium ready. Idempotent and thread-safe; every function below calls it.
void init_crypto();

// `n` bytes from the operating system's CSPRNG.
std::string random_bytes(std::size_t n);

// A URL-safe random token carrying `bytes` bytes of entropy (base64url).
std::string random_token(std::size_t bytes = 32);

// A random RFC 4122 version-4 UUID in its lowercase textual form.
std::string random_uuid();

// A SAML-safe identifier (an NCName: starts with a letter or underscore).
std::string random_xml_id();

// Raw 32-byte SHA-256 digest, and its lowercase hex form.
std::string sha256(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gatehouse::util
