// Local account passwords: the length policy and Argon2id hashing with libsodium's
// self-describing string form, so stored hashes carry their own parameters and can be upgraded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"

namespace gatehouse::util::password {

// Length bounds in bytes. Long enough that a guessed password is expensive, short enough
// that a request cannot make the server hash megabytes.
inline constexpr std::size_t kMinBytes = 12;
inline constexpr std::size_t kMaxBytes = 1024;

// Ok when `password` is kMinBytes..kMaxBytes long; otherwise "password.too_short" or
// "password.too_long". Pure, thread-safe.
Status check_length(std::string_view password);

// The Argon2id hash of `password` with libsodium's interactive limits (about 64 MiB and a
// fraction of a second), as a NUL-free ASCII string. Errors: those of check_length, and
// "password.hash_failed" when libsodium cannot allocate its memory. Thread-safe.
Result<std::string> hash(std::string_view password);

// True when `password` matches `stored_hash` (a string made by hash()). libsodium compares
// in constant time; a malformed or empty hash, or a password over kMaxBytes, is simply
// false. Takes as long as hashing, by design. Thread-safe.
bool verify(std::string_view stored_hash, std::string_view password);

// True when `stored_hash` was made with other parameters than hash() uses today (or is not
// a hash at all), so the caller should store a fresh hash after the next successful verify.
// Thread-safe.
bool needs_rehash(std::string_view stored_hash);

}  // namespace gatehouse::util::password
