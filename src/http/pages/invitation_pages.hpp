// The invitation link (/auth/login/{org}/?invite=TOKEN): it sends the invited person to the
// org's single sign-on, or, in an org without one, lets them choose a password.
#pragma once

#include "exchange.hpp"
#include "gatehouse/core/domain.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// Answers GET /auth/login/{org}/ when it carries ?invite=: a page saying the link expired,
// was used or is not valid (nothing more: not whose it was); for a valid link, the org's
// sign-in (SAML or OpenID, as the Login URL starts it) or the choose-a-password page.
void send_invitation_landing(const Request& req, Response& res, AppContext& app,
                             const core::Org& org);

}  // namespace gatehouse::http
