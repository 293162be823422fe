// Text forms of the domain enums and the rules for slugs, as stored and as shown.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"

namespace gatehouse::core {

std::string_view to_string(Role role);
std::string_view to_string(MemberState state);
std::string_view to_string(MemberSource source);
std::string_view to_string(SessionMethod method);
std::string_view to_string(OidcKind kind);    // "oidc", "google", "github"
std::string_view to_string(MailState state);  // "queued", "sending", "sent", "failed"

// Parses a role name case-insensitively ("Admin" → admin). nullopt for anything else.
std::optional<Role> parse_role(std::string_view text);
std::optional<MemberState> parse_member_state(std::string_view text);
std::optional<MemberSource> parse_member_source(std::string_view text);
std::optional<SessionMethod> parse_session_method(std::string_view text);
std::optional<OidcKind> parse_oidc_kind(std::string_view text);
std::optional<MailState> parse_mail_state(std::string_view text);

// An org slug: 1–64 characters of [a-z0-9-], not starting or ending with '-'.
bool is_valid_org_slug(std::string_view slug);

// The team slug for a group display name: lowercased (ASCII), runs of white space to one
// '-', characters outside [a-z0-9-_.] dropped, leading and trailing '-' trimmed.
// Empty when nothing usable is left.
std::string team_slug_from_display_name(std::string_view display_name);

}  // namespace gatehouse::core
