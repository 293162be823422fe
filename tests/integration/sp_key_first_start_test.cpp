// The SP key pair `serve` creates beside a SQLite store when no --sp-key names one: created
// once with mode 0600, announced by its fingerprint, published in the metadata, kept across
// restarts and shared by processes that start together.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gatehouse/saml/keys.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string contents_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The certificate of a key pair file, as the metadata carries it: base64 DER on one line.
std::string certificate_base64(const std::string& key_pair_pem) {
    std::istringstream lines(key_pair_pem.substr(key_pair_pem.find("-----BEGIN CERTIFICATE")));
    std::string base64;
    for (std::string line; std::getline(lines, line);) {
        if (line.find("-----") == std::string::npos) base64 += line;
    }
    return base64;
}

std::string fingerprint_of(const std::string& key_pair_pem) {
    auto certificate =
        saml::Certificate::parse(key_pair_pem.substr(key_pair_pem.find("-----BEGIN CERTIFICATE")));
    REQUIRE(certificate.ok());
    return certificate->sha256_fingerprint();
}

std::string metadata_of(const ServerProcess& server) {
    httplib::Client client("127.0.0.1", server.port());
    auto res = client.Get("/saml/metadata/acme/");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return res->body;
}

// A store with org acme in a fresh folder, and the key pair file serve would use there.
struct StoreFolder {
    TempDir dir;
    std::string db = dir.file("store/gatehouse.db");
    std::string key_pair = dir.file("store/sp-key.pem");

    StoreFolder() { REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0); }

    std::unique_ptr<ServerProcess> serve() const {
        return std::make_unique<ServerProcess>(
            db, std::vector<std::string>{"--base-url", "http://gatehouse.test"});
    }
};

}  // namespace

TEST_CASE("serve creates the SP key pair beside the store on first start and publishes it") {
    StoreFolder store;

    auto server = store.serve();

    REQUIRE(std::filesystem::exists(store.key_pair));
    struct stat info {};
    REQUIRE(::stat(store.key_pair.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    const std::string pem = contents_of(store.key_pair);
    CHECK(contains(server->log(), R"("event":"server.sp_key_created")"));
    CHECK(contains(server->log(), R"("fingerprint":")" + fingerprint_of(pem) + "\""));
    CHECK(contains(metadata_of(*server), certificate_base64(pem)));
}

TEST_CASE("serve keeps the SP key pair it created across restarts") {
    StoreFolder store;
    std::string first_pem;
    {
        auto first = store.serve();
        first_pem = contents_of(store.key_pair);
    }

    auto second = store.serve();

    CHECK(contents_of(store.key_pair) == first_pem);
    CHECK_FALSE(contains(second->log(), "server.sp_key_created"));
    CHECK(contains(second->log(), R"("event":"server.sp_key")"));
    CHECK(contains(second->log(), R"("fingerprint":")" + fingerprint_of(first_pem) + "\""));
    CHECK(contains(metadata_of(*second), certificate_base64(first_pem)));
}

TEST_CASE("gateway processes starting together on one store share one new SP key pair") {
    StoreFolder store;

    auto a = std::make_unique<ServerProcess>(
        store.db, std::vector<std::string>{"--base-url", "http://gatehouse.test"});
    auto b = std::make_unique<ServerProcess>(
        store.db, std::vector<std::string>{"--base-url", "http://gatehouse.test"});

    const std::string pem = contents_of(store.key_pair);
    CHECK(contains(metadata_of(*a), certificate_base64(pem)));
    CHECK(contains(metadata_of(*b), certificate_base64(pem)));
    const int created =
        contains(a->log(), "server.sp_key_created") + contains(b->log(), "server.sp_key_created");
    CHECK(created == 1);
}

TEST_CASE("serve refuses --sp-key without --sp-cert, and the reverse, with exit code 2") {
    StoreFolder store;
    for (const char* option : {"--sp-key", "--sp-cert"}) {
        CAPTURE(option);
        const auto served = run_gatehouse({"--db", store.db, "serve", "--listen", "127.0.0.1:0",
                                           option, store.dir.file("whatever.pem")});
        CHECK(served.exit_code == 2);
        CHECK(contains(served.err, "--sp-key and --sp-cert go together"));
    }
    CHECK_FALSE(std::filesystem::exists(store.key_pair));
}

TEST_CASE("serve refuses an --sp-key file that does not exist rather than creating one") {
    StoreFolder store;

    const auto served =
        run_gatehouse({"--db", store.db, "serve", "--listen", "127.0.0.1:0", "--sp-key",
                       store.dir.file("missing.key"), "--sp-cert", store.dir.file("missing.crt")});

    CHECK(served.exit_code == 1);
    CHECK(contains(served.err, "missing.key"));
    CHECK_FALSE(std::filesystem::exists(store.key_pair));
}

TEST_CASE("serve stops, rather than replace it, when the old default certs/sp.key exists") {
    StoreFolder store;
    std::filesystem::create_directories(store.dir.file("certs"));
    std::ofstream(store.dir.file("certs/sp.key")) << "a key the IdPs know\n";
    std::ofstream(store.dir.file("certs/sp.crt")) << "its certificate\n";

    // The old default paths are relative to the working folder: run serve from the folder.
    const std::string printed =
        run_program({"sh", "-c",
                     "cd \"$0\" && \"$1\" --db store/gatehouse.db serve --listen 127.0.0.1:0 2>&1; "
                     "echo \"exit $?\"",
                     store.dir.path().string(), GATEHOUSE_BINARY});

    CHECK(contains(printed, "certs/sp.key and certs/sp.crt are no longer read by default"));
    CHECK(contains(printed, "--sp-key certs/sp.key --sp-cert certs/sp.crt"));
    CHECK(contains(printed, "exit 1"));
    CHECK_FALSE(std::filesystem::exists(store.key_pair));
}

TEST_CASE("saml test says to start serve once when the store has no SP key pair yet") {
    StoreFolder store;

    const auto tested = run_gatehouse({"--db", store.db, "saml", "test", "--org", "acme"});

    CHECK(tested.exit_code == 2);
    CHECK(contains(tested.err, "No SP key pair at " + store.key_pair));
    CHECK(contains(tested.err, "start gatehouse serve once"));
    CHECK_FALSE(std::filesystem::exists(store.key_pair));
}
