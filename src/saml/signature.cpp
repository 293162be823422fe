#include "gatehouse/saml/signature.hpp"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <mutex>
#include <stdexcept>

#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct EvpMdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
struct XmlSecKeyFree {
    void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct XmlSecKeyDataFree {
    void operator()(xmlSecKeyData* data) const noexcept { xmlSecKeyDataDestroy(data); }
};
struct DSigCtxFree {
    void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Failures reach callers as reason codes; xmlsec's default handler would print every
// refused message on the server's standard error.
void ignore_xmlsec_error(const char*, int, const char*, const char*, const char*, int,
                         const char*) {}

// Algorithms as the policy sees them; xmlsec's transform ids are matched to the same URIs
// when the verification context is restricted.
enum class KeyKind { rsa, ec };
struct SignatureAlgorithm {
    std::string_view uri;
    KeyKind kind;
    const EVP_MD* (*digest)();
    bool is_sha1;
};

const SignatureAlgorithm* find_signature_algorithm(std::string_view uri) {
    static const SignatureAlgorithm algorithms[] = {
        {alg::rsa_sha256, KeyKind::rsa, EVP_sha256, false},
        {alg::rsa_sha384, KeyKind::rsa, EVP_sha384, false},
        {alg::rsa_sha512, KeyKind::rsa, EVP_sha512, false},
        {alg::ecdsa_sha256, KeyKind::ec, EVP_sha256, false},
        {alg::ecdsa_sha384, KeyKind::ec, EVP_sha384, false},
        {alg::ecdsa_sha512, KeyKind::ec, EVP_sha512, false},
        {alg::rsa_sha1, KeyKind::rsa, EVP_sha1, true},
    };
    for (const auto& algorithm : algorithms) {
        if (algorithm.uri == uri) return &algorithm;
    }
    return nullptr;
}

bool is_allowed_digest_algorithm(std::string_view uri, const SignaturePolicy& policy) {
    if (uri == alg::sha256 || uri == alg::sha384 || uri == alg::sha512) return true;
    return policy.allow_sha1 && uri == alg::sha1;
}

Result<X509Ptr> parse_certificate(const std::string& text) {
    if (text.find("-----BEGIN") != std::string::npos) {
        std::unique_ptr<BIO, BioFree> bio(
            BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
        if (!bio) throw std::bad_alloc();
        X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!cert) return fail("saml.keys.invalid", "not a PEM X.509 certificate");
        return cert;
    }
    const auto der = util::base64_decode(text);
    if (!der || der->empty()) return fail("saml.keys.invalid", "neither PEM nor base64 DER");
    const auto* cursor = reinterpret_cast<const unsigned char*>(der->data());
    X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der->size())));
    if (!cert || cursor != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
        return fail("saml.keys.invalid", "the DER bytes are not exactly one X.509 certificate");
    }
    return cert;
}

// XML Signature (RFC 4051) carries an ECDSA signature as the fixed-width concatenation
// r || s; OpenSSL verifies the DER SEQUENCE form.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
    if (raw.empty() || raw.size() % 2 != 0) return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    const int half = static_cast<int>(raw.size() / 2);
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(bytes, half, nullptr);
    BIGNUM* s = BN_bin2bn(bytes + half, half, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        throw std::bad_alloc();
    }
    unsigned char* der = nullptr;
    const int size = i2d_ECDSA_SIG(sig.get(), &der);
    if (size <= 0) return std::nullopt;
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

bool key_matches(EVP_PKEY* key, KeyKind kind) {
    const int id = EVP_PKEY_get_base_id(key);
    return kind == KeyKind::rsa ? id == EVP_PKEY_RSA : id == EVP_PKEY_EC;
}

bool verify_with_key(EVP_PKEY* key, const SignatureAlgorithm& algorithm, std::string_view octets,
                     std::string_view signature) {
    std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::bad_alloc();
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, algorithm.digest(), nullptr, key) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(octets.data()),
                            octets.size()) == 1;
}

// ---- enveloped signatures ------------------------------------------------------------

std::string algorithm_of(const xmlNode* element) {
    return attribute(element, "Algorithm").value_or("");
}

// Registers `element`'s ID so xmlsec resolves "#ID" to it, refusing any other element
// that carries (or was registered with) the same value.
Status register_unique_id(xmlDoc* doc, xmlNode* element, const std::string& id) {
    int holders = 0;
    // Every element whose plain ID attribute has this value, wherever it sits.
    std::vector<xmlNode*> stack{xmlDocGetRootElement(doc)};
    while (!stack.empty()) {
        xmlNode* node = stack.back();
        stack.pop_back();
        if (attribute(node, "ID") == id) ++holders;
        for (xmlNode* child : element_children(node)) stack.push_back(child);
    }
    const auto* key = reinterpret_cast<const xmlChar*>(id.c_str());
    xmlAttr* registered = xmlGetID(doc, key);
    if (holders != 1 || (registered != nullptr && registered->parent != element)) {
        return fail("saml.signature.duplicate_id",
                    "More than one element carries the signed ID \"" + id + "\".");
    }
    if (registered == nullptr) {
        xmlAttr* attr = xmlHasNsProp(element, reinterpret_cast<const xmlChar*>("ID"), nullptr);
        if (attr == nullptr || xmlAddID(nullptr, doc, key, attr) == nullptr) {
            return fail("saml.signature.duplicate_id", "The signed ID could not be registered.");
        }
    }
    return {};
}

// SAML signatures carry SignedInfo, SignatureValue and KeyInfo only. A ds:Object (and a
// ds:Manifest inside one) can be added after signing without breaking the signature, since
// the enveloped transform removes the whole Signature from the digest, and manifests are
// never verified: either way it is attacker-controlled content inside a "signed" element.
Status check_signature_children(const xmlNode* signature) {
    for (const xmlNode* child : element_children(signature)) {
        if (!is_element(child, ns::xmldsig, "SignedInfo") &&
            !is_element(child, ns::xmldsig, "SignatureValue") &&
            !is_element(child, ns::xmldsig, "KeyInfo")) {
            return fail("saml.signature.object_not_allowed",
                        "The signature carries a " +
                            std::string(reinterpret_cast<const char*>(child->name)) +
                            " element; only SignedInfo, SignatureValue and KeyInfo are allowed.");
        }
    }
    return {};
}

// Checks the shape of ds:SignedInfo before xmlsec sees it, so that each refusal names
// the exact rule that was broken.
Status check_signed_info(const xmlNode* signature, const std::string& id,
                         const SignaturePolicy& policy) {
    const auto signed_infos = child_elements(signature, ns::xmldsig, "SignedInfo");
    if (signed_infos.size() != 1) {
        return fail("saml.signature.reference", "The signature has no single SignedInfo.");
    }
    const xmlNode* signed_info = signed_infos.front();
    const auto c14n = first_child_element(signed_info, ns::xmldsig, "CanonicalizationMethod");
    if (algorithm_of(c14n) != alg::exc_c14n) {
        return fail(
            "saml.signature.transform_not_allowed",
            "The canonicalization method \"" + algorithm_of(c14n) + "\" is not exclusive C14N.");
    }
    const auto method =
        algorithm_of(first_child_element(signed_info, ns::xmldsig, "SignatureMethod"));
    if (!is_allowed_signature_algorithm(method, policy)) {
        return fail("saml.signature.algorithm_not_allowed",
                    "The signature algorithm \"" + method + "\" is not allowed.");
    }
    const auto references = child_elements(signed_info, ns::xmldsig, "Reference");
    if (references.size() != 1) {
        return fail("saml.signature.reference",
                    "The signature must carry exactly one Reference, not " +
                        std::to_string(references.size()) + ".");
    }
    const auto uri = attribute(references.front(), "URI");
    if (uri != "#" + id) {
        return fail("saml.signature.reference", "The signature references \"" + uri.value_or("") +
                                                    "\" instead of the signed element \"#" + id +
                                                    "\".");
    }
    const auto transforms = first_child_element(references.front(), ns::xmldsig, "Transforms");
    bool enveloped = false;
    for (const xmlNode* transform : element_children(transforms)) {
        const auto name = algorithm_of(transform);
        if (!is_element(transform, ns::xmldsig, "Transform") ||
            (name != alg::enveloped && name != alg::exc_c14n)) {
            return fail("saml.signature.transform_not_allowed",
                        "The transform \"" + name + "\" is not allowed.");
        }
        enveloped = enveloped || name == alg::enveloped;
    }
    // Without the enveloped-signature transform the digest would fall back to inclusive
    // C14N over a tree that contains the signature itself; SAML never signs that way.
    if (!enveloped) {
        return fail("saml.signature.transform_not_allowed",
                    "The reference lacks the enveloped-signature transform.");
    }
    const auto digest =
        algorithm_of(first_child_element(references.front(), ns::xmldsig, "DigestMethod"));
    if (!is_allowed_digest_algorithm(digest, policy)) {
        return fail("saml.signature.algorithm_not_allowed",
                    "The digest algorithm \"" + digest + "\" is not allowed.");
    }
    return {};
}

// A verification context that accepts only the transforms check_signed_info allows, so
// xmlsec enforces the same rules a second time.
std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> restricted_context(const SignaturePolicy& policy) {
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) throw std::bad_alloc();
    ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    // Nothing a signature names may be read from outside the document: References resolve
    // to "#id" only (every Reference context copies transformCtx's setting), and KeyInfo,
    // which is never read because signKey is set, could not follow a RetrievalMethod or
    // open an EncryptedKey even if it were. refuse_external_references already refused
    // such elements; this holds for any caller that skipped it.
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeSameDocument;
    ctx->keyInfoReadCtx.retrievalMethodCtx.enabledUris = xmlSecTransformUriTypeNone;
    ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
    ctx->keyInfoReadCtx.maxEncryptedKeyLevel = 0;
    std::vector<xmlSecTransformId> signature_transforms{
        xmlSecTransformExclC14NId,   xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,
        xmlSecTransformRsaSha512Id,  xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
        xmlSecTransformEcdsaSha512Id};
    std::vector<xmlSecTransformId> reference_transforms{
        xmlSecTransformExclC14NId, xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
        xmlSecTransformSha384Id, xmlSecTransformSha512Id};
    if (policy.allow_sha1) {
        signature_transforms.push_back(xmlSecTransformRsaSha1Id);
        reference_transforms.push_back(xmlSecTransformSha1Id);
    }
    for (auto id : signature_transforms) {
        if (xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id) < 0) throw std::bad_alloc();
    }
    for (auto id : reference_transforms) {
        if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) throw std::bad_alloc();
    }
    return ctx;
}

// An xmlsec key holding a new reference to `public_key`.
std::unique_ptr<xmlSecKey, XmlSecKeyFree> xmlsec_key_for(EVP_PKEY* public_key) {
    if (EVP_PKEY_up_ref(public_key) != 1) throw std::runtime_error("EVP_PKEY_up_ref failed");
    std::unique_ptr<xmlSecKeyData, XmlSecKeyDataFree> data(xmlSecOpenSSLEvpKeyAdopt(public_key));
    if (!data) {
        EVP_PKEY_free(public_key);
        throw std::bad_alloc();
    }
    std::unique_ptr<xmlSecKey, XmlSecKeyFree> key(xmlSecKeyCreate());
    if (!key || xmlSecKeySetValue(key.get(), data.get()) < 0) throw std::bad_alloc();
    data.release();  // now owned by the key
    return key;
}

}  // namespace

bool is_allowed_signature_algorithm(std::string_view uri, const SignaturePolicy& policy) {
    const auto* algorithm = find_signature_algorithm(uri);
    return algorithm != nullptr && (!algorithm->is_sha1 || policy.allow_sha1);
}

void initialize_xml_security() {
    static std::once_flag once;
    std::call_once(once, [] {
        xmlInitParser();
        // The test IdP fixture sets up xmlsec in the same process without linking this
        // layer. A second xmlSecInit would reset xmlsec's registries, so an xmlsec whose
        // transform registry is already set up is left as it is.
        if (!xmlSecPtrListIsValid(xmlSecTransformIdsGet())) {
            if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 ||
                xmlSecCryptoInit() < 0) {
                throw std::runtime_error("xmlsec1 could not be initialised");
            }
        }
        xmlSecErrorsSetCallback(ignore_xmlsec_error);
    });
}

Result<TrustedKeys> TrustedKeys::from_certificates(const std::vector<std::string>& certificates) {
    if (certificates.empty()) {
        return fail("saml.keys.none", "No IdP signing certificate is configured.");
    }
    auto keys = std::make_shared<std::vector<EvpPkeyPtr>>();
    for (std::size_t i = 0; i < certificates.size(); ++i) {
        auto cert = parse_certificate(certificates[i]);
        if (!cert) {
            return fail("saml.keys.invalid", "IdP certificate " + std::to_string(i + 1) +
                                                 " is invalid: " + cert.error().message + ".");
        }
        EvpPkeyPtr key(X509_get_pubkey(cert->get()));
        if (!key) {
            return fail("saml.keys.invalid", "IdP certificate " + std::to_string(i + 1) +
                                                 " carries no usable public key.");
        }
        keys->push_back(std::move(key));
    }
    return TrustedKeys(std::move(keys));
}

Status TrustedKeys::verify_detached(std::string_view signed_octets, std::string_view signature,
                                    std::string_view signature_algorithm_uri,
                                    const SignaturePolicy& policy) const {
    const auto* algorithm = find_signature_algorithm(signature_algorithm_uri);
    if (algorithm == nullptr || (algorithm->is_sha1 && !policy.allow_sha1)) {
        return fail("saml.signature.algorithm_not_allowed",
                    "The signature algorithm \"" + std::string(signature_algorithm_uri) +
                        "\" is not allowed.");
    }
    std::string encoded(signature);
    if (algorithm->kind == KeyKind::ec) {
        auto der = ecdsa_raw_to_der(signature);
        if (!der) return fail("saml.signature.invalid", "The ECDSA signature is malformed.");
        encoded = std::move(*der);
    }
    for (const auto& key : *keys_) {
        if (key_matches(key.get(), algorithm->kind) &&
            verify_with_key(key.get(), *algorithm, signed_octets, encoded)) {
            return {};
        }
    }
    return fail("saml.signature.invalid",
                "The signature does not verify with any configured IdP certificate.");
}

bool has_signature(const xmlNode* element) {
    return first_child_element(element, ns::xmldsig, "Signature") != nullptr;
}

Status verify_enveloped_signature(xmlDoc* doc, xmlNode* element, const TrustedKeys& keys,
                                  const SignaturePolicy& policy) {
    initialize_xml_security();
    const auto signatures = child_elements(element, ns::xmldsig, "Signature");
    if (signatures.empty()) return fail("saml.signature.missing", "The element is not signed.");
    if (signatures.size() > 1) {
        return fail("saml.signature.multiple", "The element carries more than one signature.");
    }
    const auto id = attribute(element, "ID");
    if (!id || id->empty()) {
        return fail("saml.signature.no_id", "The signed element has no ID attribute.");
    }
    if (auto status = register_unique_id(doc, element, *id); !status) return status;
    if (auto status = check_signature_children(signatures.front()); !status) return status;
    if (auto status = check_signed_info(signatures.front(), *id, policy); !status) return status;

    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto ctx = restricted_context(policy);
        ctx->signKey = xmlsec_key_for(keys.public_key(i)).release();  // ctx owns it now
        if (xmlSecDSigCtxVerify(ctx.get(), signatures.front()) == 0 &&
            ctx->status == xmlSecDSigStatusSucceeded) {
            return {};
        }
    }
    return fail("saml.signature.invalid",
                "The signature does not verify with any configured IdP certificate.");
}

}  // namespace gatehouse::saml
