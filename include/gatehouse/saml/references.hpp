// The first defence against XML Signature and XML Encryption elements that would make
// xmlsec read from the network or the file system: found and refused before xmlsec runs.
#pragma once

#include <libxml/tree.h>

#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Walks the whole subtree of `root` (the document element of a message, or a decrypted
// assertion) and refuses, with "saml.reference.external" and a sentence naming the element:
//   - any xenc:CipherReference (the ciphertext lives elsewhere) and any ds:RetrievalMethod
//     (the key lives elsewhere), whatever their URI: SAML uses neither;
//   - a ds:Reference, xenc:DataReference or xenc:KeyReference without a same-document
//     "#id" URI (absent, empty, or pointing at anything but this document);
//   - any other element of the XML Signature or XML Encryption namespaces (1.0 and 1.1)
//     whose URI attribute is not a same-document "#id" reference.
// Elements of other namespaces are never dereferenced by xmlsec and are not looked at.
// Every entry point that hands an untrusted tree to xmlsec calls this first; xmlsec's own
// contexts are restricted as well, so that a tree that skipped this check still reaches
// neither the network nor the file system. Pure; thread-safe for unmodified trees.
Status refuse_external_references(const xmlNode* root);

}  // namespace gatehouse::saml
