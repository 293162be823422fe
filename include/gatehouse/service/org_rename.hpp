// Renaming an org and retiring its old slugs. A rename keeps the old slug as an alias, so the
// URLs the IdP was given keep working (see org_names.hpp for what the gateway sends while an
// alias exists); an owner removes the alias once the IdP has the new URLs. Both are owner-only
// (IdentityRule::org_slug), one transaction and one audit entry each.
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// The reason code for a slug that breaks the slug rule (core::is_valid_org_slug).
inline constexpr std::string_view kInvalidSlug = "org.invalid_slug";

class OrgRename {
  public:
    // `store` and `clock` must outlive this. Thread-safe.
    OrgRename(store::Store& store, const util::Clock& clock) : store_(store), clock_(clock) {}

    // Gives the org `org_slug` the slug `new_slug`, keeping `org_slug` as an alias; taking
    // back one of the org's own aliases just drops that alias. Audited as "org.rename" with
    // {"old", "new"} in its details. Returns the renamed org (with its aliases).
    // Errors: kOwnerOnly (audited as a failure), kInvalidSlug, "org.not_found",
    // store::kConflict when `new_slug` is the org's slug already or any org's slug or alias
    // (audited as a failure).
    Result<core::Org> rename_org(const std::string& org_slug, const std::string& new_slug,
                                 const Caller& caller);

    // Removes the alias `alias` of the org `org_slug`: its URLs stop resolving (404) and the
    // slug is free for any org. Audited as "org.alias.remove". Errors: kOwnerOnly (audited
    // as a failure), "org.not_found", store::kNotFound when the org has no such alias.
    Result<core::Org> remove_org_alias(const std::string& org_slug, const std::string& alias,
                                       const Caller& caller);

  private:
    store::Store& store_;
    const util::Clock& clock_;
};

}  // namespace gatehouse::service
