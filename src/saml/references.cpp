#include "gatehouse/saml/references.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/saml/xml.hpp"

namespace gatehouse::saml {
namespace {

// Attacker-chosen URIs end up in the audit log; a few dozen characters identify one.
constexpr std::size_t kQuotedUriChars = 80;

std::string_view namespace_of(const xmlNode* element) {
    if (element->ns == nullptr || element->ns->href == nullptr) return {};
    return reinterpret_cast<const char*>(element->ns->href);
}

bool is_security_namespace(std::string_view uri) {
    return uri == ns::xmldsig || uri == ns::xmlenc || uri == ns::xmldsig11 || uri == ns::xmlenc11;
}

// "#" followed by a name: a pointer to an element of this document, which is all that SAML
// signatures and encrypted assertions ever need.
bool is_same_document_reference(const std::optional<std::string>& uri) {
    return uri && uri->size() > 1 && uri->front() == '#';
}

std::string quoted(const std::optional<std::string>& uri) {
    if (!uri) return "no URI";
    if (uri->size() <= kQuotedUriChars) return "the URI \"" + *uri + "\"";
    return "the URI \"" + uri->substr(0, kQuotedUriChars) + "...\"";
}

Error refusal(const xmlNode* element, const std::string& why) {
    return fail("saml.reference.external", "The message carries " + qualified_name(element) +
                                               " with " + why +
                                               "; nothing outside the message is ever fetched.");
}

Status check_element(const xmlNode* element) {
    const std::string_view space = namespace_of(element);
    if (!is_security_namespace(space)) return {};
    const auto uri = attribute(element, "URI");
    if (is_element(element, ns::xmlenc, "CipherReference") ||
        is_element(element, ns::xmldsig, "RetrievalMethod")) {
        return refusal(element, quoted(uri));
    }
    const bool uri_required = is_element(element, ns::xmldsig, "Reference") ||
                              is_element(element, ns::xmlenc, "DataReference") ||
                              is_element(element, ns::xmlenc, "KeyReference");
    if ((uri || uri_required) && !is_same_document_reference(uri)) {
        return refusal(element, quoted(uri) + ", which is not a same-document #id reference");
    }
    return {};
}

}  // namespace

Status refuse_external_references(const xmlNode* root) {
    // Iterative walk: a hostile document may nest deeply, and the parser's own depth limit
    // is the only bound that needs to hold.
    const xmlNode* node = root;
    while (node != nullptr) {
        if (node->type == XML_ELEMENT_NODE) {
            if (auto status = check_element(node); !status) return status;
            if (node->children != nullptr) {
                node = node->children;
                continue;
            }
        }
        while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
        if (node == nullptr || node == root) break;
        node = node->next;
    }
    return {};
}

}  // namespace gatehouse::saml
