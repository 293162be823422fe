#include "gatehouse/oidc/github.hpp"

#include <nlohmann/json.hpp>

#include "gatehouse/util/json.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

json parse(std::string_view text) { return util::parse_untrusted_json(text); }

bool is_true(const json& object, const char* name) {
    const auto it = object.find(name);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Result<GithubUser> parse_github_user(std::string_view text) {
    const json user = parse(text);
    if (user.is_discarded() || !user.is_object())
        return fail("github.user.invalid", "GitHub's /user answer is not a JSON object.");
    const auto id = user.find("id");
    // nlohmann stores a non-negative literal as unsigned, so a positive id is unsigned here.
    if (id == user.end() || !id->is_number_unsigned() || id->get<std::uint64_t>() == 0)
        return fail("github.user.invalid", "GitHub's /user answer has no positive numeric id.");
    const auto login = user.find("login");
    if (login == user.end() || !login->is_string() || login->get_ref<const std::string&>().empty())
        return fail("github.user.invalid", "GitHub's /user answer has no login.");
    GithubUser result;
    result.id = std::to_string(id->get<std::uint64_t>());
    result.login = login->get<std::string>();
    if (const auto name = user.find("name"); name != user.end() && name->is_string())
        result.name = name->get<std::string>();
    return result;
}

Result<std::string> primary_verified_email(std::string_view text) {
    const json emails = parse(text);
    if (emails.is_discarded() || !emails.is_array())
        return fail("github.emails.invalid", "GitHub's /user/emails answer is not a JSON array.");
    bool primary_unverified = false;
    for (const json& entry : emails) {
        if (!entry.is_object())
            return fail("github.emails.invalid",
                        "GitHub's /user/emails answer has an entry that is not an object.");
        if (!is_true(entry, "primary")) continue;
        const auto email = entry.find("email");
        if (!is_true(entry, "verified") || email == entry.end() || !email->is_string() ||
            email->get_ref<const std::string&>().empty()) {
            primary_unverified = true;
            continue;
        }
        return email->get<std::string>();
    }
    return fail("github.email.unverified",
                primary_unverified ? "The GitHub account's primary email address is not verified."
                                   : "The GitHub account has no primary email address.");
}

Result<std::vector<std::string>> parse_github_orgs(std::string_view text) {
    const json orgs = parse(text);
    if (orgs.is_discarded() || !orgs.is_array())
        return fail("github.orgs.invalid", "GitHub's /user/orgs answer is not a JSON array.");
    std::vector<std::string> logins;
    for (const json& org : orgs) {
        const auto login = org.find("login");  // end() for a non-object
        if (login == org.end() || !login->is_string())
            return fail("github.orgs.invalid",
                        "GitHub's /user/orgs answer has an entry without a login.");
        logins.push_back(login->get<std::string>());
    }
    return logins;
}

}  // namespace gatehouse::oidc
