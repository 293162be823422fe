#include "gatehouse/service/demo_idp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/key_pair_file.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/saml/response_builder.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::service {
namespace {

// The org slug an SP entity ID names, when it has the shape {base}/saml/metadata/{org}/.
std::optional<std::string> org_slug_of_entity_id(std::string_view entity_id,
                                                 const std::string& base_url) {
    const std::string prefix = base_url + "/saml/metadata/";
    if (entity_id.size() <= prefix.size() + 1 || entity_id.substr(0, prefix.size()) != prefix ||
        entity_id.back() != '/')
        return std::nullopt;
    std::string slug(entity_id.substr(prefix.size(), entity_id.size() - prefix.size() - 1));
    if (!core::is_valid_org_slug(slug)) return std::nullopt;
    return slug;
}

Result<core::Org> find_org(store::Store& store, const std::string& slug) {
    std::optional<core::Org> org;
    auto read = store.read([&](store::Transaction& tx) -> Status {
        org = tx.org_by_slug(slug);
        // A renamed org's requests carry the alias's entity ID (org_names.hpp).
        if (!org) org = tx.org_by_alias(slug);
        return {};
    });
    if (!read) return read.error();
    if (!org)
        return fail("demo_idp.unknown_org", "No organization of this gateway is \"" + slug + "\".");
    return *org;
}

std::string or_default(const std::string& mapped, const std::string& fallback) {
    return mapped.empty() ? fallback : mapped;
}

}  // namespace

Result<DemoIdpKey> load_or_create_demo_idp_key(const std::filesystem::path& path,
                                               const util::Clock& clock) {
    auto file = saml::load_or_create_key_pair_file(path, "Gatehouse demo IdP", clock);
    if (!file) return file.error();
    auto credentials = saml::SpCredentials::from_pem(file->private_key_pem, file->certificate_pem);
    if (!credentials) return credentials.error();
    return DemoIdpKey{std::move(*credentials), util::sha256(file->private_key_pem)};
}

DemoIdp::DemoIdp(store::Store& store, const util::Clock& clock, std::string base_url,
                 DemoIdpKey key, std::shared_ptr<const saml::SpCredentials> sp)
    : DemoIdp(store, clock, std::move(base_url), std::move(key),
              std::make_shared<saml::SpKeys>(saml::SpKeyRing{std::move(sp), nullptr, nullptr})) {}

DemoIdp::DemoIdp(store::Store& store, const util::Clock& clock, std::string base_url,
                 DemoIdpKey key, std::shared_ptr<saml::SpKeys> keys)
    : store_(store),
      clock_(clock),
      base_url_(std::move(base_url)),
      key_(std::move(key)),
      keys_(std::move(keys)) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::string DemoIdp::entity_id() const { return base_url_ + "/demo-idp/"; }

std::string DemoIdp::sso_url() const { return base_url_ + "/demo-idp/sso"; }

std::string DemoIdp::metadata() const {
    return saml::build_idp_metadata(entity_id(), sso_url(), certificate());
}

Result<DemoSignInRequest> DemoIdp::read_request(std::string_view raw_query) {
    const auto sp = keys_->ring()->current;
    if (!sp)
        return fail("demo_idp.sp_key_missing",
                    "The gateway has no SP certificate to verify AuthnRequests with.");
    auto trusted = saml::TrustedKeys::from_certificates({sp->certificate().pem()});
    if (!trusted) return trusted.error();
    auto message = saml::decode_redirect(raw_query, *trusted, saml::SignaturePolicy{});
    if (!message) return message.error();
    xmlNode* root = message->document.root();
    if (message->kind != saml::SamlMessageKind::request ||
        !saml::is_element(root, saml::ns::protocol, "AuthnRequest"))
        return fail("demo_idp.not_authn_request", "The message is not a SAML AuthnRequest.");
    const auto id = saml::attribute(root, "ID");
    const std::string issuer =
        saml::element_text(saml::first_child_element(root, saml::ns::assertion, "Issuer"));
    if (!id || id->empty())
        return fail("demo_idp.not_authn_request", "The AuthnRequest carries no ID.");

    const auto slug = org_slug_of_entity_id(issuer, base_url_);
    if (!slug)
        return fail("demo_idp.unknown_org",
                    "The AuthnRequest's Issuer is not an organization of this gateway.");
    auto org = find_org(store_, *slug);
    if (!org) return org.error();
    const auto endpoints = saml::sp_endpoints(base_url_, *slug);
    if (saml::attribute(root, "AssertionConsumerServiceURL").value_or("") != endpoints.acs_url)
        return fail("demo_idp.foreign_acs",
                    "The AuthnRequest asks for an answer at an ACS that is not its "
                    "organization's.");
    return DemoSignInRequest{std::move(*org), *id, endpoints.acs_url, endpoints.entity_id,
                             message->relay_state.value_or("")};
}

std::string DemoIdp::token_for(std::string_view org_slug, std::string_view request_id,
                               std::string_view relay_state) const {
    // Length-prefixed fields, so no two different triples produce the same bytes.
    std::string message;
    for (auto field : {org_slug, request_id, relay_state}) {
        message += std::to_string(field.size());
        message += ':';
        message += field;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.form_secret.data(), static_cast<int>(key_.form_secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    return util::base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string DemoIdp::form_token(const DemoSignInRequest& request) const {
    return token_for(request.org.slug, request.request_id, request.relay_state);
}

Result<DemoAnswer> DemoIdp::answer(const DemoSubmission& submission) {
    const std::string expected =
        token_for(submission.org_slug, submission.request_id, submission.relay_state);
    if (submission.request_id.empty() || !util::constant_time_equal(expected, submission.token))
        return fail("demo_idp.token_invalid",
                    "The form does not belong to a sign-in request of this demo IdP.");
    if (!saml::looks_like_email(submission.email))
        return fail("demo_idp.email_invalid", "Enter an email address such as ada@demo.test.");
    if (!submission.role.empty() &&
        (!core::parse_role(submission.role) || submission.role == "owner"))
        return fail("demo_idp.role_invalid",
                    "Choose a role: blank, admin, manager, billing or member.");
    auto org = find_org(store_, submission.org_slug);
    if (!org) return org.error();

    std::optional<core::SamlProvider> provider;
    auto read = store_.read([&](store::Transaction& tx) -> Status {
        provider = tx.saml_provider(org->id);
        return {};
    });
    if (!read) return read.error();
    const core::AttributeMapping okta = *saml::mapping_preset("okta");
    const core::AttributeMapping mapped = provider ? provider->mapping : okta;

    const auto endpoints = saml::sp_endpoints(base_url_, idp_facing_slug(*org));
    saml::AssertionContent content;
    content.issuer = entity_id();
    content.destination = endpoints.acs_url;
    content.in_response_to = submission.request_id;
    content.audience = endpoints.entity_id;
    content.name_id = submission.email;
    content.issued_at = clock_.now();
    if (!mapped.user_id.empty()) content.attributes.push_back({mapped.user_id, {submission.email}});
    content.attributes.push_back({or_default(mapped.email, okta.email), {submission.email}});
    if (!submission.first_name.empty())
        content.attributes.push_back(
            {or_default(mapped.first_name, okta.first_name), {submission.first_name}});
    if (!submission.last_name.empty())
        content.attributes.push_back(
            {or_default(mapped.last_name, okta.last_name), {submission.last_name}});
    if (!submission.role.empty())
        content.attributes.push_back({or_default(mapped.role, "role"), {submission.role}});

    auto response = saml::build_signed_response(content, key_.credentials);
    if (!response) return response.error();
    return DemoAnswer{endpoints.acs_url, util::base64_encode(*response), submission.relay_state};
}

}  // namespace gatehouse::service
