// Fetching IdP metadata over HTTPS, safely: certificate verification, a timeout, a size cap,
// a limited number of redirects, and no requests to loopback, private or link-local
// addresses unless explicitly allowed.
#pragma once

#include <cstddef>
#include <string>

#include "gatehouse/service/metadata_source.hpp"

namespace gatehouse::http {

struct MetadataFetchOptions {
    // Allows loopback, private (RFC 1918, fc00::/7), link-local and other non-public
    // addresses. Off by default: an admin-supplied URL must not reach the internal network.
    bool allow_private_addresses = false;
    // Extra CA certificates (PEM file) trusted beside the system's; empty = system only.
    std::string ca_file;
    int timeout_seconds = 10;
    std::size_t max_bytes = 2 * 1024 * 1024;
    int max_redirects = 3;
};

}  // namespace gatehouse::http
