#include "error_status.hpp"

#include <array>
#include <utility>

#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "gatehouse/store/store.hpp"

namespace gatehouse::http {
namespace {

using Entry = std::pair<std::string_view, int>;

constexpr std::array kExact{
    Entry{"org.not_found", 404},
    Entry{store::kNotFound, 404},
    Entry{service::kMemberNotFound, 404},
    Entry{service::kTeamNotFound, 404},
    Entry{service::kInvitationNotFound, 404},

    Entry{"admin.unauthorized", 401},
    Entry{service::kScimUnauthorized, 401},

    Entry{"admin.owner_required", 403},
    Entry{service::kOwnerOnly, 403},
    Entry{service::kMembersForbidden, 403},
    Entry{service::kOwnerRequired, 403},
    Entry{service::kIdpManaged, 403},
    Entry{service::kTeamIdpManaged, 403},
    Entry{service::kScimDisabled, 403},
    Entry{service::kScimOwnerProtected, 403},

    // Configuring a provider setting, removing the provider or testing sign-in needs one:
    // the org's state refuses the request, whatever the request says.
    Entry{"saml.not_configured", 409},
    Entry{"oidc.not_configured", 409},
    Entry{store::kConflict, 409},
    Entry{service::kLastOwner, 409},
    Entry{service::kInvitationNotInvited, 409},

    Entry{store::kFailure, 500},
};

constexpr std::array kPrefixes{
    Entry{"auth.require_sso", 409}, Entry{"saml.metadata_url.", 422}, Entry{"oidc.fetch.", 422},
    Entry{"oidc.discovery.", 422},  Entry{"oidc.jwks.", 422},
};

}  // namespace

int status_for_error(std::string_view code) {
    for (const auto& [known, status] : kExact) {
        if (code == known) return status;
    }
    std::size_t longest = 0;
    int found = 400;
    for (const auto& [prefix, status] : kPrefixes) {
        if (code.starts_with(prefix) && prefix.size() > longest) {
            longest = prefix.size();
            found = status;
        }
    }
    return found;
}

}  // namespace gatehouse::http
