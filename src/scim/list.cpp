#include "gatehouse/scim/list.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "gatehouse/scim/error.hpp"

namespace gatehouse::scim {
namespace {

Result<std::int64_t> parse_integer(std::string_view text, std::string_view parameter) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    // from_chars rejects a leading '+'; accept it, since some clients build URLs with it.
    const char* begin = text.starts_with('+') ? text.data() + 1 : text.data();
    const auto [stop, error] = std::from_chars(begin, end, value);
    if (text.empty() || error != std::errc() || stop != end) {
        return scim_fail("invalidValue", std::string(parameter) + " must be an integer, not \"" +
                                             std::string(text) + "\".");
    }
    return value;
}

}  // namespace

Result<Page> parse_page(std::optional<std::string_view> start_index,
                        std::optional<std::string_view> count) {
    Page page;
    if (start_index) {
        auto value = parse_integer(*start_index, "startIndex");
        if (!value) return value.error();
        page.start_index = std::max<std::int64_t>(*value, 1);
    }
    if (count) {
        auto value = parse_integer(*count, "count");
        if (!value) return value.error();
        page.count = std::clamp<std::int64_t>(*value, 0, kMaxPageSize);
    }
    return page;
}

nlohmann::json list_response(std::vector<nlohmann::json> resources, std::int64_t total_results,
                             std::int64_t start_index) {
    const auto items = static_cast<std::int64_t>(resources.size());
    return {
        {"schemas", nlohmann::json::array({std::string(kListResponseSchema)})},
        {"totalResults", total_results},
        {"itemsPerPage", items},
        {"startIndex", start_index},
        {"Resources", std::move(resources)},
    };
}

}  // namespace gatehouse::scim
