// A store with rows in every table, and everything the store API shows of it, so that
// tests can compare two stores field by field (migrate_store_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "gatehouse/store/store.hpp"

namespace gatehouse::testing {

// The time the tests of a program write and read at.
inline const util::UnixTime kNow = static_cast<util::UnixTime>(std::time(nullptr));

// The periodic job fill_every_table takes, held for an hour from kNow.
inline constexpr const char* kHeldJob = "test.held_job";

template <typename T>
T value_or_fail(Result<T> result) {
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    return std::move(result).value();
}

inline void require_ok(const Status& status) {
    REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message));
}

// Writes at least one row into every table of the store, every column away from its
// default where the API allows, so that a column a copy loses or changes shows.
void fill_every_table(store::Store& db);

// Everything the store API shows of the rows fill_every_table writes, org by org, as JSON.
nlohmann::json store_contents(store::Store& db);

}  // namespace gatehouse::testing
