#include "gatehouse/saml/trusted_keys_cache.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;
using gatehouse::testing::other_test_idp;
using gatehouse::testing::shared_test_idp;
using gatehouse::testing::TestIdp;

namespace {

constexpr std::string_view kMessage = "SAMLRequest=abc&RelayState=xyz";

std::vector<std::string> certificates_of(const TestIdp& idp) {
    return {idp.identity().certificate_pem};
}

// True when `keys` verify a detached signature that `signer` made.
bool accepts_signature_of(const TrustedKeys& keys, const TestIdp& signer) {
    return keys.verify_detached(kMessage, signer.sign_bytes(kMessage), alg::rsa_sha256, {}).ok();
}

}  // namespace

TEST_CASE("TrustedKeysCache returns the same parsed keys for the same certificates") {
    TrustedKeysCache cache;
    auto first = cache.keys_for(certificates_of(shared_test_idp()));
    auto second = cache.keys_for(certificates_of(shared_test_idp()));
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first->public_key(0) == second->public_key(0));
    CHECK(cache.size() == 1);
    CHECK(accepts_signature_of(*second, shared_test_idp()));
}

TEST_CASE("TrustedKeysCache picks up a changed certificate at once") {
    TrustedKeysCache cache;
    auto before = cache.keys_for(certificates_of(shared_test_idp()));
    REQUIRE(before.ok());
    auto after = cache.keys_for(certificates_of(other_test_idp()));
    REQUIRE(after.ok());
    CHECK(accepts_signature_of(*after, other_test_idp()));
    CHECK_FALSE(accepts_signature_of(*after, shared_test_idp()));
}

TEST_CASE("TrustedKeysCache never answers one org's certificates with another org's key") {
    TrustedKeysCache cache;
    // Org A trusts the shared IdP, org B the other IdP; both are cached side by side.
    auto org_a = cache.keys_for(certificates_of(shared_test_idp()));
    auto org_b = cache.keys_for(certificates_of(other_test_idp()));
    REQUIRE(org_a.ok());
    REQUIRE(org_b.ok());
    CHECK_FALSE(accepts_signature_of(*org_a, other_test_idp()));
    CHECK_FALSE(accepts_signature_of(*org_b, shared_test_idp()));
    CHECK(cache.size() == 2);
}

TEST_CASE("TrustedKeysCache keys a rollover list apart from each of its certificates") {
    TrustedKeysCache cache;
    const std::vector<std::string> rollover = {shared_test_idp().identity().certificate_pem,
                                               other_test_idp().identity().certificate_pem};
    auto both = cache.keys_for(rollover);
    auto one = cache.keys_for(certificates_of(shared_test_idp()));
    REQUIRE(both.ok());
    REQUIRE(one.ok());
    CHECK(both->size() == 2);
    CHECK(one->size() == 1);
    CHECK_FALSE(accepts_signature_of(*one, other_test_idp()));
}

TEST_CASE("TrustedKeysCache refuses an invalid certificate each time and does not cache it") {
    TrustedKeysCache cache;
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto keys = cache.keys_for(
            {"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"});
        REQUIRE_FALSE(keys.ok());
        CHECK(keys.error().code == "saml.keys.invalid");
    }
    auto none = cache.keys_for({});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "saml.keys.none");
    CHECK(cache.size() == 0);
}

TEST_CASE("TrustedKeysCache drops the least recently used entry beyond its capacity") {
    TrustedKeysCache cache(1);
    auto first = cache.keys_for(certificates_of(shared_test_idp()));
    auto second = cache.keys_for(certificates_of(other_test_idp()));
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(cache.size() == 1);
    // Evicted keys stay valid for whoever still holds them.
    CHECK(accepts_signature_of(*first, shared_test_idp()));
    auto again = cache.keys_for(certificates_of(shared_test_idp()));
    REQUIRE(again.ok());
    // Parsed anew: the first entry was dropped when the second came in.
    CHECK(again->public_key(0) != first->public_key(0));
    CHECK(accepts_signature_of(*again, shared_test_idp()));
}

TEST_CASE("TrustedKeysCache serves many threads at once") {
    TrustedKeysCache cache(1);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const TestIdp& idp = t % 2 ? other_test_idp() : shared_test_idp();
            for (int i = 0; i < 50; ++i) {
                auto keys = cache.keys_for(certificates_of(idp));
                if (!keys || !accepts_signature_of(*keys, idp)) ++wrong;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(wrong == 0);
}
