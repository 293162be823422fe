#include "gatehouse/service/fleet_jobs.hpp"

#include <exception>

#include "gatehouse/util/log.hpp"

namespace gatehouse::service {

bool take_job(store::Store& store, std::string_view name, util::UnixTime now,
              std::int64_t hold_seconds) {
    bool taken = false;
    try {
        const Status written = store.write([&](store::Transaction& tx) -> Status {
            taken = tx.claim_job(name, now, now + hold_seconds);
            return {};
        });
        if (written) return taken;
        util::log_event(util::LogLevel::warning, "job.claim_failed",
                        {{"job", name}, {"code", written.error().code}});
    } catch (const std::exception& e) {
        util::log_event(util::LogLevel::warning, "job.claim_failed",
                        {{"job", name}, {"error", e.what()}});
    }
    return false;
}

}  // namespace gatehouse::service
