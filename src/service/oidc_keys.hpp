// Fetching what an OpenID issuer publishes about itself (the discovery document and its
// JWKS), shared by configuring a provider and by sign-in when the cached keys are stale.
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/outbound_http.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// GET `url` with `accept`; the body of a 200, else "oidc.fetch.status" naming the status,
// or the client's "oidc.fetch.*" error.
Result<std::string> fetch_document(OutboundHttp& http, const std::string& url,
                                   const std::string& accept);

// Fetches the discovery document of `provider.issuer` and the JWKS it names, checks both
// (oidc::parse_discovery, oidc::KeySet::parse, at least one usable signing key) and stores
// them in `provider` with `now` as jwks_fetched_at. On failure `provider` is unchanged.
// Errors: "oidc.fetch.*", "oidc.discovery.*", "oidc.jwks.invalid", "oidc.jwks.empty".
Status fetch_issuer_keys(OutboundHttp& http, core::OidcProvider& provider, util::UnixTime now);

}  // namespace gatehouse::service
