// Where a request came from, as the per-client limits see it. Private to the http layer.
#pragma once

#include <httplib.h>

#include <string>

namespace gatehouse::http {

// The client address of `req`: today the TCP peer (req.remote_addr). Behind a reverse proxy
// that is the proxy, so every client shares one address; a rule that trusts the proxy's
// forwarded-for header belongs here, and only here, so every caller gets it at once.
std::string client_address(const httplib::Request& req);

}  // namespace gatehouse::http
