#include "routes.hpp"

namespace gatehouse::http {

void register_password_routes(httplib::Server&, AppContext&) {}

}  // namespace gatehouse::http
