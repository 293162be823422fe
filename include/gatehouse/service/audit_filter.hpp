// The audit log's filter, read from a request's query parameters by one set of rules, so the
// audit log page and the admin API accept and refuse the same things.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

// The reason code of a filter with at least one parameter that cannot be read (400).
inline constexpr std::string_view kAuditFilterInvalid = "audit.filter_invalid";

// The largest page number and offset accepted, far beyond any audit log, so that no
// arithmetic on them can overflow; and the largest page size.
inline constexpr std::int64_t kMaxAuditPageNumber = 10'000'000;
inline constexpr std::int64_t kMaxAuditOffset = 1'000'000'000;
inline constexpr std::int64_t kMaxAuditLimit = 1000;
// The longest action, actor or target text a filter may hold.
inline constexpr std::size_t kMaxAuditFilterText = 200;

struct AuditFilter {
    store::AuditQuery query;
    std::int64_t page_number = 1;  // 1-based; the page that query.page selects when paged by page
};

// A parsed filter and what was wrong with its parameters.
struct ParsedAuditFilter {
    AuditFilter filter;  // meaningful only when problems is empty
    // Parameter name as the request spelled it → a sentence saying what it must be.
    std::map<std::string, std::string> problems;

    bool ok() const { return problems.empty(); }
    // kAuditFilterInvalid, with each problem as "name: sentence", in parameter-name order.
    // Precondition: !ok().
    Error error() const;
};

// Reads the filter from `params` (each query parameter's first value):
//   action, actor, target  text, at most kMaxAuditFilterText characters; action is a prefix
//   outcome                "", "success" or "failure"
//   since (or from)        a day "2024-05-01" (its first second, UTC) or an ISO-8601 time
//   until                  a day (its last second, so the day is included) or an ISO-8601 time;
//                          not before since
//   page                   1..kMaxAuditPageNumber, pages of `page_size` entries
//   offset, limit          0..kMaxAuditOffset and 0..kMaxAuditLimit (limit defaults to
//                          `page_size`); offset cannot be combined with page
// Unknown parameters are ignored: the page's own (saved=…) travel with the filter. Every
// problem is reported, not only the first. Pure; thread-safe.
ParsedAuditFilter parse_audit_filter(const std::map<std::string, std::string>& params,
                                     std::int64_t page_size);

}  // namespace gatehouse::service
