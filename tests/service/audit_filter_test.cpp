// The one reading of the audit log's filter that the page and the admin API share.
#include "gatehouse/service/audit_filter.hpp"

#include <doctest/doctest.h>

#include "gatehouse/util/time.hpp"

using namespace gatehouse;
using service::parse_audit_filter;

namespace {

util::UnixTime at(const char* text) { return *util::parse_iso8601(text); }

bool mentions(const Error& error, const std::string& text) {
    return error.message.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("audit filter: no parameters select the first page of everything") {
    const auto parsed = parse_audit_filter({}, 50);
    REQUIRE(parsed.ok());
    CHECK(parsed.filter.query.action_prefix.empty());
    CHECK_FALSE(parsed.filter.query.since);
    CHECK_FALSE(parsed.filter.query.until);
    CHECK(parsed.filter.query.page.offset == 0);
    CHECK(parsed.filter.query.page.limit == 50);
    CHECK(parsed.filter.page_number == 1);
}

TEST_CASE("audit filter: text fields and outcome are kept as given") {
    const auto parsed = parse_audit_filter(
        {{"action", "member."}, {"actor", "cli"}, {"target", "acme"}, {"outcome", "failure"}}, 50);
    REQUIRE(parsed.ok());
    CHECK(parsed.filter.query.action_prefix == "member.");
    CHECK(parsed.filter.query.actor == "cli");
    CHECK(parsed.filter.query.target == "acme");
    CHECK(parsed.filter.query.outcome == "failure");
}

TEST_CASE("audit filter: days cover the whole of both days named") {
    const auto parsed = parse_audit_filter({{"from", "2024-05-01"}, {"until", "2024-05-02"}}, 50);
    REQUIRE(parsed.ok());
    CHECK(*parsed.filter.query.since == at("2024-05-01T00:00:00Z"));
    CHECK(*parsed.filter.query.until == at("2024-05-02T23:59:59Z"));
}

TEST_CASE("audit filter: since and until also take full times") {
    const auto parsed = parse_audit_filter(
        {{"since", "2026-11-23T08:00:00Z"}, {"until", "2026-11-23T09:30:00Z"}}, 100);
    REQUIRE(parsed.ok());
    CHECK(*parsed.filter.query.since == at("2026-11-23T08:00:00Z"));
    CHECK(*parsed.filter.query.until == at("2026-11-23T09:30:00Z"));
}

TEST_CASE("audit filter: a page number selects a page of the page size") {
    const auto parsed = parse_audit_filter({{"page", "3"}}, 50);
    REQUIRE(parsed.ok());
    CHECK(parsed.filter.page_number == 3);
    CHECK(parsed.filter.query.page.offset == 100);
    CHECK(parsed.filter.query.page.limit == 50);
}

TEST_CASE("audit filter: offset and limit select rows") {
    const auto parsed = parse_audit_filter({{"offset", "20"}, {"limit", "10"}}, 100);
    REQUIRE(parsed.ok());
    CHECK(parsed.filter.query.page.offset == 20);
    CHECK(parsed.filter.query.page.limit == 10);
}

TEST_CASE("audit filter: bad dates are refused by the parameter that carried them") {
    const auto parsed = parse_audit_filter({{"from", "yesterday"}, {"until", "2024-02-30"}}, 50);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.problems.count("from") == 1);
    CHECK(parsed.problems.count("until") == 1);
    CHECK(parsed.error().code == service::kAuditFilterInvalid);
    CHECK(mentions(parsed.error(), "from: Give the date as YYYY-MM-DD"));
    CHECK(mentions(parsed.error(), "until: Give the date as YYYY-MM-DD"));
}

TEST_CASE("audit filter: a time that is not ISO-8601 is refused") {
    const auto parsed = parse_audit_filter({{"since", "2026-11-23 08:00"}}, 100);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.problems.count("since") == 1);
}

TEST_CASE("audit filter: a range that ends before it starts is refused") {
    const auto days = parse_audit_filter({{"from", "2024-05-02"}, {"until", "2024-05-01"}}, 50);
    REQUIRE_FALSE(days.ok());
    CHECK(days.problems.at("until") == "The range must not end before it starts.");
    const auto times = parse_audit_filter(
        {{"since", "2026-11-23T09:00:00Z"}, {"until", "2026-11-23T08:00:00Z"}}, 100);
    CHECK_FALSE(times.ok());
}

TEST_CASE("audit filter: an unknown outcome is refused") {
    const auto parsed = parse_audit_filter({{"outcome", "maybe"}}, 50);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.problems.at("outcome") == "Choose any, success or failure.");
}

TEST_CASE("audit filter: huge, negative and non-numeric pages are refused") {
    for (const char* page : {"0", "-1", "10000001", "99999999999999999999", "2x", "1e3"}) {
        CAPTURE(page);
        const auto parsed = parse_audit_filter({{"page", page}}, 50);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.problems.count("page") == 1);
    }
}

TEST_CASE("audit filter: out-of-range offsets and limits are refused") {
    CHECK_FALSE(parse_audit_filter({{"offset", "-5"}}, 100).ok());
    CHECK_FALSE(parse_audit_filter({{"offset", "1000000001"}}, 100).ok());
    CHECK_FALSE(parse_audit_filter({{"limit", "1001"}}, 100).ok());
    CHECK_FALSE(parse_audit_filter({{"limit", ""}}, 100).ok());
}

TEST_CASE("audit filter: page and offset together are refused") {
    const auto parsed = parse_audit_filter({{"page", "2"}, {"offset", "10"}}, 50);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.problems.count("offset") == 1);
}

TEST_CASE("audit filter: since and from together are refused") {
    const auto parsed = parse_audit_filter({{"since", "2024-05-01"}, {"from", "2024-05-01"}}, 50);
    CHECK_FALSE(parsed.ok());
}

TEST_CASE("audit filter: over-long text is refused") {
    const auto parsed =
        parse_audit_filter({{"actor", std::string(service::kMaxAuditFilterText + 1, 'a')}}, 50);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.problems.count("actor") == 1);
}

TEST_CASE("audit filter: every problem is reported at once") {
    const auto parsed =
        parse_audit_filter({{"outcome", "maybe"}, {"page", "0"}, {"until", "soon"}}, 50);
    CHECK(parsed.problems.size() == 3);
}
