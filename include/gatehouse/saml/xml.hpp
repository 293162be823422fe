// Safe parsing of XML that arrives from outside (SAML messages, IdP metadata) and the
// few read-only tree helpers that every SAML unit needs: namespace-aware lookup and text.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Namespace URIs of the SAML 2.0 and XML security vocabularies.
namespace ns {
inline constexpr std::string_view protocol = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr std::string_view assertion = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr std::string_view metadata = "urn:oasis:names:tc:SAML:2.0:metadata";
inline constexpr std::string_view xmldsig = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view xmlenc = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr std::string_view xmldsig11 = "http://www.w3.org/2009/xmldsig11#";
inline constexpr std::string_view xmlenc11 = "http://www.w3.org/2009/xmlenc11#";
inline constexpr std::string_view xsi = "http://www.w3.org/2001/XMLSchema-instance";
}  // namespace ns

// Frees an xmlDoc; lets std::unique_ptr own documents built with libxml2's tree API.
struct XmlDocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// The largest document parse_untrusted_xml accepts unless told otherwise. Real SAML
// responses with many attributes and a certificate stay well under 256 KiB.
inline constexpr std::size_t kMaxUntrustedXmlBytes = 1024 * 1024;

// A parsed document and sole owner of its libxml2 tree. Move-only. Pointers obtained from
// it (root(), child lookups) stay valid while the document lives and is not modified.
// Not thread-safe to modify; concurrent reads of an unmodified document are safe.
class XmlDocument {
  public:
    explicit XmlDocument(XmlDocPtr doc) : doc_(std::move(doc)) {}

    xmlDoc* get() const { return doc_.get(); }
    // The document element; never null for a document returned by parse_untrusted_xml.
    xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }

  private:
    XmlDocPtr doc_;
};

// Parses bytes from an untrusted source. Refuses, with a reason code:
//   "xml.too_large"   more than `max_bytes` bytes (checked before parsing);
//   "xml.malformed"   not well-formed XML, or no document element (the message carries
//                     libxml2's sentence);
//   "xml.dtd"         any DOCTYPE at all: SAML never needs one, and refusing it removes
//                     entity expansion (billion laughs) and external entities (XXE);
//   "xml.processing_instruction"
//                     a processing instruction anywhere (before, inside or after the
//                     document element); the XML declaration is not one.
// Never touches the network or the file system. Thread-safe.
Result<XmlDocument> parse_untrusted_xml(std::string_view bytes,
                                        std::size_t max_bytes = kMaxUntrustedXmlBytes);

// True when `node` is an element with this namespace URI and local name.
bool is_element(const xmlNode* node, std::string_view ns_uri, std::string_view local_name);

// The direct child elements of `parent` with this namespace and local name, in document
// order. Empty when `parent` is null.
std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns_uri,
                                     std::string_view local_name);

// The first such direct child element, or null.
xmlNode* first_child_element(const xmlNode* parent, std::string_view ns_uri,
                             std::string_view local_name);

// All element children of `parent`, whatever their name.
std::vector<xmlNode*> element_children(const xmlNode* parent);

// Every element in the subtree rooted at `root` (including it) with this name.
std::vector<xmlNode*> descendant_elements(const xmlNode* root, std::string_view ns_uri,
                                          std::string_view local_name);

// The text of an element: its direct text and CDATA children concatenated, with leading
// and trailing XML white space removed. Comments and child elements contribute nothing,
// so "alice@example.com<!---->.evil.test" reads as the whole string, never as a prefix
// (the comment-truncation attack on SAML NameIDs). Empty for a null node.
std::string element_text(const xmlNode* element);

// The value of an attribute without a namespace (as SAML uses: ID, Destination, …), or
// nullopt when absent.
std::optional<std::string> attribute(const xmlNode* element, std::string_view name);

// The value of a namespaced attribute (for example xsi:type), or nullopt when absent.
std::optional<std::string> attribute_ns(const xmlNode* element, std::string_view ns_uri,
                                        std::string_view name);

// The element's name as written, with its namespace prefix ("saml:Assertion"), for messages.
std::string qualified_name(const xmlNode* element);

// Serializes a whole document as UTF-8 with an XML declaration.
std::string serialize(const xmlDoc* doc);

}  // namespace gatehouse::saml
