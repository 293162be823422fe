#include <doctest/doctest.h>
#include <sched.h>

#include "gatehouse/http/server.hpp"

using namespace gatehouse::http;

TEST_CASE("the default worker count is two per CPU; an explicit count is kept") {
    CHECK(worker_count(0, 1) == 2);
    CHECK(worker_count(0, 2) == 4);
    CHECK(worker_count(0, 16) == 32);
    CHECK(worker_count(0, 0) == 2);
    CHECK(worker_count(8, 2) == 8);
    CHECK(worker_count(1, 64) == 1);
}

TEST_CASE("the CPUs counted are those of the process's affinity mask") {
    cpu_set_t original;
    CPU_ZERO(&original);
    REQUIRE(sched_getaffinity(0, sizeof original, &original) == 0);
    CHECK(available_cpus() == static_cast<std::size_t>(CPU_COUNT(&original)));

    int first = 0;
    while (!CPU_ISSET(first, &original)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    CHECK(available_cpus() == 1);
    CHECK(worker_count(0, available_cpus()) == 2);
    REQUIRE(sched_setaffinity(0, sizeof original, &original) == 0);
}
