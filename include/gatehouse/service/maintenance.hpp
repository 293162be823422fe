// Store maintenance: deleting what nothing needs any more (expired sessions, pending requests
// and replay entries, old throttle rows, audit entries past their org's retention), on demand
// or on a schedule, so that anonymous traffic cannot grow the store without bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <thread>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Rows deleted per write transaction. Deleting this many rows chosen by expiry (scattered
// over the primary key) takes some milliseconds, tens on a busy machine: that is the longest
// a sign-in waits for the writer because of a purge, however large the backlog.
inline constexpr std::int64_t kPurgeBatchRows = 1000;

// Deletes everything due at clock.now() (see store::Transaction::purge_due) in transactions
// of at most kPurgeBatchRows rows, with a short pause between them so that other writers get
// their turn, until nothing due is left or `stop` is requested (looked at between batches). Returns
// the rows deleted, by kind. A store error ends the purge and is returned; the batches committed
// before it stay deleted. Thread-safe.
Result<store::PurgeCounts> purge_once(store::Store& store, const util::Clock& clock,
                                      std::stop_token stop = {});

// Runs purge_once on a background thread: once at construction, then every `interval`, until
// stopped. Of all the processes sharing the store, one sweeps per interval: a sweep first
// takes the job "maintenance.purge" for `interval` (take_job), and a process that does not
// get it skips its turn. Each sweep writes one log line: "maintenance.purge" with the rows
// deleted by kind and the duration, "maintenance.purge_skipped" (debug) when another process
// holds the job, or "maintenance.purge_failed" with the error. The store and clock are not
// owned and must outlive the sweeper.
class MaintenanceSweeper {
  public:
    MaintenanceSweeper(store::Store& store, const util::Clock& clock,
                       std::chrono::milliseconds interval);
    // Stops the thread (see stop()).
    ~MaintenanceSweeper();
    MaintenanceSweeper(const MaintenanceSweeper&) = delete;
    MaintenanceSweeper& operator=(const MaintenanceSweeper&) = delete;

    // Wakes the thread and joins it; a sweep in progress ends after its current batch.
    // Idempotent; safe from any thread but the sweeper's own.
    void stop();

    // Sweeps finished so far, failed ones included. Thread-safe.
    int sweeps() const;

  private:
    void run(std::stop_token stop);

    store::Store& store_;
    const util::Clock& clock_;
    const std::chrono::milliseconds interval_;

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    int sweeps_ = 0;
    std::mutex join_mutex_;
    std::jthread thread_;  // last: starts after every member it uses exists
};

}  // namespace gatehouse::service
