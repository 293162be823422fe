#include "gatehouse/service/metadata_refresh.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "gatehouse/util/metrics.hpp"
#include "service/metadata_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::fingerprint;
using gatehouse::testing::IdpDocument;
using gatehouse::testing::kMetadataUrl;
using gatehouse::testing::MetadataFixture;

namespace {

constexpr int kInterval = 3600;

const std::string& first_certificate() {
    return gatehouse::testing::shared_test_idp().identity().certificate_pem;
}
const std::string& second_certificate() {
    return gatehouse::testing::other_test_idp().identity().certificate_pem;
}

IdpDocument signed_by(std::vector<std::string> certificates) {
    IdpDocument idp;
    idp.certificates = std::move(certificates);
    return idp;
}

// A provider configured from kMetadataUrl an interval ago, so the next refresh is due.
struct RefreshFixture : MetadataFixture {
    RefreshFixture() {
        configure_from_url(IdpDocument{});
        clock.advance(kInterval);
    }

    service::RefreshReport refresh() {
        return service::refresh_metadata(*db, clock, source, kInterval);
    }

    nlohmann::json only_refresh_details() {
        const auto entries = audit("saml.metadata.refresh");
        REQUIRE(entries.size() == 1);
        return nlohmann::json::parse(entries[0].details);
    }
};

template <typename Predicate>
bool eventually(Predicate done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

}  // namespace

TEST_CASE(
    "refresh_metadata applies a certificate rollover and audits fingerprints added and removed") {
    RefreshFixture f;
    f.publish(signed_by({second_certificate()}));
    const auto report = f.refresh();
    CHECK(report.checked == 1);
    CHECK(report.updated == 1);
    const auto stored = f.stored();
    REQUIRE(stored.certificates.size() == 1);
    CHECK(fingerprint(stored.certificates[0]) == fingerprint(second_certificate()));
    CHECK(stored.metadata_fetched_at == f.clock.now());
    CHECK(stored.updated_at == f.clock.now());

    const auto entries = f.audit("saml.metadata.refresh");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].actor == "system");
    CHECK(entries[0].outcome == "success");
    CHECK(entries[0].reason_code == "saml.metadata.certificates_changed");
    const auto details = nlohmann::json::parse(entries[0].details);
    CHECK(details["certificates_added"] == nlohmann::json{fingerprint(second_certificate())});
    CHECK(details["certificates_removed"] == nlohmann::json{fingerprint(first_certificate())});
}

TEST_CASE("refresh_metadata keeps the mapping, preset and options of the provider it updates") {
    RefreshFixture f;
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto provider = tx.saml_provider(f.org.id);
        provider->preset = "okta";
        provider->mapping.email = "mail";
        provider->options.allow_sha1 = true;
        provider->options.clock_skew_seconds = 30;
        return tx.put_saml_provider(*provider);
    }));
    f.publish(signed_by({first_certificate(), second_certificate()}));
    CHECK(f.refresh().updated == 1);
    const auto stored = f.stored();
    CHECK(stored.certificates.size() == 2);
    CHECK(stored.preset == "okta");
    CHECK(stored.mapping.email == "mail");
    CHECK(stored.options.allow_sha1);
    CHECK(stored.options.clock_skew_seconds == 30);
    CHECK(stored.metadata_url == kMetadataUrl);
}

TEST_CASE("refresh_metadata audits changed endpoints without a certificate reason") {
    RefreshFixture f;
    IdpDocument moved;
    moved.sso_url = "https://idp.example.com/sso/v2";
    moved.slo_url = "https://idp.example.com/slo";
    f.publish(moved);
    CHECK(f.refresh().updated == 1);
    CHECK(f.stored().sso_url == "https://idp.example.com/sso/v2");
    CHECK(f.stored().slo_url == "https://idp.example.com/slo");
    const auto entries = f.audit("saml.metadata.refresh");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].reason_code == "saml.metadata.endpoints_changed");
    const auto details = nlohmann::json::parse(entries[0].details);
    CHECK(details["endpoints_changed"]["sso_url"]["from"] == "https://idp.example.com/sso");
    CHECK(details["endpoints_changed"]["sso_url"]["to"] == "https://idp.example.com/sso/v2");
    CHECK(details["endpoints_changed"]["slo_url"]["to"] == "https://idp.example.com/slo");
    CHECK(details["certificates_added"].empty());
}

TEST_CASE("refresh_metadata only moves the fetch time when the document is unchanged") {
    RefreshFixture f;
    const auto before = f.stored();
    const auto report = f.refresh();
    CHECK(report.unchanged == 1);
    CHECK(report.updated == 0);
    const auto after = f.stored();
    CHECK(after.metadata_fetched_at == f.clock.now());
    CHECK(after.updated_at == before.updated_at);
    CHECK(after.certificates == before.certificates);
    CHECK(f.audit("saml.metadata.refresh").empty());
}

TEST_CASE("refresh_metadata does not fetch a provider fetched less than an interval ago") {
    MetadataFixture f;
    f.configure_from_url(IdpDocument{});
    f.clock.advance(kInterval - 1);
    const auto report = service::refresh_metadata(*f.db, f.clock, f.source, kInterval);
    CHECK(report.checked == 0);
    CHECK(f.source.fetches() == 1);  // the configuration's own fetch
}

TEST_CASE("refresh_metadata fetches a provider that has a URL but was never fetched") {
    MetadataFixture f;
    f.configure_from_url(IdpDocument{});
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        auto provider = tx.saml_provider(f.org.id);
        provider->metadata_fetched_at.reset();
        return tx.put_saml_provider(*provider);
    }));
    CHECK(service::refresh_metadata(*f.db, f.clock, f.source, kInterval).checked == 1);
    CHECK(f.stored().metadata_fetched_at == f.clock.now());
}

TEST_CASE("refresh_metadata leaves providers configured without a URL alone") {
    MetadataFixture f;
    service::ProviderInput input;
    input.metadata_xml = gatehouse::testing::metadata_document(IdpDocument{});
    REQUIRE(f.configure(input).ok());
    f.clock.advance(kInterval);
    CHECK(service::refresh_metadata(*f.db, f.clock, f.source, kInterval).checked == 0);
    CHECK(f.source.fetches() == 0);
}

TEST_CASE("refresh_metadata keeps the configuration and audits a failed fetch with its code") {
    RefreshFixture f;
    const auto before = f.stored();
    const auto failures_counted = [] {
        const std::string text = util::metrics::exposition();
        const std::string series =
            R"(gatehouse_metadata_refresh_failures_total{reason="saml.metadata_url.tls"} )";
        const auto at = text.find(series);
        return at == std::string::npos ? 0.0 : std::stod(text.substr(at + series.size()));
    };
    const double counted_before = failures_counted();
    f.source.serve(kMetadataUrl, fail("saml.metadata_url.tls", "The certificate has expired."));
    const auto report = f.refresh();
    CHECK(report.failed == 1);
    CHECK(failures_counted() == counted_before + 1);
    const auto after = f.stored();
    CHECK(after.certificates == before.certificates);
    CHECK(after.metadata_fetched_at == before.metadata_fetched_at);
    const auto entries = f.audit("saml.metadata.refresh");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].outcome == "failure");
    CHECK(entries[0].reason_code == "saml.metadata_url.tls");
    CHECK(nlohmann::json::parse(entries[0].details)["message"] == "The certificate has expired.");
}

TEST_CASE("refresh_metadata treats a document that is no longer IdP metadata as a failure") {
    RefreshFixture f;
    const auto before = f.stored();
    f.source.serve(kMetadataUrl, std::string("<html>maintenance</html>"));
    CHECK(f.refresh().failed == 1);
    CHECK(f.stored().certificates == before.certificates);
    const auto entries = f.audit("saml.metadata.refresh");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].reason_code.rfind("saml.metadata.", 0) == 0);
}

TEST_CASE("refresh_metadata retries a failed provider only once the interval has passed again") {
    RefreshFixture f;
    f.source.serve(kMetadataUrl, fail("saml.metadata_url.unreachable", "No answer."));
    CHECK(f.refresh().failed == 1);
    f.clock.advance(60);
    CHECK(f.refresh().checked == 0);
    CHECK(f.audit("saml.metadata.refresh").size() == 1);
    f.clock.advance(kInterval - 60);
    f.publish(IdpDocument{});
    CHECK(f.refresh().unchanged == 1);
}

TEST_CASE("refresh_metadata leaves a provider that another process is refreshing alone") {
    RefreshFixture f;
    // While the first pass fetches, a second pass (another process on the same store) finds
    // the provider still due by its metadata_fetched_at, but its job taken.
    service::RefreshReport during;
    bool nested = false;
    f.source.before_answer = [&] {
        if (nested) return;
        nested = true;
        during = service::refresh_metadata(*f.db, f.clock, f.source, kInterval);
    };
    CHECK(f.refresh().unchanged == 1);
    REQUIRE(nested);
    CHECK(during.checked == 0);
    CHECK(f.source.fetches() == 2);  // the configuration's own and the first pass's
}

TEST_CASE("refresh_metadata keeps an admin's configuration made while the document was fetched") {
    RefreshFixture f;
    f.publish(signed_by({second_certificate()}));
    bool reconfigured = false;
    f.source.before_answer = [&f, &reconfigured] {
        if (reconfigured) return;
        reconfigured = true;
        service::ProviderInput input;
        input.idp_entity_id = "https://other-idp.example.com";
        input.sso_url = "https://other-idp.example.com/sso";
        input.certificates = {first_certificate()};
        REQUIRE(f.configure(input).ok());
    };
    const auto report = f.refresh();
    CHECK(report.checked == 1);
    CHECK(report.updated == 0);
    const auto stored = f.stored();
    CHECK(stored.idp_entity_id == "https://other-idp.example.com");
    CHECK(stored.metadata_url.empty());
    CHECK(f.audit("saml.metadata.refresh").empty());
}

TEST_CASE("MetadataRefresher refreshes at once and again every period until stopped") {
    RefreshFixture f;
    f.publish(signed_by({second_certificate()}));
    service::MetadataRefresher refresher(*f.db, f.clock, f.source, kInterval,
                                         std::chrono::milliseconds(5));
    REQUIRE(eventually([&] { return refresher.passes() >= 3; }));
    refresher.stop();
    const int passes = refresher.passes();
    CHECK(fingerprint(f.stored().certificates[0]) == fingerprint(second_certificate()));
    // The fixed clock does not move, so only the first pass found the provider due.
    CHECK(f.source.fetches() == 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(refresher.passes() == passes);
}

TEST_CASE("MetadataRefresher stops promptly in the middle of a long period") {
    RefreshFixture f;
    const auto started = std::chrono::steady_clock::now();
    {
        service::MetadataRefresher refresher(*f.db, f.clock, f.source, kInterval,
                                             std::chrono::hours(1));
        REQUIRE(eventually([&] { return refresher.passes() >= 1; }));
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("MetadataRefresher can be stopped twice") {
    RefreshFixture f;
    service::MetadataRefresher refresher(*f.db, f.clock, f.source, kInterval,
                                         std::chrono::hours(1));
    refresher.stop();
    refresher.stop();
    CHECK(refresher.passes() <= 1);
}
