#include "exchange.hpp"

#include <algorithm>
#include <cctype>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::http {

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) <
               std::tolower(static_cast<unsigned char>(y));
    });
}

bool Request::has_header(std::string_view name) const {
    return headers.find(name) != headers.end();
}

std::string Request::get_header_value(std::string_view name, std::size_t index) const {
    auto [first, last] = headers.equal_range(name);
    for (; first != last; ++first) {
        if (index-- == 0) return first->second;
    }
    return {};
}

std::size_t Request::get_header_value_count(std::string_view name) const {
    return headers.count(name);
}

bool Request::has_param(const std::string& name) const { return params.count(name) > 0; }

std::string Request::get_param_value(const std::string& name, std::size_t index) const {
    auto [first, last] = params.equal_range(name);
    for (; first != last; ++first) {
        if (index-- == 0) return first->second;
    }
    return {};
}

std::size_t Request::get_param_value_count(const std::string& name) const {
    return params.count(name);
}

void Response::set_header(std::string_view name, std::string_view value) {
    if (value.find_first_of("\r\n") != std::string_view::npos) return;
    headers.emplace(std::string(name), std::string(value));
}

bool Response::has_header(std::string_view name) const {
    return headers.find(name) != headers.end();
}

std::string Response::get_header_value(std::string_view name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
}

void Response::set_content(std::string content, std::string_view content_type) {
    body = std::move(content);
    headers.erase(std::string("Content-Type"));
    set_header("Content-Type", content_type);
}

void Response::set_redirect(std::string_view url, int redirect_status) {
    status = redirect_status;
    headers.erase(std::string("Location"));
    set_header("Location", url);
}

bool parse_target(std::string_view target, std::string& path, Params& params) {
    if (target.empty() || target.front() != '/') return false;
    const auto question = target.find('?');
    auto decoded_path = util::url_decode(target.substr(0, question), /*plus_is_space=*/false);
    if (!decoded_path) return false;
    path = std::move(*decoded_path);
    params.clear();
    if (question == std::string_view::npos) return true;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        auto name = util::url_decode(pair.substr(0, equals));
        auto value = util::url_decode(equals == std::string_view::npos ? std::string_view()
                                                                       : pair.substr(equals + 1));
        if (!name || !value) return false;
        params.emplace(std::move(*name), std::move(*value));
    }
    return true;
}

std::map<std::string, std::string> query_parameters(const Request& req) {
    std::map<std::string, std::string> first;
    for (const auto& [name, value] : req.params) first.emplace(name, value);
    return first;
}

}  // namespace gatehouse::http
