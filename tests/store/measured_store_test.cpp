// with_transaction_metrics: every read and write is timed into
// gatehouse_store_transaction_duration_seconds, by kind and outcome, and passes through
// unchanged.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "gatehouse/util/metrics.hpp"
#include "store_fixture.hpp"

using namespace gatehouse;

namespace {

// The count of transactions of `kind` with `outcome` so far.
double transactions(const std::string& kind, const std::string& outcome) {
    const std::string text = util::metrics::exposition();
    const std::string series = "gatehouse_store_transaction_duration_seconds_count{kind=\"" + kind +
                               "\",outcome=\"" + outcome + "\"} ";
    const auto at = text.find(series);
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size()));
}

}  // namespace

TEST_CASE_FIXTURE(testing::StoreFixture,
                  "a measured store times each transaction by kind and outcome") {
    auto measured = store::with_transaction_metrics(open());
    const double writes_ok = transactions("write", "ok");
    const double writes_failed = transactions("write", "error");
    const double reads_ok = transactions("read", "ok");
    const double reads_failed = transactions("read", "error");

    core::Org org;
    org.slug = "acme";
    org.name = "Acme";
    REQUIRE(measured->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_org(org);
        if (!inserted) return inserted.error();
        return {};
    }));
    // A failed write rolls back, as the store it wraps does.
    CHECK_FALSE(measured->write([&](store::Transaction& tx) -> Status {
        org.slug = "globex";
        if (auto inserted = tx.insert_org(org); !inserted) return inserted.error();
        return fail("test.refused", "refused after the insert");
    }));
    std::size_t orgs = 0;
    REQUIRE(measured->read([&](store::Transaction& tx) -> Status {
        orgs = tx.list_orgs().size();
        return {};
    }));
    CHECK(orgs == 1);
    CHECK_THROWS_AS(measured->read([](store::Transaction&) -> Status {
        throw std::runtime_error("thrown inside a read");
    }),
                    std::runtime_error);
    CHECK(measured->schema_version() == store::latest_schema_version());

    CHECK(transactions("write", "ok") == writes_ok + 1);
    CHECK(transactions("write", "error") == writes_failed + 1);
    CHECK(transactions("read", "ok") == reads_ok + 1);
    CHECK(transactions("read", "error") == reads_failed + 1);
}
