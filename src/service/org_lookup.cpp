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

Result<std::optional<core::SamlProvider>> find_saml_provider(store::Store& store,
                                                             const core::Org& org) {
    std::optional<core::SamlProvider> provider;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        provider = tx.saml_provider(org.id);
        return {};
    });
    if (!read) return read.error();
    return provider;
}

Result<bool> assertion_already_accepted(store::Store& store, const core::Org& org,
                                        const std::string& assertion_id, util::UnixTime now) {
    bool seen = false;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        seen = tx.assertion_seen(org.id, assertion_id, now);
        return {};
    });
    if (!read) return read.error();
    return seen;
}

Status check_store(store::Store& store) {
    return store.read([](store::Transaction& tx) -> Status {
        tx.org_by_id(0);
        return {};
    });
}

}  // namespace gatehouse::service
