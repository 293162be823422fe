#include "gatehouse/service/metadata_refresh.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "audit_entry.hpp"
#include "gatehouse/service/fleet_jobs.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"

namespace gatehouse::service {
namespace {

constexpr const char* kAction = "saml.metadata.refresh";
constexpr const char* kActor = "system";
// The job of refreshing one org's provider is this followed by the org's row ID.
constexpr const char* kJobPrefix = "saml.metadata.refresh:";

bool due(const core::SamlProvider& provider, util::UnixTime now, int interval_seconds) {
    return !provider.metadata_fetched_at || now - *provider.metadata_fetched_at >= interval_seconds;
}

// Certificates are compared by fingerprint: the same certificate re-encoded or listed in
// another order is not a change an admin needs to hear about.
std::set<std::string> fingerprints(const std::vector<std::string>& certificates) {
    std::set<std::string> result;
    for (const auto& certificate : certificates) {
        auto summary = saml::describe_certificate(certificate);
        if (summary) result.insert(summary->sha256_fingerprint);
    }
    return result;
}

nlohmann::json difference(const std::set<std::string>& from, const std::set<std::string>& to) {
    nlohmann::json only = nlohmann::json::array();
    for (const auto& item : from) {
        if (!to.count(item)) only.push_back(item);
    }
    return only;
}

// What a refreshed document changes; empty when nothing does.
struct Change {
    nlohmann::json added = nlohmann::json::array();
    nlohmann::json removed = nlohmann::json::array();
    nlohmann::json endpoints = nlohmann::json::object();

    bool certificates_changed() const { return !added.empty() || !removed.empty(); }
    bool any() const { return certificates_changed() || !endpoints.empty(); }
};

Change compare(const core::SamlProvider& before, const core::SamlProvider& after) {
    Change change;
    const auto old_set = fingerprints(before.certificates);
    const auto new_set = fingerprints(after.certificates);
    change.added = difference(new_set, old_set);
    change.removed = difference(old_set, new_set);
    const std::pair<const char*, std::pair<const std::string*, const std::string*>> fields[] = {
        {"idp_entity_id", {&before.idp_entity_id, &after.idp_entity_id}},
        {"sso_url", {&before.sso_url, &after.sso_url}},
        {"slo_url", {&before.slo_url, &after.slo_url}},
    };
    for (const auto& [name, values] : fields) {
        if (*values.first != *values.second) {
            change.endpoints[name] = {{"from", *values.first}, {"to", *values.second}};
        }
    }
    return change;
}

// True when the stored provider is still the one the fetch started from. An admin may
// reconfigure the org while a slow fetch is in flight; their configuration wins.
bool unchanged_since_read(const core::SamlProvider& stored, const core::SamlProvider& read) {
    return stored.metadata_url == read.metadata_url && stored.idp_entity_id == read.idp_entity_id &&
           stored.sso_url == read.sso_url && stored.slo_url == read.slo_url &&
           stored.certificates == read.certificates && stored.updated_at == read.updated_at;
}

// The refresh's audit entry for `provider`.
core::AuditEntry refresh_entry(const core::SamlProvider& provider, util::UnixTime at,
                               std::string outcome, std::string reason,
                               const nlohmann::json& details) {
    return audit_entry(provider.org_id, at, kActor, kAction, provider.idp_entity_id,
                       std::move(outcome), std::move(reason), details);
}

void record_failure(store::Store& store, util::UnixTime now, const core::SamlProvider& provider,
                    const Error& error) {
    util::metrics::count_metadata_refresh_failure(error.code);
    util::log_event(util::LogLevel::warning, "saml.metadata.refresh_failed",
                    {{"org_id", provider.org_id},
                     {"metadata_url", provider.metadata_url},
                     {"code", error.code},
                     {"message", error.message}});
    const core::AuditEntry entry =
        refresh_entry(provider, now, "failure", error.code,
                      {{"metadata_url", provider.metadata_url}, {"message", error.message}});
    const Status written =
        store.write([&](store::Transaction& tx) { return tx.append_audit(entry); });
    if (!written) {
        util::log_event(util::LogLevel::error, "saml.metadata.audit_failed",
                        {{"org_id", provider.org_id}, {"code", written.error().code}});
    }
}

enum class Outcome { unchanged, updated, failed, superseded };

Result<core::SamlProvider> fetch_and_parse(MetadataSource& source,
                                           const core::SamlProvider& provider) {
    auto document = source.fetch(provider.metadata_url);
    if (!document) return document.error();
    auto refreshed = provider_from_metadata(*document, provider);
    if (!refreshed) return refreshed.error();
    if (auto described = describe_certificates(*refreshed); !described) return described.error();
    return refreshed;
}

Outcome refresh_one(store::Store& store, const util::Clock& clock, MetadataSource& source,
                    const core::SamlProvider& provider) {
    auto refreshed = fetch_and_parse(source, provider);
    const util::UnixTime now = clock.now();
    if (!refreshed) {
        record_failure(store, now, provider, refreshed.error());
        return Outcome::failed;
    }
    const Change change = compare(provider, *refreshed);
    Outcome outcome = change.any() ? Outcome::updated : Outcome::unchanged;
    const Status written = store.write([&](store::Transaction& tx) -> Status {
        auto stored = tx.saml_provider(provider.org_id);
        if (!stored || !unchanged_since_read(*stored, provider)) {
            outcome = Outcome::superseded;
            return {};
        }
        if (!change.any()) {
            stored->metadata_fetched_at = now;
            return tx.put_saml_provider(*stored);
        }
        core::SamlProvider updated = std::move(*refreshed);
        updated.metadata_fetched_at = now;
        updated.updated_at = now;
        if (auto s = tx.put_saml_provider(updated); !s) return s;
        return tx.append_audit(refresh_entry(updated, now, "success",
                                             change.certificates_changed()
                                                 ? "saml.metadata.certificates_changed"
                                                 : "saml.metadata.endpoints_changed",
                                             {{"metadata_url", updated.metadata_url},
                                              {"certificates_added", change.added},
                                              {"certificates_removed", change.removed},
                                              {"endpoints_changed", change.endpoints}}));
    });
    if (!written) {
        util::metrics::count_metadata_refresh_failure(written.error().code);
        util::log_event(util::LogLevel::warning, "saml.metadata.refresh_failed",
                        {{"org_id", provider.org_id}, {"code", written.error().code}});
        return Outcome::failed;
    }
    if (outcome == Outcome::updated) {
        util::log_event(util::LogLevel::info, "saml.metadata.refreshed",
                        {{"org_id", provider.org_id},
                         {"certificates_added", change.added},
                         {"certificates_removed", change.removed}});
    }
    return outcome;
}

}  // namespace

RefreshReport refresh_metadata(store::Store& store, const util::Clock& clock,
                               MetadataSource& source, int interval_seconds) {
    RefreshReport report;
    std::vector<core::SamlProvider> providers;
    const Status listed = store.read([&](store::Transaction& tx) -> Status {
        providers = tx.providers_with_metadata_url();
        return {};
    });
    if (!listed) {
        util::metrics::count_metadata_refresh_failure(listed.error().code);
        util::log_event(util::LogLevel::warning, "saml.metadata.refresh_failed",
                        {{"code", listed.error().code}});
        return report;
    }
    for (const auto& provider : providers) {
        const util::UnixTime now = clock.now();
        if (!due(provider, now, interval_seconds)) continue;
        // Held for a whole interval whatever the outcome: a failed URL is tried again (and
        // audited again) once per interval across all processes, not once per pass of each.
        if (!take_job(store, kJobPrefix + std::to_string(provider.org_id), now, interval_seconds)) {
            continue;
        }
        ++report.checked;
        const Outcome outcome = refresh_one(store, clock, source, provider);
        switch (outcome) {
            case Outcome::unchanged:
                ++report.unchanged;
                break;
            case Outcome::updated:
                ++report.updated;
                break;
            case Outcome::failed:
                ++report.failed;
                break;
            case Outcome::superseded:
                break;
        }
    }
    return report;
}

MetadataRefresher::MetadataRefresher(store::Store& store, const util::Clock& clock,
                                     MetadataSource& source, int interval_seconds,
                                     std::chrono::milliseconds period)
    : store_(store),
      clock_(clock),
      source_(source),
      interval_seconds_(interval_seconds),
      period_(period),
      thread_([this] { run(); }) {}

MetadataRefresher::~MetadataRefresher() { stop(); }

void MetadataRefresher::stop() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    const std::lock_guard<std::mutex> join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
}

int MetadataRefresher::passes() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return passes_;
}

void MetadataRefresher::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        // An exception escaping a thread ends the process; a failed pass must not.
        try {
            (void)refresh_metadata(store_, clock_, source_, interval_seconds_);
        } catch (const std::exception& e) {
            util::metrics::count_metadata_refresh_failure("internal");
            util::log_event(util::LogLevel::error, "saml.metadata.refresh_failed",
                            {{"error", e.what()}});
        }
        lock.lock();
        ++passes_;
        wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
}

}  // namespace gatehouse::service
