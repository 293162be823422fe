#include "router.hpp"

namespace gatehouse::http {

void Router::add(std::string method, const std::string& pattern, Handler handler) {
    routes_.push_back(Route{std::move(method), std::regex(pattern), std::move(handler)});
}

void Router::get(const std::string& pattern, Handler handler) {
    add("GET", pattern, std::move(handler));
}
void Router::post(const std::string& pattern, Handler handler) {
    add("POST", pattern, std::move(handler));
}
void Router::put(const std::string& pattern, Handler handler) {
    add("PUT", pattern, std::move(handler));
}
void Router::patch(const std::string& pattern, Handler handler) {
    add("PATCH", pattern, std::move(handler));
}
void Router::del(const std::string& pattern, Handler handler) {
    add("DELETE", pattern, std::move(handler));
}

Router::Outcome Router::dispatch(Request& req, Response& res) const {
    const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
    bool path_known = false;
    for (const Route& route : routes_) {
        std::smatch matches;
        if (!std::regex_match(req.path, matches, route.pattern)) continue;
        if (route.method != method) {
            path_known = true;
            continue;
        }
        req.matches = std::move(matches);
        route.handler(req, res);
        return Outcome::handled;
    }
    return path_known ? Outcome::wrong_method : Outcome::no_route;
}

}  // namespace gatehouse::http
