// X.509 pieces shared by the TLS fixtures: OpenSSL keys and certificates held by RAII
// handles, one function that issues a certificate (self-signed or by a CA), and PEM output.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::testing {

struct EvpPkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// A new EC P-256 key pair. Throws std::runtime_error when OpenSSL fails.
EvpPkeyPtr new_p256_key();

// What a certificate says about its subject. `extensions` are added in order, each an
// OpenSSL extension NID and its value in OpenSSL's configuration syntax, e.g.
// {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"} or {NID_basic_constraints,
// "critical,CA:TRUE"}; nothing else is added.
struct CertificateSpec {
    std::string common_name;
    long serial = 1;
    std::vector<std::pair<int, std::string>> extensions;
};

// Issues a certificate for `subject_key` as `spec` describes, valid from an hour ago for a
// day, signed (SHA-256) by `issuer_key` in the name of `issuer`; when `issuer` is null it is
// self-signed with `subject_key`. Throws std::runtime_error when OpenSSL fails or refuses an
// extension.
X509Ptr issue_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key,
                          X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr);

// Write `key` (unencrypted PKCS#8) or `certificate` to `path` as PEM, replacing the file.
// Throw std::runtime_error when the file cannot be written.
void write_private_key_pem(const std::string& path, EVP_PKEY* key);
void write_certificate_pem(const std::string& path, X509* certificate);

}  // namespace gatehouse::testing
