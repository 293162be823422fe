// The SSO service tests' org: the test IdP configured for "acme", an SsoService with a fixed
// clock and generated SP credentials, one browser's login cookie value, and helpers to start
// sign-ins and build the Responses that answer them.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "../store/store_fixture.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

namespace gatehouse::testing {

inline constexpr const char* kSsoBaseUrl = "https://gatehouse.example.test";

inline std::shared_ptr<const saml::SpCredentials> sp_credentials() {
    static const auto sp = [] {
        util::SystemClock clock;
        auto generated = saml::generate_sp_credentials("test login SP", clock);
        REQUIRE(generated.ok());
        auto loaded =
            saml::SpCredentials::from_pem(generated->private_key_pem, generated->certificate_pem);
        REQUIRE(loaded.ok());
        return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
    }();
    return sp;
}

// The ID of the AuthnRequest carried by a Redirect-binding URL.
inline std::string request_id_of(const std::string& url) {
    const auto start = url.find("SAMLRequest=") + 12;
    const auto end = url.find('&', start);
    const auto encoded = util::url_decode(url.substr(start, end - start));
    REQUIRE(encoded.has_value());
    const auto deflated = util::base64_decode(*encoded);
    REQUIRE(deflated.has_value());
    auto xml = util::inflate_raw(*deflated, 1 << 20);
    REQUIRE(xml.ok());
    auto doc = saml::parse_untrusted_xml(*xml);
    REQUIRE(doc.ok());
    return saml::attribute(doc->root(), "ID").value_or("");
}

struct TestLoginFixture : StoreFixture {
    util::FixedClock clock{util::SystemClock{}.now()};
    core::Org org = make_org("acme");
    saml::SpEndpoints endpoints = saml::sp_endpoints(kSsoBaseUrl, "acme");
    service::SsoService sso{*db, clock, settings(), sp_credentials()};
    // The login cookie value of the browser the tests play.
    std::string browser = util::random_token(32);

    static service::SsoSettings settings() {
        service::SsoSettings settings;
        settings.base_url = kSsoBaseUrl;
        return settings;
    }

    TestLoginFixture() {
        core::SamlProvider provider;
        provider.org_id = org.id;
        provider.idp_entity_id = shared_test_idp().entity_id();
        provider.sso_url = "https://idp.example.test/sso";
        provider.slo_url = "https://idp.example.test/slo";
        provider.certificates = {shared_test_idp().identity().certificate_pem};
        provider.mapping = *saml::mapping_preset("generic");
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    }

    // A test sign-in as the API and the CLI start it: bound to no browser, unless `bound_to`.
    std::string start_test(const std::string& actor = "member:7",
                           const std::string& bound_to = "") {
        auto started = sso.start_test_login(org, actor, bound_to);
        REQUIRE(std::holds_alternative<std::string>(started));
        return request_id_of(std::get<std::string>(started));
    }

    // An SP-initiated sign-in started by the browser whose login cookie is `from`.
    std::string start_real(const std::string& from = "") {
        auto started = sso.start_login(org, "/organizations/acme/", from.empty() ? browser : from);
        REQUIRE(std::holds_alternative<std::string>(started));
        return request_id_of(std::get<std::string>(started));
    }

    ResponseSpec spec_for(const std::string& request_id) const {
        const util::UnixTime now = clock.now();
        ResponseSpec spec;
        spec.response_id = "_r-" + util::random_token(8);
        spec.assertion_id = "_a-" + util::random_token(8);
        spec.response_issuer = shared_test_idp().entity_id();
        spec.assertion_issuer = shared_test_idp().entity_id();
        spec.destination = endpoints.acs_url;
        spec.recipient = endpoints.acs_url;
        spec.audience = endpoints.entity_id;
        spec.in_response_to = request_id;
        spec.name_id = "ada@example.com";
        spec.issue_instant = now;
        spec.not_before = now - 60;
        spec.not_on_or_after = now + 300;
        spec.subject_not_on_or_after = now + 300;
        spec.attributes = {{"email", {"ada@example.com"}},
                           {"firstName", {"Ada"}},
                           {"lastName", {"Lovelace"}},
                           {"groups", {"eng", "ops"}}};
        return spec;
    }

    static std::string signed_response(const ResponseSpec& spec,
                                       const TestIdp& idp = shared_test_idp()) {
        return util::base64_encode(idp.sign(build_response_xml(spec), spec.assertion_id));
    }

    std::string response_for(const std::string& request_id) const {
        return signed_response(spec_for(request_id));
    }

    bool pending(const std::string& request_id) {
        bool found = false;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.authn_request_pending(org.id, request_id, clock.now());
            return {};
        }));
        return found;
    }

    std::int64_t member_count() {
        std::int64_t total = -1;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            total = tx.list_members(org.id, {}, {}).total;
            return {};
        }));
        return total;
    }

    core::Member member(const core::Member& m) {
        std::optional<core::Member> found;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            found = tx.member_by_id(org.id, m.id);
            return {};
        }));
        REQUIRE(found.has_value());
        return *found;
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action;
            for (auto& e : tx.list_audit(org.id, query).items) {
                if (e.action == action) entries.push_back(std::move(e));
            }
            return {};
        }));
        return entries;
    }
};

}  // namespace gatehouse::testing
