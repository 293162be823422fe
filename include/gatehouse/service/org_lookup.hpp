// What the router and the sign-in pages ask of the store before any use case runs: which org a
// URL names (by slug, or by an alias it kept after a rename), and whether it signs in with SAML.
#pragma once

#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct NamedOrg {
    core::Org org;
    bool by_alias = false;  // `name` is an old slug the org kept, not its slug
};

// The org whose slug is `name`, else the org that kept `name` as an alias, else nullopt.
// Errors: only the store's. Thread-safe.
Result<std::optional<NamedOrg>> find_org_by_name(store::Store& store, const std::string& name);

// Whether `org` has a SAML identity provider configured. Errors: only the store's. Thread-safe.
Result<bool> has_saml_provider(store::Store& store, const core::Org& org);

// The SAML identity provider `org` has configured, or nullopt. Errors: only the store's.
// Thread-safe.
Result<std::optional<core::SamlProvider>> find_saml_provider(store::Store& store,
                                                             const core::Org& org);

// Whether `assertion_id` was accepted for `org` and is still remembered at `now` (the replay
// cache). Reads only: a check that must not use the assertion up. Errors: only the store's.
// Thread-safe.
Result<bool> assertion_already_accepted(store::Store& store, const core::Org& org,
                                        const std::string& assertion_id, util::UnixTime now);

// Whether the store answers a read: the liveness probe's question. Thread-safe.
Status check_store(store::Store& store);

}  // namespace gatehouse::service
