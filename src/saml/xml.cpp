#include "gatehouse/saml/xml.hpp"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <mutex>
#include <new>

namespace gatehouse::saml {
namespace {

struct ParserCtxtFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};
using ParserCtxtPtr = std::unique_ptr<xmlParserCtxt, ParserCtxtFree>;

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharFree>;

const char* as_chars(const xmlChar* text) { return reinterpret_cast<const char*>(text); }

std::string_view view_of(const xmlChar* text) {
    return text == nullptr ? std::string_view{} : std::string_view(as_chars(text));
}

std::string take_string(xmlChar* text) {
    XmlCharPtr owned(text);
    return owned ? std::string(as_chars(owned.get())) : std::string{};
}

// Errors are reported through the Result, not printed on the server's standard error.
void ignore_structured_error(void*, xmlError*) {}

// What the SAX callbacks below saw before they stopped the parser.
struct Refusals {
    bool doctype = false;
    bool processing_instruction = false;
};

Refusals& refusals_of(void* user_data) {
    return *static_cast<Refusals*>(static_cast<xmlParserCtxt*>(user_data)->_private);
}

// Stops the parser the moment a DOCTYPE starts, before its internal subset (where entity
// declarations live) is read at all.
void refuse_doctype(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) {
    refusals_of(user_data).doctype = true;
    xmlStopParser(static_cast<xmlParserCtxt*>(user_data));
}

// SAML never carries processing instructions; an xml-stylesheet one is an instruction to
// whatever renders the document next (the check report, an admin's browser) to fetch and
// run something. The XML declaration is not a processing instruction and never gets here.
void refuse_processing_instruction(void* user_data, const xmlChar*, const xmlChar*) {
    refusals_of(user_data).processing_instruction = true;
    xmlStopParser(static_cast<xmlParserCtxt*>(user_data));
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<XmlDocument> parse_untrusted_xml(std::string_view bytes, std::size_t max_bytes) {
    if (bytes.size() > max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        return fail("xml.too_large",
                    "The XML document is larger than " + std::to_string(max_bytes) + " bytes.");
    }
    static std::once_flag parser_ready;
    std::call_once(parser_ready, [] { xmlInitParser(); });

    ParserCtxtPtr ctxt(xmlNewParserCtxt());
    if (!ctxt) throw std::bad_alloc();
    Refusals refusals;
    ctxt->_private = &refusals;
    ctxt->userData = ctxt.get();
    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->processingInstruction = refuse_processing_instruction;
    ctxt->sax->serror = ignore_structured_error;

    // No DTD loading, no entity substitution, no network: the defaults of this option
    // set are the safe ones, so only switches that narrow behaviour are passed.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                                    nullptr, nullptr, options));
    if (refusals.doctype || (doc && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
        return fail("xml.dtd", "The XML document declares a DOCTYPE, which is not allowed.");
    }
    if (refusals.processing_instruction) {
        return fail("xml.processing_instruction",
                    "The XML document carries a processing instruction, which is not allowed.");
    }
    if (!doc || ctxt->wellFormed == 0) {
        const xmlError* error = xmlCtxtGetLastError(ctxt.get());
        std::string detail = error != nullptr && error->message != nullptr
                                 ? std::string(error->message)
                                 : std::string("unknown error");
        while (!detail.empty() && is_xml_space(detail.back())) detail.pop_back();
        return fail("xml.malformed", "The XML document is not well-formed: " + detail + ".");
    }
    // libxml2 already refuses a document without an element; this keeps root() non-null
    // even if a future libxml2 were more lenient.
    if (xmlDocGetRootElement(doc.get()) == nullptr) {
        return fail("xml.malformed", "The XML document has no root element.");
    }
    return XmlDocument(std::move(doc));
}

bool is_element(const xmlNode* node, std::string_view ns_uri, std::string_view local_name) {
    return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
           view_of(node->ns->href) == ns_uri && view_of(node->name) == local_name;
}

std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns_uri,
                                     std::string_view local_name) {
    std::vector<xmlNode*> found;
    if (parent == nullptr) return found;
    for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (is_element(child, ns_uri, local_name)) found.push_back(child);
    }
    return found;
}

xmlNode* first_child_element(const xmlNode* parent, std::string_view ns_uri,
                             std::string_view local_name) {
    if (parent == nullptr) return nullptr;
    for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (is_element(child, ns_uri, local_name)) return child;
    }
    return nullptr;
}

std::vector<xmlNode*> element_children(const xmlNode* parent) {
    std::vector<xmlNode*> found;
    if (parent == nullptr) return found;
    for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) found.push_back(child);
    }
    return found;
}

std::vector<xmlNode*> descendant_elements(const xmlNode* root, std::string_view ns_uri,
                                          std::string_view local_name) {
    std::vector<xmlNode*> found;
    if (root == nullptr) return found;
    // Iterative walk: depth is bounded by the parser, but recursion buys nothing here.
    const xmlNode* node = root;
    while (node != nullptr) {
        if (is_element(node, ns_uri, local_name)) found.push_back(const_cast<xmlNode*>(node));
        if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
            node = node->children;
            continue;
        }
        while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
        if (node == nullptr || node == root) break;
        node = node->next;
    }
    return found;
}

std::string element_text(const xmlNode* element) {
    std::string text;
    if (element == nullptr) return text;
    for (const xmlNode* child = element->children; child != nullptr; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
            child->content != nullptr) {
            text += as_chars(child->content);
        }
    }
    std::size_t begin = 0;
    while (begin < text.size() && is_xml_space(text[begin])) ++begin;
    std::size_t end = text.size();
    while (end > begin && is_xml_space(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

std::optional<std::string> attribute(const xmlNode* element, std::string_view name) {
    if (element == nullptr || element->type != XML_ELEMENT_NODE) return std::nullopt;
    const std::string key(name);
    xmlChar* value = xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(key.c_str()));
    if (value == nullptr) return std::nullopt;
    return take_string(value);
}

std::optional<std::string> attribute_ns(const xmlNode* element, std::string_view ns_uri,
                                        std::string_view name) {
    if (element == nullptr || element->type != XML_ELEMENT_NODE) return std::nullopt;
    const std::string key(name);
    const std::string uri(ns_uri);
    xmlChar* value = xmlGetNsProp(element, reinterpret_cast<const xmlChar*>(key.c_str()),
                                  reinterpret_cast<const xmlChar*>(uri.c_str()));
    if (value == nullptr) return std::nullopt;
    return take_string(value);
}

std::string qualified_name(const xmlNode* element) {
    std::string name;
    if (element->ns != nullptr && element->ns->prefix != nullptr) {
        name = reinterpret_cast<const char*>(element->ns->prefix);
        name += ':';
    }
    return name + reinterpret_cast<const char*>(element->name);
}

std::string serialize(const xmlDoc* doc) {
    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(const_cast<xmlDoc*>(doc), &buffer, &size, "UTF-8");
    XmlCharPtr owned(buffer);
    if (!owned) throw std::bad_alloc();
    return std::string(as_chars(owned.get()), static_cast<std::size_t>(size));
}

}  // namespace gatehouse::saml
