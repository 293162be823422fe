#include "gatehouse/util/password.hpp"

#include <sodium.h>

#include <optional>

#include "gatehouse/util/crypto.hpp"

namespace gatehouse::util::password {
namespace {

// libsodium reads the hash as a C string of at most crypto_pwhash_STRBYTES bytes.
std::optional<std::string> as_c_string(std::string_view stored_hash) {
    if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES ||
        stored_hash.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(stored_hash);
}

}  // namespace

Status check_length(std::string_view password) {
    if (password.size() < kMinBytes) {
        return fail("password.too_short",
                    "A password needs at least " + std::to_string(kMinBytes) + " characters.");
    }
    if (password.size() > kMaxBytes) {
        return fail("password.too_long",
                    "A password may have at most " + std::to_string(kMaxBytes) + " bytes.");
    }
    return {};
}

Result<std::string> hash(std::string_view password) {
    if (auto s = check_length(password); !s) return s.error();
    init_crypto();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(
            out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return fail("password.hash_failed", "The password could not be hashed (out of memory).");
    }
    return std::string(out);
}

bool verify(std::string_view stored_hash, std::string_view password) {
    if (password.size() > kMaxBytes) return false;
    const auto c_hash = as_c_string(stored_hash);
    if (!c_hash) return false;
    init_crypto();
    return crypto_pwhash_str_verify(c_hash->c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view stored_hash) {
    const auto c_hash = as_c_string(stored_hash);
    if (!c_hash) return true;
    init_crypto();
    // 1 means other parameters, -1 a string of another algorithm: both call for a new hash.
    return crypto_pwhash_str_needs_rehash(c_hash->c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace gatehouse::util::password
