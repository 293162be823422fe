#include "support/tls_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace gatehouse::testing {
namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
struct X509ExtensionFree {
    void operator()(X509_EXTENSION* extension) const noexcept { X509_EXTENSION_free(extension); }
};
struct FileClose {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

[[noreturn]] void fixture_failure(const std::string& what) {
    throw std::runtime_error("TLS fixture: " + what);
}

void write_pem(const std::string& path, const std::function<int(std::FILE*)>& write) {
    const std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "w"));
    if (!file || write(file.get()) != 1) fixture_failure("cannot write " + path);
}

}  // namespace

void write_self_signed(const TlsFiles& files, const std::string& dns_name,
                       const std::string& ip_address) {
    const std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    const std::unique_ptr<X509, X509Free> certificate(X509_new());
    if (!key || !certificate) fixture_failure("key or certificate allocation failed");
    X509* cert = certificate.get();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(dns_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key.get());

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    std::string names = "DNS:" + dns_name;
    if (!ip_address.empty()) names += ",IP:" + ip_address;
    const std::unique_ptr<X509_EXTENSION, X509ExtensionFree> alt_names(
        X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, names.c_str()));
    if (!alt_names || X509_add_ext(cert, alt_names.get(), -1) != 1) {
        fixture_failure("subjectAltName could not be added");
    }
    if (X509_sign(cert, key.get(), EVP_sha256()) == 0) fixture_failure("signing failed");

    write_pem(files.key_file, [&](std::FILE* out) {
        return PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    write_pem(files.certificate_file, [&](std::FILE* out) { return PEM_write_X509(out, cert); });
}

TestHttpsServer::TestHttpsServer(const TlsFiles& files,
                                 const std::function<void(httplib::Server&)>& install)
    : server_(files.certificate_file.c_str(), files.key_file.c_str()) {
    if (!server_.is_valid()) fixture_failure("the HTTPS server rejected its key or certificate");
    install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) fixture_failure("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only takes effect once the accept loop runs; wait for it so the destructor
    // cannot race it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TestHttpsServer::~TestHttpsServer() {
    server_.stop();
    thread_.join();
}

std::string TestHttpsServer::url(const std::string& path, const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_) + path;
}

SilentListener::SilentListener() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (socket_ < 0) fixture_failure("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(socket_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(socket_, 8) != 0 ||
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(socket_);
        fixture_failure("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
}

SilentListener::~SilentListener() { ::close(socket_); }

bool SilentListener::was_connected() const {
    pollfd waiting{socket_, POLLIN, 0};
    return ::poll(&waiting, 1, 0) == 1 && (waiting.revents & POLLIN) != 0;
}

}  // namespace gatehouse::testing
