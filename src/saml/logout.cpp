#include "gatehouse/saml/logout.hpp"

#include <libxml/tree.h>

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

// xmlNodeAddContent escapes markup, unlike the content argument of xmlNewChild.
xmlNode* add_text_child(xmlNode* parent, xmlNs* ns, const std::string& name,
                        const std::string& text) {
    xmlNode* child = xmlNewChild(parent, ns, xml(name), nullptr);
    xmlNodeAddContent(child, xml(text));
    return child;
}

// A samlp message skeleton shared by both logout messages: the root element with ID,
// Version, IssueInstant and Destination, and the SP as saml:Issuer.
struct MessageSkeleton {
    XmlDocPtr doc;
    xmlNode* root;
    xmlNs* samlp;
    xmlNs* saml;
};

MessageSkeleton start_message(const std::string& element, const std::string& id,
                              const SpEndpoints& sp, std::string_view destination,
                              const util::Clock& clock) {
    XmlDocPtr doc(xmlNewDoc(xml("1.0")));
    xmlNode* root = xmlNewDocNode(doc.get(), nullptr, xml(element), nullptr);
    xmlDocSetRootElement(doc.get(), root);
    xmlNs* samlp = xmlNewNs(root, xml(std::string(ns::protocol)), xml("samlp"));
    xmlNs* saml = xmlNewNs(root, xml(std::string(ns::assertion)), xml("saml"));
    xmlSetNs(root, samlp);
    set(root, "ID", id);
    set(root, "Version", "2.0");
    set(root, "IssueInstant", util::format_iso8601(clock.now()));
    set(root, "Destination", std::string(destination));
    add_text_child(root, saml, "Issuer", sp.entity_id);
    return {std::move(doc), root, samlp, saml};
}

}  // namespace

LogoutMessage build_logout_request(const SpEndpoints& sp, std::string_view idp_slo_url,
                                   std::string_view name_id, std::string_view name_id_format,
                                   const std::vector<std::string>& session_indexes,
                                   const util::Clock& clock) {
    LogoutMessage message{util::random_xml_id(), {}};
    auto skeleton = start_message("LogoutRequest", message.id, sp, idp_slo_url, clock);
    xmlNode* subject = add_text_child(skeleton.root, skeleton.saml, "NameID", std::string(name_id));
    if (!name_id_format.empty()) set(subject, "Format", std::string(name_id_format));
    for (const auto& index : session_indexes) {
        add_text_child(skeleton.root, skeleton.samlp, "SessionIndex", index);
    }
    message.xml = serialize(skeleton.doc.get());
    return message;
}

LogoutMessage build_logout_response(const SpEndpoints& sp, std::string_view idp_slo_url,
                                    std::string_view in_response_to, const util::Clock& clock,
                                    std::string_view status) {
    LogoutMessage message{util::random_xml_id(), {}};
    auto skeleton = start_message("LogoutResponse", message.id, sp, idp_slo_url, clock);
    set(skeleton.root, "InResponseTo", std::string(in_response_to));
    xmlNode* status_element = xmlNewChild(skeleton.root, skeleton.samlp, xml("Status"), nullptr);
    xmlNode* code = xmlNewChild(status_element, skeleton.samlp, xml("StatusCode"), nullptr);
    set(code, "Value", std::string(status));
    message.xml = serialize(skeleton.doc.get());
    return message;
}

}  // namespace gatehouse::saml
