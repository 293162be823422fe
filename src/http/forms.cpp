#include "forms.hpp"

#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"

namespace gatehouse::http {

std::optional<std::map<std::string, std::string>> read_form(const httplib::Request& req,
                                                            httplib::Response& res,
                                                            const httplib::ContentReader& reader,
                                                            std::size_t max_bytes) {
    std::string body;
    // httplib stops reading (and the reader fails) past its payload limit; a declared
    // length over `max_bytes` is refused before reading at all.
    const std::string declared = req.get_header_value("Content-Length");
    bool too_large = !declared.empty() &&
                     declared.find_first_not_of("0123456789") == std::string::npos &&
                     (declared.size() > 18 || std::stoull(declared) > max_bytes);
    const bool read = !too_large && reader([&](const char* data, std::size_t length) {
        if (body.size() + length > max_bytes) {
            too_large = true;
            return false;
        }
        body.append(data, length);
        return true;
    });
    if (too_large) {
        send_error(req, res, 413, "request.too_large",
                   "The request body is larger than this server accepts.");
        return std::nullopt;
    }
    if (!read) {
        send_error(req, res, 400, "request.malformed", "The request body could not be read.");
        return std::nullopt;
    }
    auto fields = util::parse_form(body);
    if (!fields) send_error(req, res, 400, "request.malformed", "The form data is malformed.");
    return fields;
}

}  // namespace gatehouse::http
