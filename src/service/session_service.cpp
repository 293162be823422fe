#include "gatehouse/service/session_service.hpp"

#include "gatehouse/util/crypto.hpp"

namespace gatehouse::service {

Result<StartedSession> start_session(store::Transaction& tx, const core::Member& member,
                                     core::SessionMethod method, const SessionPolicy& policy,
                                     util::UnixTime now, std::optional<util::UnixTime> cap,
                                     std::string saml_name_id, std::string saml_session_index) {
    StartedSession started;
    started.token = util::random_token(32);
    core::Session session;
    session.org_id = member.org_id;
    session.member_id = member.id;
    session.method = method;
    session.saml_name_id = std::move(saml_name_id);
    session.saml_session_index = std::move(saml_session_index);
    session.created_at = now;
    session.last_seen_at = now;
    session.expires_at = now + policy.absolute_seconds;
    if (cap && *cap < session.expires_at) session.expires_at = *cap;
    auto inserted = tx.insert_session(session, util::sha256(started.token));
    if (!inserted) return inserted.error();
    started.session = *inserted;
    return started;
}

std::optional<SignedInMember> resolve_session(store::Store& store, std::string_view token,
                                              const SessionPolicy& policy, util::UnixTime now) {
    if (token.empty() || token.size() > 128) return std::nullopt;
    const std::string hash = util::sha256(token);
    std::optional<SignedInMember> found;
    bool stale = false;
    bool needs_touch = false;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        auto session = tx.session_by_hash(hash);
        if (!session) return {};
        if (session->expires_at <= now || session->last_seen_at + policy.idle_seconds <= now) {
            stale = true;
            return {};
        }
        auto member = tx.member_by_id(session->org_id, session->member_id);
        auto org = tx.org_by_id(session->org_id);
        if (!member || !org || member->state != core::MemberState::active) {
            stale = true;
            return {};
        }
        needs_touch = now - session->last_seen_at >= 60;
        found = SignedInMember{*session, *member, *org, tx.teams_of_member(org->id, member->id)};
        return {};
    });
    if (!read) return std::nullopt;
    if (stale) {
        end_session(store, token);
        return std::nullopt;
    }
    if (found && needs_touch) {
        const auto session = found->session;
        (void)store.write([&](store::Transaction& tx) -> Status {
            return tx.touch_session(session.org_id, session.id, now);
        });
    }
    return found;
}

std::optional<core::Session> end_session(store::Store& store, std::string_view token) {
    if (token.empty() || token.size() > 128) return std::nullopt;
    const std::string hash = util::sha256(token);
    std::optional<core::Session> ended;
    (void)store.write([&](store::Transaction& tx) -> Status {
        ended = tx.session_by_hash(hash);
        if (ended) return tx.delete_session(ended->org_id, ended->id);
        return {};
    });
    return ended;
}

}  // namespace gatehouse::service
