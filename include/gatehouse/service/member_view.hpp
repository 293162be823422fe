// What the members page of an org shows: a page of members found by a search text, each with
// its teams, and a page of teams with how many members each has. Reads only; the changes go
// through MemberAdmin and add_member.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

struct MemberListing {
    core::Member member;
    std::vector<core::Team> teams;  // ordered as the store lists them
};

struct TeamListing {
    core::Team team;
    std::int64_t member_count = 0;
};

// The org's members whose email, user name or display name contains `search` (ASCII
// case-insensitively; every member when it is empty), ordered by id, one page of them with
// their teams. `search` is matched literally: '%' and '_' are not wildcards. Fails only with
// the store's error. Thread-safe; one read transaction.
Result<store::PageOf<MemberListing>> find_members(store::Store& store, const core::Org& org,
                                                  std::string_view search, store::Page page);

// One page of the org's teams, ordered by id, with their member counts. Fails only with the
// store's error. Thread-safe; one read transaction.
Result<store::PageOf<TeamListing>> list_team_listings(store::Store& store, const core::Org& org,
                                                      store::Page page);

}  // namespace gatehouse::service
