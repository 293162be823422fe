// The route table: handlers registered by method and path pattern, and the lookup that picks
// the one a request runs. Independent of the transport.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "exchange.hpp"

namespace gatehouse::http {

using Handler = std::function<void(const Request&, Response&)>;

class Router {
  public:
    // Registers `handler` for `method` and `pattern`, an ECMAScript regex that must match the
    // whole decoded path; its groups reach the handler as Request::matches. The first route
    // registered that matches wins. Not safe while dispatch() runs: register everything first.
    void get(const std::string& pattern, Handler handler);
    void post(const std::string& pattern, Handler handler);
    void put(const std::string& pattern, Handler handler);
    void patch(const std::string& pattern, Handler handler);
    void del(const std::string& pattern, Handler handler);

    enum class Outcome { handled, no_route, wrong_method };

    // Runs the route for `req` (a HEAD request runs the GET route). no_route when no pattern
    // matches the path, wrong_method when one does for another method only; the response is
    // then untouched. Safe from many threads at once.
    Outcome dispatch(Request& req, Response& res) const;

  private:
    struct Route {
        std::string method;
        std::regex pattern;
        Handler handler;
    };
    void add(std::string method, const std::string& pattern, Handler handler);
    std::vector<Route> routes_;
};

}  // namespace gatehouse::http
