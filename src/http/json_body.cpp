#include "json_body.hpp"

#include <string>

#include "gatehouse/util/json.hpp"

namespace gatehouse::http {

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // the escaped character, '"' and '\\' included, never ends the string
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > limit) return limit + 1;
                if (depth > deepest) deepest = depth;
                break;
            case ']':
            case '}':
                // An unmatched closer is not JSON; nlohmann refuses it, the count only must
                // not wrap around.
                if (depth > 0) --depth;
                break;
            default:
                break;
        }
    }
    return deepest;
}

Result<nlohmann::json> parse_json_body(std::string_view text, std::size_t max_depth) {
    if (json_nesting_depth(text, max_depth) > max_depth) {
        return fail(kJsonTooDeep, "The request body nests arrays and objects deeper than " +
                                      std::to_string(max_depth) + " levels.");
    }
    auto body = util::read_untrusted_json(text);
    if (!body) {
        return fail(kMalformedJson, "The request body is not valid JSON. " + body.error().message);
    }
    return std::move(*body);
}

}  // namespace gatehouse::http
