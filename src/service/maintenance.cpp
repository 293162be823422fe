#include "gatehouse/service/maintenance.hpp"

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <thread>

#include "gatehouse/service/fleet_jobs.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

constexpr std::chrono::milliseconds kPauseBetweenBatches{10};
constexpr const char* kPurgeJob = "maintenance.purge";

nlohmann::json counts_json(const store::PurgeCounts& counts) {
    return {{"sessions", counts.sessions},
            {"authn_requests", counts.authn_requests},
            {"seen_assertions", counts.seen_assertions},
            {"seen_logout_requests", counts.seen_logout_requests},
            {"sign_in_throttle", counts.sign_in_throttle},
            {"audit_entries", counts.audit_entries},
            {"total", counts.total()}};
}

void sweep(store::Store& store, const util::Clock& clock, std::chrono::seconds interval,
           std::stop_token stop) {
    // Held for one interval: the process that took it sweeps, the others skip this round.
    if (!take_job(store, kPurgeJob, clock.now(), interval.count())) {
        util::log_event(util::LogLevel::debug, "maintenance.purge_skipped",
                        {{"reason", "another process holds the job"}});
        return;
    }
    const double started = util::monotonic_ms();
    auto purged = purge_once(store, clock, stop);
    const double duration_ms = std::round((util::monotonic_ms() - started) * 1000) / 1000;
    if (!purged) {
        util::log_event(util::LogLevel::warning, "maintenance.purge_failed",
                        {{"code", purged.error().code},
                         {"message", purged.error().message},
                         {"duration_ms", duration_ms}});
        return;
    }
    nlohmann::json fields = counts_json(*purged);
    fields["duration_ms"] = duration_ms;
    util::log_event(util::LogLevel::info, "maintenance.purge", fields);
}

}  // namespace

Result<store::PurgeCounts> purge_once(store::Store& store, const util::Clock& clock,
                                      std::stop_token stop) {
    // One "now" for the whole purge: a row that expires while it runs waits for the next.
    const util::UnixTime now = clock.now();
    store::PurgeCounts total;
    while (!stop.stop_requested()) {
        store::PurgeCounts batch;
        const Status written = store.write([&](store::Transaction& tx) -> Status {
            batch = tx.purge_due(now, kPurgeBatchRows);
            return {};
        });
        if (!written) return written.error();
        total += batch;
        if (batch.total() < kPurgeBatchRows) break;
        // The writer's mutex is not fair: taken again at once, it could go to this loop batch
        // after batch while sign-ins wait. A short pause lets them in first.
        std::this_thread::sleep_for(kPauseBetweenBatches);
    }
    return total;
}

MaintenanceSweeper::MaintenanceSweeper(store::Store& store, const util::Clock& clock,
                                       std::chrono::milliseconds interval)
    : store_(store),
      clock_(clock),
      interval_(interval),
      thread_([this](std::stop_token stop) { run(stop); }) {}

MaintenanceSweeper::~MaintenanceSweeper() { stop(); }

void MaintenanceSweeper::stop() {
    thread_.request_stop();  // also wakes a wait on wake_ that was given the thread's token
    const std::lock_guard<std::mutex> join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
}

int MaintenanceSweeper::sweeps() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return sweeps_;
}

void MaintenanceSweeper::run(std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop.stop_requested()) {
        lock.unlock();
        // An exception escaping a thread ends the process; a failed sweep must not.
        try {
            sweep(store_, clock_, std::chrono::duration_cast<std::chrono::seconds>(interval_),
                  stop);
        } catch (const std::exception& e) {
            util::log_event(util::LogLevel::error, "maintenance.purge_failed",
                            {{"error", e.what()}});
        }
        lock.lock();
        ++sweeps_;
        wake_.wait_for(lock, stop, interval_, [] { return false; });
    }
}

}  // namespace gatehouse::service
