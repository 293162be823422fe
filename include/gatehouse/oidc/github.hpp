// GitHub's REST answers that sign-in with GitHub (an OAuth App, not OpenID Connect) needs:
// the user, their verified primary email and their organizations. Pure JSON parsing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::oidc {

// Who GET /user says the token belongs to.
struct GithubUser {
    std::string id;     // the numeric, never reused account ID, as decimal text
    std::string login;  // the handle; users can change it
    std::string name;   // the display name; empty when unset
};

// Parses GET /user. Error "github.user.invalid" when the body is not a JSON object, or
// "id" (a positive integer) or "login" (a non-empty string) is missing.
Result<GithubUser> parse_github_user(std::string_view json);

// Parses GET /user/emails, an array of {email, primary, verified, visibility}, and returns
// the primary address when it is verified. Error "github.email.unverified" when there is
// no verified primary address (the message says whether a primary exists but is
// unverified); "github.emails.invalid" when the body is not a JSON array of objects.
Result<std::string> primary_verified_email(std::string_view json);

// Parses GET /user/orgs, an array of {login, ...}, and returns the logins in order.
// Error "github.orgs.invalid" when the body is not a JSON array of objects with a string
// "login".
Result<std::vector<std::string>> parse_github_orgs(std::string_view json);

}  // namespace gatehouse::oidc
