#include "routes.hpp"

namespace gatehouse::http {

void register_admin_routes(httplib::Server&, AppContext&) {}

}  // namespace gatehouse::http
