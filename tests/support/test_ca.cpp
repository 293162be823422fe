#include "support/test_ca.hpp"

#include <openssl/objects.h>

#include "support/x509.hpp"

namespace gatehouse::testing {

TestCa::TestCa() {
    const EvpPkeyPtr ca_key = new_p256_key();
    const X509Ptr ca = issue_certificate({.common_name = "Gatehouse test CA",
                                          .serial = 1,
                                          .extensions =
                                              {
                                                  {NID_basic_constraints, "critical,CA:TRUE"},
                                                  {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                                  {NID_subject_key_identifier, "hash"},
                                              }},
                                         ca_key.get());
    const EvpPkeyPtr leaf_key = new_p256_key();
    const X509Ptr leaf =
        issue_certificate({.common_name = "localhost",
                           .serial = 2,
                           .extensions =
                               {
                                   {NID_basic_constraints, "critical,CA:FALSE"},
                                   {NID_key_usage, "critical,digitalSignature"},
                                   {NID_ext_key_usage, "serverAuth"},
                                   {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   {NID_authority_key_identifier, "keyid:always"},
                               }},
                          leaf_key.get(), ca.get(), ca_key.get());
    write_certificate_pem(ca_file_, ca.get());
    write_private_key_pem(leaf_.key_file, leaf_key.get());
    write_certificate_pem(leaf_.certificate_file, leaf.get());
}

std::unique_ptr<httplib::SSLClient> loopback_https_client(int port, const std::string& ca_file) {
    auto client = std::make_unique<httplib::SSLClient>("localhost", port);
    client->set_hostname_addr_map({{"localhost", "127.0.0.1"}});
    client->set_ca_cert_path(ca_file.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5);
    client->set_read_timeout(10);
    client->set_write_timeout(10);
    return client;
}

}  // namespace gatehouse::testing
