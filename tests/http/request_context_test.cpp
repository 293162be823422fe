#include "../../src/http/request_context.hpp"

#include <doctest/doctest.h>

using gatehouse::core::Org;
using gatehouse::http::OrgNotResolved;
using gatehouse::http::RequestContext;

TEST_CASE("reading the org of a request whose path named none throws, never reads stale memory") {
    RequestContext context;
    Org acme;
    acme.slug = "acme";
    context.org = acme;
    CHECK(context.org->slug == "acme");
    // What the pre-routing handler does at the start of the next request.
    context = RequestContext{};
    CHECK_FALSE(context.org);
    CHECK_THROWS_AS(static_cast<void>(*context.org), OrgNotResolved);
    CHECK_THROWS_AS(static_cast<void>(context.org->slug), OrgNotResolved);
    CHECK_THROWS_AS(static_cast<void>(context.org.value()), OrgNotResolved);
}

TEST_CASE("a resolved org reads like an optional holding it") {
    RequestContext context;
    Org acme;
    acme.slug = "acme";
    context.org = std::optional<Org>(acme);
    REQUIRE(context.org);
    CHECK(context.org.has_value());
    CHECK((*context.org).slug == "acme");
    context.org = std::nullopt;
    CHECK_FALSE(context.org.has_value());
}
