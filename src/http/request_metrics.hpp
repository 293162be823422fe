// What the metrics say about each answered request. Private to the http layer.
#pragma once

#include <string_view>

#include "exchange.hpp"

namespace gatehouse::http {

// The family of routes `path` belongs to, the `route` label of the request metrics: one of a
// fixed set ("saml_acs", "scim", "pages", …; "other" for a path no family covers), so no
// path a client makes up becomes a label value of its own.
std::string_view route_family(std::string_view path);

// A SCIM request as the metrics count it: the resource ("Users", "Groups",
// "ServiceProviderConfig", "ResourceTypes", "Schemas" or "other") and the operation ("list",
// "get", "create", "replace", "patch", "delete" or "other").
struct ScimOperation {
    std::string_view resource;
    std::string_view operation;
};

// The SCIM operation of a request to `path`, which must be in the "scim" family.
ScimOperation scim_operation_of(std::string_view method, std::string_view path);

// Records an answered request: its family, status and time, and for SCIM its operation.
void record_request_metrics(const Request& req, const Response& res, double seconds);

}  // namespace gatehouse::http
