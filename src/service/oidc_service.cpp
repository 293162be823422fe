#include "gatehouse/service/oidc_service.hpp"

#include <algorithm>

#include "audit_entry.hpp"
#include "gatehouse/oidc/authorization.hpp"
#include "gatehouse/oidc/discovery.hpp"
#include "gatehouse/oidc/id_token.hpp"
#include "gatehouse/oidc/jose.hpp"
#include "gatehouse/oidc/printable.hpp"
#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/sign_in_attributes.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"
#include "oidc_keys.hpp"
#include "oidc_sign_in.hpp"

namespace gatehouse::service {
namespace {

// Pending OpenID sign-ins share the pending-request table with SAML AuthnRequests (the
// same per-org cap, purge and browser binding). Their ID is derived from the state, so only
// its hash is stored, and their relay state starts with this marker, which the ACS refuses.
constexpr std::string_view kOidcMarker = "oidc:";

std::string pending_id(std::string_view state) { return "oidc-" + util::sha256_hex(state); }

std::string landing_path(const core::Org& org) { return "/organizations/" + org.slug + "/"; }

}  // namespace

OidcService::OidcService(store::Store& store, const util::Clock& clock, OidcSettings settings,
                         std::shared_ptr<OutboundHttp> http)
    : store_(store), clock_(clock), settings_(std::move(settings)), http_(std::move(http)) {}

std::optional<core::OidcProvider> OidcService::provider(const core::Org& org) {
    std::optional<core::OidcProvider> provider;
    const Status read = store_.read([&](store::Transaction& tx) -> Status {
        provider = tx.oidc_provider(org.id);
        return {};
    });
    if (!read) return std::nullopt;
    return provider;
}

std::string OidcService::callback_url(const core::Org& org) const {
    // The redirect URI registered at the provider: see org_names.hpp for why an alias's.
    return settings_.base_url + "/auth/callback/" + idp_facing_slug(org) + "/";
}

SsoFailure OidcService::refuse(const core::Org& org, const std::string& action, Error error,
                               const std::string& subject, const std::string& actor) {
    return record_sso_refusal(store_, org, action, std::move(error), subject, actor);
}

SsoResult<std::string> OidcService::start_login(const core::Org& org, std::string_view next,
                                                std::string_view browser_key) {
    const std::string relay =
        saml::is_safe_relay_path(next) ? std::string(next) : landing_path(org);
    return begin(org, provider(org), "oidc.login", "idp", relay, "", browser_key);
}

SsoResult<std::string> OidcService::start_login(const core::Org& org,
                                                const core::OidcProvider& configured,
                                                std::string_view next,
                                                std::string_view browser_key) {
    const std::string relay =
        saml::is_safe_relay_path(next) ? std::string(next) : landing_path(org);
    return begin(org, configured, "oidc.login", "idp", relay, "", browser_key);
}

SsoResult<std::string> OidcService::start_test_login(const core::Org& org, const std::string& actor,
                                                     std::string_view browser_key) {
    const std::string action = "oidc.test.start";
    auto started = begin(org, provider(org), action, actor, landing_path(org), actor, browser_key);
    if (std::holds_alternative<std::string>(started)) {
        (void)store_.write([&](store::Transaction& tx) -> Status {
            return tx.append_audit(audit_entry(org, actor, action, org.slug));
        });
    }
    return started;
}

SsoResult<std::string> OidcService::begin(const core::Org& org,
                                          const std::optional<core::OidcProvider>& configured,
                                          const std::string& action, const std::string& actor,
                                          const std::string& next, const std::string& test_actor,
                                          std::string_view browser_key) {
    if (!configured) {
        return SsoFailure{fail("oidc.not_configured",
                               "Sign-in with OpenID Connect or GitHub is not configured for this "
                               "organization."),
                          {}};
    }
    oidc::AuthorizationRequest request;
    request.client_id = configured->client_id;
    request.redirect_uri = callback_url(org);
    request.state = util::random_token(32);
    const std::string verifier = oidc::new_pkce_verifier();
    request.code_challenge = oidc::pkce_challenge(verifier);
    if (configured->kind == core::OidcKind::github) {
        request.endpoint = settings_.github_url + "/login/oauth/authorize";
        request.scope = "read:user user:email read:org";
    } else {
        auto metadata = oidc::parse_discovery(configured->discovery, configured->issuer);
        if (!metadata) return refuse(org, action, metadata.error(), {}, actor);
        request.endpoint = metadata->authorization_endpoint;
        request.nonce = util::random_token(32);
        // Google shows only accounts of the hosted domain when there is exactly one; the
        // ID token's hd claim is still checked, since the parameter is only a hint.
        if (configured->kind == core::OidcKind::google && configured->hosted_domains.size() == 1) {
            request.extra.emplace_back("hd", configured->hosted_domains.front());
        }
    }
    const nlohmann::json kept = {
        {"nonce", request.nonce}, {"verifier", verifier}, {"next", next}, {"test", test_actor}};
    const std::string id = pending_id(request.state);
    const Status recorded = store_.write([&](store::Transaction& tx) -> Status {
        if (auto inserted =
                tx.insert_authn_request(org.id, id, std::string(kOidcMarker) + kept.dump(),
                                        clock_.now() + settings_.login_ttl_seconds);
            !inserted) {
            return inserted;
        }
        // Anyone may start a sign-in: the org's pending requests stay capped, oldest dropped.
        tx.cap_pending_authn_requests(org.id, store::kPendingAuthnRequestCap);
        if (browser_key.empty()) return {};
        return tx.bind_authn_request(org.id, id, util::sha256(browser_key));
    });
    if (!recorded) return SsoFailure{recorded.error(), {}};
    return oidc::authorization_url(request);
}

Result<OidcService::Pending> OidcService::take_pending(const core::Org& org,
                                                       const OidcCallback& callback,
                                                       std::string_view browser_key) {
    if (callback.state.empty()) {
        return fail("oidc.callback.state_missing", "The callback carries no state parameter.");
    }
    const std::string id = pending_id(callback.state);
    const util::UnixTime now = clock_.now();
    Pending taken;
    // Read first: a callback with a state nobody issued, or from the wrong browser, is
    // answered without taking the store's write lock.
    const Status checked = store_.read([&](store::Transaction& tx) -> Status {
        const auto pending = tx.pending_authn_request(org.id, id, now);
        const auto kept = pending && pending->relay_state.rfind(kOidcMarker, 0) == 0
                              ? nlohmann::json::parse(
                                    pending->relay_state.substr(kOidcMarker.size()), nullptr, false)
                              : nlohmann::json();
        if (!kept.is_object()) {
            return fail("oidc.callback.unknown_state",
                        "The callback's state names no pending sign-in of this organization "
                        "(already used, expired, or never started here).");
        }
        taken.nonce = kept.value("nonce", "");
        taken.verifier = kept.value("verifier", "");
        taken.next = kept.value("next", "");
        taken.test_actor = kept.value("test", "");
        // A callback opened in another browser leaves the sign-in to the browser that
        // started it. Only a test started from the API or the CLI is bound to no browser.
        const bool same_browser =
            pending->browser_hash
                ? !browser_key.empty() &&
                      util::constant_time_equal(util::sha256(browser_key), *pending->browser_hash)
                : !taken.test_actor.empty();
        if (!same_browser) {
            return fail("oidc.callback.browser_mismatch",
                        "The callback answers a sign-in started in another browser: the login "
                        "cookie is missing or different.");
        }
        return {};
    });
    if (!checked) return checked.error();
    // Consumed before the code is exchanged, so that of two callbacks racing with one state
    // only one goes on.
    const Status settled = store_.write([&](store::Transaction& tx) -> Status {
        if (!tx.consume_authn_request(org.id, id, now)) {
            return fail("oidc.callback.unknown_state", "The sign-in was completed meanwhile.");
        }
        return {};
    });
    if (!settled) return settled.error();
    return taken;
}

Status OidcService::refresh_keys(core::OidcProvider& provider) {
    if (auto fetched = fetch_issuer_keys(*http_, provider, clock_.now()); !fetched) return fetched;
    return store_.write([&](store::Transaction& tx) -> Status {
        // Only the cached documents change; a provider reconfigured meanwhile is kept.
        auto current = tx.oidc_provider(provider.org_id);
        if (!current || current->issuer != provider.issuer) return {};
        current->discovery = provider.discovery;
        current->jwks = provider.jwks;
        current->jwks_fetched_at = provider.jwks_fetched_at;
        return tx.put_oidc_provider(*current);
    });
}

Result<OidcService::Verified> OidcService::verify_oidc(const core::Org& org,
                                                       core::OidcProvider provider,
                                                       const Pending& pending,
                                                       const std::string& code) {
    const util::UnixTime now = clock_.now();
    if (!provider.jwks_fetched_at ||
        *provider.jwks_fetched_at + settings_.keys_max_age_seconds <= now) {
        // Stale documents are still usable: a provider that is down for a moment must not
        // stop sign-in while its keys have not changed.
        if (auto refreshed = refresh_keys(provider); !refreshed) {
            util::log_event(util::LogLevel::warning, "oidc.keys.refresh_failed",
                            {{"org", org.slug},
                             {"reason", refreshed.error().code},
                             {"detail", refreshed.error().message}});
        }
    }
    auto metadata = oidc::parse_discovery(provider.discovery, provider.issuer);
    if (!metadata) return metadata.error();

    const bool secret_in_body = oidc::token_auth_method(*metadata) == "client_secret_post";
    OutboundRequest request;
    request.method = "POST";
    request.url = metadata->token_endpoint;
    request.body =
        oidc::token_request_body(code, callback_url(org), pending.verifier, provider.client_id,
                                 provider.client_secret, secret_in_body);
    request.headers = {{"Accept", "application/json"}};
    if (!secret_in_body) {
        request.headers.emplace_back(
            "Authorization", oidc::client_secret_basic(provider.client_id, provider.client_secret));
    }
    auto answer = http_->send(request);
    if (!answer) return answer.error();
    auto tokens = oidc::parse_token_response(answer->status, answer->body);
    if (!tokens) return tokens.error();
    if (tokens->id_token.empty()) {
        return fail("oidc.token_endpoint.no_id_token",
                    "The token endpoint answered without an ID token; is the openid scope "
                    "allowed for this client?");
    }

    oidc::IdTokenExpectations expected;
    expected.issuer = provider.issuer;
    expected.client_id = provider.client_id;
    expected.nonce = pending.nonce;
    expected.now = now;
    expected.clock_skew_seconds = provider.clock_skew_seconds;
    auto keys = oidc::KeySet::parse(provider.jwks);
    if (!keys) return keys.error();
    auto claims = oidc::verify_id_token(tokens->id_token, *keys, expected);
    if (!claims && claims.error().code == "oidc.token.unknown_key" &&
        (!provider.jwks_fetched_at ||
         *provider.jwks_fetched_at + settings_.jwks_refetch_seconds <= now)) {
        // The provider may have rotated its keys since they were fetched.
        if (auto refreshed = refresh_keys(provider); !refreshed) return refreshed.error();
        keys = oidc::KeySet::parse(provider.jwks);
        if (!keys) return keys.error();
        claims = oidc::verify_id_token(tokens->id_token, *keys, expected);
    }
    if (!claims) return claims.error();

    Verified verified;
    verified.issuer = provider.issuer;
    verified.claims = claims->claims;
    // Hosted domains restrict any issuer they are configured for: only Google sends `hd`, so
    // elsewhere they refuse everyone, which is the safe reading of a misconfiguration.
    if (provider.kind == core::OidcKind::google || !provider.hosted_domains.empty()) {
        if (auto allowed = check_hosted_domain(*claims, provider.hosted_domains); !allowed) {
            return allowed.error();
        }
    }
    verified.identity = identity_from_claims(*claims);
    add_role_and_groups(verified.identity, claims->claims, provider.role_claim,
                        provider.groups_claim);
    verified.groups_mapped = !provider.groups_claim.empty();
    if (!claims->email_verified) verified.unverified_email = claims->email;
    return verified;
}

SsoResult<OidcOutcome> OidcService::complete(const core::Org& org, const OidcCallback& callback,
                                             std::string_view browser_key) {
    auto pending = take_pending(org, callback, browser_key);
    if (!pending) return refuse(org, "oidc.sign_in", pending.error());
    const bool test = !pending->test_actor.empty();
    const std::string action = test ? "oidc.test" : "oidc.sign_in";
    const std::string actor = test ? pending->test_actor : "idp";

    OidcTestReport report;
    auto verified = [&]() -> Result<Verified> {
        if (!callback.error.empty()) {
            return fail("oidc.callback.error",
                        "The provider refused the sign-in: " + oidc::printable(callback.error) +
                            (callback.error_description.empty()
                                 ? std::string()
                                 : " (" + oidc::printable(callback.error_description) + ")") +
                            ".");
        }
        if (callback.code.empty()) {
            return fail("oidc.callback.code_missing", "The callback carries no code.");
        }
        if (!http_) {
            return fail("oidc.fetch.unavailable",
                        "The gateway has no client for requests to the provider.");
        }
        auto configured = provider(org);
        if (!configured) {
            return fail("oidc.not_configured",
                        "Sign-in with OpenID Connect or GitHub is not configured for this "
                        "organization.");
        }
        if (!callback.issuer.empty() && callback.issuer != configured->issuer) {
            return fail("oidc.callback.issuer",
                        "The callback names the issuer " + oidc::printable(callback.issuer) +
                            ", not this organization's provider " + configured->issuer + ".");
        }
        if (configured->kind == core::OidcKind::github) {
            return verify_github(org, *configured, callback.code, *pending);
        }
        return verify_oidc(org, std::move(*configured), *pending, callback.code);
    }();
    if (!verified) {
        if (!test) return refuse(org, action, verified.error());
        report.failure = verified.error();
        (void)refuse(org, action, verified.error(), {}, actor);
        return OidcOutcome{std::move(report)};
    }

    const IdentitySpace space = IdentitySpace::oidc(verified->issuer);
    const saml::MappedIdentity& identity = verified->identity;
    // An address the provider did not verify links nobody and creates nobody: whoever
    // controls the account at the provider could otherwise type in someone else's address.
    auto explain = [&](Error error) {
        if (error.code == "oidc.member.email_missing" && !verified->unverified_email.empty()) {
            return fail("oidc.email_unverified",
                        "The provider did not verify the address " + verified->unverified_email +
                            ", and no member is linked to subject '" + identity.user_id +
                            "'; an unverified address neither links nor creates a member.");
        }
        return error;
    };

    if (test) {
        report.claims = verified->claims;
        report.identity = identity;
        Result<MemberMatch> match = fail("store.failure", "The store could not be read.");
        (void)store_.read([&](store::Transaction& tx) -> Status {
            match = find_member_for_identity(tx, org, identity, space);
            if (match) {
                report.would_apply = describe_sign_in_attributes(plan_sign_in_attributes(
                    tx, org, match->member, sign_in_attributes(identity, verified->groups_mapped)));
            }
            return {};
        });
        if (!match) match = explain(match.error());
        report.would_match = describe_match(match);
        report.passed = true;
        (void)store_.write([&](store::Transaction& tx) -> Status {
            return tx.append_audit(audit_entry(org, actor, action, identity.user_id,
                                               {{"subject", identity.user_id},
                                                {"would_match", report.would_match},
                                                {"would_apply", report.would_apply}}));
        });
        return OidcOutcome{std::move(report)};
    }

    const util::UnixTime now = clock_.now();
    SignIn sign_in;
    const Status settled = store_.write([&](store::Transaction& tx) -> Status {
        auto linked = link_or_create_member(tx, org, identity, now, space);
        if (!linked) return explain(linked.error());
        if (auto applied = apply_sign_in_attributes(
                tx, org, linked->member, sign_in_attributes(identity, verified->groups_mapped),
                now);
            !applied) {
            return applied.error();
        }
        auto session =
            start_session(tx, linked->member, core::SessionMethod::oidc, settings_.sessions, now);
        if (!session) return session.error();
        sign_in.member = linked->member;
        sign_in.session = std::move(*session);
        sign_in.redirect_path = pending->next.empty() ? landing_path(org) : pending->next;
        sign_in.linked_now = linked->linked_now;
        sign_in.created_now = linked->created_now;
        return tx.append_audit(audit_entry(org, "member:" + linked->member.public_id, action,
                                           linked->member.public_id, "success", "",
                                           {{"subject", identity.user_id},
                                            {"issuer", verified->issuer},
                                            {"linked", linked->linked_now},
                                            {"created", linked->created_now}}));
    });
    if (!settled) return refuse(org, action, settled.error(), identity.user_id);
    util::metrics::count_sign_in("oidc");
    util::log_event(util::LogLevel::info, "oidc.sign_in",
                    {{"org", org.slug}, {"member", sign_in.member.public_id}});
    return OidcOutcome{std::move(sign_in)};
}

}  // namespace gatehouse::service
