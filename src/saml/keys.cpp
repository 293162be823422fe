#include "gatehouse/saml/keys.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <ctime>
#include <fstream>
#include <sstream>

#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BignumFree {
    void operator()(BIGNUM* n) const { BN_free(n); }
};
struct Asn1IntegerFree {
    void operator()(ASN1_INTEGER* i) const { ASN1_INTEGER_free(i); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Bignum = std::unique_ptr<BIGNUM, BignumFree>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Asn1IntegerFree>;

std::shared_ptr<X509> own(X509* x) { return std::shared_ptr<X509>(x, X509_free); }
std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }

// A read-only memory BIO over `bytes`; BIO_new_mem_buf does not copy, so `bytes` must
// outlive the BIO.
Bio read_bio(std::string_view bytes) {
    return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// OpenSSL keeps a per-thread error queue; leaving entries behind would make a later,
// unrelated call report a stale error.
Error openssl_failure(std::string code, std::string message) {
    ERR_clear_error();
    return fail(std::move(code), std::move(message));
}

// Without a callback OpenSSL would prompt on the terminal for an encrypted key's
// passphrase; Gatehouse only supports unencrypted keys, so refuse at once.
int no_passphrase(char*, int, int, void*) { return -1; }

util::UnixTime to_unix(const ASN1_TIME* time) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) return 0;
    return static_cast<util::UnixTime>(timegm(&tm));
}

Result<std::string> read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream contents;
    if (in) contents << in.rdbuf();
    if (!in || in.bad()) {
        return fail("saml.key.unreadable", "Could not read " + file.string() + ".");
    }
    return contents.str();
}

}  // namespace

Result<Certificate> Certificate::parse(std::string_view text) {
    X509* x509 = nullptr;
    if (text.find("-----BEGIN") != std::string_view::npos) {
        Bio bio = read_bio(text);
        if (bio) x509 = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr);
    } else if (const auto der = util::base64_decode(text); der && !der->empty()) {
        const auto* cursor = reinterpret_cast<const unsigned char*>(der->data());
        x509 = d2i_X509(nullptr, &cursor, static_cast<long>(der->size()));
        // Trailing bytes after the certificate mean the input was not one certificate.
        if (x509 && cursor != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
            X509_free(x509);
            x509 = nullptr;
        }
    }
    if (!x509) {
        return openssl_failure("saml.certificate.invalid",
                               "The certificate is not a PEM or base64 DER X.509 certificate.");
    }
    auto certificate = own(x509);
    // A certificate whose key OpenSSL cannot load (an unknown algorithm, a damaged key) would
    // be stored and shown to the admin, then fail every signature check: refuse it here.
    const EVP_PKEY* key = X509_get0_pubkey(certificate.get());
    if (key == nullptr ||
        (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)) {
        return openssl_failure("saml.certificate.invalid",
                               "The certificate does not carry an RSA or EC public key, the only "
                               "kinds SAML signatures are verified with.");
    }
    return Certificate(std::move(certificate));
}

std::string Certificate::der() const {
    unsigned char* der = nullptr;
    const int length = i2d_X509(x509_.get(), &der);
    if (length <= 0) return {};
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return out;
}

std::string Certificate::der_base64() const { return util::base64_encode(der()); }

std::string Certificate::pem() const {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), x509_.get()) != 1) return {};
    return drain(bio.get());
}

std::string Certificate::subject() const {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) return {};
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(x509_.get()), 0, XN_FLAG_RFC2253);
    return drain(bio.get());
}

std::string Certificate::sha256_fingerprint() const {
    const std::string hex = util::hex_encode(util::sha256(der()));
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i) out += ':';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
    }
    return out;
}

util::UnixTime Certificate::not_before() const { return to_unix(X509_get0_notBefore(x509_.get())); }

util::UnixTime Certificate::not_after() const { return to_unix(X509_get0_notAfter(x509_.get())); }

Result<SpPrivateKey> SpPrivateKey::from_pem(std::string_view private_key_pem) {
    Bio bio = read_bio(private_key_pem);
    EVP_PKEY* raw_key =
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
    if (!raw_key) {
        return openssl_failure("saml.key.invalid",
                               "The SP private key is not an unencrypted PEM private key.");
    }
    auto key = own(raw_key);
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        return fail("saml.key.invalid", "The SP private key must be an RSA key.");
    }
    return SpPrivateKey(std::move(key));
}

Result<SpPrivateKey> SpPrivateKey::from_file(const std::filesystem::path& private_key_file) {
    auto pem = read_file(private_key_file);
    if (!pem) return pem.error();
    return from_pem(*pem);
}

Status SpPrivateKey::check_certificate(std::string_view certificate_pem) const {
    auto certificate = Certificate::parse(certificate_pem);
    if (!certificate) return certificate.error();
    if (X509_check_private_key(certificate->native(), key_.get()) != 1) {
        return openssl_failure("saml.key.mismatch",
                               "The SP certificate does not belong to the SP private key.");
    }
    return {};
}

Result<SpCredentials> SpCredentials::from_pem(std::string_view private_key_pem,
                                              std::string_view certificate_pem) {
    auto key = SpPrivateKey::from_pem(private_key_pem);
    if (!key) return key.error();
    if (auto matches = key->check_certificate(certificate_pem); !matches) return matches.error();
    auto certificate = Certificate::parse(certificate_pem);
    if (!certificate) return certificate.error();
    return SpCredentials(std::move(key->key_), std::move(*certificate));
}

Result<SpCredentials> SpCredentials::from_files(const std::filesystem::path& private_key_file,
                                                const std::filesystem::path& certificate_file) {
    auto key = read_file(private_key_file);
    if (!key) return key.error();
    auto certificate = read_file(certificate_file);
    if (!certificate) return certificate.error();
    return from_pem(*key, *certificate);
}

Result<std::string> SpCredentials::sign_rsa_sha256(std::string_view bytes) const {
    MdCtx ctx(EVP_MD_CTX_new());
    std::size_t length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, data, bytes.size()) != 1) {
        return openssl_failure("saml.key.sign_failed", "Signing with the SP key failed.");
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                       bytes.size()) != 1) {
        return openssl_failure("saml.key.sign_failed", "Signing with the SP key failed.");
    }
    signature.resize(length);
    return signature;
}

Result<GeneratedCredentials> generate_sp_credentials(std::string_view common_name,
                                                     const util::Clock& clock, int valid_days) {
    const auto failed = [] {
        return openssl_failure("saml.key.generate_failed",
                               "Could not generate the SP key and certificate.");
    };
    EVP_PKEY* raw_key = EVP_RSA_gen(2048);
    if (!raw_key) return failed();
    auto key = own(raw_key);
    auto certificate = own(X509_new());
    if (!certificate) return failed();

    // A random positive 127-bit serial, as RFC 5280 §4.1.2.2 asks serials to be unique.
    std::string serial_bytes = util::random_bytes(16);
    serial_bytes[0] = static_cast<char>(serial_bytes[0] & 0x7F);
    Bignum serial_number(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()),
                                   static_cast<int>(serial_bytes.size()), nullptr));
    Asn1Integer serial(serial_number ? BN_to_ASN1_INTEGER(serial_number.get(), nullptr) : nullptr);

    const std::time_t now = static_cast<std::time_t>(clock.now());
    X509_NAME* name = X509_get_subject_name(certificate.get());
    const std::string cn(common_name);
    if (!serial || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(certificate.get(), serial.get()) != 1 ||
        !ASN1_TIME_set(X509_getm_notBefore(certificate.get()), now) ||
        !ASN1_TIME_adj(X509_getm_notAfter(certificate.get()), now, valid_days, 0) ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(certificate.get(), name) != 1 ||
        X509_set_pubkey(certificate.get(), key.get()) != 1 ||
        X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) {
        return failed();
    }

    Bio key_pem(BIO_new(BIO_s_mem()));
    Bio certificate_pem(BIO_new(BIO_s_mem()));
    if (!key_pem || !certificate_pem ||
        PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1 ||
        PEM_write_bio_X509(certificate_pem.get(), certificate.get()) != 1) {
        return failed();
    }
    return GeneratedCredentials{drain(key_pem.get()), drain(certificate_pem.get())};
}

}  // namespace gatehouse::saml
