#include "gatehouse/util/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace gatehouse::util::metrics {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;

// Latency buckets in seconds: from a cached page (about a millisecond) to a metadata fetch
// or a slow store (seconds).
const Histogram::BucketBoundaries kLatencyBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                  0.25,  0.5,    1,     2.5,  5,     10};

struct Metrics {
    prometheus::Registry registry;
    Family<Histogram>& http_requests =
        prometheus::BuildHistogram()
            .Name("gatehouse_http_request_duration_seconds")
            .Help("Time from a complete request to its answer, by route family and status.")
            .Register(registry);
    Family<Counter>& http_refusals =
        prometheus::BuildCounter()
            .Name("gatehouse_http_refusals_total")
            .Help("Requests the transport answered before routing, by status and reason code.")
            .Register(registry);
    Family<Counter>& http_timeouts =
        prometheus::BuildCounter()
            .Name("gatehouse_http_timeouts_total")
            .Help("Connections closed because the client was too slow or silent, by stage.")
            .Register(registry);
    Family<Counter>& scim_operations =
        prometheus::BuildCounter()
            .Name("gatehouse_scim_operations_total")
            .Help("SCIM requests answered, by resource, operation and status.")
            .Register(registry);
    Family<Counter>& sign_ins = prometheus::BuildCounter()
                                    .Name("gatehouse_sign_ins_total")
                                    .Help("Sessions started, by sign-in method.")
                                    .Register(registry);
    Family<Counter>& sign_in_refusals =
        prometheus::BuildCounter()
            .Name("gatehouse_sign_in_refusals_total")
            .Help("Sign-ins, sign-outs and test sign-ins refused, by action and reason code.")
            .Register(registry);
    Family<Histogram>& store_transactions =
        prometheus::BuildHistogram()
            .Name("gatehouse_store_transaction_duration_seconds")
            .Help("Store transactions, from start to commit or rollback, by kind and outcome.")
            .Register(registry);
    Family<Counter>& metadata_refresh_failures =
        prometheus::BuildCounter()
            .Name("gatehouse_metadata_refresh_failures_total")
            .Help("Failed refreshes of IdP metadata from its URL, by reason code.")
            .Register(registry);
};

Metrics& metrics() {
    static Metrics instance;
    return instance;
}

std::string text(std::string_view value) { return std::string(value); }

}  // namespace

void observe_http_request(std::string_view route, int status, double seconds) {
    metrics()
        .http_requests
        .Add({{"route", text(route)}, {"status", std::to_string(status)}}, kLatencyBuckets)
        .Observe(seconds);
}

void count_http_refusal(int status, std::string_view reason) {
    metrics()
        .http_refusals.Add({{"status", std::to_string(status)}, {"reason", text(reason)}})
        .Increment();
}

void count_http_timeout(std::string_view stage) {
    metrics().http_timeouts.Add({{"stage", text(stage)}}).Increment();
}

void count_scim_operation(std::string_view resource, std::string_view operation, int status) {
    metrics()
        .scim_operations
        .Add({{"resource", text(resource)},
              {"operation", text(operation)},
              {"status", std::to_string(status)}})
        .Increment();
}

void count_sign_in(std::string_view method) {
    metrics().sign_ins.Add({{"method", text(method)}}).Increment();
}

void count_sign_in_refusal(std::string_view action, std::string_view reason) {
    metrics()
        .sign_in_refusals.Add({{"action", text(action)}, {"reason", text(reason)}})
        .Increment();
}

void observe_store_transaction(std::string_view kind, bool ok, double seconds) {
    metrics()
        .store_transactions
        .Add({{"kind", text(kind)}, {"outcome", ok ? "ok" : "error"}}, kLatencyBuckets)
        .Observe(seconds);
}

void count_metadata_refresh_failure(std::string_view reason) {
    metrics().metadata_refresh_failures.Add({{"reason", text(reason)}}).Increment();
}

std::string exposition(const std::vector<GaugeFamily>& gauges) {
    std::vector<prometheus::MetricFamily> families = metrics().registry.Collect();
    for (const GaugeFamily& gauge : gauges) {
        prometheus::MetricFamily family{gauge.name, gauge.help, prometheus::MetricType::Gauge, {}};
        for (const auto& [labels, value] : gauge.samples) {
            prometheus::ClientMetric sample;
            for (const auto& [name, label_value] : labels)
                sample.label.push_back({name, label_value});
            sample.gauge.value = value;
            family.metric.push_back(std::move(sample));
        }
        families.push_back(std::move(family));
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
}

}  // namespace gatehouse::util::metrics
