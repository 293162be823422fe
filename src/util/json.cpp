#include "gatehouse/util/json.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gatehouse::util {
namespace {

constexpr const char* kMalformed = "json.malformed";

// The member name as shown in a message: quoted when short and printable ASCII, since it is
// chosen by whoever sent the text.
std::string shown_member(const std::string& name) {
    const bool printable = std::all_of(name.begin(), name.end(),
                                       [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    if (!printable || name.size() > 40) return "one member name";
    return "the member \"" + name + "\"";
}

}  // namespace

Result<nlohmann::json> read_untrusted_json(std::string_view text) {
    using Event = nlohmann::json::parse_event_t;
    if (text.find('\0') != std::string_view::npos) {
        return fail(kMalformed, "The text holds a NUL byte, which JSON allows only escaped.");
    }
    // The names met so far in each object being read, innermost last.
    std::vector<std::set<std::string>> open_objects;
    std::optional<std::string> repeated;
    const auto watch = [&](int, Event event, nlohmann::json& parsed) {
        switch (event) {
            case Event::object_start:
                open_objects.emplace_back();
                break;
            case Event::object_end:
                if (!open_objects.empty()) open_objects.pop_back();
                break;
            case Event::key:
                if (!open_objects.empty() && !repeated &&
                    !open_objects.back().insert(parsed.get<std::string>()).second) {
                    repeated = parsed.get<std::string>();
                }
                break;
            default:
                break;
        }
        return true;
    };
    nlohmann::json document = nlohmann::json::parse(text, watch, /*allow_exceptions=*/false);
    if (document.is_discarded()) return fail(kMalformed, "The text is not one JSON document.");
    if (repeated) {
        return fail(kMalformed, "An object names " + shown_member(*repeated) + " twice.");
    }
    return document;
}

}  // namespace gatehouse::util
