// Helpers for store tests: a fresh store and small builders. The store is a SQLite file in a
// temporary folder, or, when GATEHOUSE_TEST_STORE=postgresql, a fresh database on the
// PostgreSQL server this test program starts on first use.
#pragma once

#include <doctest/doctest.h>

#include <memory>

#include "gatehouse/store/store.hpp"
#include "support/postgres_server.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

// Opens a test of SQLite itself (its file, its log, its migrations, its SQL filters): ends the
// test at once, with a message, when the store tests run against PostgreSQL.
#define GATEHOUSE_SKIP_ON_POSTGRES()                           \
    if (::gatehouse::testing::testing_postgres()) {            \
        MESSAGE("about SQLite itself: skipped on PostgreSQL"); \
        return;                                                \
    }

struct StoreFixture {
    TempDir dir;
    // What store::open_store opens: the SQLite file's path or the PostgreSQL database's URL.
    std::string path =
        testing_postgres() ? shared_postgres_server().create_database() : dir.file("gatehouse.db");
    std::unique_ptr<store::Store> db = open();

    // Another Store on the same database (as another process would open it).
    std::unique_ptr<store::Store> open() {
        auto opened = store::open_store(path);
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
        return std::move(opened).value();
    }

    core::Org make_org(const std::string& slug) {
        core::Org org;
        org.slug = slug;
        org.name = slug;
        core::Org created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_org(org);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    }

    core::Member make_member(core::RowId org_id, const std::string& user_name) {
        core::Member m;
        m.org_id = org_id;
        m.user_name = user_name;
        m.email = user_name + "@example.com";
        core::Member created;
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            created = *inserted;
            return {};
        }));
        return created;
    }
};

}  // namespace gatehouse::testing
