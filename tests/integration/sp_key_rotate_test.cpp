// gatehouse sp-key rotate: a staged next key pair is published by running gateways beside
// the current one before anything signs with it; --switch makes it current while the old pair
// still decrypts; the files stay private and whole; misuse is refused.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "gatehouse/saml/key_pair_file.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string certificate_of(const std::string& key_pair_path) {
    auto file = saml::read_key_pair_file(key_pair_path);
    REQUIRE_MESSAGE(file.ok(), key_pair_path);
    return file->certificate_pem;
}

std::string der_base64(const std::string& certificate_pem) {
    auto certificate = saml::Certificate::parse(certificate_pem);
    REQUIRE(certificate.ok());
    return certificate->der_base64();
}

int count_of(const std::string& text, const std::string& part) {
    int count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

// A gateway serving the SamlGateway fixture's org and store, but with the SP key pair of its
// state folder (no --sp-key): the one sp-key rotate manages.
struct RotatingGateway {
    SamlGateway gw;
    std::string current = gw.dir.file("sp-key.pem");
    std::string next = gw.dir.file("sp-key-next.pem");
    std::string previous = gw.dir.file("sp-key-previous.pem");
    std::unique_ptr<ServerProcess> server;

    RotatingGateway() {
        server = std::make_unique<ServerProcess>(gw.db,
                                                 std::vector<std::string>{"--base-url", kBaseUrl});
        gw.target_port = server->port();
    }

    CommandResult sp_key(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", gw.db, "sp-key"});
        return run_gatehouse(args);
    }

    std::string metadata() {
        auto res = gw.client().Get("/saml/metadata/acme/");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return res->body;
    }

    // Waits (up to 15 s) until the published metadata carries exactly `certificates`, each
    // for signing and for encryption.
    void await_published(const std::vector<std::string>& certificates) {
        std::string text;
        for (int i = 0; i < 150; ++i) {
            text = metadata();
            bool all = count_of(text, "<md:KeyDescriptor") == 2 * int(certificates.size());
            for (const auto& pem : certificates) all = all && count_of(text, der_base64(pem)) == 2;
            if (all) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        FAIL("the metadata never carried the expected certificates:\n" << text);
    }

    // Signs in through an assertion encrypted to the certificate `sp_certificate_pem`.
    int sign_in_encrypted_to(const std::string& sp_certificate_pem) {
        const std::string signed_xml =
            *util::base64_decode(gw.response_for(gw.start_login(), "ada@example.com"));
        const std::string encrypted = encrypt_assertion(signed_xml, sp_certificate_pem);
        auto res = gw.post_acs(util::base64_encode(encrypted));
        REQUIRE(res);
        return res->status;
    }

    // Whether the AuthnRequest a login starts now is signed by `certificate_pem`'s key.
    bool login_signed_by(const std::string& certificate_pem) {
        const std::string location = raw_location(gw.port(), "/auth/login/acme/", gw.login_cookie);
        REQUIRE(location.rfind(kIdpSso, 0) == 0);
        auto trusted = saml::TrustedKeys::from_certificates({certificate_pem});
        REQUIRE(trusted.ok());
        return saml::decode_redirect(location.substr(location.find('?') + 1), *trusted,
                                     saml::SignaturePolicy{})
            .ok();
    }
};

// Whether the server's log holds `text`, waiting up to 10 s for it.
bool log_shows(const ServerProcess& server, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
        if (server.log().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

mode_t mode_of(const std::string& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 0777;
}

}  // namespace

TEST_CASE("sp-key rotate publishes the next certificate first, then --switch signs with it") {
    RotatingGateway rg;
    const std::string first = certificate_of(rg.current);
    rg.await_published({first});
    CHECK(rg.login_signed_by(first));

    // Stage: published beside the current pair, which still signs.
    auto staged = rg.sp_key({"rotate"});
    REQUIRE_MESSAGE(staged.exit_code == 0, staged.err);
    CHECK(staged.out.find("Staged the next SP key pair") != std::string::npos);
    CHECK(mode_of(rg.next) == 0600);
    const std::string second = certificate_of(rg.next);
    CHECK(second != first);
    rg.await_published({first, second});
    CHECK(rg.login_signed_by(first));
    CHECK_FALSE(rg.login_signed_by(second));
    // An IdP that already encrypts to the next certificate is understood, and to the current.
    CHECK(rg.sign_in_encrypted_to(second) == 303);
    CHECK(rg.sign_in_encrypted_to(first) == 303);
    CHECK(log_shows(*rg.server, "\"event\":\"server.sp_keys_reloaded\""));

    // Staging again changes nothing.
    const std::string staged_file = read_text(rg.next);
    auto again = rg.sp_key({"rotate"});
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("already staged") != std::string::npos);
    CHECK(read_text(rg.next) == staged_file);

    // The switch waits for the metadata to have been out a while.
    auto early = rg.sp_key({"rotate", "--switch"});
    CHECK(early.exit_code == 1);
    CHECK(early.err.find("--min-age-hours") != std::string::npos);
    CHECK(read_text(rg.next) == staged_file);

    auto switched = rg.sp_key({"rotate", "--switch", "--min-age-hours", "0"});
    REQUIRE_MESSAGE(switched.exit_code == 0, switched.err);
    CHECK(certificate_of(rg.current) == second);
    CHECK(certificate_of(rg.previous) == first);
    CHECK_FALSE(std::filesystem::exists(rg.next));
    CHECK(mode_of(rg.current) == 0600);
    CHECK(mode_of(rg.previous) == 0600);
    rg.await_published({second});
    CHECK(rg.login_signed_by(second));
    // An IdP still encrypting to the old certificate is understood after the switch.
    CHECK(rg.sign_in_encrypted_to(first) == 303);
    CHECK(rg.sign_in_encrypted_to(second) == 303);

    // A restarted gateway reads the same ring.
    rg.server->stop(SIGTERM);
    rg.server =
        std::make_unique<ServerProcess>(rg.gw.db, std::vector<std::string>{"--base-url", kBaseUrl});
    rg.gw.target_port = rg.server->port();
    rg.await_published({second});
    CHECK(rg.sign_in_encrypted_to(first) == 303);

    auto shown = rg.sp_key({"show"});
    CHECK(shown.exit_code == 0);
    auto parsed = saml::Certificate::parse(second);
    REQUIRE(parsed.ok());
    CHECK(shown.out.find(parsed->sha256_fingerprint()) != std::string::npos);
    CHECK(shown.out.find("next (published; not yet signing): none") != std::string::npos);
}

TEST_CASE("an assertion encrypted to a certificate of no pair of the ring is refused") {
    RotatingGateway rg;
    REQUIRE(rg.sp_key({"rotate"}).exit_code == 0);
    rg.await_published({certificate_of(rg.current), certificate_of(rg.next)});
    const auto stranger = saml::generate_sp_credentials("stranger", util::SystemClock{});
    REQUIRE(stranger.ok());
    CHECK(rg.sign_in_encrypted_to(stranger->certificate_pem) == 403);
}

TEST_CASE("a damaged staged pair is refused by rotate and ignored by a running gateway") {
    RotatingGateway rg;
    const std::string first = certificate_of(rg.current);
    write_text(rg.next, "-----BEGIN PRIVATE KEY-----\nbm90\n-----END PRIVATE KEY-----\n");
    ::chmod(rg.next.c_str(), 0600);
    auto switched = rg.sp_key({"rotate", "--switch", "--min-age-hours", "0"});
    CHECK(switched.exit_code == 1);
    CHECK(certificate_of(rg.current) == first);
    CHECK_FALSE(std::filesystem::exists(rg.previous));
    // The gateway logs the unreadable ring and keeps signing and publishing the current pair.
    CHECK(log_shows(*rg.server, "\"event\":\"server.sp_keys_unreadable\""));
    rg.await_published({first});
    CHECK(rg.login_signed_by(first));
}

TEST_CASE("sp-key refuses where there is no key pair file to manage") {
    TempDir dir;
    auto no_pair = run_gatehouse({"--db", dir.file("gatehouse.db"), "sp-key", "rotate"});
    CHECK(no_pair.exit_code == 1);
    CHECK(no_pair.err.find("creates it on its first start") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("sp-key-next.pem")));
    auto postgres =
        run_gatehouse({"--db", "postgresql://gatehouse@127.0.0.1:1/none", "sp-key", "show"});
    CHECK(postgres.exit_code == 1);
    CHECK(postgres.err.find("--sp-key and --sp-cert") != std::string::npos);
    auto nothing_staged = [&] {
        RotatingGateway rg;
        return rg.sp_key({"rotate", "--switch", "--min-age-hours", "0"});
    }();
    CHECK(nothing_staged.exit_code == 1);
    CHECK(nothing_staged.err.find("no next key pair is staged") != std::string::npos);
}
