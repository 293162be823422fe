#include "gatehouse/util/password.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <string>

#include "gatehouse/util/crypto.hpp"

namespace password = gatehouse::util::password;

namespace {

const std::string kGood = "correct horse battery";

// A valid Argon2id hash made with cheaper parameters than hash() uses.
std::string weak_hash(const std::string& secret) {
    gatehouse::util::init_crypto();
    char out[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str_alg(out, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_MIN,
                                  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) == 0);
    return out;
}

}  // namespace

TEST_CASE("password hash is an Argon2id string that verifies the password and nothing else") {
    auto hashed = password::hash(kGood);
    REQUIRE(hashed.ok());
    CHECK(hashed->rfind("$argon2id$", 0) == 0);
    CHECK(password::verify(*hashed, kGood));
    CHECK_FALSE(password::verify(*hashed, kGood + "!"));
    CHECK_FALSE(password::verify(*hashed, ""));
}

TEST_CASE("password hash salts each hash, so equal passwords give different strings") {
    CHECK(*password::hash(kGood) != *password::hash(kGood));
}

TEST_CASE("password hash refuses fewer than 12 bytes with password.too_short") {
    CHECK(password::hash(std::string(12, 'a')).ok());
    auto short_one = password::hash(std::string(11, 'a'));
    REQUIRE_FALSE(short_one.ok());
    CHECK(short_one.error().code == "password.too_short");
}

TEST_CASE("password hash refuses more than 1024 bytes with password.too_long") {
    CHECK(password::check_length(std::string(1024, 'a')).ok());
    auto long_one = password::hash(std::string(1025, 'a'));
    REQUIRE_FALSE(long_one.ok());
    CHECK(long_one.error().code == "password.too_long");
}

TEST_CASE("password verify is false for an empty, malformed or foreign hash") {
    CHECK_FALSE(password::verify("", kGood));
    CHECK_FALSE(password::verify("not a hash", kGood));
    CHECK_FALSE(password::verify(std::string("$argon2id$\0x", 12), kGood));
    CHECK_FALSE(password::verify(std::string(200, '$'), kGood));
}

TEST_CASE("password verify is false for a password over the length limit without hashing it") {
    gatehouse::util::init_crypto();
    const std::string huge(1025, 'a');
    char out[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str_alg(out, huge.data(), huge.size(), crypto_pwhash_OPSLIMIT_MIN,
                                  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) == 0);
    CHECK_FALSE(password::verify(out, huge));
}

TEST_CASE("password needs_rehash is false for a current hash and true for weaker or foreign ones") {
    CHECK_FALSE(password::needs_rehash(*password::hash(kGood)));
    const std::string weak = weak_hash(kGood);
    CHECK(password::verify(weak, kGood));
    CHECK(password::needs_rehash(weak));
    CHECK(password::needs_rehash(""));
    CHECK(password::needs_rehash("$2b$10$abcdefghijklmnopqrstuv"));
}
