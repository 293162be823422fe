#include "../../src/http/error_status.hpp"

#include <doctest/doctest.h>

#include <string_view>

#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "gatehouse/store/store.hpp"

using gatehouse::http::status_for_error;
namespace service = gatehouse::service;
namespace store = gatehouse::store;

TEST_CASE("error status: whatever names something that does not exist is 404") {
    for (std::string_view code :
         {std::string_view("org.not_found"), std::string_view(store::kNotFound),
          service::kMemberNotFound, service::kTeamNotFound, service::kInvitationNotFound}) {
        CAPTURE(code);
        CHECK(status_for_error(code) == 404);
    }
}

TEST_CASE("error status: refusals of who the caller is are 403") {
    for (std::string_view code :
         {std::string_view("admin.owner_required"), service::kOwnerOnly, service::kMembersForbidden,
          service::kOwnerRequired, service::kIdpManaged, service::kTeamIdpManaged,
          service::kScimDisabled, service::kScimOwnerProtected}) {
        CAPTURE(code);
        CHECK(status_for_error(code) == 403);
    }
}

TEST_CASE("error status: bad bearer credentials of either kind are 401") {
    CHECK(status_for_error("admin.unauthorized") == 401);
    CHECK(status_for_error(service::kScimUnauthorized) == 401);
}

TEST_CASE("error status: what the org's state refuses is 409") {
    for (std::string_view code :
         {std::string_view("saml.not_configured"), std::string_view("oidc.not_configured"),
          std::string_view(store::kConflict), service::kLastOwner, service::kInvitationNotInvited,
          std::string_view("auth.require_sso.on"),
          std::string_view("auth.require_sso.no_provider")}) {
        CAPTURE(code);
        CHECK(status_for_error(code) == 409);
    }
}

TEST_CASE("error status: an unusable document the caller pointed at is 422") {
    for (std::string_view code :
         {"saml.metadata_url.none", "saml.metadata_url.fetch_failed", "oidc.fetch.timeout",
          "oidc.discovery.issuer_mismatch", "oidc.jwks.empty"}) {
        CAPTURE(code);
        CHECK(status_for_error(code) == 422);
    }
}

TEST_CASE("error status: a store failure is 500") {
    CHECK(status_for_error(store::kFailure) == 500);
}

TEST_CASE("error status: validation refusals and unlisted codes are 400") {
    for (std::string_view code :
         {"request.invalid_field", "request.invalid_parameter", "member.invalid_email",
          "saml.config.incomplete", "saml.certificate.invalid", "org.audit_retention_invalid",
          "oidc.config.issuer_invalid", "audit.filter_invalid", "", "saml.metadata_url"}) {
        CAPTURE(code);
        CHECK(status_for_error(code) == 400);
    }
}
