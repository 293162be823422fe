#include "gatehouse/service/audit_filter.hpp"

#include <charconv>
#include <optional>

#include "gatehouse/util/time.hpp"

namespace gatehouse::service {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

using Params = std::map<std::string, std::string>;

const std::string* find(const Params& params, const std::string& name) {
    const auto found = params.find(name);
    return found == params.end() ? nullptr : &found->second;
}

// A whole number from `min` to `max`, nothing around it.
std::optional<std::int64_t> whole_number(const std::string& text, std::int64_t min,
                                         std::int64_t max) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || stop != end || value < min || value > max)
        return std::nullopt;
    return value;
}

// The first second (UTC) of the day "YYYY-MM-DD" names; nullopt for anything else.
std::optional<util::UnixTime> parse_day(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
    }
    auto at = util::parse_iso8601(text + "T00:00:00Z");
    // parse_iso8601 places days its calendar arithmetic can reach; a day it moved (Feb 30)
    // does not format back to the same text and is refused.
    if (!at || util::format_iso8601(*at).substr(0, 10) != text) return std::nullopt;
    return at;
}

// A bound of the range: a day (its first or last second) or a full ISO-8601 time.
std::optional<util::UnixTime> parse_bound(const std::string& text, bool end_of_day) {
    if (auto day = parse_day(text)) return end_of_day ? *day + kSecondsPerDay - 1 : *day;
    if (text.size() > 10) return util::parse_iso8601(text);
    return std::nullopt;
}

constexpr const char* kBoundSentence =
    "Give the date as YYYY-MM-DD, or the time as 2024-05-01T08:00:00Z.";

}  // namespace

Error ParsedAuditFilter::error() const {
    std::string message;
    for (const auto& [name, sentence] : problems) {
        if (!message.empty()) message += " ";
        message += name + ": " + sentence;
    }
    return fail(std::string(kAuditFilterInvalid), message);
}

ParsedAuditFilter parse_audit_filter(const Params& params, std::int64_t page_size) {
    ParsedAuditFilter parsed;
    store::AuditQuery& query = parsed.filter.query;
    auto& problems = parsed.problems;

    const std::pair<const char*, std::string*> texts[] = {
        {"action", &query.action_prefix}, {"actor", &query.actor}, {"target", &query.target}};
    for (const auto& [name, field] : texts) {
        const std::string* value = find(params, name);
        if (!value) continue;
        if (value->size() > kMaxAuditFilterText) {
            problems[name] = "Give at most " + std::to_string(kMaxAuditFilterText) + " characters.";
        } else {
            *field = *value;
        }
    }

    if (const std::string* outcome = find(params, "outcome")) {
        if (outcome->empty() || *outcome == "success" || *outcome == "failure")
            query.outcome = *outcome;
        else
            problems["outcome"] = "Choose any, success or failure.";
    }

    // "from" is the page's name for since: a date input labelled From.
    const std::string* since = find(params, "since");
    const std::string* from = find(params, "from");
    if (since && from) {
        problems["from"] = "Give since or from, not both.";
    } else if (const std::string* start = since ? since : from; start && !start->empty()) {
        query.since = parse_bound(*start, false);
        if (!query.since) problems[since ? "since" : "from"] = kBoundSentence;
    }
    if (const std::string* until = find(params, "until"); until && !until->empty()) {
        query.until = parse_bound(*until, true);
        if (!query.until) problems["until"] = kBoundSentence;
    }
    if (query.since && query.until && *query.until < *query.since) {
        problems["until"] = "The range must not end before it starts.";
    }

    std::int64_t limit = page_size;
    if (const std::string* text = find(params, "limit")) {
        const auto value = whole_number(*text, 0, kMaxAuditLimit);
        if (value)
            limit = *value;
        else
            problems["limit"] =
                "Give a whole number from 0 to " + std::to_string(kMaxAuditLimit) + ".";
    }
    const std::string* page = find(params, "page");
    const std::string* offset = find(params, "offset");
    if (page && offset) {
        problems["offset"] = "Give page or offset, not both.";
    } else if (page && !page->empty()) {
        const auto number = whole_number(*page, 1, kMaxAuditPageNumber);
        if (number) {
            parsed.filter.page_number = *number;
            query.page = store::Page{(*number - 1) * limit, limit};
        } else {
            problems["page"] = "The page must be a whole number from 1 to " +
                               std::to_string(kMaxAuditPageNumber) + ".";
        }
    } else if (offset) {
        const auto value = whole_number(*offset, 0, kMaxAuditOffset);
        if (value)
            query.page = store::Page{*value, limit};
        else
            problems["offset"] =
                "Give a whole number from 0 to " + std::to_string(kMaxAuditOffset) + ".";
    } else {
        query.page = store::Page{0, limit};
    }
    return parsed;
}

}  // namespace gatehouse::service
