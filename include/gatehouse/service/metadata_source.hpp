// Where IdP metadata documents come from when an admin gives a metadata URL. The service
// layer decides what to fetch and what to do with it; the network lives behind this
// interface (the HTTPS implementation is in the http layer), so tests can substitute one.
#pragma once

#include <string>

#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

class MetadataSource {
  public:
    virtual ~MetadataSource() = default;
    // The document at `url`, or an Error whose code starts with "saml.metadata_url." and
    // whose message says what went wrong (refused address, TLS, timeout, size, status).
    // Thread-safe.
    virtual Result<std::string> fetch(const std::string& url) = 0;
};

}  // namespace gatehouse::service
