#include "patch_operation.hpp"

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "gatehouse/scim/error.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim::detail {
namespace {

using nlohmann::json;
using Op = PatchOperation;
using Target = PatchTarget;

// The spelling a new member gets when the request names it in another case.
std::string canonical_name(std::string_view name) {
    static constexpr std::array<std::string_view, 44> kNames = {"userName",
                                                                "externalId",
                                                                "name",
                                                                "displayName",
                                                                "emails",
                                                                "active",
                                                                "orgRole",
                                                                "members",
                                                                "givenName",
                                                                "familyName",
                                                                "formatted",
                                                                "value",
                                                                "type",
                                                                "primary",
                                                                "display",
                                                                "employeeNumber",
                                                                "costCenter",
                                                                "organization",
                                                                "division",
                                                                "department",
                                                                "manager",
                                                                "nickName",
                                                                "title",
                                                                "$ref",
                                                                "middleName",
                                                                "honorificPrefix",
                                                                "honorificSuffix",
                                                                "profileUrl",
                                                                "userType",
                                                                "preferredLanguage",
                                                                "locale",
                                                                "timezone",
                                                                "phoneNumbers",
                                                                "ims",
                                                                "photos",
                                                                "addresses",
                                                                "entitlements",
                                                                "roles",
                                                                "x509Certificates",
                                                                "streetAddress",
                                                                "locality",
                                                                "region",
                                                                "postalCode",
                                                                "country"};
    for (std::string_view known : kNames) {
        if (iequals(known, name)) return std::string(known);
    }
    return std::string(name);
}

void set_member(json& object, std::string_view name, const json& value) {
    if (json* existing = find_attribute(object, name)) {
        *existing = value;
    } else {
        object[canonical_name(name)] = value;
    }
}

bool is_primary(const json& element) {
    const json* primary = find_attribute(element, "primary");
    return primary != nullptr && detail::scim_boolean(*primary).value_or(false);
}

// RFC 7643 §2.4: at most one value of a multi-valued attribute is primary.
void keep_one_primary(json& array, std::size_t chosen) {
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (i != chosen && is_primary(array[i])) set_member(array[i], "primary", false);
    }
}

bool same_item(const json& a, const json& b) {
    const json* a_value = find_attribute(a, "value");
    const json* b_value = find_attribute(b, "value");
    if (a_value != nullptr && b_value != nullptr) return *a_value == *b_value;
    return a == b;
}

json as_array(const json& value) { return value.is_array() ? value : json::array({value}); }

std::optional<std::pair<std::string, json>> creatable_seed(const Filter& filter) {
    const auto* comparison = std::get_if<Comparison>(&filter.node);
    if (comparison == nullptr || comparison->op != CompareOp::eq ||
        !comparison->attribute.urn.empty() || !comparison->attribute.sub_attribute.empty()) {
        return std::nullopt;
    }
    return std::make_pair(canonical_name(comparison->attribute.attribute), comparison->value);
}

class Patcher {
  public:
    Patcher(json& resource, ResourceKind kind) : resource_(resource), kind_(kind) {}

    Status apply(Op op, const Target& target, const json* value) {
        if (value != nullptr && value->is_null() && op != Op::remove) {
            return apply(Op::remove, target, nullptr);
        }
        const ResourcePath& path = target.path;
        if (path.attribute.empty()) return apply_to_extension(op, path.extension, value);
        if (auto status = check_mutability(op, path, value); !status) return status;
        if (op != Op::remove && value == nullptr) {
            return scim_fail("invalidValue", std::string(op == Op::add ? "add" : "replace") +
                                                 " of " + detail::describe(path) +
                                                 " needs a value.");
        }
        if (target.filter != nullptr) return apply_filtered(op, target, value);

        json coerced;
        if (value != nullptr) {
            auto result = coerce(*value, path.extension, path.attribute, path.sub_attribute);
            if (!result) return result.error();
            coerced = std::move(*result);
        }
        json* container = container_for(path.extension, op != Op::remove);
        if (container == nullptr) return {};
        if (!path.sub_attribute.empty()) {
            apply_to_sub_attribute(op, *container, path, coerced);
        } else {
            apply_to_attribute(op, *container, path, value == nullptr ? nullptr : &coerced);
        }
        drop_empty_extension(path.extension);
        return {};
    }

  private:
    bool is_read_only(const ResourcePath& path) const {
        if (!path.extension.empty()) return false;
        const std::string& name = path.attribute;
        return iequals(name, "id") || iequals(name, "meta") || iequals(name, "schemas") ||
               (kind_ == ResourceKind::user && iequals(name, "groups"));
    }

    Status check_mutability(Op op, const ResourcePath& path, const json* value) const {
        if (!is_read_only(path)) return {};
        // Okta repeats the id in a group rename; setting a read-only value to itself is
        // harmless, so only a real change is refused.
        const json* current = find_attribute(resource_, path.attribute);
        if (op != Op::remove && value != nullptr && path.sub_attribute.empty() &&
            current != nullptr && *current == *value) {
            return {};
        }
        return scim_fail("mutability", path.attribute + " is read-only.");
    }

    Result<json> coerce(const json& value, const std::string& extension,
                        const std::string& attribute, const std::string& sub) const {
        if (iequals(extension, kEnterpriseUserSchema) && iequals(attribute, "manager") &&
            sub.empty() && value.is_string()) {
            return json{{"value", value}};  // Entra ID sends the manager's id alone
        }
        const AttributeTraits traits =
            AttributeTypes::scim_core().lookup(AttributePath{extension, attribute, sub});
        if (traits.type == AttributeType::boolean && !value.is_boolean()) {
            auto flag = detail::scim_boolean(value);
            if (!flag) {
                return scim_fail("invalidValue", detail::describe({extension, attribute, sub}) +
                                                     " must be a boolean.");
            }
            return json(*flag);
        }
        if (value.is_array()) {
            json out = json::array();
            for (const json& element : value) {
                auto coerced = coerce(element, extension, attribute, sub);
                if (!coerced) return coerced.error();
                out.push_back(std::move(*coerced));
            }
            return out;
        }
        if (value.is_object() && sub.empty()) {
            json out = json::object();
            for (auto it = value.begin(); it != value.end(); ++it) {
                auto coerced = coerce(it.value(), extension, attribute, it.key());
                if (!coerced) return coerced.error();
                out[it.key()] = std::move(*coerced);
            }
            return out;
        }
        return value;
    }

    json* container_for(const std::string& extension, bool create) {
        if (extension.empty()) return &resource_;
        json* object = find_attribute(resource_, extension);
        if (object == nullptr || !object->is_object()) {
            if (!create) return nullptr;
            set_member(resource_, extension, json::object());
            object = find_attribute(resource_, extension);
        }
        return object;
    }

    void drop_empty_extension(const std::string& extension) {
        if (extension.empty()) return;
        const json* object = find_attribute(resource_, extension);
        if (object != nullptr && object->is_object() && object->empty()) {
            detail::erase_attribute(resource_, extension);
        }
    }

    Status apply_to_extension(Op op, const std::string& extension, const json* value) {
        if (op == Op::remove) {
            detail::erase_attribute(resource_, extension);
            return {};
        }
        if (value == nullptr || !value->is_object()) {
            return scim_fail("invalidValue", extension + " must be given an object.");
        }
        for (auto it = value->begin(); it != value->end(); ++it) {
            if (auto status =
                    apply(op, Target{{extension, it.key(), ""}, nullptr, ""}, &it.value());
                !status) {
                return status;
            }
        }
        return {};
    }

    bool is_multi_valued(const ResourcePath& path, const json* current) const {
        return (current != nullptr && current->is_array()) ||
               AttributeTypes::scim_core()
                   .lookup(AttributePath{path.extension, path.attribute, ""})
                   .multi_valued;
    }

    void apply_to_attribute(Op op, json& container, const ResourcePath& path, const json* value) {
        json* current = find_attribute(container, path.attribute);
        const bool multi = is_multi_valued(path, current);
        if (op == Op::remove) {
            if (value != nullptr && multi && current != nullptr && current->is_array()) {
                remove_items(*current, as_array(*value));
                if (current->empty()) detail::erase_attribute(container, path.attribute);
            } else {
                detail::erase_attribute(container, path.attribute);
            }
            return;
        }
        if (multi) {
            if (op == Op::replace || current == nullptr || !current->is_array()) {
                set_member(container, path.attribute, json::array());
                current = find_attribute(container, path.attribute);
            }
            append_items(*current, as_array(*value));
        } else if (current != nullptr && current->is_object() && value->is_object()) {
            // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not given are left unchanged.
            for (auto it = value->begin(); it != value->end(); ++it) {
                set_member(*current, it.key(), it.value());
            }
        } else {
            set_member(container, path.attribute, *value);
        }
    }

    void apply_to_sub_attribute(Op op, json& container, const ResourcePath& path,
                                const json& value) {
        json* current = find_attribute(container, path.attribute);
        if (current != nullptr && current->is_array()) {
            for (json& element : *current) {
                if (op == Op::remove) {
                    detail::erase_attribute(element, path.sub_attribute);
                } else if (element.is_object()) {
                    set_member(element, path.sub_attribute, value);
                }
            }
            return;
        }
        if (op == Op::remove) {
            if (current == nullptr || !current->is_object()) return;
            detail::erase_attribute(*current, path.sub_attribute);
            if (current->empty()) detail::erase_attribute(container, path.attribute);
            return;
        }
        if (current == nullptr || !current->is_object()) {
            set_member(container, path.attribute, json::object());
            current = find_attribute(container, path.attribute);
        }
        set_member(*current, path.sub_attribute, value);
    }

    static void append_items(json& array, const json& items) {
        for (const json& item : items) {
            bool present = false;
            for (const json& existing : array) present = present || same_item(existing, item);
            if (present) continue;
            array.push_back(item);
            if (is_primary(item)) keep_one_primary(array, array.size() - 1);
        }
    }

    static void remove_items(json& array, const json& items) {
        json kept = json::array();
        for (const json& existing : array) {
            bool removed = false;
            for (const json& item : items) removed = removed || same_item(existing, item);
            if (!removed) kept.push_back(existing);
        }
        array = std::move(kept);
    }

    std::vector<std::size_t> matching_elements(const Target& target, const json& array) const {
        const Filter selector{
            ValuePath{AttributePath{"", target.path.attribute, ""}, target.filter}};
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < array.size(); ++i) {
            const json probe = {{target.path.attribute, json::array({array[i]})}};
            if (matches(selector, probe, AttributeTypes::scim_core())) out.push_back(i);
        }
        return out;
    }

    Status apply_filtered(Op op, const Target& target, const json* value) {
        const ResourcePath& path = target.path;
        json* container = container_for(path.extension, op != Op::remove);
        if (container == nullptr) return {};
        json* current = find_attribute(*container, path.attribute);
        const std::vector<std::size_t> matched = current != nullptr && current->is_array()
                                                     ? matching_elements(target, *current)
                                                     : std::vector<std::size_t>{};
        if (op == Op::remove) {
            for (auto it = matched.rbegin(); it != matched.rend(); ++it) {
                if (target.filter_sub.empty()) {
                    current->erase(*it);
                } else {
                    detail::erase_attribute((*current)[*it], target.filter_sub);
                }
            }
            if (current != nullptr && current->is_array() && current->empty()) {
                detail::erase_attribute(*container, path.attribute);
            }
            return {};
        }
        auto coerced = coerce(*value, path.extension, path.attribute, target.filter_sub);
        if (!coerced) return coerced.error();
        if (target.filter_sub.empty() && !coerced->is_object()) {
            return scim_fail("invalidValue", "A value selected by a filter in " + path.attribute +
                                                 " can only be replaced by an object.");
        }
        if (!matched.empty()) {
            for (std::size_t index : matched) {
                json& element = (*current)[index];
                if (!target.filter_sub.empty()) {
                    set_member(element, target.filter_sub, *coerced);
                } else if (op == Op::replace) {
                    element = *coerced;
                } else {
                    for (auto it = coerced->begin(); it != coerced->end(); ++it) {
                        set_member(element, it.key(), it.value());
                    }
                }
                if (is_primary(element)) keep_one_primary(*current, index);
            }
            return {};
        }
        return append_for_filter(op, *container, target, std::move(*coerced));
    }

    // No element matched: Entra ID's `emails[type eq "work"].value` creates the element the
    // filter describes; anything else has nothing to change.
    Status append_for_filter(Op op, json& container, const Target& target, json value) {
        const auto seed = creatable_seed(*target.filter);
        if ((op == Op::replace && target.filter_sub.empty()) ||
            (!seed && !target.filter_sub.empty())) {
            return scim_fail("noTarget",
                             "No value of " + target.path.attribute + " matches the filter.");
        }
        json element = json::object();
        if (seed) element[seed->first] = seed->second;
        if (!target.filter_sub.empty()) {
            set_member(element, target.filter_sub, value);
        } else {
            for (auto it = value.begin(); it != value.end(); ++it) {
                set_member(element, it.key(), it.value());
            }
        }
        json* current = find_attribute(container, target.path.attribute);
        if (current == nullptr || !current->is_array()) {
            set_member(container, target.path.attribute, json::array());
            current = find_attribute(container, target.path.attribute);
        }
        append_items(*current, json::array({std::move(element)}));
        return {};
    }

    json& resource_;
    ResourceKind kind_;
};

}  // namespace

Status apply_operation(json& resource, ResourceKind kind, PatchOperation op,
                       const PatchTarget& target, const json* value) {
    return Patcher(resource, kind).apply(op, target, value);
}

}  // namespace gatehouse::scim::detail
