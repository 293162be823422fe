// Signed SAML Responses shaped like the ones Microsoft Entra ID sends (its claim names, a
// tenant, an object ID, dozens of group IDs; about 6 KB), for the ACS benchmarks.
#pragma once

#include <cstddef>
#include <string>

#include "gatehouse/util/time.hpp"
#include "support/saml_idp.hpp"

namespace gatehouse::bench {

// Which elements carry an enveloped signature.
enum class Signing { assertion, response_and_assertion };

// Where the responses are delivered: the SP's identifiers as the server publishes them.
struct SpIdentity {
    std::string entity_id;  // the SP metadata URL
    std::string acs_url;
};

// The Response answering `request_id` (empty: IdP-initiated) for user number `user`, with
// assertion ID `_a<serial>` and response ID `_r<serial>`, valid from `now` - 60 s for
// `valid_seconds`, signed by `idp` as `signing` says, serialised as base64 (the POST
// binding's form value).
std::string entra_response_base64(const testing::TestIdp& idp, const SpIdentity& sp,
                                  const std::string& request_id, std::size_t user,
                                  std::size_t serial, util::UnixTime now, int valid_seconds,
                                  Signing signing);

}  // namespace gatehouse::bench
