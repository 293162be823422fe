// The floor: what libxml2 and xmlsec allow on this machine with nothing else in the way.
// Each iteration base64-decodes the same Response the ACS bench posts, parses it with the
// parser options gatehouse uses, registers the signed element's ID and verifies its
// enveloped signature with a key loaded once. No SAML checks, no HTTP, no store.
//
//   floor_bench --out DIR [--runs 3] [--seconds 2]
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "bench_setup.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/util/encoding.hpp"
#include "load.hpp"

using namespace gatehouse;
using namespace gatehouse::bench;

namespace {

struct DocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
struct KeyFree {
    void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct DSigCtxFree {
    void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
struct X509Free {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

const xmlChar* const kDsig = reinterpret_cast<const xmlChar*>("http://www.w3.org/2000/09/xmldsig#");
const xmlChar* const kAssertionNs =
    reinterpret_cast<const xmlChar*>("urn:oasis:names:tc:SAML:2.0:assertion");

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::unique_ptr<xmlSecKey, KeyFree> load_key(const std::string& pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) throw std::runtime_error("the IdP certificate does not parse");
    EVP_PKEY* public_key = X509_get_pubkey(cert.get());
    xmlSecKeyData* data = xmlSecOpenSSLEvpKeyAdopt(public_key);
    std::unique_ptr<xmlSecKey, KeyFree> key(xmlSecKeyCreate());
    if (data == nullptr || !key || xmlSecKeySetValue(key.get(), data) < 0) {
        throw std::runtime_error("cannot build the xmlsec key");
    }
    return key;
}

bool verify_element(xmlDoc* doc, xmlNode* element, const xmlSecKey* key) {
    xmlAttr* id = xmlHasProp(element, reinterpret_cast<const xmlChar*>("ID"));
    if (id == nullptr) return false;
    std::unique_ptr<xmlChar, XmlCharFree> value(xmlNodeListGetString(doc, id->children, 1));
    if (xmlAddID(nullptr, doc, value.get(), id) == nullptr) return false;
    xmlNode* signature =
        xmlSecFindChild(element, reinterpret_cast<const xmlChar*>("Signature"), kDsig);
    if (signature == nullptr) return false;
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    ctx->signKey = xmlSecKeyDuplicate(const_cast<xmlSecKey*>(key));
    return xmlSecDSigCtxVerify(ctx.get(), signature) == 0 &&
           ctx->status == xmlSecDSigStatusSucceeded;
}

// One pass of the floor; true when every signature the Response carries verifies.
bool validate_once(const std::string& base64, const xmlSecKey* key) {
    const auto bytes = util::base64_decode(base64);
    if (!bytes) return false;
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlReadMemory(bytes->data(), static_cast<int>(bytes->size()), nullptr, nullptr, options));
    if (!doc) return false;
    xmlNode* response = xmlDocGetRootElement(doc.get());
    if (xmlSecFindChild(response, reinterpret_cast<const xmlChar*>("Signature"), kDsig) !=
            nullptr &&
        !verify_element(doc.get(), response, key)) {
        return false;
    }
    xmlNode* assertion =
        xmlSecFindChild(response, reinterpret_cast<const xmlChar*>("Assertion"), kAssertionNs);
    return assertion != nullptr && verify_element(doc.get(), assertion, key);
}

}  // namespace

int main(int argc, char** argv) try {
    const auto args = parse_args(argc, argv);
    const std::filesystem::path out = arg_or(args, "out", "bench-out");
    const int runs = std::stoi(arg_or(args, "runs", "3"));
    const double seconds = std::stod(arg_or(args, "seconds", "2"));
    saml::initialize_xml_security();
    const auto key = load_key(read_file(out / "idp.crt"));

    for (const std::string variant : {"assertion", "both"}) {
        const std::string response = read_file(out / (variant + ".b64"));
        if (!validate_once(response, key.get()))
            throw std::runtime_error("the floor rejects the valid " + variant + " Response");
        std::string tampered = *util::base64_decode(response);
        tampered.replace(tampered.find("@contoso.example"), 16, "@evil.example.xx");
        if (validate_once(util::base64_encode(tampered), key.get())) {
            throw std::runtime_error("the floor accepts a tampered " + variant + " Response");
        }
        std::vector<double> rates;
        for (int run = 0; run < runs; ++run) {
            std::size_t iterations = 0;
            const double started = now_ms();
            double elapsed = 0;
            while (elapsed < seconds * 1000) {
                for (int i = 0; i < 20; ++i) {
                    if (!validate_once(response, key.get()))
                        throw std::runtime_error("verification failed");
                }
                iterations += 20;
                elapsed = now_ms() - started;
            }
            rates.push_back(iterations / (elapsed / 1000));
        }
        emit("floor", {{"per_second", median(rates)}, {"runs", double(runs)}},
             {{"variant", variant}});
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "floor_bench: FAILED: " << e.what() << "\n";
    return 1;
}
