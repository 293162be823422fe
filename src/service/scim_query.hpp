// SCIM filters on Users and Groups said in the store's terms (store::Condition), so that the
// store can search in SQL. Private to the service layer.
#pragma once

#include "gatehouse/scim/filter.hpp"
#include "gatehouse/store/query.hpp"

namespace gatehouse::service::provisioning {

enum class ScimResourceType { user, group };

// The store condition that selects exactly the resources `filter` matches (as
// scim::matches() evaluates it over the resource's JSON), or null when some part of it has
// no exact equivalent: an attribute kept only inside the JSON, a number, a presence test on
// a whole multi-valued attribute, a date that does not parse. The caller then evaluates the
// filter in memory. `filter` must have passed scim::validate_filter.
store::ConditionPtr store_condition(const scim::Filter& filter, ScimResourceType resource);

}  // namespace gatehouse::service::provisioning
