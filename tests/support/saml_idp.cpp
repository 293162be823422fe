#include "support/saml_idp.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/strings.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <memory>
#include <mutex>
#include <stdexcept>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::testing {
namespace {

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct DocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
struct DSigCtxFree {
    void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

[[noreturn]] void fixture_failure(const std::string& what) {
    throw std::runtime_error("test IdP: " + what);
}

const xmlChar* xml_chars(const std::string& text) {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}

// The same guard as gatehouse::saml::initialize_xml_security, which this library may
// not link: whichever runs first sets xmlsec up, the other finds the registry set up.
void ensure_xmlsec() {
    static std::once_flag once;
    std::call_once(once, [] {
        xmlInitParser();
        if (!xmlSecPtrListIsValid(xmlSecTransformIdsGet())) {
            if (xmlSecInit() < 0 || xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
                fixture_failure("xmlsec1 could not be initialised");
            }
        }
    });
}

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

PkeyPtr load_private_key(const std::string& pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) fixture_failure("cannot read the private key");
    return key;
}

xmlNode* find_by_id(xmlNode* node, const std::string& id) {
    for (; node != nullptr; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        std::unique_ptr<xmlChar, XmlCharFree> value(xmlGetNoNsProp(node, xml_chars("ID")));
        if (value && id == reinterpret_cast<const char*>(value.get())) return node;
        if (xmlNode* found = find_by_id(node->children, id)) return found;
    }
    return nullptr;
}

xmlNode* issuer_child(xmlNode* element) {
    for (xmlNode* child = element->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && xmlStrEqual(child->name, xml_chars("Issuer")) != 0) {
            return child;
        }
    }
    return nullptr;
}

xmlSecTransformId transform_for(const std::string& uri, xmlSecTransformUsage usage) {
    const xmlSecTransformId id =
        xmlSecTransformIdListFindByHref(xmlSecTransformIdsGet(), xml_chars(uri), usage);
    if (id == xmlSecTransformIdUnknown) fixture_failure("unknown algorithm " + uri);
    return id;
}

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// ` name="value"`, or nothing when the value is empty.
std::string optional_attribute(std::string_view name, std::string_view value) {
    if (value.empty()) return {};
    return " " + std::string(name) + "=\"" + escape(value) + "\"";
}

std::string optional_time(std::string_view name, util::UnixTime at) {
    return at == 0 ? std::string{} : optional_attribute(name, util::format_iso8601(at));
}

std::string issuer_element(std::string_view issuer) {
    return issuer.empty() ? std::string{} : "<saml:Issuer>" + escape(issuer) + "</saml:Issuer>";
}

std::string random_bytes(std::size_t n) {
    std::string bytes(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
        fixture_failure("RAND_bytes failed");
    }
    return bytes;
}

// XML Encryption's layouts: CBC is IV || ciphertext, GCM is IV || ciphertext || tag.
std::string encrypt_content(std::string_view algorithm, const std::string& key,
                            std::string_view plaintext) {
    const bool gcm = algorithm.find("-gcm") != std::string_view::npos;
    const bool wide = algorithm.find("aes256") != std::string_view::npos;
    const EVP_CIPHER* cipher = gcm ? (wide ? EVP_aes_256_gcm() : EVP_aes_128_gcm())
                                   : (wide ? EVP_aes_256_cbc() : EVP_aes_128_cbc());
    std::string out = random_bytes(gcm ? 12 : 16);
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr,
                                   reinterpret_cast<const unsigned char*>(key.data()),
                                   reinterpret_cast<const unsigned char*>(out.data())) != 1) {
        fixture_failure("cipher initialisation failed");
    }
    std::string body(plaintext.size() + 32, '\0');
    int written = 0;
    int final_written = 0;
    auto* cursor = reinterpret_cast<unsigned char*>(body.data());
    if (EVP_EncryptUpdate(ctx.get(), cursor, &written,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), cursor + written, &final_written) != 1) {
        fixture_failure("encryption failed");
    }
    body.resize(static_cast<std::size_t>(written + final_written));
    out += body;
    if (gcm) {
        std::string tag(16, '\0');
        if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()) != 1) {
            fixture_failure("GCM tag failed");
        }
        out += tag;
    }
    return out;
}

std::string wrap_key(std::string_view transport, std::string_view certificate_pem,
                     const std::string& key) {
    std::unique_ptr<BIO, BioFree> bio(
        BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) fixture_failure("cannot read the SP certificate");
    PkeyPtr public_key(X509_get_pubkey(cert.get()));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(public_key.get(), nullptr));
    const int padding = transport.find("rsa-1_5") != std::string_view::npos
                            ? RSA_PKCS1_PADDING
                            : RSA_PKCS1_OAEP_PADDING;
    std::size_t size = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(key.data());
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &size, in, key.size()) != 1) {
        fixture_failure("key transport initialisation failed");
    }
    std::string out(size, '\0');
    if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, in,
                         key.size()) != 1) {
        fixture_failure("key transport failed");
    }
    out.resize(size);
    return out;
}

}  // namespace

Identity generate_identity(std::string_view common_name, KeyType type) {
    PkeyPtr key(type == KeyType::rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
    std::unique_ptr<X509, X509Free> cert(X509_new());
    if (!key || !cert) fixture_failure("key generation failed");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string cn(common_name);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fixture_failure("X509_sign failed");

    std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem()));
    std::unique_ptr<BIO, BioFree> cert_bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1 ||
        PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
        fixture_failure("PEM encoding failed");
    }
    return Identity{bio_contents(key_bio.get()), bio_contents(cert_bio.get())};
}

TestIdp::TestIdp(std::string entity_id, KeyType type)
    : entity_id_(std::move(entity_id)), identity_(generate_identity("Test IdP", type)) {}

std::string TestIdp::sign(std::string_view xml, std::string_view element_id,
                          const SigningOptions& options) const {
    ensure_xmlsec();
    const std::string id(element_id);
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET));
    if (!doc) fixture_failure("the XML to sign is not well-formed");
    xmlNode* element = find_by_id(xmlDocGetRootElement(doc.get()), id);
    if (element == nullptr) fixture_failure("no element with ID " + id);
    xmlAddID(nullptr, doc.get(), xml_chars(id), xmlHasNsProp(element, xml_chars("ID"), nullptr));

    xmlNode* signature = xmlSecTmplSignatureCreate(
        doc.get(), transform_for(options.canonicalization, xmlSecTransformUsageC14NMethod),
        transform_for(options.signature_algorithm, xmlSecTransformUsageSignatureMethod), nullptr);
    if (signature == nullptr) fixture_failure("cannot create the signature template");
    if (xmlNode* issuer = issuer_child(element)) {
        xmlAddNextSibling(issuer, signature);
    } else if (element->children != nullptr) {
        xmlAddPrevSibling(element->children, signature);
    } else {
        xmlAddChild(element, signature);
    }
    const std::string uri = "#" + id;
    xmlNode* reference = xmlSecTmplSignatureAddReference(
        signature, transform_for(options.digest_algorithm, xmlSecTransformUsageDigestMethod),
        nullptr, xml_chars(uri), nullptr);
    if (reference == nullptr ||
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr ||
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId) == nullptr) {
        fixture_failure("cannot build the signature reference");
    }
    if (options.include_key_info) {
        xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
        if (key_info == nullptr || xmlSecTmplKeyInfoAddX509Data(key_info) == nullptr) {
            fixture_failure("cannot add KeyInfo");
        }
    }

    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    const auto& pem = identity_.private_key_pem;
    ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(pem.data()),
                                                static_cast<xmlSecSize>(pem.size()),
                                                xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
    const auto& cert = identity_.certificate_pem;
    if (ctx->signKey == nullptr ||
        xmlSecCryptoAppKeyCertLoadMemory(
            ctx->signKey, reinterpret_cast<const xmlSecByte*>(cert.data()),
            static_cast<xmlSecSize>(cert.size()), xmlSecKeyDataFormatPem) < 0) {
        fixture_failure("cannot load the signing key");
    }
    if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) fixture_failure("signing failed");

    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &buffer, &size, "UTF-8");
    std::unique_ptr<xmlChar, XmlCharFree> owned(buffer);
    return std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
}

std::string TestIdp::sign_bytes(std::string_view octets, std::string_view digest) const {
    PkeyPtr key = load_private_key(identity_.private_key_pem);
    const EVP_MD* md = EVP_get_digestbyname(std::string(digest).c_str());
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (md == nullptr || !ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size,
                       reinterpret_cast<const unsigned char*>(octets.data()), octets.size()) != 1) {
        fixture_failure("cannot sign bytes");
    }
    std::string signature(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<const unsigned char*>(octets.data()), octets.size()) != 1) {
        fixture_failure("cannot sign bytes");
    }
    signature.resize(size);
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) return signature;

    // XML Signature wants ECDSA as fixed-width r || s rather than DER.
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(
        d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(size)));
    if (!sig) fixture_failure("cannot decode the ECDSA signature");
    const int width = (EVP_PKEY_get_bits(key.get()) + 7) / 8;
    std::string raw(static_cast<std::size_t>(2 * width), '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, width);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + width, width);
    return raw;
}

const TestIdp& shared_test_idp() {
    static const TestIdp idp("https://idp.example.test/metadata");
    return idp;
}

const TestIdp& other_test_idp() {
    static const TestIdp idp("https://other-idp.example.test/metadata");
    return idp;
}

std::string build_response_xml(const ResponseSpec& spec) {
    std::string attributes;
    for (const auto& [name, values] : spec.attributes) {
        attributes += "<saml:Attribute Name=\"" + escape(name) +
                      "\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified\">";
        for (const auto& value : values) {
            attributes += "<saml:AttributeValue xsi:type=\"xs:string\">" + escape(value) +
                          "</saml:AttributeValue>";
        }
        attributes += "</saml:Attribute>";
    }
    const std::string instant = util::format_iso8601(spec.issue_instant);
    std::string xml =
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
        " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
        " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"" +
        optional_attribute("ID", spec.response_id) + " Version=\"2.0\" IssueInstant=\"" + instant +
        "\"" + optional_attribute("Destination", spec.destination) +
        optional_attribute("InResponseTo", spec.in_response_to) + ">" +
        issuer_element(spec.response_issuer) + "<samlp:Status><samlp:StatusCode Value=\"" +
        escape(spec.status_code) + "\"/></samlp:Status>";
    xml += "<saml:Assertion" + optional_attribute("ID", spec.assertion_id) +
           " Version=\"2.0\" IssueInstant=\"" + instant + "\">" +
           issuer_element(spec.assertion_issuer) + "<saml:Subject>";
    if (!spec.name_id.empty()) {
        xml += "<saml:NameID" + optional_attribute("Format", spec.name_id_format) + ">" +
               escape(spec.name_id) + "</saml:NameID>";
    }
    xml +=
        "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
        "<saml:SubjectConfirmationData" +
        optional_attribute("InResponseTo", spec.in_response_to) +
        optional_time("NotOnOrAfter", spec.subject_not_on_or_after) +
        optional_attribute("Recipient", spec.recipient) +
        "/></saml:SubjectConfirmation></saml:Subject>";
    xml += "<saml:Conditions" + optional_time("NotBefore", spec.not_before) +
           optional_time("NotOnOrAfter", spec.not_on_or_after) + ">";
    if (!spec.audience.empty()) {
        xml += "<saml:AudienceRestriction><saml:Audience>" + escape(spec.audience) +
               "</saml:Audience></saml:AudienceRestriction>";
    }
    xml += "</saml:Conditions><saml:AuthnStatement AuthnInstant=\"" + instant + "\"" +
           optional_attribute("SessionIndex", spec.session_index) +
           optional_time("SessionNotOnOrAfter", spec.session_not_on_or_after) +
           "><saml:AuthnContext><saml:AuthnContextClassRef>"
           "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
           "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>";
    if (!attributes.empty()) {
        xml += "<saml:AttributeStatement>" + attributes + "</saml:AttributeStatement>";
    }
    xml += "</saml:Assertion></samlp:Response>";
    return xml;
}

}  // namespace gatehouse::testing

namespace gatehouse::testing {
namespace {

// A ds:KeyInfo around `content`, or nothing when there is none.
std::string key_info_element(const std::string& content) {
    if (content.empty()) return {};
    return "<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">" + content +
           "</ds:KeyInfo>";
}

std::string retrieval_method(const std::string& uri, std::string_view type) {
    if (uri.empty()) return {};
    return "<ds:RetrievalMethod xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" URI=\"" +
           escape(uri) + "\" Type=\"" + std::string(type) + "\"/>";
}

// xenc:CipherData holding either a CipherReference to `reference` or, when that is empty,
// the base64 of what `bytes` returns.
template <typename Bytes>
std::string cipher_data(const std::string& reference, Bytes bytes) {
    const std::string inner =
        reference.empty()
            ? "<xenc:CipherValue>" + util::base64_encode(bytes()) + "</xenc:CipherValue>"
            : "<xenc:CipherReference URI=\"" + escape(reference) + "\"/>";
    return "<xenc:CipherData>" + inner + "</xenc:CipherData>";
}

std::string reference_list(const EncryptionOptions& options) {
    std::string references;
    if (!options.data_reference.empty()) {
        references += "<xenc:DataReference URI=\"" + escape(options.data_reference) + "\"/>";
    }
    if (!options.key_reference.empty()) {
        references += "<xenc:KeyReference URI=\"" + escape(options.key_reference) + "\"/>";
    }
    if (references.empty()) return {};
    return "<xenc:ReferenceList>" + references + "</xenc:ReferenceList>";
}

}  // namespace

std::string encrypt_assertion(std::string_view response_xml, std::string_view sp_certificate_pem,
                              const EncryptionOptions& options) {
    const std::string_view close_tag = "</saml:Assertion>";
    const auto begin = response_xml.find("<saml:Assertion");
    const auto end = response_xml.find(close_tag);
    if (begin == std::string_view::npos || end == std::string_view::npos) {
        fixture_failure("no saml:Assertion to encrypt");
    }
    const auto plaintext = response_xml.substr(begin, end + close_tag.size() - begin);
    const bool wide = options.content_algorithm.find("aes256") != std::string::npos;
    const std::string key = random_bytes(wide ? 32 : 16);

    const std::string encrypted_key =
        "<xenc:EncryptedKey xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\">"
        "<xenc:EncryptionMethod Algorithm=\"" +
        options.key_transport + "\"/>" +
        key_info_element(retrieval_method(options.key_retrieval_method,
                                          "http://www.w3.org/2000/09/xmldsig#RSAKeyValue")) +
        cipher_data(options.key_cipher_reference,
                    [&] { return wrap_key(options.key_transport, sp_certificate_pem, key); }) +
        reference_list(options) + "</xenc:EncryptedKey>";
    const std::string encrypted_data =
        "<xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\""
        " Type=\"http://www.w3.org/2001/04/xmlenc#Element\">"
        "<xenc:EncryptionMethod Algorithm=\"" +
        options.content_algorithm + "\"/>" +
        key_info_element(retrieval_method(options.data_retrieval_method,
                                          "http://www.w3.org/2001/04/xmlenc#EncryptedKey") +
                         (options.key_beside_data ? std::string{} : encrypted_key)) +
        cipher_data(options.data_cipher_reference,
                    [&] { return encrypt_content(options.content_algorithm, key, plaintext); }) +
        "</xenc:EncryptedData>";
    return std::string(response_xml.substr(0, begin)) + "<saml:EncryptedAssertion>" +
           encrypted_data + (options.key_beside_data ? encrypted_key : std::string{}) +
           "</saml:EncryptedAssertion>" + std::string(response_xml.substr(end + close_tag.size()));
}

}  // namespace gatehouse::testing

namespace gatehouse::testing {
namespace {

// Registers every ID attribute as an XML ID. A repeated value keeps its first holder:
// hostile documents with duplicate IDs must still be signable.
void register_all_ids(xmlDoc* doc, xmlNode* node) {
    for (; node != nullptr; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (xmlAttr* attr = xmlHasNsProp(node, xml_chars("ID"), nullptr)) {
            std::unique_ptr<xmlChar, XmlCharFree> value(
                xmlNodeListGetString(doc, attr->children, 1));
            if (value && xmlGetID(doc, value.get()) == nullptr) {
                xmlAddID(nullptr, doc, value.get(), attr);
            }
        }
        register_all_ids(doc, node->children);
    }
}

xmlNode* signature_child(xmlNode* element) {
    for (xmlNode* child = element->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && child->ns != nullptr &&
            xmlStrEqual(child->name, xml_chars("Signature")) != 0 &&
            xmlStrEqual(child->ns->href, xmlSecDSigNs) != 0) {
            return child;
        }
    }
    return nullptr;
}

// Signs the existing template with `key`, which the signing context takes over.
std::string resign_with_key(std::string_view xml, std::string_view element_id, xmlSecKey* key) {
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) {
        xmlSecKeyDestroy(key);
        fixture_failure("cannot create a signing context");
    }
    ctx->signKey = key;
    if (key == nullptr) fixture_failure("cannot load the signing key");
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET));
    if (!doc) fixture_failure("the XML to re-sign is not well-formed");
    register_all_ids(doc.get(), xmlDocGetRootElement(doc.get()));
    xmlNode* element = find_by_id(xmlDocGetRootElement(doc.get()), std::string(element_id));
    if (element == nullptr) fixture_failure("no element with ID " + std::string(element_id));
    xmlNode* signature = signature_child(element);
    if (signature == nullptr) fixture_failure("the element carries no ds:Signature to re-sign");
    if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) fixture_failure("re-signing failed");

    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &buffer, &size, "UTF-8");
    std::unique_ptr<xmlChar, XmlCharFree> owned(buffer);
    if (!owned) fixture_failure("cannot serialize the re-signed document");
    return std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
}

}  // namespace

std::string TestIdp::resign(std::string_view xml, std::string_view element_id) const {
    ensure_xmlsec();
    const auto& pem = identity_.private_key_pem;
    xmlSecKey* key = xmlSecCryptoAppKeyLoadMemory(
        reinterpret_cast<const xmlSecByte*>(pem.data()), static_cast<xmlSecSize>(pem.size()),
        xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
    const auto& cert = identity_.certificate_pem;
    if (key != nullptr && xmlSecCryptoAppKeyCertLoadMemory(
                              key, reinterpret_cast<const xmlSecByte*>(cert.data()),
                              static_cast<xmlSecSize>(cert.size()), xmlSecKeyDataFormatPem) < 0) {
        xmlSecKeyDestroy(key);
        key = nullptr;
    }
    return resign_with_key(xml, element_id, key);
}

std::string resign_with_hmac(std::string_view xml, std::string_view element_id,
                             std::string_view secret) {
    ensure_xmlsec();
    xmlSecKey* key =
        xmlSecKeyReadMemory(xmlSecKeyDataHmacId, reinterpret_cast<const xmlSecByte*>(secret.data()),
                            static_cast<xmlSecSize>(secret.size()));
    return resign_with_key(xml, element_id, key);
}

}  // namespace gatehouse::testing
