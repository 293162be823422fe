// X.509 certificates and the SP's own signing credentials: parsing, describing, signing
// (verification against IdP keys lives in signature.hpp) and generating a new key pair.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

// An immutable, parsed X.509 certificate. Copies share one OpenSSL object, which is only
// read after parsing, so a Certificate may be shared freely across threads.
class Certificate {
  public:
    // Parses a PEM certificate ("-----BEGIN CERTIFICATE-----") or bare base64 DER, as IdP
    // metadata carries it (white space allowed). Fails with "saml.certificate.invalid" when
    // it is not one, or when its public key is not an RSA or EC key OpenSSL can load.
    static Result<Certificate> parse(std::string_view pem_or_base64_der);

    // DER bytes, their base64 (no line breaks; the form ds:X509Certificate holds) and PEM.
    std::string der() const;
    std::string der_base64() const;
    std::string pem() const;

    // Subject in RFC 2253 form ("CN=idp.example.com,O=Example").
    std::string subject() const;

    // SHA-256 over the DER bytes in "AA:BB:…" form, as IdP admin consoles show it.
    std::string sha256_fingerprint() const;

    util::UnixTime not_before() const;
    util::UnixTime not_after() const;

    // The underlying object for C APIs (xmlsec); owned by this Certificate.
    X509* native() const { return x509_.get(); }

  private:
    explicit Certificate(std::shared_ptr<X509> x509) : x509_(std::move(x509)) {}
    std::shared_ptr<X509> x509_;
};

// The SP's RSA private key alone: all that decrypting an EncryptedAssertion needs (the
// certificate only tells the IdP which key to encrypt to). Immutable after loading.
class SpPrivateKey {
  public:
    // Loads an unencrypted PEM private key. Fails with "saml.key.invalid" when it is not one,
    // or not RSA.
    static Result<SpPrivateKey> from_pem(std::string_view private_key_pem);

    // Reads the PEM file, then as from_pem. Fails with "saml.key.unreadable" naming the file.
    static Result<SpPrivateKey> from_file(const std::filesystem::path& private_key_file);

    // Succeeds when `certificate_pem` is the certificate of this key. Fails with
    // "saml.certificate.invalid", or "saml.key.mismatch" when it belongs to another key.
    Status check_certificate(std::string_view certificate_pem) const;

    // The key for C APIs that decrypt; owned by this object.
    EVP_PKEY* native() const { return key_.get(); }

  private:
    explicit SpPrivateKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
    friend class SpCredentials;
    std::shared_ptr<EVP_PKEY> key_;
};

// The SP's RSA private key and matching certificate. Immutable after loading; signing
// uses a fresh OpenSSL context per call, so one SpCredentials may serve every thread.
class SpCredentials {
  public:
    // Loads from PEM text. Fails with "saml.key.invalid" (key not PEM, or not RSA),
    // "saml.certificate.invalid", or "saml.key.mismatch" when the certificate is not the
    // key's.
    static Result<SpCredentials> from_pem(std::string_view private_key_pem,
                                          std::string_view certificate_pem);

    // Reads both PEM files, then as from_pem. Fails with "saml.key.unreadable" naming the
    // file that could not be read.
    static Result<SpCredentials> from_files(const std::filesystem::path& private_key_file,
                                            const std::filesystem::path& certificate_file);

    const Certificate& certificate() const { return certificate_; }

    // RSA-SHA256 (PKCS #1 v1.5) signature over `bytes`. Fails with "saml.key.sign_failed"
    // only if OpenSSL does.
    Result<std::string> sign_rsa_sha256(std::string_view bytes) const;

    // The private key for C APIs that decrypt (EncryptedAssertion); owned by this object.
    EVP_PKEY* private_key() const { return key_.get(); }

  private:
    SpCredentials(std::shared_ptr<EVP_PKEY> key, Certificate certificate)
        : key_(std::move(key)), certificate_(std::move(certificate)) {}
    std::shared_ptr<EVP_PKEY> key_;
    Certificate certificate_;
};

struct GeneratedCredentials {
    std::string private_key_pem;  // PKCS #8, unencrypted: protect the file that holds it
    std::string certificate_pem;
};

// A new RSA-2048 key and a self-signed certificate for it with subject CN=`common_name`,
// valid from clock.now() for `valid_days`. Fails with "saml.key.generate_failed".
Result<GeneratedCredentials> generate_sp_credentials(std::string_view common_name,
                                                     const util::Clock& clock,
                                                     int valid_days = 3650);

}  // namespace gatehouse::saml
