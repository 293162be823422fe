#include "json_lookup.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::scim::detail {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

const nlohmann::json* find_attribute(const nlohmann::json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (iequals(it.key(), name)) return &it.value();
    }
    return nullptr;
}

nlohmann::json* find_attribute(nlohmann::json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (iequals(it.key(), name)) return &it.value();
    }
    return nullptr;
}

bool erase_attribute(nlohmann::json& object, std::string_view name) {
    if (!object.is_object()) return false;
    bool erased = false;
    for (auto it = object.begin(); it != object.end();) {
        if (iequals(it.key(), name)) {
            it = object.erase(it);
            erased = true;
        } else {
            ++it;
        }
    }
    return erased;
}

std::optional<bool> scim_boolean(const nlohmann::json& value) {
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (iequals(text, "true")) return true;
        if (iequals(text, "false")) return false;
    }
    return std::nullopt;
}

}  // namespace gatehouse::scim::detail
