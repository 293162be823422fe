// Where a request came from, as the per-client limits see it. Private to the http layer.
#pragma once

#include <string>

#include "exchange.hpp"

namespace gatehouse::http {

// The client address of `req`: the TCP peer, or the address a trusted reverse proxy
// forwarded (the server applies that rule once, before routing, into Request::client_address).
std::string client_address(const Request& req);

}  // namespace gatehouse::http
