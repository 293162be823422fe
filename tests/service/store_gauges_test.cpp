// The gauges read from the store at each scrape: the outbox by state, and each org's IdP
// certificates' days to expiry.
#include "gatehouse/service/store_gauges.hpp"

#include <doctest/doctest.h>

#include "../store/store_fixture.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/crypto.hpp"

using namespace gatehouse;

namespace {

constexpr util::UnixTime kNow = 1'900'000'000;

struct GaugeFixture : testing::StoreFixture {
    util::FixedClock clock{kNow};

    // A certificate valid from `from` for `days` days.
    std::string certificate(util::UnixTime from, int days) {
        util::FixedClock at{from};
        auto generated = saml::generate_sp_credentials("idp.example", at, days);
        REQUIRE(generated.ok());
        return generated->certificate_pem;
    }

    void configure(const core::Org& org, std::vector<std::string> certificates) {
        core::SamlProvider provider;
        provider.org_id = org.id;
        provider.idp_entity_id = "https://idp.example/" + org.slug;
        provider.sso_url = "https://idp.example/sso";
        provider.certificates = std::move(certificates);
        REQUIRE(db->write([&](store::Transaction& tx) { return tx.put_saml_provider(provider); }));
    }

    void queue_mail(const core::Org& org, core::MailState state, int count) {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            for (int i = 0; i < count; ++i) {
                core::OutboundMail mail;
                mail.org_id = org.id;
                mail.kind = "test";
                mail.to = "ada@example.com";
                mail.subject = "s";
                mail.text_body = "t";
                mail.message_id = "<" + util::random_token(12) + "@gatehouse.test>";
                mail.state = state;
                if (auto inserted = tx.insert_outbound_mail(mail); !inserted) {
                    return inserted.error();
                }
            }
            return {};
        }));
    }

    std::vector<util::metrics::GaugeFamily> gauges() {
        auto read = service::read_store_gauges(*db, clock);
        REQUIRE(read.ok());
        return std::move(*read);
    }
};

const util::metrics::GaugeFamily& family(const std::vector<util::metrics::GaugeFamily>& all,
                                         const std::string& name) {
    for (const auto& f : all) {
        if (f.name == name) return f;
    }
    FAIL("no gauge " << name);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE_FIXTURE(GaugeFixture, "the outbox gauge counts every org's messages by state") {
    const core::Org acme = make_org("acme");
    const core::Org globex = make_org("globex");
    queue_mail(acme, core::MailState::queued, 2);
    queue_mail(globex, core::MailState::queued, 1);
    queue_mail(globex, core::MailState::failed, 1);
    const auto all = gauges();
    const auto& outbox = family(all, "gatehouse_mail_outbox_messages");
    REQUIRE(outbox.samples.size() == 3);
    using Labels = std::vector<std::pair<std::string, std::string>>;
    CHECK(outbox.samples[0].first == Labels{{"state", "queued"}});
    CHECK(outbox.samples[0].second == 3);
    CHECK(outbox.samples[1].second == 0);  // sending
    CHECK(outbox.samples[2].second == 1);  // failed
}

TEST_CASE_FIXTURE(GaugeFixture,
                  "each IdP certificate of each org has its days to expiry, negative once past") {
    const core::Org acme = make_org("acme");
    const core::Org globex = make_org("globex");
    make_org("initech");                                               // no provider: no sample
    const std::string current = certificate(kNow - 100 * 86400, 130);  // 30 days left
    const std::string next = certificate(kNow, 365);
    const std::string expired = certificate(kNow - 20 * 86400, 10);  // 10 days ago
    configure(acme, {current, next});
    configure(globex, {expired,
                       "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END "
                       "CERTIFICATE-----\n"});
    const auto all = gauges();
    const auto& expiry = family(all, "gatehouse_idp_certificate_expiry_days");
    REQUIRE(expiry.samples.size() == 3);  // the unreadable certificate is left out
    const auto fingerprint_of = [](const std::string& pem) {
        std::string hex = saml::Certificate::parse(pem)->sha256_fingerprint();
        std::erase(hex, ':');
        for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return hex.substr(0, 16);
    };
    using Labels = std::vector<std::pair<std::string, std::string>>;
    CHECK(expiry.samples[0].first ==
          Labels{{"org", "acme"}, {"certificate", fingerprint_of(current)}});
    CHECK(expiry.samples[0].second == doctest::Approx(30).epsilon(0.001));
    CHECK(expiry.samples[1].first ==
          Labels{{"org", "acme"}, {"certificate", fingerprint_of(next)}});
    CHECK(expiry.samples[1].second == doctest::Approx(365).epsilon(0.001));
    CHECK(expiry.samples[2].first ==
          Labels{{"org", "globex"}, {"certificate", fingerprint_of(expired)}});
    CHECK(expiry.samples[2].second == doctest::Approx(-10).epsilon(0.001));
}

TEST_CASE_FIXTURE(GaugeFixture, "the gauges appear in the exposition text") {
    configure(make_org("acme"), {certificate(kNow, 90)});
    const std::string text = util::metrics::exposition(gauges());
    CHECK(text.find("# TYPE gatehouse_idp_certificate_expiry_days gauge") != std::string::npos);
    CHECK(text.find("gatehouse_idp_certificate_expiry_days{org=\"acme\",certificate=\"") !=
          std::string::npos);
    CHECK(text.find("gatehouse_mail_outbox_messages{state=\"queued\"} 0") != std::string::npos);
}
