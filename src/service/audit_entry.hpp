// Building audit log entries the same way in every use case: who did what to which target,
// the outcome and reason code, and details as a JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// An audit entry of org `org_id` made at `at` (0: when the store appends it, by the store's
// clock); `details` must be a JSON object. Text that is not valid UTF-8 (IdPs send what they
// send) is replaced rather than refused, so an entry is always written. Every audit entry is
// built here.
inline core::AuditEntry audit_entry(core::RowId org_id, util::UnixTime at, std::string actor,
                                    std::string action, std::string target, std::string outcome,
                                    std::string reason,
                                    const nlohmann::json& details = nlohmann::json::object()) {
    core::AuditEntry entry;
    entry.org_id = org_id;
    entry.at = at;
    entry.actor = std::move(actor);
    entry.action = std::move(action);
    entry.target = std::move(target);
    entry.outcome = std::move(outcome);
    entry.reason_code = std::move(reason);
    entry.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return entry;
}

// The same, made when the store appends it.
inline core::AuditEntry audit_entry(const core::Org& org, std::string actor, std::string action,
                                    std::string target, std::string outcome, std::string reason,
                                    const nlohmann::json& details) {
    return audit_entry(org.id, 0, std::move(actor), std::move(action), std::move(target),
                       std::move(outcome), std::move(reason), details);
}

// A successful action.
inline core::AuditEntry audit_entry(const core::Org& org, std::string actor, std::string action,
                                    std::string target,
                                    const nlohmann::json& details = nlohmann::json::object()) {
    return audit_entry(org, std::move(actor), std::move(action), std::move(target), "success", "",
                       details);
}

}  // namespace gatehouse::service
