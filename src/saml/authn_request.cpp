#include "gatehouse/saml/authn_request.hpp"

#include <libxml/tree.h>

#include <algorithm>
#include <cctype>

#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::saml {
namespace {

// libxml2 takes NUL-terminated strings: only pass std::string or string literals.
const xmlChar* xml(const std::string& text) {
    return reinterpret_cast<const xmlChar*>(text.c_str());
}

void set(xmlNode* element, const std::string& name, const std::string& value) {
    xmlNewProp(element, xml(name), xml(value));
}

bool contains_case_insensitive(std::string_view haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [](char a, char b) {
                           return std::tolower(static_cast<unsigned char>(a)) ==
                                  std::tolower(static_cast<unsigned char>(b));
                       }) != haystack.end();
}

}  // namespace

AuthnRequest build_authn_request(const SpEndpoints& sp, std::string_view idp_sso_url,
                                 const util::Clock& clock) {
    AuthnRequest request{util::random_xml_id(), {}, clock.now()};

    XmlDocPtr doc(xmlNewDoc(xml("1.0")));
    xmlNode* root = xmlNewDocNode(doc.get(), nullptr, xml("AuthnRequest"), nullptr);
    xmlDocSetRootElement(doc.get(), root);
    xmlNs* samlp = xmlNewNs(root, xml(std::string(ns::protocol)), xml("samlp"));
    xmlNs* saml = xmlNewNs(root, xml(std::string(ns::assertion)), xml("saml"));
    xmlSetNs(root, samlp);
    set(root, "ID", request.id);
    set(root, "Version", "2.0");
    set(root, "IssueInstant", util::format_iso8601(request.issue_instant));
    set(root, "Destination", std::string(idp_sso_url));
    set(root, "AssertionConsumerServiceURL", sp.acs_url);
    set(root, "ProtocolBinding", std::string(binding::http_post));

    xmlNodeAddContent(xmlNewChild(root, saml, xml("Issuer"), nullptr), xml(sp.entity_id));
    xmlNode* policy = xmlNewChild(root, samlp, xml("NameIDPolicy"), nullptr);
    set(policy, "AllowCreate", "true");

    request.xml = serialize(doc.get());
    return request;
}

bool is_safe_relay_path(std::string_view next) {
    if (next.empty() || next.size() > 2048 || next[0] != '/') return false;
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
    const bool clean_bytes = std::all_of(next.begin(), next.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '\\';
    });
    return clean_bytes && !contains_case_insensitive(next, "%2f") &&
           !contains_case_insensitive(next, "%5c");
}

}  // namespace gatehouse::saml
