#include "gatehouse/saml/sp_metadata.hpp"

#include <libxml/tree.h>

#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::saml {
namespace {

// libxml2 takes NUL-terminated strings, hence std::string rather than std::string_view.
const xmlChar* xml(const std::string& text) {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}

xmlNode* add_child(xmlNode* parent, xmlNs* ns, const std::string& name) {
    return xmlNewChild(parent, ns, xml(name), nullptr);
}

void set(xmlNode* element, const std::string& name, const std::string& value) {
    xmlNewProp(element, xml(name), xml(value));
}

// xmlNodeAddContent escapes markup characters, unlike the content argument of xmlNewChild.
void add_text_child(xmlNode* parent, xmlNs* ns, const std::string& name, const std::string& text) {
    xmlNodeAddContent(add_child(parent, ns, name), xml(text));
}

void add_key_descriptor(xmlNode* sso, xmlNs* md, const std::string& use,
                        const std::string& certificate_base64) {
    xmlNode* key_descriptor = add_child(sso, md, "KeyDescriptor");
    set(key_descriptor, "use", use);
    xmlNode* key_info = add_child(key_descriptor, nullptr, "KeyInfo");
    xmlNs* ds = xmlNewNs(key_info, xml(std::string(ns::xmldsig)), xml("ds"));
    xmlSetNs(key_info, ds);
    add_text_child(add_child(key_info, ds, "X509Data"), ds, "X509Certificate", certificate_base64);
}

void add_endpoint(xmlNode* sso, xmlNs* md, const std::string& name, std::string_view binding_uri,
                  const std::string& location) {
    xmlNode* endpoint = add_child(sso, md, name);
    set(endpoint, "Binding", std::string(binding_uri));
    set(endpoint, "Location", location);
}

std::string trim_trailing_slashes(std::string_view url) {
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    return std::string(url);
}

}  // namespace

SpEndpoints sp_endpoints(std::string_view base_url, std::string_view org_slug) {
    const std::string base = trim_trailing_slashes(base_url);
    const std::string org = util::url_encode(org_slug);
    return SpEndpoints{base + "/saml/metadata/" + org + "/", base + "/saml/acs/" + org + "/",
                       base + "/saml/sls/" + org + "/", base + "/auth/login/" + org + "/"};
}

std::string build_sp_metadata(const SpEndpoints& endpoints, const Certificate& sp_certificate) {
    return build_sp_metadata(endpoints, sp_certificate, nullptr);
}

std::string build_sp_metadata(const SpEndpoints& endpoints, const Certificate& sp_certificate,
                              const Certificate* next_certificate) {
    XmlDocPtr doc(xmlNewDoc(xml("1.0")));
    xmlNode* root = xmlNewDocNode(doc.get(), nullptr, xml("EntityDescriptor"), nullptr);
    xmlDocSetRootElement(doc.get(), root);
    xmlNs* md = xmlNewNs(root, xml(std::string(ns::metadata)), xml("md"));
    xmlSetNs(root, md);
    set(root, "entityID", endpoints.entity_id);

    xmlNode* sso = add_child(root, md, "SPSSODescriptor");
    set(sso, "AuthnRequestsSigned", "true");
    set(sso, "WantAssertionsSigned", "true");
    set(sso, "protocolSupportEnumeration", std::string(ns::protocol));

    // The schema fixes the order: KeyDescriptor, SingleLogoutService, NameIDFormat,
    // AssertionConsumerService.
    for (const Certificate* certificate : {&sp_certificate, next_certificate}) {
        if (certificate == nullptr) continue;
        const std::string der = certificate->der_base64();
        add_key_descriptor(sso, md, "signing", der);
        add_key_descriptor(sso, md, "encryption", der);
    }
    add_endpoint(sso, md, "SingleLogoutService", binding::http_redirect, endpoints.sls_url);
    add_endpoint(sso, md, "SingleLogoutService", binding::http_post, endpoints.sls_url);
    for (const auto format :
         {nameid_format::email, nameid_format::persistent, nameid_format::unspecified}) {
        add_text_child(sso, md, "NameIDFormat", std::string(format));
    }
    xmlNode* acs = add_child(sso, md, "AssertionConsumerService");
    set(acs, "Binding", std::string(binding::http_post));
    set(acs, "Location", endpoints.acs_url);
    set(acs, "index", "0");
    set(acs, "isDefault", "true");
    return serialize(doc.get());
}

}  // namespace gatehouse::saml
