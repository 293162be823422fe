#include "gatehouse/saml/keys.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>

#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/util/encoding.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

constexpr util::UnixTime kNow = 1795423500;  // 2026-11-23T08:45:00Z

GeneratedCredentials fresh_credentials(std::string_view cn = "sp.example.test") {
    util::FixedClock clock(kNow);
    auto generated = generate_sp_credentials(cn, clock, 30);
    REQUIRE(generated.ok());
    return *generated;
}

SpCredentials loaded(const GeneratedCredentials& generated) {
    auto credentials =
        SpCredentials::from_pem(generated.private_key_pem, generated.certificate_pem);
    REQUIRE(credentials.ok());
    return *credentials;
}

}  // namespace

TEST_CASE("generate_sp_credentials makes a key and certificate that load together") {
    const auto generated = fresh_credentials("sp.example.test");
    CHECK(generated.private_key_pem.find("-----BEGIN PRIVATE KEY-----") == 0);
    const auto credentials = loaded(generated);
    CHECK(credentials.certificate().subject() == "CN=sp.example.test");
}

TEST_CASE("generated certificates are valid from the clock's time for the given days") {
    const auto certificate = loaded(fresh_credentials()).certificate();
    CHECK(certificate.not_before() == kNow);
    CHECK(certificate.not_after() == kNow + 30 * 86400);
}

TEST_CASE(
    "an RSA-SHA256 signature by the SP key verifies against its certificate only for the signed "
    "bytes") {
    const auto generated = fresh_credentials();
    const auto signature = loaded(generated).sign_rsa_sha256("SAMLRequest=abc&SigAlg=x");
    REQUIRE(signature.ok());
    const auto keys = TrustedKeys::from_certificates({generated.certificate_pem});
    REQUIRE(keys.ok());
    CHECK(keys->verify_detached("SAMLRequest=abc&SigAlg=x", *signature, alg::rsa_sha256, {}).ok());
    CHECK_FALSE(
        keys->verify_detached("SAMLRequest=abd&SigAlg=x", *signature, alg::rsa_sha256, {}).ok());
}

TEST_CASE("SpCredentials refuses a certificate that belongs to another key") {
    const auto first = fresh_credentials();
    const auto second = fresh_credentials();
    const auto credentials = SpCredentials::from_pem(first.private_key_pem, second.certificate_pem);
    REQUIRE_FALSE(credentials.ok());
    CHECK(credentials.error().code == "saml.key.mismatch");
}

TEST_CASE("SpCredentials refuses a private key that is not PEM") {
    const auto generated = fresh_credentials();
    const auto credentials = SpCredentials::from_pem("not a key", generated.certificate_pem);
    REQUIRE_FALSE(credentials.ok());
    CHECK(credentials.error().code == "saml.key.invalid");
}

TEST_CASE("SpCredentials refuses a private key that is not RSA") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* pem = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &pem);
    const auto credentials = SpCredentials::from_pem(
        std::string(pem, static_cast<std::size_t>(length)), fresh_credentials().certificate_pem);
    REQUIRE_FALSE(credentials.ok());
    CHECK(credentials.error().code == "saml.key.invalid");
}

TEST_CASE("SpCredentials refuses a certificate that is not a certificate") {
    const auto credentials =
        SpCredentials::from_pem(fresh_credentials().private_key_pem, "-----BEGIN CERTIFICATE-----");
    REQUIRE_FALSE(credentials.ok());
    CHECK(credentials.error().code == "saml.certificate.invalid");
}

TEST_CASE("SpCredentials::from_files names the file it cannot read") {
    const auto credentials =
        SpCredentials::from_files("/nonexistent/sp.key", "/nonexistent/sp.crt");
    REQUIRE_FALSE(credentials.ok());
    CHECK(credentials.error().code == "saml.key.unreadable");
    CHECK(credentials.error().message.find("/nonexistent/sp.key") != std::string::npos);
}

TEST_CASE("SpPrivateKey loads a key alone and checks a certificate against it") {
    const auto generated = fresh_credentials();
    const auto key = SpPrivateKey::from_pem(generated.private_key_pem);
    REQUIRE(key.ok());
    CHECK(key->native() != nullptr);
    CHECK(key->check_certificate(generated.certificate_pem).ok());
    const auto other = key->check_certificate(fresh_credentials().certificate_pem);
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == "saml.key.mismatch");
    const auto garbage = key->check_certificate("-----BEGIN CERTIFICATE-----");
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.error().code == "saml.certificate.invalid");
}

TEST_CASE("SpPrivateKey refuses what is not an RSA private key and names an unreadable file") {
    CHECK(SpPrivateKey::from_pem("not a key").error().code == "saml.key.invalid");
    CHECK(SpPrivateKey::from_pem(fresh_credentials().certificate_pem).error().code ==
          "saml.key.invalid");
    const auto missing = SpPrivateKey::from_file("/nonexistent/sp.key");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "saml.key.unreadable");
    CHECK(missing.error().message.find("/nonexistent/sp.key") != std::string::npos);
}

TEST_CASE("Certificate::parse reads bare base64 DER with line breaks as the same certificate") {
    const auto pem = Certificate::parse(fresh_credentials().certificate_pem);
    REQUIRE(pem.ok());
    std::string wrapped = pem->der_base64();
    wrapped.insert(64, "\n  ");
    const auto der = Certificate::parse(wrapped);
    REQUIRE(der.ok());
    CHECK(der->der() == pem->der());
    CHECK(Certificate::parse(der->pem())->der() == pem->der());
}

TEST_CASE("Certificate::parse refuses garbage, empty input and trailing bytes after the DER") {
    CHECK(Certificate::parse("").error().code == "saml.certificate.invalid");
    CHECK(Certificate::parse("bm90IGEgY2VydA==").error().code == "saml.certificate.invalid");
    const auto certificate = Certificate::parse(fresh_credentials().certificate_pem);
    REQUIRE(certificate.ok());
    CHECK_FALSE(Certificate::parse(util::base64_encode(certificate->der() + "x")).ok());
}

TEST_CASE("Certificate::parse refuses a certificate whose key algorithm OpenSSL does not know") {
    // As a fuzzer found in IdP metadata: one byte of the rsaEncryption OID changed leaves a
    // certificate that parses but carries no key any signature could be verified with.
    const auto certificate = Certificate::parse(fresh_credentials().certificate_pem);
    REQUIRE(certificate.ok());
    std::string der = certificate->der();
    const std::string rsa_encryption("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 11);
    const auto at = der.find(rsa_encryption);
    REQUIRE(at != std::string::npos);
    der[at + rsa_encryption.size() - 1] = '\x7f';
    const auto damaged = Certificate::parse(util::base64_encode(der));
    REQUIRE_FALSE(damaged.ok());
    CHECK(damaged.error().code == "saml.certificate.invalid");
    CHECK_FALSE(describe_certificate(util::base64_encode(der)).ok());
}

TEST_CASE("Certificate::parse refuses an Ed25519 certificate: SAML signatures use RSA or EC") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
    REQUIRE(key);
    std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), &X509_free);
    X509_set_version(x509.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509.get()), 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x509.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("idp.example.test"), -1, -1,
                               0);
    X509_set_issuer_name(x509.get(), X509_get_subject_name(x509.get()));
    X509_set_pubkey(x509.get(), key.get());
    REQUIRE(X509_sign(x509.get(), key.get(), nullptr) > 0);
    unsigned char* der = nullptr;
    const int length = i2d_X509(x509.get(), &der);
    REQUIRE(length > 0);
    const std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    const auto parsed = Certificate::parse(util::base64_encode(bytes));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == "saml.certificate.invalid");
}

TEST_CASE("the SHA-256 fingerprint is colon-separated uppercase hex of the DER bytes") {
    const auto certificate = Certificate::parse(fresh_credentials().certificate_pem);
    REQUIRE(certificate.ok());
    const std::string fingerprint = certificate->sha256_fingerprint();
    CHECK(fingerprint.size() == 32 * 3 - 1);
    for (std::size_t i = 0; i < fingerprint.size(); ++i) {
        if (i % 3 == 2) {
            CHECK(fingerprint[i] == ':');
        } else {
            CHECK(std::string("0123456789ABCDEF").find(fingerprint[i]) != std::string::npos);
        }
    }
}
