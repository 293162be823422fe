#include "gatehouse/saml/response_builder.hpp"

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <memory>

#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::saml {
namespace {

struct XmlSecKeyFree {
    void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct XmlSecKeyDataFree {
    void operator()(xmlSecKeyData* data) const noexcept { xmlSecKeyDataDestroy(data); }
};
struct DSigCtxFree {
    void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
using XmlSecKeyPtr = std::unique_ptr<xmlSecKey, XmlSecKeyFree>;

constexpr const char* kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
constexpr const char* kSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
constexpr const char* kPasswordContext =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
constexpr const char* kBasicNameFormat = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";

// libxml2 takes NUL-terminated strings: only pass std::string or string literals.
const xmlChar* xml(const std::string& text) {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}
const xmlChar* xml(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

void set(xmlNode* element, const char* name, const std::string& value) {
    xmlNewProp(element, xml(name), xml(value));
}

// xmlNewTextChild escapes its content, unlike xmlNewChild.
xmlNode* text_child(xmlNode* parent, xmlNs* ns, const char* name, const std::string& text) {
    return xmlNewTextChild(parent, ns, xml(name), xml(text));
}

// The signing key for xmlsec: a new reference to the private key plus the certificate, which
// xmlsec writes into KeyInfo/X509Data.
Result<XmlSecKeyPtr> signing_key(const SpCredentials& signer) {
    EVP_PKEY* private_key = signer.private_key();
    if (EVP_PKEY_up_ref(private_key) != 1)
        return fail("saml.response_builder.sign_failed", "The signing key cannot be used.");
    std::unique_ptr<xmlSecKeyData, XmlSecKeyDataFree> data(xmlSecOpenSSLEvpKeyAdopt(private_key));
    if (!data) {
        EVP_PKEY_free(private_key);
        return fail("saml.response_builder.sign_failed", "The signing key cannot be used.");
    }
    XmlSecKeyPtr key(xmlSecKeyCreate());
    if (!key || xmlSecKeySetValue(key.get(), data.get()) < 0)
        return fail("saml.response_builder.sign_failed", "The signing key cannot be used.");
    data.release();  // owned by the key now
    const std::string der = signer.certificate().der();
    if (xmlSecOpenSSLAppKeyCertLoadMemory(
            key.get(), reinterpret_cast<const xmlSecByte*>(der.data()),
            static_cast<xmlSecSize>(der.size()), xmlSecKeyDataFormatCertDer) < 0)
        return fail("saml.response_builder.sign_failed", "The signing certificate cannot be used.");
    return key;
}

// Signs `assertion` (whose ID is `id`) with an enveloped signature placed right after its
// Issuer, where the SAML schema wants it.
Status sign_assertion(xmlDoc* doc, xmlNode* assertion, xmlNode* issuer, const std::string& id,
                      const SpCredentials& signer) {
    const auto failed = [] {
        return fail("saml.response_builder.sign_failed", "xmlsec could not sign the assertion.");
    };
    xmlAttr* id_attribute = xmlHasProp(assertion, xml("ID"));
    if (id_attribute == nullptr || xmlAddID(nullptr, doc, xml(id), id_attribute) == nullptr)
        return failed();
    xmlNode* signature = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
                                                   xmlSecTransformRsaSha256Id, nullptr);
    if (signature == nullptr) return failed();
    if (xmlAddNextSibling(issuer, signature) == nullptr) {
        xmlFreeNode(signature);
        return failed();
    }
    const std::string uri = "#" + id;
    xmlNode* reference = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id,
                                                         nullptr, xml(uri), nullptr);
    if (reference == nullptr ||
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr ||
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId) == nullptr)
        return failed();
    xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
    if (key_info == nullptr || xmlSecTmplKeyInfoAddX509Data(key_info) == nullptr) return failed();

    auto key = signing_key(signer);
    if (!key) return key.error();
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) return failed();
    ctx->signKey = key->release();  // the context destroys it
    if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) return failed();
    return {};
}

}  // namespace

Result<std::string> build_signed_response(const AssertionContent& content,
                                          const SpCredentials& signer) {
    if (content.issuer.empty() || content.destination.empty() || content.audience.empty() ||
        content.name_id.empty())
        return fail("saml.response_builder.invalid",
                    "A Response needs an issuer, a destination, an audience and a NameID.");
    initialize_xml_security();

    const std::string issued = util::format_iso8601(content.issued_at);
    const std::string expires = util::format_iso8601(content.issued_at + content.lifetime_seconds);
    const std::string assertion_id = util::random_xml_id();

    XmlDocPtr doc(xmlNewDoc(xml("1.0")));
    xmlNode* response = xmlNewDocNode(doc.get(), nullptr, xml("Response"), nullptr);
    xmlDocSetRootElement(doc.get(), response);
    xmlNs* samlp = xmlNewNs(response, xml(std::string(ns::protocol)), xml("samlp"));
    xmlNs* saml = xmlNewNs(response, xml(std::string(ns::assertion)), xml("saml"));
    xmlSetNs(response, samlp);
    set(response, "ID", util::random_xml_id());
    set(response, "Version", "2.0");
    set(response, "IssueInstant", issued);
    set(response, "Destination", content.destination);
    if (!content.in_response_to.empty()) set(response, "InResponseTo", content.in_response_to);
    text_child(response, saml, "Issuer", content.issuer);
    xmlNode* status = xmlNewChild(response, samlp, xml("Status"), nullptr);
    set(xmlNewChild(status, samlp, xml("StatusCode"), nullptr), "Value", kSuccess);

    xmlNode* assertion = xmlNewChild(response, saml, xml("Assertion"), nullptr);
    set(assertion, "ID", assertion_id);
    set(assertion, "Version", "2.0");
    set(assertion, "IssueInstant", issued);
    xmlNode* issuer = text_child(assertion, saml, "Issuer", content.issuer);

    xmlNode* subject = xmlNewChild(assertion, saml, xml("Subject"), nullptr);
    set(text_child(subject, saml, "NameID", content.name_id), "Format",
        std::string(nameid_format::email));
    xmlNode* confirmation = xmlNewChild(subject, saml, xml("SubjectConfirmation"), nullptr);
    set(confirmation, "Method", kBearer);
    xmlNode* confirmation_data =
        xmlNewChild(confirmation, saml, xml("SubjectConfirmationData"), nullptr);
    if (!content.in_response_to.empty())
        set(confirmation_data, "InResponseTo", content.in_response_to);
    set(confirmation_data, "NotOnOrAfter", expires);
    set(confirmation_data, "Recipient", content.destination);

    xmlNode* conditions = xmlNewChild(assertion, saml, xml("Conditions"), nullptr);
    set(conditions, "NotBefore", issued);
    set(conditions, "NotOnOrAfter", expires);
    xmlNode* restriction = xmlNewChild(conditions, saml, xml("AudienceRestriction"), nullptr);
    text_child(restriction, saml, "Audience", content.audience);

    xmlNode* authn = xmlNewChild(assertion, saml, xml("AuthnStatement"), nullptr);
    set(authn, "AuthnInstant", issued);
    set(authn, "SessionIndex", util::random_xml_id());
    xmlNode* context = xmlNewChild(authn, saml, xml("AuthnContext"), nullptr);
    text_child(context, saml, "AuthnContextClassRef", kPasswordContext);

    if (!content.attributes.empty()) {
        xmlNode* statement = xmlNewChild(assertion, saml, xml("AttributeStatement"), nullptr);
        for (const auto& [name, values] : content.attributes) {
            xmlNode* attribute = xmlNewChild(statement, saml, xml("Attribute"), nullptr);
            set(attribute, "Name", name);
            set(attribute, "NameFormat", kBasicNameFormat);
            for (const auto& value : values) text_child(attribute, saml, "AttributeValue", value);
        }
    }

    if (auto signed_ok = sign_assertion(doc.get(), assertion, issuer, assertion_id, signer);
        !signed_ok)
        return signed_ok.error();
    return serialize(doc.get());
}

std::string build_idp_metadata(std::string_view entity_id, std::string_view sso_url,
                               const Certificate& signing_certificate) {
    XmlDocPtr doc(xmlNewDoc(xml("1.0")));
    xmlNode* root = xmlNewDocNode(doc.get(), nullptr, xml("EntityDescriptor"), nullptr);
    xmlDocSetRootElement(doc.get(), root);
    xmlNs* md = xmlNewNs(root, xml(std::string(ns::metadata)), xml("md"));
    xmlNs* ds = xmlNewNs(root, xml(std::string(ns::xmldsig)), xml("ds"));
    xmlSetNs(root, md);
    set(root, "entityID", std::string(entity_id));

    xmlNode* descriptor = xmlNewChild(root, md, xml("IDPSSODescriptor"), nullptr);
    set(descriptor, "WantAuthnRequestsSigned", "true");
    set(descriptor, "protocolSupportEnumeration", std::string(ns::protocol));
    xmlNode* key = xmlNewChild(descriptor, md, xml("KeyDescriptor"), nullptr);
    set(key, "use", "signing");
    xmlNode* key_info = xmlNewChild(key, ds, xml("KeyInfo"), nullptr);
    xmlNode* x509_data = xmlNewChild(key_info, ds, xml("X509Data"), nullptr);
    text_child(x509_data, ds, "X509Certificate", signing_certificate.der_base64());
    text_child(descriptor, md, "NameIDFormat", std::string(nameid_format::email));
    xmlNode* sso = xmlNewChild(descriptor, md, xml("SingleSignOnService"), nullptr);
    set(sso, "Binding", std::string(binding::http_redirect));
    set(sso, "Location", std::string(sso_url));
    return serialize(doc.get());
}

}  // namespace gatehouse::saml
