// Periodic work done once across every gateway process that shares a store (purges, metadata
// refreshes): before each round a process asks the store for the job, and only the one that
// gets it does the work.
#pragma once

#include <cstdint>
#include <string_view>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Takes job `name` from `now` for `hold_seconds` (see store::Transaction::claim_job). True
// when this process has it; false when another process holds it, and false as well when the
// store fails (logged as "job.claim_failed"): skipping a round is safe, doing it twice at
// once is waste. Thread-safe.
bool take_job(store::Store& store, std::string_view name, util::UnixTime now,
              std::int64_t hold_seconds);

}  // namespace gatehouse::service
