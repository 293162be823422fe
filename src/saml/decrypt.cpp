// Decryption of a saml:EncryptedAssertion (declared in response.hpp).
//
// An unsigned Response can carry any ciphertext, and AES-CBC has no integrity: if the
// answers to "the key did not unwrap", "the padding is wrong" and "the plaintext does not
// parse" differed, in words or in time, an attacker could use the ACS as a decryption
// oracle. So once the message's shape has been checked (which reveals nothing about the
// key or the plaintext), every failure takes the same steps and ends in the same Error:
// a key that does not unwrap is replaced by a random one and the content is decrypted
// anyway (as TLS does against Bleichenbacher's attack), and the plaintext parse runs even
// when decryption failed.
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <xmlsec/buffer.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmlenc.h>

#include <climits>
#include <stdexcept>

#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/crypto.hpp"

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
// A list of sibling nodes not (yet) in the tree, as xmlParseInNodeContext returns it.
struct NodeListFree {
    void operator()(xmlNode* head) const noexcept { xmlFreeNodeList(head); }
};
using EncCtxPtr = std::unique_ptr<xmlSecEncCtx, EncCtxFree>;
using NodeListPtr = std::unique_ptr<xmlNode, NodeListFree>;

// Key material, wiped from memory when it goes out of scope.
class SecretBytes {
  public:
    explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
    ~SecretBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    const std::string& bytes() const { return bytes_; }

  private:
    std::string bytes_;
};

struct BlockCipher {
    std::string_view uri;
    std::size_t key_bytes;
    bool authenticated;  // GCM; CBC is not
    xmlSecTransformId (*transform)();
};

const BlockCipher* find_block_cipher(std::string_view uri) {
    static const BlockCipher ciphers[] = {
        {"http://www.w3.org/2001/04/xmlenc#aes128-cbc", 16, false,
         xmlSecOpenSSLTransformAes128CbcGetKlass},
        {"http://www.w3.org/2001/04/xmlenc#aes192-cbc", 24, false,
         xmlSecOpenSSLTransformAes192CbcGetKlass},
        {"http://www.w3.org/2001/04/xmlenc#aes256-cbc", 32, false,
         xmlSecOpenSSLTransformAes256CbcGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes128-gcm", 16, true,
         xmlSecOpenSSLTransformAes128GcmGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes192-gcm", 24, true,
         xmlSecOpenSSLTransformAes192GcmGetKlass},
        {"http://www.w3.org/2009/xmlenc11#aes256-gcm", 32, true,
         xmlSecOpenSSLTransformAes256GcmGetKlass},
    };
    for (const auto& cipher : ciphers) {
        if (cipher.uri == uri) return &cipher;
    }
    return nullptr;
}

// A refusal on the message's shape, which anyone can read in the XML: it may say why.
Error refuse(const std::string& why) {
    return fail("saml.assertion.encrypted", "The encrypted assertion cannot be used: " + why + ".");
}

// The one refusal for everything that depends on the key or the plaintext.
Error undecryptable() {
    return fail("saml.assertion.encrypted",
                "The encrypted assertion could not be decrypted with this SP's key.");
}

std::string method_of(const xmlNode* encrypted) {
    return attribute(first_child_element(encrypted, ns::xmlenc, "EncryptionMethod"), "Algorithm")
        .value_or("");
}

// SAML core §2.3.4 lets the EncryptedKey sit inside the EncryptedData's KeyInfo or next
// to the EncryptedData; exactly one of them must exist, so the choice is never ambiguous.
Result<xmlNode*> sole_encrypted_key(xmlNode* encrypted_data,
                                    const std::vector<xmlNode*>& siblings) {
    auto keys = child_elements(first_child_element(encrypted_data, ns::xmldsig, "KeyInfo"),
                               ns::xmlenc, "EncryptedKey");
    keys.insert(keys.end(), siblings.begin(), siblings.end());
    if (keys.size() != 1) {
        return refuse("it must carry exactly one EncryptedKey, not " + std::to_string(keys.size()));
    }
    return keys.front();
}

// An xmlsec decryption context holding `key` that runs only the transform `allowed` and
// reads nothing from outside the document: no CipherReference of any kind (SAML puts the
// ciphertext in CipherValue), and, should KeyInfo ever be read (it is not, since the key
// is given), no RetrievalMethod and no nested EncryptedKey. refuse_external_references
// has already refused such elements; this holds for any caller that skipped it.
EncCtxPtr restricted_context(xmlSecKey* key, xmlSecTransformId allowed) {
    EncCtxPtr ctx(xmlSecEncCtxCreate(nullptr));
    if (!ctx) {
        xmlSecKeyDestroy(key);
        throw std::bad_alloc();
    }
    ctx->encKey = key;  // the context destroys it
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
    ctx->keyInfoReadCtx.retrievalMethodCtx.enabledUris = xmlSecTransformUriTypeNone;
    ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
    ctx->keyInfoReadCtx.maxEncryptedKeyLevel = 0;
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

// The bytes of an xmlsec result buffer, which is wiped once copied.
std::string take_buffer(xmlSecBuffer* buffer) {
    std::string bytes(reinterpret_cast<const char*>(xmlSecBufferGetData(buffer)),
                      xmlSecBufferGetSize(buffer));
    OPENSSL_cleanse(xmlSecBufferGetData(buffer), xmlSecBufferGetSize(buffer));
    return bytes;
}

// The content key: the one unwrapped with RSA-OAEP when that succeeds with `length` bytes,
// otherwise a random key of `length` bytes, so the content decryption that follows runs
// either way. `genuine` says which; the caller reads it only after that decryption.
struct ContentKey {
    SecretBytes key;
    bool genuine;
};

ContentKey unwrap_content_key(xmlNode* encrypted_key, EVP_PKEY* sp_private_key,
                              std::size_t length) {
    SecretBytes substitute(util::random_bytes(length));
    auto ctx = restricted_context(rsa_key_for(sp_private_key), xmlSecTransformRsaOaepId);
    ctx->mode = xmlEncCtxModeEncryptedKey;
    xmlSecBuffer* plain = xmlSecEncCtxDecryptToBuffer(ctx.get(), encrypted_key);
    if (plain == nullptr) return {SecretBytes(substitute.bytes()), false};
    SecretBytes unwrapped(take_buffer(plain));
    const bool genuine = unwrapped.bytes().size() == length;
    return {SecretBytes(genuine ? unwrapped.bytes() : substitute.bytes()), genuine};
}

// The plaintext of `encrypted_data` under `key`, or nullopt when it does not decrypt (a
// GCM tag that does not verify, CBC padding that is wrong, a CipherData that xmlsec
// refuses).
std::optional<std::string> decrypt_content(xmlNode* encrypted_data, const BlockCipher& cipher,
                                           const SecretBytes& key) {
    xmlSecKey* aes = xmlSecKeyReadMemory(xmlSecKeyDataAesId,
                                         reinterpret_cast<const xmlSecByte*>(key.bytes().data()),
                                         static_cast<xmlSecSize>(key.bytes().size()));
    if (aes == nullptr) throw std::bad_alloc();
    auto ctx = restricted_context(aes, cipher.transform());
    xmlSecBuffer* plain = xmlSecEncCtxDecryptToBuffer(ctx.get(), encrypted_data);
    if (plain == nullptr) return std::nullopt;
    return take_buffer(plain);
}

bool is_blank(const xmlNode* text) {
    for (const xmlChar* c = text->content; c != nullptr && *c != 0; ++c) {
        if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n') return false;
    }
    return true;
}

bool has_processing_instruction(const xmlNode* node) {
    for (; node != nullptr; node = node->next) {
        if (node->type == XML_PI_NODE) return true;
        if (node->type == XML_ELEMENT_NODE && has_processing_instruction(node->children)) {
            return true;
        }
    }
    return false;
}

// The saml:Assertion that `nodes` consist of, besides white space and comments; null
// when they hold anything else, or a processing instruction anywhere.
xmlNode* sole_assertion(xmlNode* nodes) {
    xmlNode* found = nullptr;
    for (xmlNode* node = nodes; node != nullptr; node = node->next) {
        if (node->type == XML_COMMENT_NODE) continue;
        if (node->type == XML_TEXT_NODE && is_blank(node)) continue;
        if (found != nullptr || !is_element(node, ns::assertion, "Assertion")) return nullptr;
        found = node;
    }
    if (found == nullptr || has_processing_instruction(found->children)) return nullptr;
    return found;
}

// Parses `plaintext` as content of `encrypted_assertion`, so that the namespace prefixes
// declared on the Response apply as they did before encryption. The plaintext is a
// fragment: it cannot declare a DOCTYPE, and an undeclared entity fails the parse.
NodeListPtr parse_plaintext(xmlNode* encrypted_assertion, const std::string& plaintext) {
    if (plaintext.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
    xmlNode* nodes = nullptr;
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    // On failure libxml2 frees what it built and leaves `nodes` null.
    if (xmlParseInNodeContext(encrypted_assertion, plaintext.data(),
                              static_cast<int>(plaintext.size()), options, &nodes) != XML_ERR_OK) {
        return nullptr;
    }
    return NodeListPtr(nodes);
}

// Puts `assertion`, one of `nodes`, in the place of `encrypted_data`; the other nodes
// (white space, comments) are freed with the EncryptedData.
void replace_with(xmlNode* encrypted_data, NodeListPtr nodes, xmlNode* assertion) {
    xmlNode* rest = nodes.release();
    if (rest == assertion) rest = assertion->next;
    xmlUnlinkNode(assertion);
    NodeListPtr discarded(rest);
    xmlReplaceNode(encrypted_data, assertion);
    xmlFreeNode(encrypted_data);
}

}  // namespace

Result<xmlNode*> decrypt_assertion(xmlNode* encrypted_assertion, EVP_PKEY* sp_private_key,
                                   const DecryptionPolicy& policy) {
    initialize_xml_security();
    // The shape of the message: everything here can be read in the XML by anyone.
    const auto data_nodes = child_elements(encrypted_assertion, ns::xmlenc, "EncryptedData");
    if (data_nodes.size() != 1) return refuse("it must carry exactly one EncryptedData");
    const auto key_nodes = child_elements(encrypted_assertion, ns::xmlenc, "EncryptedKey");
    if (element_children(encrypted_assertion).size() != 1 + key_nodes.size()) {
        return refuse("it may hold only EncryptedData and EncryptedKey elements");
    }
    xmlNode* encrypted_data = data_nodes.front();
    if (attribute(encrypted_data, "Type").value_or(std::string(kElementType)) != kElementType) {
        return refuse("the EncryptedData does not hold an element");
    }
    const auto* cipher = find_block_cipher(method_of(encrypted_data));
    if (cipher == nullptr) {
        return refuse("the content encryption \"" + method_of(encrypted_data) +
                      "\" is not allowed (AES-CBC or AES-GCM is required)");
    }
    if (policy.require_aes_gcm && !cipher->authenticated) {
        return fail("saml.assertion.encrypted_cbc",
                    "The org requires AES-GCM, and the assertion is encrypted with \"" +
                        std::string(cipher->uri) + "\"; it was not decrypted.");
    }
    auto encrypted_key = sole_encrypted_key(encrypted_data, key_nodes);
    if (!encrypted_key) return encrypted_key.error();
    const auto transport = method_of(*encrypted_key);
    if (transport != kRsaOaep) {
        return refuse("the key transport \"" + transport +
                      "\" is not allowed (RSA-OAEP is required)");
    }

    // From here on, one path and one Error for every failure.
    const ContentKey content_key =
        unwrap_content_key(*encrypted_key, sp_private_key, cipher->key_bytes);
    const auto plaintext = decrypt_content(encrypted_data, *cipher, content_key.key);
    NodeListPtr nodes = parse_plaintext(encrypted_assertion, plaintext.value_or(std::string()));
    xmlNode* assertion = sole_assertion(nodes.get());
    if (!content_key.genuine || !plaintext || assertion == nullptr) return undecryptable();
    replace_with(encrypted_data, std::move(nodes), assertion);
    return assertion;
}

}  // namespace gatehouse::saml
