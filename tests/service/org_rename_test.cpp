// Renaming an org and removing its aliases: owner-only, one transaction, audited, and never
// onto a slug another org holds as its slug or alias.
#include "gatehouse/service/org_rename.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "../store/store_fixture.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/org_names.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using service::Caller;
using service::CallerKind;

namespace {

const Caller kOwner{"member:olga", CallerKind::owner};
const Caller kManager{"member:mia", CallerKind::manager};

struct RenameFixture : StoreFixture {
    util::FixedClock clock{1'800'000'000};
    service::OrgRename renames{*db, clock};
    core::Org acme = make_org("acme");
    core::Org globex = make_org("globex");

    std::vector<core::AuditEntry> audit(const std::string& action) {
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            store::AuditQuery query;
            query.action_prefix = action;
            entries = tx.list_audit(acme.id, query).items;
            return {};
        }));
        return entries;
    }

    core::Org reread(core::RowId id) {
        std::optional<core::Org> org;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            org = tx.org_by_id(id);
            return {};
        }));
        REQUIRE(org.has_value());
        return *org;
    }
};

}  // namespace

TEST_CASE("an owner renames an org, the old slug stays an alias, and the rename is audited") {
    RenameFixture f;
    const auto renamed = f.renames.rename_org("acme", "acme-corp", kOwner);
    REQUIRE(renamed.ok());
    CHECK(renamed->slug == "acme-corp");
    CHECK(renamed->aliases == std::vector<std::string>{"acme"});
    const auto entries = f.audit("org.rename");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "success");
    CHECK(entries[0].actor == "member:olga");
    const auto details = nlohmann::json::parse(entries[0].details);
    CHECK(details["old"] == "acme");
    CHECK(details["new"] == "acme-corp");
}

TEST_CASE("a manager cannot rename an org: refused as owner-only, audited, nothing changed") {
    RenameFixture f;
    const auto refused = f.renames.rename_org("acme", "acme-corp", kManager);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kOwnerOnly);
    CHECK(f.reread(f.acme.id).slug == "acme");
    CHECK(f.reread(f.acme.id).aliases.empty());
    const auto entries = f.audit("org.rename");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "failure");
    CHECK(entries[0].reason_code == service::kOwnerOnly);
    CHECK(entries[0].actor == "member:mia");
}

TEST_CASE("an admin API key and the CLI may rename an org: both carry owner rights") {
    RenameFixture f;
    REQUIRE(f.renames.rename_org("acme", "acme-corp", Caller::admin_key(1)).ok());
    REQUIRE(f.renames.rename_org("acme-corp", "acme-inc", Caller::cli()).ok());
    CHECK(f.reread(f.acme.id).aliases == std::vector<std::string>{"acme", "acme-corp"});
}

TEST_CASE("renaming onto another org's slug or alias is a conflict, audited as a failure") {
    RenameFixture f;
    REQUIRE(f.renames.rename_org("globex", "globex-corp", kOwner).ok());
    const auto onto_slug = f.renames.rename_org("acme", "globex-corp", kOwner);
    REQUIRE_FALSE(onto_slug.ok());
    CHECK(onto_slug.error().code == store::kConflict);
    const auto onto_alias = f.renames.rename_org("acme", "globex", kOwner);
    REQUIRE_FALSE(onto_alias.ok());
    CHECK(onto_alias.error().code == store::kConflict);
    CHECK(f.reread(f.acme.id).slug == "acme");
    const auto entries = f.audit("org.rename");
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].outcome == "failure");
    CHECK(entries[0].reason_code == store::kConflict);
}

TEST_CASE("a rename to a slug that breaks the slug rule is refused before anything changes") {
    RenameFixture f;
    const std::vector<std::string> bad_slugs = {"", "Acme", "-acme", "acme corp",
                                                std::string(65, 'a')};
    for (const auto& bad : bad_slugs) {
        const auto refused = f.renames.rename_org("acme", bad, kOwner);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == service::kInvalidSlug);
    }
    CHECK(f.reread(f.acme.id).slug == "acme");
    CHECK(f.audit("org.rename").empty());
}

TEST_CASE("renaming an org back to its own alias takes the slug back and drops the alias") {
    RenameFixture f;
    REQUIRE(f.renames.rename_org("acme", "acme-corp", kOwner).ok());
    const auto back = f.renames.rename_org("acme-corp", "acme", kOwner);
    REQUIRE(back.ok());
    CHECK(back->slug == "acme");
    CHECK(back->aliases == std::vector<std::string>{"acme-corp"});
}

TEST_CASE("removing an alias is owner-only and audited, and frees the slug") {
    RenameFixture f;
    REQUIRE(f.renames.rename_org("acme", "acme-corp", kOwner).ok());
    const auto refused = f.renames.remove_org_alias("acme-corp", "acme", kManager);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == service::kOwnerOnly);
    CHECK(f.reread(f.acme.id).aliases == std::vector<std::string>{"acme"});

    const auto removed = f.renames.remove_org_alias("acme-corp", "acme", kOwner);
    REQUIRE(removed.ok());
    CHECK(removed->aliases.empty());
    const auto entries = f.audit("org.alias.remove");
    REQUIRE(entries.size() == 2);
    const auto success = std::find_if(entries.begin(), entries.end(),
                                      [](const auto& e) { return e.outcome == "success"; });
    REQUIRE(success != entries.end());
    CHECK(success->target == "acme");
    CHECK(success->actor == "member:olga");

    const auto again = f.renames.remove_org_alias("acme-corp", "acme", kOwner);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == store::kNotFound);
    CHECK(f.renames.rename_org("globex", "acme", kOwner).ok());
}

TEST_CASE("creating an org with a slug that is another org's alias is a conflict") {
    RenameFixture f;
    REQUIRE(f.renames.rename_org("acme", "acme-corp", kOwner).ok());
    service::AdminService admin(*f.db, f.clock);
    const auto created = admin.create_org({"acme", "", ""}, "cli");
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == store::kConflict);
}

TEST_CASE("the gateway speaks to the IdP with the oldest alias's URLs while one is kept") {
    core::Org org;
    org.slug = "acme-inc";
    CHECK(service::idp_facing_slug(org) == "acme-inc");
    org.aliases = {"acme", "acme-corp"};
    CHECK(service::idp_facing_slug(org) == "acme");
    CHECK(service::org_slugs(org) == std::vector<std::string>{"acme-inc", "acme", "acme-corp"});
}

TEST_CASE("the URL changes of a rename list every URL an IdP admin may have copied") {
    const auto changes =
        service::rename_url_changes("https://gh.example.com/", "acme", "acme-corp");
    REQUIRE(changes.size() == 6);
    CHECK(changes[0].old_url == "https://gh.example.com/saml/metadata/acme/");
    CHECK(changes[0].new_url == "https://gh.example.com/saml/metadata/acme-corp/");
    CHECK(changes[1].new_url == "https://gh.example.com/saml/acs/acme-corp/");
    CHECK(changes[2].new_url == "https://gh.example.com/saml/sls/acme-corp/");
    CHECK(changes[3].new_url == "https://gh.example.com/auth/login/acme-corp/");
    CHECK(changes[4].old_url == "https://gh.example.com/api/0/organizations/acme/scim/v2");
    CHECK(changes[5].new_url == "https://gh.example.com/auth/callback/acme-corp/");
}
