// The process's metrics, kept by prometheus-cpp and written in the Prometheus text format
// (version 0.0.4) for GET /metrics. Every function here is thread-safe and cheap enough to
// call on every request.
//
// Label values come from small fixed sets (route families, status codes, error codes, SCIM
// resource names), never from what a client sends, so no request can grow the number of
// series without bound.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::util::metrics {

// gatehouse_http_request_duration_seconds{route, status}: one observation per answered
// request (its count is the request count).
void observe_http_request(std::string_view route, int status, double seconds);

// gatehouse_http_refusals_total{status, reason}: a request the transport answered itself,
// before any route ran (malformed, too large, too slow, too many connections, queue full).
void count_http_refusal(int status, std::string_view reason);

// gatehouse_http_timeouts_total{stage (head|body)}: a connection closed because its client
// was too slow, or silent, while a request's head or body was due.
void count_http_timeout(std::string_view stage);

// gatehouse_scim_operations_total{resource, operation, status}.
void count_scim_operation(std::string_view resource, std::string_view operation, int status);

// gatehouse_sign_ins_total{method}: a session started (saml, oidc, github, password,
// invitation).
void count_sign_in(std::string_view method);

// gatehouse_sign_in_refusals_total{action, reason}: a refused sign-in, sign-out or test
// sign-in ("saml.sign_in", "oidc.sign_in", "password.sign_in", …) and its error code.
void count_sign_in_refusal(std::string_view action, std::string_view reason);

// gatehouse_store_transaction_duration_seconds{kind (read|write), outcome (ok|error)}.
void observe_store_transaction(std::string_view kind, bool ok, double seconds);

// gatehouse_metadata_refresh_failures_total{reason}: a failed refresh of an IdP's metadata
// from its URL.
void count_metadata_refresh_failure(std::string_view reason);

// A gauge whose samples are read when the metrics are written (from the store, say).
struct GaugeFamily {
    std::string name;
    std::string help;
    std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, double>> samples;
};

// Every metric above, then `gauges`, in the Prometheus text format.
std::string exposition(const std::vector<GaugeFamily>& gauges = {});

// The Content-Type of exposition()'s text.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace gatehouse::util::metrics
