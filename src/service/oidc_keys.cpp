#include "oidc_keys.hpp"

#include "gatehouse/oidc/discovery.hpp"
#include "gatehouse/oidc/jose.hpp"

namespace gatehouse::service {

Result<std::string> fetch_document(OutboundHttp& http, const std::string& url,
                                   const std::string& accept) {
    OutboundRequest request;
    request.url = url;
    request.headers = {{"Accept", accept}};
    auto answer = http.send(request);
    if (!answer) return answer.error();
    if (answer->status != 200) {
        return fail("oidc.fetch.status", url + " answered with HTTP status " +
                                             std::to_string(answer->status) + ", not 200.");
    }
    return std::move(answer->body);
}

Status fetch_issuer_keys(OutboundHttp& http, core::OidcProvider& provider, util::UnixTime now) {
    auto discovery_text =
        fetch_document(http, oidc::discovery_url(provider.issuer), "application/json");
    if (!discovery_text) return discovery_text.error();
    auto metadata = oidc::parse_discovery(*discovery_text, provider.issuer);
    if (!metadata) return metadata.error();
    auto jwks_text =
        fetch_document(http, metadata->jwks_uri, "application/jwk-set+json, application/json");
    if (!jwks_text) return jwks_text.error();
    auto keys = oidc::KeySet::parse(*jwks_text);
    if (!keys) return keys.error();
    if (keys->size() == 0) {
        return fail("oidc.jwks.empty", "The JWKS at " + metadata->jwks_uri +
                                           " holds no RSA or P-256 signing key the gateway "
                                           "can verify ID tokens with.");
    }
    provider.discovery = std::move(*discovery_text);
    provider.jwks = std::move(*jwks_text);
    provider.jwks_fetched_at = now;
    return {};
}

}  // namespace gatehouse::service
