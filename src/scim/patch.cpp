#include "gatehouse/scim/patch.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <utility>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/filter.hpp"
#include "json_lookup.hpp"
#include "patch_operation.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim {
namespace {

using detail::find_attribute;
using detail::iequals;
using Op = detail::PatchOperation;
using Target = detail::PatchTarget;
using nlohmann::json;

Error at(std::size_t index, const Error& error) {
    return Error{error.code, "Operations[" + std::to_string(index) + "]: " + error.message};
}

Result<Op> parse_op(const json& operation) {
    const json* op = find_attribute(operation, "op");
    if (op != nullptr && op->is_string()) {
        const auto& name = op->get_ref<const std::string&>();
        if (iequals(name, "add")) return Op::add;
        if (iequals(name, "replace")) return Op::replace;
        if (iequals(name, "remove")) return Op::remove;
        return scim_fail("invalidSyntax", "op \"" + name + "\" is not add, replace or remove.");
    }
    return scim_fail("invalidSyntax", "op is required and must be add, replace or remove.");
}

Result<Target> parse_target(std::string_view text, const json& resource) {
    auto parsed = parse_patch_path(text);
    if (!parsed) {
        return scim_fail("invalidPath",
                         "path \"" + std::string(text) + "\": " + parsed.error().message);
    }
    auto resolved = detail::resolve_path(parsed->attribute, &resource);
    if (!resolved) {
        return scim_fail("invalidPath", "path \"" + std::string(text) + "\" is qualified by \"" +
                                            parsed->attribute.urn +
                                            "\", which is not a schema URN.");
    }
    if (!resolved->extension.empty() && !detail::is_extension_name(resolved->extension)) {
        return scim_fail("invalidPath", "path \"" + std::string(text) + "\" is qualified by \"" +
                                            resolved->extension +
                                            "\", which SCIM reserves and which no extension "
                                            "may use.");
    }
    return Target{std::move(*resolved), parsed->value_filter, parsed->sub_attribute};
}

// The spelling `resource` uses for its member `name` (any case); `name` when it has none.
std::string stored_name(const json& resource, std::string_view name) {
    for (auto it = resource.begin(); it != resource.end(); ++it) {
        if (iequals(it.key(), name)) return it.key();
    }
    return std::string(name);
}

// True when `name` ("urn:…:attr") is an attribute of the enterprise extension or of an
// extension `resource` holds.
bool names_known_extension_attribute(std::string_view name, const json& resource) {
    const auto colon = name.rfind(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view urn = name.substr(0, colon);
    const json* stored = find_attribute(resource, urn);
    return iequals(urn, kEnterpriseUserSchema) || (stored != nullptr && stored->is_object());
}

// An operation without `path`: each member of the value object is its own target.
Status apply_without_path(json& resource, ResourceKind kind, Op op, const json* value) {
    if (op == Op::remove) return scim_fail("noTarget", "remove needs a path.");
    if (value == nullptr || !value->is_object()) {
        return scim_fail("invalidValue", "Without a path, value must be an object of attributes.");
    }
    for (auto it = value->begin(); it != value->end(); ++it) {
        Target target;
        const json* stored = find_attribute(resource, it.key());
        // A "urn:" key names a whole extension when the resource has it or is given an
        // object for it that it cannot hold as an attribute of a known extension.
        if (detail::is_extension_name(it.key()) &&
            (iequals(it.key(), kEnterpriseUserSchema) ||
             (stored != nullptr && stored->is_object()) ||
             (it.value().is_object() && !names_known_extension_attribute(it.key(), resource)))) {
            target.path.extension = stored != nullptr ? stored_name(resource, it.key()) : it.key();
        } else {
            auto parsed = parse_target(it.key(), resource);
            if (!parsed) return parsed.error();
            if (parsed->filter != nullptr) {
                return scim_fail("invalidPath", "\"" + it.key() + "\" is not an attribute name.");
            }
            target = std::move(*parsed);
        }
        if (auto status = detail::apply_operation(resource, kind, op, target, &it.value());
            !status) {
            return status;
        }
    }
    return {};
}

Status check_envelope(const json& request) {
    if (!request.is_object()) return scim_fail("invalidSyntax", "The request must be an object.");
    const json* schemas = find_attribute(request, "schemas");
    bool is_patch = false;
    if (schemas != nullptr && schemas->is_array()) {
        for (const json& urn : *schemas) {
            is_patch =
                is_patch || (urn.is_string() && iequals(urn.get<std::string>(), kPatchOpSchema));
        }
    }
    if (!is_patch) {
        return scim_fail("invalidSyntax",
                         "schemas must contain " + std::string(kPatchOpSchema) + ".");
    }
    const json* operations = find_attribute(request, "Operations");
    if (operations == nullptr || !operations->is_array() || operations->empty()) {
        return scim_fail("invalidSyntax", "Operations must be a non-empty array.");
    }
    return {};
}

std::vector<std::string> member_ids(const json& resource) {
    std::vector<std::string> ids;
    const json* members = find_attribute(resource, "members");
    if (members == nullptr || !members->is_array()) return ids;
    for (const json& member : *members) {
        const json* value = find_attribute(member, "value");
        if (value != nullptr && value->is_string()) ids.push_back(value->get<std::string>());
    }
    return ids;
}

std::vector<std::string> missing_from(const std::vector<std::string>& ids,
                                      const std::vector<std::string>& other) {
    // Linear in both sizes: groups may hold tens of thousands of members.
    const std::unordered_set<std::string> excluded(other.begin(), other.end());
    std::unordered_set<std::string> emitted;
    std::vector<std::string> out;
    for (const std::string& id : ids) {
        if (!excluded.count(id) && emitted.insert(id).second) out.push_back(id);
    }
    return out;
}

std::optional<bool> active_of(const json& resource) {
    const json* active = find_attribute(resource, "active");
    return active == nullptr ? std::nullopt : detail::scim_boolean(*active);
}

// Keeps `schemas` listing exactly the extensions the resource has.
void sync_extension_schemas(json& resource) {
    json* schemas = find_attribute(resource, "schemas");
    if (schemas == nullptr || !schemas->is_array()) return;
    json kept = json::array();
    for (const json& urn : *schemas) {
        if (!(urn.is_string() && detail::is_extension_name(urn.get<std::string>()))) {
            kept.push_back(urn);
        }
    }
    for (auto it = resource.begin(); it != resource.end(); ++it) {
        if (detail::is_extension_name(it.key()) && it.value().is_object()) kept.push_back(it.key());
    }
    *schemas = std::move(kept);
}

}  // namespace

Result<PatchResult> apply_patch(const json& resource, const json& request, ResourceKind kind) {
    if (auto status = check_envelope(request); !status) return status.error();
    json patched = resource;
    const json& operations = *find_attribute(request, "Operations");
    for (std::size_t i = 0; i < operations.size(); ++i) {
        const json& operation = operations[i];
        if (!operation.is_object()) {
            return at(i, scim_fail("invalidSyntax", "each operation must be an object."));
        }
        auto op = parse_op(operation);
        if (!op) return at(i, op.error());
        const json* value = find_attribute(operation, "value");
        const json* path = find_attribute(operation, "path");
        Status status;
        if (path == nullptr || path->is_null()) {
            status = apply_without_path(patched, kind, *op, value);
        } else if (!path->is_string()) {
            status = scim_fail("invalidPath", "path must be a string.");
        } else if (auto target = parse_target(path->get<std::string>(), patched); !target) {
            status = target.error();
        } else {
            status = detail::apply_operation(patched, kind, *op, *target, value);
        }
        if (!status) return at(i, status.error());
    }
    sync_extension_schemas(patched);

    PatchResult result{std::move(patched), {}};
    const auto before = member_ids(resource);
    const auto after = member_ids(result.resource);
    result.summary.members_added = missing_from(after, before);
    result.summary.members_removed = missing_from(before, after);
    result.summary.active_changed = active_of(resource) != active_of(result.resource);
    result.summary.changed = resource != result.resource;
    return result;
}

}  // namespace gatehouse::scim
