#include "gatehouse/service/member_view.hpp"

#include <string>

namespace gatehouse::service {

Result<store::PageOf<MemberListing>> find_members(store::Store& store, const core::Org& org,
                                                  std::string_view search, store::Page page) {
    store::PageOf<MemberListing> result;
    store::MemberQuery matching;
    matching.search = std::string(search);
    const Status status = store.read([&](store::Transaction& tx) -> Status {
        auto members = tx.list_members(org.id, matching, page);
        result.total = members.total;
        result.items.reserve(members.items.size());
        for (auto& member : members.items) {
            auto teams = tx.teams_of_member(org.id, member.id);
            result.items.push_back(MemberListing{std::move(member), std::move(teams)});
        }
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<store::PageOf<TeamListing>> list_team_listings(store::Store& store, const core::Org& org,
                                                      store::Page page) {
    store::PageOf<TeamListing> result;
    const Status status = store.read([&](store::Transaction& tx) -> Status {
        auto teams = tx.list_teams(org.id, {}, page);
        result.total = teams.total;
        result.items.reserve(teams.items.size());
        for (auto& team : teams.items) {
            // Counting asks the database for a number instead of loading every membership of a team
            // the IdP may have filled with thousands of people.
            store::MemberQuery in_team;
            in_team.team_id = team.id;
            const auto count = tx.count_members(org.id, in_team);
            result.items.push_back(TeamListing{std::move(team), count});
        }
        return {};
    });
    if (!status) return status.error();
    return result;
}

}  // namespace gatehouse::service
