#include "gatehouse/service/member_view.hpp"

#include <string>

namespace gatehouse::service {
namespace {

// A LIKE pattern that matches `text` anywhere, with the pattern characters escaped so a
// search for "a_b" or "100%" finds exactly that.
std::string contains_pattern(std::string_view text) {
    std::string pattern = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    pattern += '%';
    return pattern;
}

std::optional<store::SqlFilter> search_filter(std::string_view search) {
    if (search.empty()) return std::nullopt;
    const std::string pattern = contains_pattern(search);
    return store::SqlFilter{
        "email LIKE ? ESCAPE '\\' OR user_name LIKE ? ESCAPE '\\' OR "
        "display_name LIKE ? ESCAPE '\\'",
        {pattern, pattern, pattern}};
}

}  // namespace

Result<store::PageOf<MemberListing>> find_members(store::Store& store, const core::Org& org,
                                                  std::string_view search, store::Page page) {
    store::PageOf<MemberListing> result;
    const Status status = store.read([&](store::Transaction& tx) -> Status {
        auto members = tx.list_members(org.id, search_filter(search), page);
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
        auto teams = tx.list_teams(org.id, std::nullopt, page);
        result.total = teams.total;
        result.items.reserve(teams.items.size());
        for (auto& team : teams.items) {
            // Counting through the member listing (limit 0) asks the database for a number
            // instead of loading every membership of a team the IdP may have filled with
            // thousands of people.
            const store::SqlFilter in_team{
                "id IN (SELECT member_id FROM team_members WHERE team_id = ?)", {team.id}};
            const auto count = tx.list_members(org.id, in_team, store::Page{0, 0});
            result.items.push_back(TeamListing{std::move(team), count.total});
        }
        return {};
    });
    if (!status) return status.error();
    return result;
}

}  // namespace gatehouse::service
