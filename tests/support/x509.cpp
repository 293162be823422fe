#include "support/x509.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <functional>
#include <stdexcept>

namespace gatehouse::testing {
namespace {

struct X509ExtensionFree {
    void operator()(X509_EXTENSION* extension) const noexcept { X509_EXTENSION_free(extension); }
};
struct FileClose {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

[[noreturn]] void x509_failure(const std::string& what) {
    throw std::runtime_error("X.509 fixture: " + what);
}

void write_pem(const std::string& path, const std::function<int(std::FILE*)>& write) {
    const std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "w"));
    if (!file || write(file.get()) != 1) x509_failure("cannot write " + path);
}

}  // namespace

EvpPkeyPtr new_p256_key() {
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) x509_failure("EC key generation failed");
    return key;
}

X509Ptr issue_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                          EVP_PKEY* issuer_key) {
    X509Ptr certificate(X509_new());
    if (!certificate) x509_failure("certificate allocation failed");
    X509* cert = certificate.get();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), spec.serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(cert, subject_key);

    // The context names the issuer so that authorityKeyIdentifier can be derived from it.
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : spec.extensions) {
        const std::unique_ptr<X509_EXTENSION, X509ExtensionFree> extension(
            X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
        if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
            x509_failure(std::string("extension ") + OBJ_nid2sn(nid) + " could not be added");
        }
    }
    if (X509_sign(cert, issuer ? issuer_key : subject_key, EVP_sha256()) == 0) {
        x509_failure("signing failed");
    }
    return certificate;
}

void write_private_key_pem(const std::string& path, EVP_PKEY* key) {
    write_pem(path, [&](std::FILE* out) {
        return PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

void write_certificate_pem(const std::string& path, X509* certificate) {
    write_pem(path, [&](std::FILE* out) { return PEM_write_X509(out, certificate); });
}

}  // namespace gatehouse::testing
