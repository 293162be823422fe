// The metrics read from the store when /metrics is scraped: the depth of the mail outbox and
// how long each org's IdP signing certificates stay valid.
#pragma once

#include <vector>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/metrics.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// gatehouse_mail_outbox_messages{state}: queued, sending and failed messages of every org.
// gatehouse_idp_certificate_expiry_days{org, certificate}: for each certificate of each
// org's SAML provider (by the first 16 hex digits of its SHA-256 fingerprint), the days from
// `clock`'s now until it expires, negative once it has. An org rolling over holds two
// certificates, so an alert takes the largest per org. A stored certificate that no longer
// parses is left out and logged.
// Fails with the store's error when it cannot be read.
Result<std::vector<util::metrics::GaugeFamily>> read_store_gauges(store::Store& store,
                                                                  const util::Clock& clock);

}  // namespace gatehouse::service
