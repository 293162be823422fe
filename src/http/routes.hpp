// Route registration, one function per area. Each handler reads the request, calls a
// service and writes the response.
#pragma once

#include <httplib.h>

#include <string>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::http {

// What handlers share; owned by the Server, alive for as long as it serves.
struct AppContext {
    std::string base_url;
    store::Store& store;
    const util::Clock& clock;
};

// /healthz, /metrics, /static/…
void register_system_routes(httplib::Server& http, AppContext& app);

// /organizations/{org}/ and the other pages of an org.
void register_org_routes(httplib::Server& http, AppContext& app);

}  // namespace gatehouse::http
