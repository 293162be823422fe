// SCIM list paging (RFC 7644 §3.4.2.4) and the ListResponse message (§3.4.2): parses the
// startIndex and count query parameters and wraps a page of resources.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::scim {

inline constexpr std::string_view kListResponseSchema =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";

// The most resources one page returns; also ServiceProviderConfig's filter.maxResults.
inline constexpr std::int64_t kMaxPageSize = 1000;
// The page size when the client sends no count.
inline constexpr std::int64_t kDefaultPageSize = 100;

// A requested page: 1-based index of its first resource, and how many resources at most.
struct Page {
    std::int64_t start_index = 1;
    std::int64_t count = kDefaultPageSize;
};

// Parses the raw query parameter values (nullopt when the parameter is absent). As RFC 7644
// asks, a startIndex below 1 is read as 1 and a negative count as 0 (the client then wants
// only totalResults); a count above kMaxPageSize is lowered to it. Surrounding white space
// is not accepted. Fails with scim.invalidValue, naming the parameter, when a value is not a
// base-10 integer (empty, "abc", "1.5", or beyond the 64-bit range).
Result<Page> parse_page(std::optional<std::string_view> start_index,
                        std::optional<std::string_view> count);

// A ListResponse holding `resources` (already one page, already projected), with
// totalResults = `total_results` (all matches, not just this page), itemsPerPage = the
// number of resources and the page's startIndex.
nlohmann::json list_response(std::vector<nlohmann::json> resources, std::int64_t total_results,
                             std::int64_t start_index);

}  // namespace gatehouse::scim
