// Fuzzes SAML Response validation (saml::validate_response) as the ACS runs it: the input is
// the Response XML, base64-encoded here as the HTTP-POST binding carries it, so mutations
// work on XML rather than on base64.
//
// The org trusts the certificates of the genuine fixtures in tests/fixtures/saml/, holds the
// SP key their encrypted assertions are encrypted to, allows SHA-1 as those IdPs sign, and
// validates at the fixed instant php-saml's valid_response was issued, so the seeds pass
// every check and mutations of them reach each later one.
#include <set>

#include "fuzz_support.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/util/encoding.hpp"

namespace {

using namespace gatehouse;

struct Setup {
    core::SamlProvider provider;
    saml::AcsExpectations expectations;
    std::optional<saml::SpPrivateKey> sp_key;
    std::set<std::string, std::less<>> pending_requests;
    util::FixedClock clock{1392773850};  // 2014-02-19T01:37:30Z
};

Setup* setup = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    setup = new Setup();
    auto& provider = setup->provider;
    provider.org_id = 1;
    provider.idp_entity_id = "https://pitbulk.no-ip.org/simplesaml/saml2/idp/metadata.php";
    provider.certificates = {
        fuzz::read_source_file("tests/fixtures/saml/php-saml/idp.crt"),
        fuzz::read_source_file("tests/fixtures/saml/python3-saml/idp_example_com.crt")};
    provider.options.allow_sha1 = true;

    auto sp_key = saml::SpPrivateKey::from_pem(
        fuzz::read_source_file("tests/fixtures/saml/python3-saml/sp.key"));
    if (!sp_key) fuzz::invariant_broken("the fixture SP key does not load");
    setup->sp_key = std::move(sp_key.value());

    setup->pending_requests = {"ONELOGIN_5fe9d6e499b2f0913206aab3f7191729049bb807",
                               "ONELOGIN_5d9e319c1b8a67da48227964c28d280e7860f804",
                               "ONELOGIN_81a68cab14e71ac3b771cb07ba125682e8939d80",
                               "_e61c6aa5ec9b5076a46289e354afd9e2"};
    auto& expect = setup->expectations;
    expect.sp_entity_id = "https://pitbulk.no-ip.org/newonelogin/demo1/metadata.php";
    expect.acs_url = "https://pitbulk.no-ip.org/newonelogin/demo1/index.php?acs";
    expect.other_entity_ids = {"http://localhost:8080/java-saml-jspsample/metadata.jsp",
                               "http://pytoolkit.com:8000/metadata/"};
    expect.other_acs_urls = {"http://localhost:8080/java-saml-jspsample/acs.jsp",
                             "http://pytoolkit.com:8000/?acs"};
    expect.is_pending_request = [](std::string_view id) {
        return setup->pending_requests.contains(id);
    };
    expect.allow_idp_initiated = true;
    expect.decryption_key = setup->sp_key->native();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string encoded = util::base64_encode(fuzz::as_text(data, size));
    const auto result =
        saml::validate_response(encoded, setup->provider, setup->expectations, setup->clock);
    fuzz::trace_result("validate_response", result);
    if (result) {
        // Whatever got through names a subject and the assertion to remember against replay.
        if (result->name_id.empty()) fuzz::invariant_broken("accepted with an empty NameID");
        if (result->assertion_id.empty()) fuzz::invariant_broken("accepted without an ID");
        if (result->replay_expires_at <= setup->clock.now()) {
            fuzz::invariant_broken("accepted with a replay window already over");
        }
    } else if (result.error().code.empty()) {
        fuzz::invariant_broken("refused without a reason code");
    }
    return 0;
}
