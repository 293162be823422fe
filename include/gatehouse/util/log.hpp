// Structured logging: one JSON object per line on standard error. Thread-safe; a line is
// written with one call so lines from different threads never interleave. Callers must
// never pass a secret (token, password, session ID, SAML message) as a field.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace gatehouse::util {

enum class LogLevel { debug, info, warning, error };

// Writes {"ts":..., "level":..., "event": event, ...fields}. Lines below the threshold
// set by set_log_level are dropped.
void log_event(LogLevel level, std::string_view event, const nlohmann::json& fields = {});

void set_log_level(LogLevel level);

}  // namespace gatehouse::util
