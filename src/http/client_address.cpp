#include "client_address.hpp"

namespace gatehouse::http {

std::string client_address(const Request& req) { return req.client_address; }

}  // namespace gatehouse::http
