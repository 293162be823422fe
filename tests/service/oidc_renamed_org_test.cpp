// OpenID sign-in for a renamed org: the redirect URI registered at the provider is the one
// the gateway keeps sending while an alias is kept (org_names.hpp).
#include <doctest/doctest.h>

#include "oidc_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

void rename_and_reread(OidcFixture& f) {
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return tx.rename_org(f.org.id, "acme-corp", f.clock.now());
    }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        f.org = *tx.org_by_id(f.org.id);
        return {};
    }));
}

}  // namespace

TEST_CASE("while an alias is kept the OIDC redirect_uri stays the alias's callback URL") {
    OidcFixture f;
    f.configure();
    rename_and_reread(f);
    CHECK(f.oidc.callback_url(f.org) == std::string(kOidcBaseUrl) + "/auth/callback/acme/");
    const auto started = f.start();
    CHECK(query_param(started.url, "redirect_uri") ==
          std::string(kOidcBaseUrl) + "/auth/callback/acme/");
    f.issue(f.claims(started));
    f.signed_in(f.callback(started));
}

TEST_CASE("once the alias is removed the OIDC redirect_uri is the new slug's callback URL") {
    OidcFixture f;
    rename_and_reread(f);
    f.org.aliases.clear();
    CHECK(f.oidc.callback_url(f.org) == std::string(kOidcBaseUrl) + "/auth/callback/acme-corp/");
}
