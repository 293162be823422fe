#include "gatehouse/util/log.hpp"

#include <atomic>
#include <cstdio>
#include <string>

#include "gatehouse/util/time.hpp"

namespace gatehouse::util {
namespace {

std::atomic<LogLevel> threshold{LogLevel::info};

const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warning:
            return "warning";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

}  // namespace

void set_log_level(LogLevel level) { threshold = level; }

void log_event(LogLevel level, std::string_view event, const nlohmann::json& fields) {
    if (level < threshold.load()) return;
    nlohmann::json line = {{"ts", format_iso8601(SystemClock{}.now())},
                           {"level", level_name(level)},
                           {"event", event}};
    if (fields.is_object()) {
        for (const auto& [key, value] : fields.items()) line[key] = value;
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    // One fwrite per line: stdio locks the stream, so concurrent lines stay whole.
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace gatehouse::util
