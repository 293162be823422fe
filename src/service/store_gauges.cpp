#include "gatehouse/service/store_gauges.hpp"

#include <cctype>
#include <cmath>
#include <string>
#include <utility>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

constexpr double kSecondsPerDay = 86400;

// "AA:BB:…" to "aabb…", 16 hex digits: enough to tell an org's certificates apart.
std::string short_fingerprint(const std::string& fingerprint) {
    std::string hex;
    for (const char c : fingerprint) {
        if (c == ':') continue;
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (hex.size() == 16) break;
    }
    return hex;
}

}  // namespace

Result<std::vector<util::metrics::GaugeFamily>> read_store_gauges(store::Store& store,
                                                                  const util::Clock& clock) {
    util::metrics::GaugeFamily outbox{
        "gatehouse_mail_outbox_messages",
        "Messages in the mail outbox of every org, by state (sent ones are not counted).",
        {}};
    util::metrics::GaugeFamily expiry{
        "gatehouse_idp_certificate_expiry_days",
        "Days until each IdP signing certificate of each org expires (negative once expired).",
        {}};
    const util::UnixTime now = clock.now();
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        for (const auto& [state, name] : {std::pair{core::MailState::queued, "queued"},
                                          std::pair{core::MailState::sending, "sending"},
                                          std::pair{core::MailState::failed, "failed"}}) {
            const auto page = tx.list_all_outbound_mail(std::nullopt, state, store::Page{0, 1});
            outbox.samples.push_back({{{"state", name}}, static_cast<double>(page.total)});
        }
        for (const core::Org& org : tx.list_orgs()) {
            const auto provider = tx.saml_provider(org.id);
            if (!provider) continue;
            for (const std::string& pem : provider->certificates) {
                auto certificate = saml::Certificate::parse(pem);
                if (!certificate) {
                    util::log_event(util::LogLevel::warning, "metrics.certificate_unreadable",
                                    {{"org", org.slug}, {"error", certificate.error().code}});
                    continue;
                }
                const double days =
                    static_cast<double>(certificate->not_after() - now) / kSecondsPerDay;
                expiry.samples.push_back(
                    {{{"org", org.slug},
                      {"certificate", short_fingerprint(certificate->sha256_fingerprint())}},
                     std::floor(days * 100) / 100});
            }
        }
        return {};
    });
    if (!read) return read.error();
    return std::vector<util::metrics::GaugeFamily>{std::move(outbox), std::move(expiry)};
}

}  // namespace gatehouse::service
