// The process's metrics in the Prometheus text format. The registry is the process's own, so
// each test uses label values no other test uses and reads the change it makes.
#include "gatehouse/util/metrics.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace gatehouse::util;

namespace {

// The value on the line that starts with `series` followed by a space; -1 when there is none.
double value_of(const std::string& text, const std::string& series) {
    const std::string start = series + " ";
    std::size_t at = 0;
    while ((at = text.find(start, at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + start.size()));
        at += start.size();
    }
    return -1;
}

}  // namespace

TEST_CASE("counters count, with their HELP and TYPE lines") {
    metrics::count_sign_in("metrics-test");
    metrics::count_sign_in("metrics-test");
    metrics::count_sign_in_refusal("saml.sign_in", "metrics.test_reason");
    metrics::count_http_refusal(413, "request.too_large");
    metrics::count_http_timeout("metrics-test");
    metrics::count_metadata_refresh_failure("metrics.test_fetch");
    metrics::count_scim_operation("Users", "metrics-test", 201);
    const std::string text = metrics::exposition();
    CHECK(text.find("# HELP gatehouse_sign_ins_total ") != std::string::npos);
    CHECK(text.find("# TYPE gatehouse_sign_ins_total counter") != std::string::npos);
    CHECK(value_of(text, R"(gatehouse_sign_ins_total{method="metrics-test"})") == 2);
    CHECK(
        value_of(
            text,
            R"(gatehouse_sign_in_refusals_total{action="saml.sign_in",reason="metrics.test_reason"})") ==
        1);
    CHECK(value_of(text,
                   R"(gatehouse_http_refusals_total{reason="request.too_large",status="413"})") >=
          1);
    CHECK(value_of(text, R"(gatehouse_http_timeouts_total{stage="metrics-test"})") == 1);
    CHECK(value_of(text,
                   R"(gatehouse_metadata_refresh_failures_total{reason="metrics.test_fetch"})") ==
          1);
    CHECK(
        value_of(
            text,
            R"(gatehouse_scim_operations_total{operation="metrics-test",resource="Users",status="201"})") ==
        1);
}

TEST_CASE("histograms put each observation in every bucket at or above it") {
    metrics::observe_http_request("metrics-test", 200, 0.003);
    metrics::observe_http_request("metrics-test", 200, 0.2);
    metrics::observe_store_transaction("metrics-test", false, 12);
    const std::string text = metrics::exposition();
    CHECK(text.find("# TYPE gatehouse_http_request_duration_seconds histogram") !=
          std::string::npos);
    const std::string series =
        R"(gatehouse_http_request_duration_seconds_bucket{route="metrics-test",status="200",le=")";
    CHECK(value_of(text, series + R"(0.0025"})") == 0);
    CHECK(value_of(text, series + R"(0.005"})") == 1);
    CHECK(value_of(text, series + R"(0.1"})") == 1);
    CHECK(value_of(text, series + R"(0.25"})") == 2);
    CHECK(value_of(text, series + R"(+Inf"})") == 2);
    CHECK(
        value_of(
            text,
            R"(gatehouse_http_request_duration_seconds_count{route="metrics-test",status="200"})") ==
        2);
    CHECK(
        value_of(
            text,
            R"(gatehouse_http_request_duration_seconds_sum{route="metrics-test",status="200"})") ==
        doctest::Approx(0.203));
    // Past the largest bucket (10 s): only +Inf holds it.
    const std::string store =
        R"(gatehouse_store_transaction_duration_seconds_bucket{kind="metrics-test",outcome="error",le=")";
    CHECK(value_of(text, store + R"(10"})") == 0);
    CHECK(value_of(text, store + R"(+Inf"})") == 1);
}

TEST_CASE("gauges are appended, and label values are escaped as the format says") {
    metrics::GaugeFamily gauge{"gatehouse_test_gauge", "A gauge for the test.", {}};
    gauge.samples.push_back({{{"org", "quote\"back\\slash\nline"}}, 2.5});
    gauge.samples.push_back({{}, -1});
    const std::string text = metrics::exposition({gauge});
    CHECK(text.find("# TYPE gatehouse_test_gauge gauge") != std::string::npos);
    CHECK(value_of(text, R"(gatehouse_test_gauge{org="quote\"back\\slash\nline"})") == 2.5);
    CHECK(value_of(text, "gatehouse_test_gauge") == -1);
    CHECK(metrics::exposition().find("gatehouse_test_gauge") == std::string::npos);
}
