#include "forms.hpp"

#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"

namespace gatehouse::http {

std::optional<std::map<std::string, std::string>> read_form(const Request& req, Response& res,
                                                            std::size_t max_bytes) {
    if (req.body.size() > max_bytes) {
        send_error(req, res, 413, "request.too_large",
                   "The request body is larger than this server accepts.");
        return std::nullopt;
    }
    auto fields = util::parse_form(req.body);
    if (!fields) send_error(req, res, 400, "request.malformed", "The form data is malformed.");
    return fields;
}

}  // namespace gatehouse::http
