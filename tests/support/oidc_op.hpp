// A real OpenID provider for sign-in tests: npm oidc-provider run by
// tests/interop/oidc_op.js over HTTPS on loopback, with test controls over it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_ca.hpp"

namespace gatehouse::testing {

// A relying party registered with the provider (authorization code flow only).
struct OidcClient {
    std::string client_id;
    std::string client_secret;  // also the HMAC key of the "hs256" mutation
    std::vector<std::string> redirect_uris;
    // "client_secret_basic" (the default, when empty), "client_secret_post" or any other
    // method oidc-provider knows.
    std::string token_endpoint_auth_method;
};

// A person who can sign in; `sub` is also the login typed into the form in form mode.
struct OidcAccount {
    std::string sub;
    std::string email;
    bool email_verified = true;
    std::string given_name;
    std::string family_name;
    std::string name;
    std::string hd;  // Google's hosted domain claim; left out of tokens when empty
    // The "gatehouse_role" and "groups" claims (with the profile scope); left out when empty.
    std::string role = {};
    std::vector<std::string> groups = {};
};

enum class OidcLogin {
    // No page: the provider signs in the account chosen with select_login() (the first
    // account until then) and redirects on at once, so a cookie-following client goes from
    // the authorization URL to the redirect URI.
    automatic,
    // oidc-provider's development login form: type an account's sub as the login and
    // anything as the password.
    form,
};

struct OidcProviderConfig {
    std::vector<OidcClient> clients;
    std::vector<OidcAccount> accounts;
    // JWS algorithms to make a signing key for: "RS256", "ES256". Clients get ID tokens
    // signed with the first.
    std::vector<std::string> signing = {"RS256"};
    OidcLogin login = OidcLogin::automatic;
};

// What mutate_next_token() does to the next ID token the token endpoint returns. Claim
// changes are signed again, validly, with the provider's current key, so that only the
// named defect is wrong.
enum class IdTokenMutation {
    wrong_nonce,     // nonce "not-<nonce>"
    wrong_audience,  // aud "another-client"
    expired,         // iat and exp two hours ago
    tampered,        // one base64url character of the payload changed after signing (the
                     // email when possible); the payload still decodes to JSON
    alg_none,        // header {"alg":"none"}, empty signature
    unknown_kid,     // signed by a key made for this token only; its kid is never published
    hs256,           // HS256 with the client secret as the HMAC key, no kid
    wrong_issuer,    // iss "https://another-issuer.invalid"
};
std::string to_string(IdTokenMutation mutation);

// One call the token endpoint received, as oidc_op.js recorded it.
struct TokenRequest {
    std::string grant_type;
    bool code_verifier = false;      // whether a PKCE code_verifier was sent
    std::string client_auth_method;  // client_secret_basic, client_secret_post,
                                     // client_assertion or none
    int status = 0;                  // the HTTP status answered
    std::string error;               // the OAuth error code answered, empty on success
};

// Runs `node tests/interop/oidc_op.js` with `config` (tests/interop/node_modules must be
// installed: scripts/setup does it). The issuer is https://localhost:PORT; its TLS
// certificate is issued by a TestCa the object owns, or the one passed in (to let several
// fixtures share one CA file). Authorization requests must carry a PKCE S256 challenge.
// Consent is always granted. Reused authorization codes are refused (invalid_grant).
//
// The control calls block until the provider has applied them; none is safe to call from
// several threads at once. Every failure (the program not becoming ready within 30 s,
// a control call refused) throws std::runtime_error with the program's standard error.
class OidcProviderProcess {
  public:
    explicit OidcProviderProcess(const OidcProviderConfig& config,
                                 std::shared_ptr<const TestCa> ca = nullptr);
    // Kills the program.
    ~OidcProviderProcess();
    OidcProviderProcess(const OidcProviderProcess&) = delete;
    OidcProviderProcess& operator=(const OidcProviderProcess&) = delete;

    // "https://localhost:PORT", without a trailing slash; discovery is at
    // issuer() + "/.well-known/openid-configuration".
    const std::string& issuer() const { return issuer_; }
    // The CA certificate (PEM file) to trust for the issuer's TLS certificate.
    const std::string& ca_file() const { return ca_->ca_file(); }
    int port() const { return port_; }
    // An HTTPS client for the issuer that trusts ca_file().
    std::unique_ptr<httplib::SSLClient> client() const;

    // Automatic login signs in `sub` from now on. Throws when no account has it.
    void select_login(const std::string& sub);
    // Makes a new key with a new kid for each signing algorithm and signs with it from now
    // on. The JWKS keeps the old keys after the new ones when `keep_old`, else drops them.
    // Returns the new kids.
    std::vector<std::string> rotate_keys(bool keep_old);
    // Makes the next token endpoint answer that carries an ID token carry a hostile one;
    // later answers are normal again.
    void mutate_next_token(IdTokenMutation mutation);
    // Every token endpoint call so far, oldest first.
    std::vector<TokenRequest> token_requests() const;

    // What the program wrote to standard error (oidc-provider's warnings, crashes).
    std::string log() const { return process_->standard_error(); }

  private:
    std::string control(const std::string& method, const std::string& path,
                        const std::string& json_body) const;

    std::shared_ptr<const TestCa> ca_;
    TempDir dir_;
    std::string issuer_;
    int port_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace gatehouse::testing
