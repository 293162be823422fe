#include "gatehouse/core/names.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::core {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string_view to_string(Role role) {
    switch (role) {
        case Role::owner:
            return "owner";
        case Role::admin:
            return "admin";
        case Role::manager:
            return "manager";
        case Role::billing:
            return "billing";
        case Role::member:
            return "member";
    }
    return "member";
}

std::string_view to_string(MemberState state) {
    switch (state) {
        case MemberState::invited:
            return "invited";
        case MemberState::active:
            return "active";
        case MemberState::deactivated:
            return "deactivated";
    }
    return "invited";
}

std::string_view to_string(MemberSource source) {
    switch (source) {
        case MemberSource::owner:
            return "owner";
        case MemberSource::invited:
            return "invited";
        case MemberSource::scim:
            return "scim";
        case MemberSource::jit:
            return "jit";
    }
    return "invited";
}

std::string_view to_string(SessionMethod method) {
    switch (method) {
        case SessionMethod::saml:
            return "saml";
        case SessionMethod::oidc:
            return "oidc";
        case SessionMethod::password:
            break;
    }
    return "password";
}

std::string_view to_string(OidcKind kind) {
    switch (kind) {
        case OidcKind::google:
            return "google";
        case OidcKind::github:
            return "github";
        case OidcKind::oidc:
            break;
    }
    return "oidc";
}

std::optional<Role> parse_role(std::string_view text) {
    for (Role r : {Role::owner, Role::admin, Role::manager, Role::billing, Role::member}) {
        if (iequals(text, to_string(r))) return r;
    }
    return std::nullopt;
}

std::optional<MemberState> parse_member_state(std::string_view text) {
    for (auto s : {MemberState::invited, MemberState::active, MemberState::deactivated}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

std::optional<MemberSource> parse_member_source(std::string_view text) {
    for (auto s :
         {MemberSource::owner, MemberSource::invited, MemberSource::scim, MemberSource::jit}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

std::optional<SessionMethod> parse_session_method(std::string_view text) {
    if (text == "saml") return SessionMethod::saml;
    if (text == "oidc") return SessionMethod::oidc;
    if (text == "password") return SessionMethod::password;
    return std::nullopt;
}

std::optional<OidcKind> parse_oidc_kind(std::string_view text) {
    for (auto kind : {OidcKind::oidc, OidcKind::google, OidcKind::github}) {
        if (text == to_string(kind)) return kind;
    }
    return std::nullopt;
}

std::string_view to_string(MailState state) {
    switch (state) {
        case MailState::sending:
            return "sending";
        case MailState::sent:
            return "sent";
        case MailState::failed:
            return "failed";
        case MailState::queued:
            break;
    }
    return "queued";
}

std::optional<MailState> parse_mail_state(std::string_view text) {
    for (auto state : {MailState::queued, MailState::sending, MailState::sent, MailState::failed}) {
        if (text == to_string(state)) return state;
    }
    return std::nullopt;
}

bool is_valid_org_slug(std::string_view slug) {
    if (slug.empty() || slug.size() > 64 || slug.front() == '-' || slug.back() == '-') return false;
    return std::all_of(slug.begin(), slug.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

std::string team_slug_from_display_name(std::string_view display_name) {
    std::string slug;
    bool pending_dash = false;
    for (const char raw : display_name) {
        const auto c = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(raw)));
        if (std::isspace(c) || c == '-') {
            pending_dash = !slug.empty();
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) continue;
        if (pending_dash) slug += '-';
        pending_dash = false;
        slug += static_cast<char>(c);
    }
    return slug;
}

}  // namespace gatehouse::core
