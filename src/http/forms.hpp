// Reading url-encoded form bodies, with a limit of the route's own below the server's body
// limit where a form has no reason to be large.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "exchange.hpp"

namespace gatehouse::http {

// The form fields of a POST, or nullopt after answering 413 (body larger than `max_bytes`) or
// 400 (malformed form data).
std::optional<std::map<std::string, std::string>> read_form(const Request& req, Response& res,
                                                            std::size_t max_bytes);

}  // namespace gatehouse::http
