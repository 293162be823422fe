// Helpers for store tests: a fresh SQLite store in a temporary folder and small builders.
#pragma once

#include <doctest/doctest.h>

#include <memory>

#include "gatehouse/store/store.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {

struct StoreFixture {
    TempDir dir;
    std::string path = dir.file("gatehouse.db");
    std::unique_ptr<store::Store> db = open();

    std::unique_ptr<store::Store> open() {
        auto opened = store::open_sqlite_store(path);
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
