#include "gatehouse/service/org_lookup.hpp"

namespace gatehouse::service {

Result<std::optional<NamedOrg>> find_org_by_name(store::Store& store, const std::string& name) {
    std::optional<NamedOrg> found;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        if (auto org = tx.org_by_slug(name)) {
            found = NamedOrg{std::move(*org), false};
        } else if (auto renamed = tx.org_by_alias(name)) {
            found = NamedOrg{std::move(*renamed), true};
        }
        return {};
    });
    if (!read) return read.error();
    return found;
}

Result<bool> has_saml_provider(store::Store& store, const core::Org& org) {
    bool configured = false;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        configured = tx.saml_provider(org.id).has_value();
        return {};
    });
    if (!read) return read.error();
    return configured;
}

Status check_store(store::Store& store) {
    return store.read([](store::Transaction& tx) -> Status {
        tx.org_by_id(0);
        return {};
    });
}

}  // namespace gatehouse::service
