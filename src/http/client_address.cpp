#include "client_address.hpp"

namespace gatehouse::http {

std::string client_address(const httplib::Request& req) { return req.remote_addr; }

}  // namespace gatehouse::http
