// Reading url-encoded form bodies with the gateway's own size limit. httplib's compiled-in
// limit on such forms (8 KiB) is below what IdPs post (a Response signed twice with an
// embedded certificate often exceeds it), so form routes take a ContentReader and read here.
#pragma once

#include <httplib.h>

#include <map>
#include <optional>
#include <string>

namespace gatehouse::http {

// The form fields of a POST, or nullopt after answering 413 (declared or actual body larger
// than `max_bytes`) or 400 (unreadable body, malformed form data).
std::optional<std::map<std::string, std::string>> read_form(const httplib::Request& req,
                                                            httplib::Response& res,
                                                            const httplib::ContentReader& reader,
                                                            std::size_t max_bytes);

}  // namespace gatehouse::http
