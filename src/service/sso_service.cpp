#include "gatehouse/service/sso_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/saml/logout.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/saml/response.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/trusted_keys_cache.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/sign_in_attributes.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"

namespace gatehouse::service {
namespace {

// Pending SP-initiated logout requests share the pending-request table with
// AuthnRequests; this relay-state marker keeps a LogoutResponse from consuming an
// AuthnRequest and the reverse.
constexpr std::string_view kLogoutMarker = "logout:";
// Test sign-ins are marked the same way, followed by the actor who started the test: a
// Response to them is reported on, never signed in (complete_login refuses it).
constexpr std::string_view kTestMarker = "test:";
// And OpenID sign-ins (oidc_service.cpp) the same way: no SAML Response may answer one.
constexpr std::string_view kOidcMarker = "oidc:";

bool is_test_relay(std::string_view relay) {
    return relay.substr(0, kTestMarker.size()) == kTestMarker;
}

// The InResponseTo of a SAMLResponse form value, read without any validation: good only
// for routing the message to the path that validates it.
std::optional<std::string> unverified_in_response_to(std::string_view saml_response) {
    const auto bytes = util::base64_decode(saml_response);
    if (!bytes) return std::nullopt;
    auto parsed = saml::parse_untrusted_xml(*bytes);
    if (!parsed) return std::nullopt;
    auto id = saml::attribute(parsed->root(), "InResponseTo");
    if (!id || id->empty()) return std::nullopt;
    return id;
}

std::string landing_path(const core::Org& org) { return "/organizations/" + org.slug + "/"; }

// Whether the browser that posted a Response is the one that started the request it answers:
// the SHA-256 of the login cookie it carries equals the one stored with the request. A
// request bound to no browser matches only where `unbound_matches` (test sign-ins started
// from the API or the CLI).
bool same_browser(const store::PendingAuthnRequest& pending, std::string_view browser_key,
                  bool unbound_matches) {
    if (!pending.browser_hash) return unbound_matches;
    return !browser_key.empty() &&
           util::constant_time_equal(util::sha256(browser_key), *pending.browser_hash);
}

Error browser_mismatch() {
    return fail("saml.response.browser_mismatch",
                "The Response answers a sign-in started in another browser: the login cookie is "
                "missing or different (a Response posted from someone else's browser, or a "
                "sign-in finished after the cookie expired).");
}

}  // namespace

SsoService::SsoService(store::Store& store, const util::Clock& clock, SsoSettings settings,
                       std::shared_ptr<const saml::SpCredentials> sp)
    : SsoService(store, clock, std::move(settings),
                 std::make_shared<saml::SpKeys>(saml::SpKeyRing{std::move(sp), nullptr, nullptr})) {
}

SsoService::SsoService(store::Store& store, const util::Clock& clock, SsoSettings settings,
                       std::shared_ptr<saml::SpKeys> keys)
    : store_(store), clock_(clock), settings_(std::move(settings)), keys_(std::move(keys)) {}

SsoFailure record_sso_refusal(store::Store& store, const core::Org& org, const std::string& action,
                              Error error, const std::string& subject, const std::string& actor) {
    SsoFailure failure{std::move(error), util::hex_encode(util::random_bytes(5))};
    util::metrics::count_sign_in_refusal(action, failure.error.code);
    util::log_event(util::LogLevel::warning, action + ".refused",
                    {{"org", org.slug},
                     {"reason", failure.error.code},
                     {"detail", failure.error.message},
                     {"reference", failure.reference}});
    (void)store.write([&](store::Transaction& tx) -> Status {
        return tx.append_audit(
            audit_entry(org, actor, action, subject, "failure", failure.error.code,
                        {{"reference", failure.reference}, {"detail", failure.error.message}}));
    });
    return failure;
}

SsoFailure SsoService::refuse(const core::Org& org, const std::string& action, Error error,
                              const std::string& subject, const std::string& actor) {
    return record_sso_refusal(store_, org, action, std::move(error), subject, actor);
}

Result<std::string> SsoService::sp_metadata(const core::Org& org) const {
    const auto sp_keys = keys_->ring();
    if (!sp_keys->current)
        return fail("saml.sp_key_missing", "The gateway has no SP key and certificate.");
    return saml::build_sp_metadata(saml::sp_endpoints(settings_.base_url, idp_facing_slug(org)),
                                   sp_keys->current->certificate(),
                                   sp_keys->next ? &sp_keys->next->certificate() : nullptr);
}

SsoResult<std::string> SsoService::start_login(const core::Org& org, std::string_view next,
                                               std::string_view browser_key) {
    const std::string relay =
        saml::is_safe_relay_path(next) ? std::string(next) : landing_path(org);
    // The destination travels as RelayState when it fits the binding's 80-byte limit; the
    // ACS trusts only the copy stored with the request.
    const std::string relay_state =
        relay.size() <= saml::kMaxRelayStateBytes ? relay : std::string();
    return begin_login(org, "saml.login", "idp", relay, relay_state, browser_key);
}

SsoResult<std::string> SsoService::start_test_login(const core::Org& org, const std::string& actor,
                                                    std::string_view browser_key) {
    const std::string action = "saml.test.start";
    auto started =
        begin_login(org, action, actor, std::string(kTestMarker) + actor, "", browser_key);
    if (std::holds_alternative<std::string>(started)) {
        (void)store_.write([&](store::Transaction& tx) -> Status {
            return tx.append_audit(audit_entry(org, actor, action, org.slug));
        });
    }
    return started;
}

SsoResult<std::string> SsoService::begin_login(const core::Org& org, const std::string& action,
                                               const std::string& actor,
                                               const std::string& stored_relay,
                                               const std::string& relay_state,
                                               std::string_view browser_key) {
    const auto sp_keys = keys_->ring();
    if (!sp_keys->current)
        return refuse(org, action,
                      fail("saml.sp_key_missing", "The gateway has no SP key and certificate."), {},
                      actor);
    auto provider = configured_provider(org);
    if (!provider) return SsoFailure{provider.error(), {}};
    const auto endpoints = saml::sp_endpoints(settings_.base_url, idp_facing_slug(org));
    const saml::AuthnRequest request =
        saml::build_authn_request(endpoints, provider->sso_url, clock_);
    const Status recorded = store_.write([&](store::Transaction& tx) -> Status {
        if (auto inserted =
                tx.insert_authn_request(org.id, request.id, stored_relay,
                                        clock_.now() + settings_.authn_request_ttl_seconds);
            !inserted) {
            return inserted;
        }
        // Anyone may start a sign-in: the org's pending requests stay capped, oldest dropped.
        tx.cap_pending_authn_requests(org.id, store::kPendingAuthnRequestCap);
        if (browser_key.empty()) return {};
        return tx.bind_authn_request(org.id, request.id, util::sha256(browser_key));
    });
    if (!recorded) return SsoFailure{recorded.error(), {}};
    auto url = saml::build_redirect_url(provider->sso_url, saml::SamlMessageKind::request,
                                        request.xml, relay_state, *sp_keys->current);
    if (!url) return refuse(org, action, url.error(), {}, actor);
    return *url;
}

std::optional<std::string> SsoService::peek_pending_relay(const core::Org& org,
                                                          const std::string& request_id) {
    std::optional<std::string> relay;
    (void)store_.read([&](store::Transaction& tx) -> Status {
        relay = tx.pending_authn_request_relay(org.id, request_id, clock_.now());
        return {};
    });
    return relay;
}

Result<core::SamlProvider> SsoService::configured_provider(const core::Org& org) {
    std::optional<core::SamlProvider> provider;
    const Status read = store_.read([&](store::Transaction& tx) -> Status {
        provider = tx.saml_provider(org.id);
        return {};
    });
    if (!read) return read.error();
    if (!provider)
        return fail("saml.not_configured",
                    "Single sign-on is not configured for this organization.");
    return std::move(*provider);
}

saml::AcsExpectations SsoService::acs_expectations(const core::Org& org, util::UnixTime now,
                                                   const saml::SpKeyRing& keys) {
    const auto endpoints = saml::sp_endpoints(settings_.base_url, idp_facing_slug(org));
    saml::AcsExpectations expectations;
    expectations.sp_entity_id = endpoints.entity_id;
    expectations.acs_url = endpoints.acs_url;
    for (const auto& slug : org_slugs(org)) {
        const auto other = saml::sp_endpoints(settings_.base_url, slug);
        expectations.other_entity_ids.push_back(other.entity_id);
        expectations.other_acs_urls.push_back(other.acs_url);
    }
    expectations.allow_idp_initiated = org.allow_idp_initiated;
    expectations.decryption_key = keys.current->private_key();
    for (const auto& other : {keys.next, keys.previous}) {
        if (other) expectations.other_decryption_keys.push_back(other->private_key());
    }
    expectations.is_pending_request = [this, org_id = org.id, now](std::string_view request_id) {
        bool pending = false;
        (void)store_.read([&](store::Transaction& tx) -> Status {
            pending = tx.authn_request_pending(org_id, request_id, now);
            return {};
        });
        return pending;
    };
    return expectations;
}

Result<SignIn> SsoService::attempt_login(const core::Org& org, std::string_view saml_response,
                                         std::string_view relay_state, std::string_view browser_key,
                                         std::string& subject) {
    const auto sp_keys = keys_->ring();
    if (!sp_keys->current)
        return fail("saml.sp_key_missing", "The gateway has no SP key and certificate.");
    auto provider = configured_provider(org);
    if (!provider) return provider.error();
    const util::UnixTime now = clock_.now();
    const saml::AcsExpectations expectations = acs_expectations(org, now, *sp_keys);

    // The signature and every check run outside the write lock; the write transaction then
    // settles what needs the store atomically: consuming the request, the replay cache,
    // the member and the session.
    auto validated = saml::validate_response(saml_response, *provider, expectations, clock_);
    if (!validated) return validated.error();
    subject = validated->name_id;
    auto identity =
        saml::map_identity(validated->name_id, validated->attributes, provider->mapping);
    if (!identity) return identity.error();
    subject = identity->user_id;

    SignIn sign_in;
    const Status settled = store_.write([&](store::Transaction& tx) -> Status {
        std::string relay;
        if (validated->in_response_to) {
            const auto pending = tx.pending_authn_request(org.id, *validated->in_response_to, now);
            if (!pending || pending->relay_state.rfind(kLogoutMarker, 0) == 0 ||
                pending->relay_state.rfind(kOidcMarker, 0) == 0) {
                return fail("saml.response.unknown_request",
                            "The Response answers a request that is no longer pending (already "
                            "used or expired).");
            }
            // The test request stays pending for the report.
            if (is_test_relay(pending->relay_state)) {
                return fail("saml.response.test_request",
                            "The Response answers a test sign-in, which never signs anyone in.");
            }
            // Checked before the request is consumed, so a Response posted from another
            // browser leaves it to the browser that started it.
            if (!same_browser(*pending, browser_key, false)) return browser_mismatch();
            (void)tx.consume_authn_request(org.id, *validated->in_response_to, now);
            relay = pending->relay_state;
        } else if (saml::is_safe_relay_path(relay_state)) {
            relay = std::string(relay_state);
        }
        if (tx.assertion_seen(org.id, validated->assertion_id, now)) {
            return fail("saml.replay",
                        "The assertion " + validated->assertion_id + " was already used.");
        }
        if (auto s = tx.remember_assertion(org.id, validated->assertion_id,
                                           validated->replay_expires_at);
            !s) {
            return s;
        }
        auto linked = link_or_create_member(tx, org, *identity, now);
        if (!linked) return linked.error();
        const SignInAttributes attributes =
            sign_in_attributes(*identity, !provider->mapping.groups.empty());
        if (auto applied = apply_sign_in_attributes(tx, org, linked->member, attributes, now);
            !applied) {
            return applied.error();
        }
        auto session = start_session(tx, linked->member, core::SessionMethod::saml,
                                     settings_.sessions, now, validated->session_not_on_or_after,
                                     validated->name_id, validated->session_index);
        if (!session) return session.error();
        sign_in.member = linked->member;
        sign_in.session = std::move(*session);
        sign_in.redirect_path = relay.empty() ? landing_path(org) : relay;
        sign_in.linked_now = linked->linked_now;
        sign_in.created_now = linked->created_now;
        return tx.append_audit(
            audit_entry(org, "member:" + linked->member.public_id, "saml.sign_in",
                        linked->member.public_id, "success", "",
                        {{"subject", identity->user_id},
                         {"assertion_id", validated->assertion_id},
                         {"linked", linked->linked_now},
                         {"created", linked->created_now},
                         {"idp_initiated", !validated->in_response_to.has_value()}}));
    });
    if (!settled) return settled.error();
    util::metrics::count_sign_in("saml");
    util::log_event(util::LogLevel::info, "saml.sign_in",
                    {{"org", org.slug}, {"member", sign_in.member.public_id}});
    return sign_in;
}

SsoResult<SignIn> SsoService::complete_login(const core::Org& org, std::string_view saml_response,
                                             std::string_view relay_state,
                                             std::string_view browser_key) {
    std::string subject;
    auto signed_in = attempt_login(org, saml_response, relay_state, browser_key, subject);
    if (!signed_in) return refuse(org, "saml.sign_in", signed_in.error(), subject);
    return std::move(*signed_in);
}

SsoResult<AcsResult> SsoService::accept_response(const core::Org& org,
                                                 std::string_view saml_response,
                                                 std::string_view relay_state,
                                                 std::string_view browser_key) {
    std::string subject;
    auto signed_in = attempt_login(org, saml_response, relay_state, browser_key, subject);
    if (signed_in) return AcsResult{std::move(*signed_in)};
    if (is_test_response(org, saml_response))
        return AcsResult{complete_test_login(org, saml_response, browser_key)};
    return refuse(org, "saml.sign_in", signed_in.error(), subject);
}

bool SsoService::is_test_response(const core::Org& org, std::string_view saml_response) {
    const auto request_id = unverified_in_response_to(saml_response);
    if (!request_id) return false;
    const auto relay = peek_pending_relay(org, *request_id);
    return relay && is_test_relay(*relay);
}

std::optional<Error> SsoService::check_test_response(const core::Org& org,
                                                     std::string_view saml_response,
                                                     std::string_view browser_key,
                                                     TestReport& report) {
    const auto sp_keys = keys_->ring();
    if (!sp_keys->current)
        return fail("saml.sp_key_missing", "The gateway has no SP key and certificate.");
    auto provider = configured_provider(org);
    if (!provider) return provider.error();
    const util::UnixTime now = clock_.now();
    auto validated = saml::validate_response(saml_response, *provider,
                                             acs_expectations(org, now, *sp_keys), clock_);
    if (!validated) return validated.error();
    report.name_id = validated->name_id;
    report.attributes = validated->attributes;

    // Replay is checked and recorded as for a real sign-in: an assertion shown once in a
    // test must not sign anybody in later.
    const Status settled = store_.write([&](store::Transaction& tx) -> Status {
        if (!validated->in_response_to) {
            return fail("saml.response.unsolicited",
                        "The Response answers no request; a test sign-in must answer the test "
                        "request it started.");
        }
        const auto pending = tx.pending_authn_request(org.id, *validated->in_response_to, now);
        if (!pending || !is_test_relay(pending->relay_state)) {
            return fail("saml.response.unknown_request",
                        "The Response answers no pending test sign-in (already reported, "
                        "expired, or not a test).");
        }
        if (!same_browser(*pending, browser_key, true)) return browser_mismatch();
        (void)tx.consume_authn_request(org.id, *validated->in_response_to, now);
        if (tx.assertion_seen(org.id, validated->assertion_id, now)) {
            return fail("saml.replay",
                        "The assertion " + validated->assertion_id + " was already used.");
        }
        return tx.remember_assertion(org.id, validated->assertion_id, validated->replay_expires_at);
    });
    if (!settled) return settled.error();

    auto identity =
        saml::map_identity(validated->name_id, validated->attributes, provider->mapping);
    if (!identity) return identity.error();
    report.identity = *identity;
    std::optional<Result<MemberMatch>> match;
    std::optional<Result<AppliedAttributes>> plan;
    const Status looked_up = store_.read([&](store::Transaction& tx) -> Status {
        match = find_member_for_identity(tx, org, *identity);
        if (*match) {
            plan = plan_sign_in_attributes(
                tx, org, (*match)->member,
                sign_in_attributes(*identity, !provider->mapping.groups.empty()));
        }
        return {};
    });
    report.would_match = looked_up ? describe_match(*match) : describe_match(looked_up.error());
    if (plan) report.would_apply = describe_sign_in_attributes(*plan);
    return std::nullopt;
}

TestReport SsoService::complete_test_login(const core::Org& org, std::string_view saml_response,
                                           std::string_view browser_key) {
    // Who started the test, read before the checks consume the request.
    std::string actor = "idp";
    if (const auto request_id = unverified_in_response_to(saml_response)) {
        const auto relay = peek_pending_relay(org, *request_id);
        if (relay && is_test_relay(*relay)) actor = relay->substr(kTestMarker.size());
    }

    TestReport report;
    report.failure = check_test_response(org, saml_response, browser_key, report);
    report.passed = !report.failure;
    report.checks = saml::check_report(report.failure ? &*report.failure : nullptr);

    nlohmann::json details = {{"would_match", report.would_match},
                              {"would_apply", report.would_apply}};
    if (report.failure) details["detail"] = report.failure->message;
    (void)store_.write([&](store::Transaction& tx) -> Status {
        return tx.append_audit(audit_entry(org, actor, "saml.test", report.name_id,
                                           report.passed ? "success" : "failure",
                                           report.failure ? report.failure->code : "", details));
    });
    util::log_event(report.passed ? util::LogLevel::info : util::LogLevel::warning, "saml.test",
                    {{"org", org.slug},
                     {"actor", actor},
                     {"reason", report.failure ? report.failure->code : ""}});
    return report;
}

LogoutRedirect SsoService::logout(const core::Org& org, std::string_view session_token) {
    const auto sp_keys = keys_->ring();
    const auto ended = end_session(store_, session_token);
    if (!ended || ended->org_id != org.id) return {landing_path(org)};
    (void)store_.write([&](store::Transaction& tx) -> Status {
        return tx.append_audit(audit_entry(org, "member:" + std::to_string(ended->member_id),
                                           "session.logout", std::to_string(ended->id), "success",
                                           "", {{"method", core::to_string(ended->method)}}));
    });
    if (ended->method != core::SessionMethod::saml || !sp_keys->current) return {landing_path(org)};
    auto provider = configured_provider(org);
    if (!provider || provider->slo_url.empty()) return {landing_path(org)};
    const auto endpoints = saml::sp_endpoints(settings_.base_url, idp_facing_slug(org));
    const auto request = saml::build_logout_request(
        endpoints, provider->slo_url, ended->saml_name_id, "", {ended->saml_session_index}, clock_);
    const Status recorded = store_.write([&](store::Transaction& tx) -> Status {
        return tx.insert_authn_request(org.id, request.id, std::string(kLogoutMarker),
                                       clock_.now() + settings_.authn_request_ttl_seconds);
    });
    if (!recorded) return {landing_path(org)};
    auto url = saml::build_redirect_url(provider->slo_url, saml::SamlMessageKind::request,
                                        request.xml, "", *sp_keys->current);
    if (!url) return {landing_path(org)};
    return {*url};
}

SsoResult<LogoutRedirect> SsoService::single_logout(
    const core::Org& org, std::string_view raw_query,
    const std::map<std::string, std::string>& form) {
    const auto sp_keys = keys_->ring();
    const std::string action = "saml.logout";
    if (!sp_keys->current)
        return refuse(org, action,
                      fail("saml.sp_key_missing", "The gateway has no SP key and certificate."));
    auto provider = configured_provider(org);
    if (!provider) return refuse(org, action, provider.error());
    auto keys = saml::shared_trusted_keys_cache().keys_for(provider->certificates);
    if (!keys) return refuse(org, action, keys.error());
    const auto endpoints = saml::sp_endpoints(settings_.base_url, idp_facing_slug(org));
    saml::LogoutExpectations expected{endpoints.sls_url, provider->idp_entity_id, *keys,
                                      saml::SignaturePolicy{provider->options.allow_sha1},
                                      provider->options.clock_skew_seconds};
    expected.max_issue_age_seconds = provider->options.max_issue_age_seconds;
    for (const auto& slug : org_slugs(org)) {
        expected.other_sls_urls.push_back(saml::sp_endpoints(settings_.base_url, slug).sls_url);
    }

    const bool from_query = form.empty();
    const bool is_response = from_query ? raw_query.find("SAMLResponse=") != std::string_view::npos
                                        : form.count("SAMLResponse") > 0;
    if (is_response) {
        auto response = from_query ? saml::parse_logout_response_redirect(raw_query, expected)
                                   : saml::parse_logout_response_post(form, expected);
        if (!response) return refuse(org, action, response.error());
        const Status matched = store_.write([&](store::Transaction& tx) -> Status {
            auto stored = tx.consume_authn_request(org.id, response->in_response_to, clock_.now());
            if (!stored || *stored != kLogoutMarker) {
                return fail("saml.logout.unknown_request",
                            "The LogoutResponse answers no pending LogoutRequest.");
            }
            return {};
        });
        if (!matched) return refuse(org, action, matched.error());
        if (!response->success) {
            return refuse(org, action,
                          fail("saml.logout.status", "The IdP answered the logout with status " +
                                                         response->status + "."));
        }
        return LogoutRedirect{landing_path(org)};
    }

    auto request = from_query ? saml::parse_logout_request_redirect(raw_query, expected, clock_)
                              : saml::parse_logout_request_post(form, expected, clock_);
    if (!request) return refuse(org, action, request.error());
    std::int64_t ended = 0;
    const util::UnixTime now = clock_.now();
    const Status done = store_.write([&](store::Transaction& tx) -> Status {
        // A LogoutRequest is acted on once. One captured (from a URL in a log or the
        // browser's history) and sent again must neither end the newer sessions of its
        // NameID nor be answered as if fresh.
        if (tx.logout_request_seen(org.id, request->id, now)) {
            return fail("saml.logout.replay",
                        "The LogoutRequest " + request->id + " was already received.");
        }
        // Kept for as long as the SAML layer would accept the request again, and never less
        // than the configured floor, so a relaxed time check cannot shorten it.
        const util::UnixTime until =
            std::max(request->replay_expires_at, now + settings_.logout_replay_seconds);
        if (auto remembered = tx.remember_logout_request(org.id, request->id, until); !remembered) {
            return remembered;
        }
        ended = tx.delete_saml_sessions(org.id, request->name_id, request->session_indexes);
        return tx.append_audit(
            audit_entry(org, "idp", action, request->name_id, "success", "",
                        {{"sessions_ended", ended}, {"request_id", request->id}}));
    });
    if (!done) return refuse(org, action, done.error());
    if (provider->slo_url.empty()) return LogoutRedirect{landing_path(org)};
    const auto answer =
        saml::build_logout_response(endpoints, provider->slo_url, request->id, clock_);
    auto url =
        saml::build_redirect_url(provider->slo_url, saml::SamlMessageKind::response, answer.xml,
                                 request->relay_state.value_or(""), *sp_keys->current);
    if (!url) return refuse(org, action, url.error());
    return LogoutRedirect{*url};
}

}  // namespace gatehouse::service
