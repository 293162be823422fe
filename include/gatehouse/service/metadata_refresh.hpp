// Keeping IdP configurations made from a metadata URL current: the document is fetched
// again, changed certificates and endpoints are applied, and every change is audited.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// What one refresh pass did. `checked` counts providers that were due; each of them is
// counted once more as unchanged, updated or failed, except those reconfigured by an admin
// while their document was being fetched, which are left alone.
struct RefreshReport {
    int checked = 0;
    int unchanged = 0;
    int updated = 0;
    int failed = 0;
};

// Refreshes every provider that has a metadata URL and is due: never fetched, or fetched
// `interval_seconds` or more ago. A due provider is refreshed by the one process that takes
// its job ("saml.metadata.refresh:<org row ID>", take_job) for `interval_seconds`; other
// processes sharing the store, and later passes within the interval, leave it alone. So a
// failure, which keeps metadata_fetched_at as it was (it records the last good fetch), is
// fetched and audited again once per interval, not on every pass. For each one taken:
// - the document is parsed as configure_provider parses it;
// - when the entity ID, SSO URL, SLO URL or set of certificates (by fingerprint) changed,
//   the provider is updated, keeping its mapping, preset and options, in one transaction
//   with a success audit entry ("saml.metadata.refresh" by "system", reason
//   "saml.metadata.certificates_changed" when certificates changed, else
//   "saml.metadata.endpoints_changed"; details list fingerprints added and removed and
//   the endpoints changed);
// - an unchanged document only moves metadata_fetched_at;
// - a fetch or parse failure keeps the configuration, writes a failure audit entry with the
//   error's code and logs a warning.
// Never throws for a store or network failure: those are counted and logged. Thread-safe
// when `source` is.
RefreshReport refresh_metadata(store::Store& store, const util::Clock& clock,
                               MetadataSource& source, int interval_seconds);

// Runs refresh_metadata on a background thread: once at construction, then every `period`
// until stopped. The store, clock and source are not owned and must outlive the refresher.
class MetadataRefresher {
  public:
    MetadataRefresher(store::Store& store, const util::Clock& clock, MetadataSource& source,
                      int interval_seconds,
                      std::chrono::milliseconds period = std::chrono::minutes(1));
    // Stops the thread (see stop()).
    ~MetadataRefresher();
    MetadataRefresher(const MetadataRefresher&) = delete;
    MetadataRefresher& operator=(const MetadataRefresher&) = delete;

    // Wakes the thread and joins it; a pass in progress finishes its current fetch first
    // (bounded by the source's timeout). Idempotent; safe from any thread but the
    // refresher's own.
    void stop();

    // Passes completed so far. Thread-safe.
    int passes() const;

  private:
    void run();

    store::Store& store_;
    const util::Clock& clock_;
    MetadataSource& source_;
    const int interval_seconds_;
    const std::chrono::milliseconds period_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    int passes_ = 0;
    std::mutex join_mutex_;
    std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace gatehouse::service
