// Per-request state shared by the middleware and the handlers of one request. httplib runs
// the pre-routing handler, the route handler and the logger of a request on the same worker
// thread, one request at a time, so a thread_local holds it safely.
#pragma once

#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"

namespace gatehouse::http {

struct RequestContext {
    double started_ms = 0;
    std::optional<core::Org> org;  // set when the path names an existing org
    std::string org_slug;          // the slug the path names, found or not
};

RequestContext& current_request();

}  // namespace gatehouse::http
