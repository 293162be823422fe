#include "gatehouse/util/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::util {

void init_crypto() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

std::string random_bytes(std::size_t n) {
    init_crypto();
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

std::string random_token(std::size_t bytes) { return base64url_encode(random_bytes(bytes)); }

std::string random_uuid() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
    const std::string hex = hex_encode(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string random_xml_id() {
    // Appended rather than `"_" + …`: GCC 12 at -O3 takes that prepend for an overlapping
    // memcpy and warns (-Wrestrict, a false positive).
    std::string id = "_";
    id += hex_encode(random_bytes(20));
    return id;
}

std::string sha256(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string sha256_hex(std::string_view bytes) { return hex_encode(sha256(bytes)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gatehouse::util
