// The built-in demo identity provider (serve --demo-idp): its persistent signing key, which
// org an incoming AuthnRequest is for, and the signed Response for what the form says.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_key_ring.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// The demo IdP's signing key and certificate, and the secret its form tokens are derived
// from (a hash of the private key, so it survives restarts with the key).
struct DemoIdpKey {
    saml::SpCredentials credentials;
    std::string form_secret;
};

// Reads the key pair file at `path` or, when it does not exist, creates it, as
// saml::load_or_create_key_pair_file does (an RSA-2048 key with a self-signed certificate
// valid for ten years, mode 0600), so an org configured once keeps trusting the demo IdP
// across restarts. Fails with the codes of load_or_create_key_pair_file and of
// saml::SpCredentials::from_pem. Safe to call from several processes at once.
Result<DemoIdpKey> load_or_create_demo_idp_key(const std::filesystem::path& path,
                                               const util::Clock& clock);

// An AuthnRequest that this gateway sent for one of its orgs, as the demo IdP received it.
struct DemoSignInRequest {
    core::Org org;
    std::string request_id;
    std::string acs_url;       // the org's ACS
    std::string sp_entity_id;  // the org's SP entity ID
    std::string relay_state;   // empty when the request had none
};

// What the demo IdP form posts back.
struct DemoSubmission {
    std::string org_slug;
    std::string request_id;
    std::string relay_state;
    std::string token;  // DemoIdp::form_token of the request
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string role;  // blank (the org's default role), admin, manager, billing or member
};

// The Response to post to the org's ACS (HTTP-POST binding).
struct DemoAnswer {
    std::string acs_url;
    std::string saml_response;  // base64, the SAMLResponse form field
    std::string relay_state;
};

class DemoIdp {
  public:
    // `base_url` without a trailing slash. `store` and `clock` must outlive the object; `sp`
    // (the gateway's SP credentials, whose certificate verifies AuthnRequests) may be null,
    // and then every request is refused. Thread-safe.
    DemoIdp(store::Store& store, const util::Clock& clock, std::string base_url, DemoIdpKey key,
            std::shared_ptr<const saml::SpCredentials> sp);
    // The same with the gateway's rolling SP keys: AuthnRequests are verified with the
    // current pair's certificate at the time they arrive (`keys` must not be null).
    DemoIdp(store::Store& store, const util::Clock& clock, std::string base_url, DemoIdpKey key,
            std::shared_ptr<saml::SpKeys> keys);

    std::string entity_id() const;  // {base}/demo-idp/
    std::string sso_url() const;    // {base}/demo-idp/sso
    // The IdP metadata document an admin loads into an org's provider settings.
    std::string metadata() const;
    const saml::Certificate& certificate() const { return key_.credentials.certificate(); }

    // Decodes and checks an AuthnRequest received over the HTTP-Redirect binding (the raw
    // query string). The signature must verify with the gateway's SP certificate, the
    // Issuer must be the SP entity ID of an existing org and the ACS URL that org's ACS.
    // Errors: "demo_idp.sp_key_missing", the "saml.redirect.*", "saml.signature.*" and
    // "xml.*" codes of decoding, "demo_idp.not_authn_request", "demo_idp.unknown_org",
    // "demo_idp.foreign_acs", store errors.
    Result<DemoSignInRequest> read_request(std::string_view raw_query);

    // The form's CSRF token for `request`: HMAC-SHA256 with the key's form secret over the
    // org, request ID and relay state, base64url. Pure.
    std::string form_token(const DemoSignInRequest& request) const;

    // Builds the signed Response for a form submission, with attributes named as the org's
    // provider mapping expects (the Okta preset names for unmapped fields). Errors:
    // "demo_idp.token_invalid" (token does not match the other fields),
    // "demo_idp.unknown_org", "demo_idp.email_invalid", "demo_idp.role_invalid",
    // the codes of saml::build_signed_response, store errors.
    Result<DemoAnswer> answer(const DemoSubmission& submission);

  private:
    std::string token_for(std::string_view org_slug, std::string_view request_id,
                          std::string_view relay_state) const;

    store::Store& store_;
    const util::Clock& clock_;
    std::string base_url_;
    DemoIdpKey key_;
    std::shared_ptr<saml::SpKeys> keys_;
};

}  // namespace gatehouse::service
