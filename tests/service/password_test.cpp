#include "gatehouse/util/password.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "gatehouse/util/crypto.hpp"
#include "password_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

TEST_CASE("add_member with a password creates an active member whose hash verifies") {
    AccountsFixture f;
    auto added = f.add("ada@example.com", core::Role::admin);
    REQUIRE(added.ok());
    CHECK(added->state == core::MemberState::active);
    CHECK(added->source == core::MemberSource::owner);
    CHECK(added->role == core::Role::admin);
    CHECK(added->user_name == "ada@example.com");
    CHECK(added->display_name == "Ada Lovelace");
    CHECK(util::password::verify(f.member("ada@example.com").password_hash, kPassword));
    const auto entry = f.last_audit();
    CHECK(entry.action == "member.create");
    CHECK(entry.target == added->public_id);
    CHECK(json::parse(entry.details)["password"] == true);
    CHECK(entry.details.find(kPassword) == std::string::npos);
}

TEST_CASE("add_member without a password invites the member") {
    AccountsFixture f;
    auto added = f.add("bob@example.com", core::Role::member, "");
    REQUIRE(added.ok());
    CHECK(added->state == core::MemberState::invited);
    CHECK(added->source == core::MemberSource::invited);
    CHECK(added->password_hash.empty());
}

TEST_CASE("add_member refuses an invalid email, a short password and an unknown org") {
    AccountsFixture f;
    CHECK(f.add("not-an-email").error().code == "member.invalid_email");
    CHECK(f.add("ada@example.com", core::Role::member, "short").error().code ==
          "password.too_short");
    service::NewMember request;
    request.email = "ada@example.com";
    CHECK(service::add_member(*f.db, f.clock, "nope", request, "cli").error().code ==
          "org.not_found");
}

TEST_CASE("add_member refuses a second member with the same email in any case") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    CHECK(f.add("ADA@example.com").error().code == store::kConflict);
}

TEST_CASE("add_member gives the break-glass account only to owners") {
    AccountsFixture f;
    CHECK(f.add("ada@example.com", core::Role::admin, kPassword, true).error().code ==
          "member.break_glass_not_owner");
    auto owner = f.add("root@example.com", core::Role::owner, kPassword, true);
    REQUIRE(owner.ok());
    CHECK(owner->break_glass);
}

TEST_CASE("set_password replaces the hash, activates an invited member and ends its sessions") {
    AccountsFixture f;
    auto bob = f.add("bob@example.com", core::Role::member, "");
    REQUIRE(bob.ok());
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        return service::start_session(tx, *bob, core::SessionMethod::saml, f.policy, 1).ok()
                   ? Status{}
                   : fail("test", "session");
    }));
    REQUIRE(service::set_password(*f.db, f.clock, "acme", "bob@example.com", kPassword, "cli"));
    const auto stored = f.member("bob@example.com");
    CHECK(stored.state == core::MemberState::active);
    CHECK(util::password::verify(stored.password_hash, kPassword));
    const auto entry = f.last_audit();
    CHECK(entry.action == "member.password.set");
    CHECK(json::parse(entry.details)["sessions_ended"] == 1);
}

TEST_CASE("set_password keeps a deactivated member deactivated") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    auto ada = f.member("ada@example.com");
    ada.state = core::MemberState::deactivated;
    f.save(ada);
    REQUIRE(service::set_password(*f.db, f.clock, "acme", "ada@example.com", kPassword, "cli"));
    CHECK(f.member("ada@example.com").state == core::MemberState::deactivated);
}

TEST_CASE("set_password refuses an unknown member and a short password") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    CHECK(service::set_password(*f.db, f.clock, "acme", "eve@example.com", kPassword, "cli")
              .error()
              .code == "member.not_found");
    CHECK(service::set_password(*f.db, f.clock, "acme", "ada@example.com", "short", "cli")
              .error()
              .code == "password.too_short");
    CHECK(service::set_password(*f.db, f.clock, "nope", "ada@example.com", kPassword, "cli")
              .error()
              .code == "org.not_found");
}

TEST_CASE("password sign-in starts a password session and records the sign-in time") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    const auto in = signed_in(f.sign_in(" ADA@example.com ", kPassword, "/organizations/acme/x"));
    CHECK(in.redirect_path == "/organizations/acme/x");
    CHECK(in.session.session.method == core::SessionMethod::password);
    auto resolved = service::resolve_session(*f.db, in.session.token, f.policy, f.clock.now());
    REQUIRE(resolved.has_value());
    CHECK(resolved->member.email == "ada@example.com");
    CHECK(f.member("ada@example.com").last_sign_in_at == f.clock.now());
    const auto entry = f.last_audit();
    CHECK(entry.action == "auth.password_sign_in");
    CHECK(entry.outcome == "success");
    CHECK(entry.actor == "member:" + in.member.public_id);
}

TEST_CASE("password sign-in sends the browser to the landing page when next leaves the site") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    CHECK(
        signed_in(f.sign_in("ada@example.com", kPassword, "https://evil.example/")).redirect_path ==
        "/organizations/acme/");
    CHECK(signed_in(f.sign_in("ada@example.com", kPassword, "//evil.example/")).redirect_path ==
          "/organizations/acme/");
}

TEST_CASE(
    "password sign-in refuses a wrong password, an unknown email and a member without "
    "one with the same error, and audits the precise reason") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    REQUIRE(f.add("bob@example.com", core::Role::member, "").ok());
    const std::vector<std::pair<std::string, std::string>> attempts = {
        {"ada@example.com", "auth.password.wrong_password"},
        {"eve@example.com", "auth.password.unknown_member"},
        {"bob@example.com", "auth.password.no_password"}};
    for (const auto& [email, reason] : attempts) {
        CAPTURE(email);
        const auto r = refused(f.sign_in(email, "not the password at all"));
        CHECK(r.error.code == "auth.password.invalid");
        CHECK(r.error.message == "The email or password is not right.");
        const auto entry = f.last_audit();
        CHECK(entry.action == "auth.password_sign_in");
        CHECK(entry.outcome == "failure");
        CHECK(entry.reason_code == reason);
    }
}

TEST_CASE("password sign-in takes as long for an unknown email as for a known one") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    (void)f.sign_in("eve@example.com", "warm up the dummy hash");
    auto time_of = [&](const std::string& email) {
        const double start = util::monotonic_ms();
        for (int i = 0; i < 3; ++i) (void)f.sign_in(email, "not the password at all");
        return util::monotonic_ms() - start;
    };
    const double known = time_of("ada@example.com");
    const double unknown = time_of("eve@example.com");
    CHECK(unknown > known * 0.5);
}

TEST_CASE("password sign-in refuses a deactivated and an invited member with the right password") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    auto ada = f.member("ada@example.com");
    ada.state = core::MemberState::deactivated;
    f.save(ada);
    CHECK(refused(f.sign_in("ada@example.com")).error.code == "auth.member.deactivated");
    ada = f.member("ada@example.com");
    ada.state = core::MemberState::invited;
    f.save(ada);
    CHECK(refused(f.sign_in("ada@example.com")).error.code == "auth.member.invited");
    CHECK(f.last_audit().reason_code == "auth.member.invited");
}

TEST_CASE("with Require SSO a member's password sign-in is sent into the SSO flow with next") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    f.require_sso();
    auto outcome = f.sign_in("ada@example.com", kPassword, "/organizations/acme/x?y=1");
    REQUIRE(std::holds_alternative<service::SsoRequired>(outcome));
    CHECK(std::get<service::SsoRequired>(outcome).login_path ==
          "/auth/login/acme/?next=%2Forganizations%2Facme%2Fx%3Fy%3D1");
    CHECK(f.last_audit().reason_code == "auth.require_sso");
}

TEST_CASE("with Require SSO an unknown email is sent into the SSO flow like a member") {
    AccountsFixture f;
    f.require_sso();
    auto outcome = f.sign_in("eve@example.com", "whatever it may be");
    REQUIRE(std::holds_alternative<service::SsoRequired>(outcome));
    CHECK(std::get<service::SsoRequired>(outcome).login_path ==
          "/auth/login/acme/?next=%2Forganizations%2Facme%2F");
}

TEST_CASE("with Require SSO the break-glass owner signs in and the use is audited") {
    AccountsFixture f;
    REQUIRE(f.add("root@example.com", core::Role::owner, kPassword, true).ok());
    f.require_sso();
    const auto in = signed_in(f.sign_in("root@example.com"));
    CHECK(in.member.break_glass);
    const auto entry = f.last_audit();
    CHECK(entry.outcome == "success");
    CHECK(json::parse(entry.details)["break_glass"] == true);
}

TEST_CASE("with Require SSO the break-glass owner's wrong password goes to SSO like a stranger's") {
    AccountsFixture f;
    REQUIRE(f.add("root@example.com", core::Role::owner, kPassword, true).ok());
    f.require_sso();
    auto owner = f.sign_in("root@example.com", "not the password at all");
    REQUIRE(std::holds_alternative<service::SsoRequired>(owner));
    CHECK(f.last_audit().reason_code == "auth.password.wrong_password");
    auto stranger = f.sign_in("eve@example.com", "not the password at all");
    REQUIRE(std::holds_alternative<service::SsoRequired>(stranger));
    CHECK(std::get<service::SsoRequired>(owner).login_path ==
          std::get<service::SsoRequired>(stranger).login_path);
}

TEST_CASE("with Require SSO every password attempt but the break-glass sign-in answers alike") {
    AccountsFixture f;
    REQUIRE(f.add("root@example.com", core::Role::owner, kPassword, true).ok());
    REQUIRE(f.add("ada@example.com").ok());
    REQUIRE(f.add("bob@example.com", core::Role::member, "").ok());
    f.require_sso();
    const std::vector<std::pair<std::string, std::string>> attempts = {
        {"root@example.com", "not the password at all"},
        {"ada@example.com", kPassword},
        {"ada@example.com", "not the password at all"},
        {"bob@example.com", kPassword},
        {"eve@example.com", kPassword}};
    for (const auto& [email, password] : attempts) {
        CAPTURE(email);
        auto outcome = f.sign_in(email, password, "/organizations/acme/x");
        REQUIRE(std::holds_alternative<service::SsoRequired>(outcome));
        CHECK(std::get<service::SsoRequired>(outcome).login_path ==
              "/auth/login/acme/?next=%2Forganizations%2Facme%2Fx");
    }
}

TEST_CASE("without Require SSO a sign-in is not marked as a break-glass use") {
    AccountsFixture f;
    REQUIRE(f.add("root@example.com", core::Role::owner, kPassword, true).ok());
    (void)signed_in(f.sign_in("root@example.com"));
    CHECK_FALSE(json::parse(f.last_audit().details).contains("break_glass"));
}

TEST_CASE("password sign-in upgrades a hash made with weaker parameters") {
    AccountsFixture f;
    REQUIRE(f.add("ada@example.com").ok());
    auto ada = f.member("ada@example.com");
    util::init_crypto();
    char weak[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str_alg(weak, kPassword.data(), kPassword.size(),
                                  crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                  crypto_pwhash_ALG_ARGON2ID13) == 0);
    ada.password_hash = weak;
    f.save(ada);
    (void)signed_in(f.sign_in("ada@example.com"));
    const auto upgraded = f.member("ada@example.com").password_hash;
    CHECK(upgraded != weak);
    CHECK_FALSE(util::password::needs_rehash(upgraded));
    CHECK(util::password::verify(upgraded, kPassword));
}
