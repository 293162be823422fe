#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::TempDir;

namespace {

// In a child process: writes orgs one transaction at a time and reports each slug on `ack`
// right after write() returned ok. Runs until killed.
[[noreturn]] void write_until_killed(const std::string& path, int ack) {
    auto opened = store::open_sqlite_store(path);
    if (!opened) _exit(3);
    for (int i = 0;; ++i) {
        const std::string slug = "org-" + std::to_string(i);
        const Status status = (*opened)->write([&](store::Transaction& tx) -> Status {
            core::Org org;
            org.slug = slug;
            org.name = slug;
            auto inserted = tx.insert_org(org);
            return inserted ? Status{} : Status{inserted.error()};
        });
        if (!status) _exit(4);
        const std::string line = slug + "\n";
        if (write(ack, line.data(), line.size()) < 0) _exit(5);
    }
}

}  // namespace

TEST_CASE("every write acknowledged before kill -9 is in the store afterwards") {
    GATEHOUSE_SKIP_ON_POSTGRES();
    TempDir dir;
    const std::string path = dir.file("gatehouse.db");
    REQUIRE(store::open_sqlite_store(path).ok());  // create the schema first
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(fds[0]);
        write_until_killed(path, fds[1]);
    }
    close(fds[1]);
    std::string acknowledged;
    char buffer[4096];
    while (std::count(acknowledged.begin(), acknowledged.end(), '\n') < 200) {
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        REQUIRE(n > 0);
        acknowledged.append(buffer, static_cast<std::size_t>(n));
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
        acknowledged.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);

    std::set<std::string> slugs;
    std::size_t start = 0;
    while (start < acknowledged.size()) {
        const auto end = acknowledged.find('\n', start);
        if (end == std::string::npos) break;  // a partial line was never acknowledged
        slugs.insert(acknowledged.substr(start, end - start));
        start = end + 1;
    }
    auto reopened = store::open_sqlite_store(path);
    REQUIRE(reopened.ok());
    REQUIRE((*reopened)->read([&](store::Transaction& tx) -> Status {
        for (const auto& slug : slugs) CHECK_MESSAGE(tx.org_by_slug(slug).has_value(), slug);
        return {};
    }));
    CHECK(slugs.size() >= 200);
}
