#include "routes.hpp"

namespace gatehouse::http {

void register_identity_routes(httplib::Server&, AppContext&) {}

}  // namespace gatehouse::http
