#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::TempDir;

namespace {

std::int64_t file_size(const std::string& path) {
    struct stat info {};
    return stat(path.c_str(), &info) == 0 ? static_cast<std::int64_t>(info.st_size) : -1;
}

}  // namespace

TEST_CASE("the write-ahead log is copied into the database by the store, not left to grow") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    TempDir dir;
    const std::string path = dir.file("gatehouse.db");
    auto opened = store::open_sqlite_store(path);
    REQUIRE(opened.ok());
    auto& store = **opened;
    const std::int64_t before = file_size(path);

    // About 1,500 orgs with long names: well over the checkpoint threshold of log pages.
    const std::string padding(2000, 'x');
    for (int i = 0; i < 1500; ++i) {
        REQUIRE(store.write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = "org-" + std::to_string(i);
            org.name = padding + std::to_string(i);
            auto inserted = tx.insert_org(org);
            return inserted ? Status{} : Status{inserted.error()};
        }));
    }
    // The database file itself grows only when a checkpoint copies the log into it; the
    // writer asks for one as the log passes the threshold, well before the periodic one.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (file_size(path) < before + 2'000'000 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(file_size(path) >= before + 2'000'000);

    // Everything written is read back whole through a fresh store on the same file.
    auto reopened = store::open_sqlite_store(path);
    REQUIRE(reopened.ok());
    REQUIRE((*reopened)->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("org-0").has_value());
        CHECK(tx.org_by_slug("org-1499").has_value());
        CHECK(tx.list_orgs().size() >= 1500);
        return {};
    }));
}
