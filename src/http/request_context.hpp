// Per-request state shared by the checks before routing and the handlers of one request. One
// worker thread runs a request from its checks to its log line, one request at a time, so a
// thread_local holds it safely.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "gatehouse/core/domain.hpp"

namespace gatehouse::http {

// Thrown when a handler reads the org of a request whose path resolved none. The checks before
// routing resolve the org of every path under an org prefix or answers the request itself,
// so this means a route was registered outside those prefixes: a programming error, which the
// server's exception handler answers with 404 and logs.
class OrgNotResolved : public std::logic_error {
  public:
    OrgNotResolved() : std::logic_error("a handler read the org of a path that names none") {}
};

// The org the request's path names. Reads like std::optional<core::Org>, except that
// dereferencing an empty one throws OrgNotResolved instead of reading whatever the previous
// request on this thread left in the storage.
class ResolvedOrg {
  public:
    ResolvedOrg& operator=(std::optional<core::Org> org) {
        org_ = std::move(org);
        return *this;
    }

    bool has_value() const { return org_.has_value(); }
    explicit operator bool() const { return org_.has_value(); }

    const core::Org& value() const {
        if (!org_) throw OrgNotResolved();
        return *org_;
    }
    const core::Org& operator*() const { return value(); }
    const core::Org* operator->() const { return &value(); }

  private:
    std::optional<core::Org> org_;
};

struct RequestContext {
    double started_ms = 0;
    ResolvedOrg org;        // set when the path names an existing org
    std::string org_slug;   // the slug the path names, found or not
    bool answered = false;  // the response is complete even without a body string
};

// The context of the request this thread is handling. The server resets it at
// the start of every routed request and the logger at the end of every request.
RequestContext& current_request();

}  // namespace gatehouse::http
