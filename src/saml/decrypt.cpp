#include <openssl/crypto.h>
#include <xmlsec/buffer.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmlenc.h>

#include <stdexcept>

#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/xml.hpp"

namespace gatehouse::saml {
namespace {

constexpr std::string_view kRsaOaep = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
constexpr std::string_view kElementType = "http://www.w3.org/2001/04/xmlenc#Element";

struct EncCtxFree {
    void operator()(xmlSecEncCtx* ctx) const noexcept { xmlSecEncCtxDestroy(ctx); }
};
struct XmlSecKeyFree {
    void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct XmlSecKeyDataFree {
    void operator()(xmlSecKeyData* data) const noexcept { xmlSecKeyDataDestroy(data); }
};
using EncCtxPtr = std::unique_ptr<xmlSecEncCtx, EncCtxFree>;

// The content-encryption key, wiped from memory when it goes out of scope.
class SessionKey {
  public:
    explicit SessionKey(std::string bytes) : bytes_(std::move(bytes)) {}
    ~SessionKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
    SessionKey(const SessionKey&) = delete;
    SessionKey& operator=(const SessionKey&) = delete;
    const std::string& bytes() const { return bytes_; }

  private:
    std::string bytes_;
};

struct BlockCipher {
    std::string_view uri;
    std::size_t key_bytes;
    xmlSecTransformId (*transform)();
};

const BlockCipher* find_block_cipher(std::string_view uri) {
    static const BlockCipher ciphers[] = {
        {"http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16,
         xmlSecOpenSSLTransformAes128CbcGetKlass},
        {"http://www.w3.org/2001/04/xmlenc#aes192-cbc", 24,
         xmlSecOpenSSLTransformAes192CbcGetKlass},
        {"http://www.w3.org/2001/04/xmlenc#aes256-cbc", 32,
         xmlSecOpenSSLTransformAes256CbcGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes128-gcm", 16, xmlSecOpenSSLTransformAes128GcmGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes192-gcm", 24, xmlSecOpenSSLTransformAes192GcmGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes256-gcm", 32, xmlSecOpenSSLTransformAes256GcmGetKlass},
    };
    for (const auto& cipher : ciphers) {
        if (cipher.uri == uri) return &cipher;
    }
    return nullptr;
}

Error refuse(const std::string& why) {
    return fail("saml.assertion.encrypted", "The encrypted assertion cannot be used: " + why + ".");
}

std::string method_of(const xmlNode* encrypted) {
    return attribute(first_child_element(encrypted, ns::xmlenc, "EncryptionMethod"), "Algorithm")
        .value_or("");
}

// SAML core §2.3.4 lets the EncryptedKey sit inside the EncryptedData's KeyInfo or next
// to the EncryptedData; exactly one of them must exist, so the choice is never ambiguous.
Result<xmlNode*> sole_encrypted_key(xmlNode* encrypted_assertion, xmlNode* encrypted_data) {
    auto keys = child_elements(first_child_element(encrypted_data, ns::xmldsig, "KeyInfo"),
                               ns::xmlenc, "EncryptedKey");
    const auto siblings = child_elements(encrypted_assertion, ns::xmlenc, "EncryptedKey");
    keys.insert(keys.end(), siblings.begin(), siblings.end());
    if (keys.size() != 1) {
        return refuse("it must carry exactly one EncryptedKey, not " + std::to_string(keys.size()));
    }
    return keys.front();
}

EncCtxPtr context_with_key(xmlSecKey* key, xmlSecTransformId allowed) {
    EncCtxPtr ctx(xmlSecEncCtxCreate(nullptr));
    if (!ctx) throw std::bad_alloc();
    ctx->encKey = key;  // the context destroys it
    // xmlsec stores transform ids in a generic pointer list but never writes through them.
    void* id = const_cast<void*>(static_cast<const void*>(allowed));
    if (xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms, id) < 0) {
        throw std::bad_alloc();
    }
    return ctx;
}

xmlSecKey* rsa_key_for(EVP_PKEY* private_key) {
    if (EVP_PKEY_up_ref(private_key) != 1) throw std::runtime_error("EVP_PKEY_up_ref failed");
    std::unique_ptr<xmlSecKeyData, XmlSecKeyDataFree> data(xmlSecOpenSSLEvpKeyAdopt(private_key));
    if (!data) {
        EVP_PKEY_free(private_key);
        throw std::bad_alloc();
    }
    std::unique_ptr<xmlSecKey, XmlSecKeyFree> key(xmlSecKeyCreate());
    if (!key || xmlSecKeySetValue(key.get(), data.get()) < 0) throw std::bad_alloc();
    data.release();
    return key.release();
}

Result<std::unique_ptr<SessionKey>> unwrap_session_key(xmlNode* encrypted_key,
                                                       EVP_PKEY* sp_private_key) {
    const auto transport = method_of(encrypted_key);
    if (transport != kRsaOaep) {
        return refuse("the key transport \"" + transport +
                      "\" is not allowed (RSA-OAEP is required)");
    }
    auto ctx = context_with_key(rsa_key_for(sp_private_key), xmlSecTransformRsaOaepId);
    ctx->mode = xmlEncCtxModeEncryptedKey;
    xmlSecBuffer* plain = xmlSecEncCtxDecryptToBuffer(ctx.get(), encrypted_key);
    if (plain == nullptr) return refuse("the key was not encrypted for this SP's certificate");
    return std::make_unique<SessionKey>(std::string(
        reinterpret_cast<const char*>(xmlSecBufferGetData(plain)), xmlSecBufferGetSize(plain)));
}

}  // namespace

Result<xmlNode*> decrypt_assertion(xmlNode* encrypted_assertion, EVP_PKEY* sp_private_key) {
    initialize_xml_security();
    const auto data_nodes = child_elements(encrypted_assertion, ns::xmlenc, "EncryptedData");
    if (data_nodes.size() != 1) return refuse("it must carry exactly one EncryptedData");
    xmlNode* encrypted_data = data_nodes.front();
    if (attribute(encrypted_data, "Type").value_or(std::string(kElementType)) != kElementType) {
        return refuse("the EncryptedData does not hold an element");
    }
    const auto* cipher = find_block_cipher(method_of(encrypted_data));
    if (cipher == nullptr) {
        return refuse("the content encryption \"" + method_of(encrypted_data) +
                      "\" is not allowed (AES-CBC or AES-GCM is required)");
    }
    auto encrypted_key = sole_encrypted_key(encrypted_assertion, encrypted_data);
    if (!encrypted_key) return encrypted_key.error();
    auto session_key = unwrap_session_key(*encrypted_key, sp_private_key);
    if (!session_key) return session_key.error();
    const std::string& key_bytes = (*session_key)->bytes();
    if (key_bytes.size() != cipher->key_bytes) {
        return refuse("the content key has the wrong length for " + std::string(cipher->uri));
    }

    xmlSecKey* aes = xmlSecKeyReadMemory(xmlSecKeyDataAesId,
                                         reinterpret_cast<const xmlSecByte*>(key_bytes.data()),
                                         static_cast<xmlSecSize>(key_bytes.size()));
    if (aes == nullptr) throw std::bad_alloc();
    auto ctx = context_with_key(aes, cipher->transform());
    // The plaintext is parsed by libxml2 in the context of the EncryptedAssertion; it is a
    // fragment, so it cannot declare a DOCTYPE, and undeclared entities fail the parse.
    if (xmlSecEncCtxDecrypt(ctx.get(), encrypted_data) < 0 || ctx->resultReplaced == 0) {
        return refuse("decryption failed");
    }
    const auto assertions = child_elements(encrypted_assertion, ns::assertion, "Assertion");
    if (assertions.size() != 1 ||
        element_children(encrypted_assertion).size() !=
            1 + child_elements(encrypted_assertion, ns::xmlenc, "EncryptedKey").size()) {
        return refuse("the plaintext is not exactly one Assertion");
    }
    return assertions.front();
}

}  // namespace gatehouse::saml
