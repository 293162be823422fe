#include "support/github_standin.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"

namespace gatehouse::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// GitHub's codes expire after ten minutes.
constexpr auto kCodeLifetime = std::chrono::minutes(10);

struct IssuedCode {
    std::string client_id;
    std::string redirect_uri;
    std::string login;
    std::string scope;
    Clock::time_point issued;
};

struct IssuedToken {
    std::string login;
    std::string scope;
};

std::string param(const httplib::Request& request, const std::string& name) {
    return request.has_param(name) ? request.get_param_value(name) : "";
}

// GitHub takes scopes separated by spaces (or commas) and reports them comma-separated.
std::string normalize_scope(const std::string& requested) {
    std::string scope;
    std::string current;
    for (const char c : requested + " ") {
        if (c == ' ' || c == ',') {
            if (!current.empty()) scope += (scope.empty() ? "" : ",") + current;
            current.clear();
        } else {
            current += c;
        }
    }
    return scope;
}

std::string with_query(const std::string& url,
                       const std::vector<std::pair<std::string, std::string>>& params) {
    std::string result = url;
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [name, value] : params) {
        result += separator + util::url_encode(name) + "=" + util::url_encode(value);
        separator = '&';
    }
    return result;
}

void send_json(httplib::Response& response, int status, const json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json; charset=utf-8");
}

}  // namespace

struct GithubStandIn::State {
    std::mutex mutex;
    std::vector<GithubOAuthApp> apps;
    std::vector<GithubUser> users;
    std::string current_login;
    std::map<std::string, IssuedCode> codes;
    std::map<std::string, IssuedToken> tokens;
    std::vector<GithubRequest> requests;

    const GithubOAuthApp* app(const std::string& client_id) const {
        for (const auto& candidate : apps) {
            if (candidate.client_id == client_id) return &candidate;
        }
        return nullptr;
    }

    const GithubUser* user(const std::string& login) const {
        for (const auto& candidate : users) {
            if (candidate.login == login) return &candidate;
        }
        return nullptr;
    }

    void record(const httplib::Request& request) {
        GithubRequest entry{.method = request.method,
                            .path = request.path,
                            .params = {},
                            .authorization = request.get_header_value("Authorization"),
                            .accept = request.get_header_value("Accept")};
        for (const auto& [name, value] : request.params) entry.params.emplace(name, value);
        requests.push_back(std::move(entry));
    }

    void authorize(const httplib::Request& request, httplib::Response& response);
    void access_token(const httplib::Request& request, httplib::Response& response);
    // The user whose token the Authorization header carries; answers 401 and returns null
    // when there is none.
    const GithubUser* authenticated(const httplib::Request& request, httplib::Response& response,
                                    std::string* scope);
};

void GithubStandIn::State::authorize(const httplib::Request& request, httplib::Response& response) {
    const GithubOAuthApp* registered = app(param(request, "client_id"));
    if (!registered) {
        response.status = 404;
        response.set_content("<!DOCTYPE html><title>Not Found</title><h1>404</h1>", "text/html");
        return;
    }
    const std::string state = param(request, "state");
    std::string redirect_uri = param(request, "redirect_uri");
    if (redirect_uri.empty()) redirect_uri = registered->callback_url;
    if (!redirect_uri.starts_with(registered->callback_url)) {
        response.set_redirect(
            with_query(registered->callback_url,
                       {{"error", "redirect_uri_mismatch"},
                        {"error_description", "The redirect_uri is not under the callback URL."},
                        {"state", state}}));
        return;
    }
    if (!user(current_login)) {
        response.status = 500;
        response.set_content("no current user", "text/plain");
        return;
    }
    const std::string code = util::hex_encode(util::random_bytes(10));
    codes[code] = {.client_id = registered->client_id,
                   .redirect_uri = redirect_uri,
                   .login = current_login,
                   .scope = normalize_scope(param(request, "scope")),
                   .issued = Clock::now()};
    response.set_redirect(with_query(redirect_uri, {{"code", code}, {"state", state}}));
}

void GithubStandIn::State::access_token(const httplib::Request& request,
                                        httplib::Response& response) {
    const bool wants_json =
        request.get_header_value("Accept").find("application/json") != std::string::npos;
    const auto answer = [&](const json& fields) {
        // Errors too come with 200, as GitHub's do.
        if (wants_json) {
            send_json(response, 200, fields);
            return;
        }
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const auto& [name, value] : fields.items()) {
            pairs.emplace_back(name, value.get<std::string>());
        }
        response.set_content(with_query("", pairs).substr(1),
                             "application/x-www-form-urlencoded; charset=utf-8");
    };
    const auto error = [&](const std::string& code, const std::string& description) {
        answer({{"error", code}, {"error_description", description}});
    };

    const GithubOAuthApp* registered = app(param(request, "client_id"));
    if (!registered || registered->client_secret != param(request, "client_secret")) {
        error("incorrect_client_credentials", "The client_id or client_secret is wrong.");
        return;
    }
    // A code works once: it is gone whether or not this exchange succeeds.
    const auto found = codes.find(param(request, "code"));
    if (found == codes.end()) {
        error("bad_verification_code", "The code is wrong, used or expired.");
        return;
    }
    const IssuedCode issued = found->second;
    codes.erase(found);
    if (issued.client_id != registered->client_id || Clock::now() - issued.issued > kCodeLifetime) {
        error("bad_verification_code", "The code is wrong, used or expired.");
        return;
    }
    const std::string redirect_uri = param(request, "redirect_uri");
    if (!redirect_uri.empty() && redirect_uri != issued.redirect_uri) {
        error("redirect_uri_mismatch", "The redirect_uri differs from the authorization's.");
        return;
    }
    const std::string token = "gho_" + util::hex_encode(util::random_bytes(18));
    tokens[token] = {.login = issued.login, .scope = issued.scope};
    answer({{"access_token", token}, {"token_type", "bearer"}, {"scope", issued.scope}});
}

const GithubUser* GithubStandIn::State::authenticated(const httplib::Request& request,
                                                      httplib::Response& response,
                                                      std::string* scope) {
    const std::string header = request.get_header_value("Authorization");
    std::string token;
    for (const std::string_view scheme : {"Bearer ", "bearer ", "token "}) {
        if (header.starts_with(scheme)) token = header.substr(scheme.size());
    }
    const auto unauthorized = [&](const std::string& message) {
        send_json(response, 401,
                  {{"message", message}, {"documentation_url", "https://docs.github.com/rest"}});
        return nullptr;
    };
    if (token.empty()) return unauthorized("Requires authentication");
    const auto found = tokens.find(token);
    if (found == tokens.end()) return unauthorized("Bad credentials");
    *scope = found->second.scope;
    const GithubUser* owner = user(found->second.login);
    if (!owner) return unauthorized("Bad credentials");
    return owner;
}

GithubStandIn::GithubStandIn(std::vector<GithubOAuthApp> apps, std::vector<GithubUser> users,
                             std::shared_ptr<const TestCa> ca)
    : ca_(ca ? std::move(ca) : std::make_shared<const TestCa>()),
      state_(std::make_shared<State>()) {
    state_->apps = std::move(apps);
    state_->users = std::move(users);
    if (!state_->users.empty()) state_->current_login = state_->users.front().login;

    const auto locked = [state = state_](auto handler) {
        return [state, handler](const httplib::Request& request, httplib::Response& response) {
            std::lock_guard lock(state->mutex);
            state->record(request);
            handler(*state, request, response);
        };
    };
    // Each API answer carries the token's scopes in X-OAuth-Scopes, as GitHub's do.
    const auto api = [locked](auto render) {
        return locked(
            [render](State& state, const httplib::Request& request, httplib::Response& response) {
                std::string scope;
                const GithubUser* user = state.authenticated(request, response, &scope);
                if (!user) return;
                response.set_header("X-OAuth-Scopes", scope);
                send_json(response, 200, render(*user));
            });
    };

    server_ = std::make_unique<TestHttpsServer>(ca_->leaf(), [&](httplib::Server& server) {
        server.Get("/login/oauth/authorize",
                   locked([](State& state, const auto& request, auto& response) {
                       state.authorize(request, response);
                   }));
        server.Post("/login/oauth/access_token",
                    locked([](State& state, const auto& request, auto& response) {
                        state.access_token(request, response);
                    }));
        server.Get("/user", api([](const GithubUser& user) {
                       json email = nullptr;
                       for (const auto& address : user.emails) {
                           if (address.primary) email = address.email;
                       }
                       return json{{"login", user.login},
                                   {"id", user.id},
                                   {"type", "User"},
                                   {"name", user.name},
                                   {"email", email}};
                   }));
        server.Get("/user/emails", api([](const GithubUser& user) {
                       json emails = json::array();
                       for (const auto& address : user.emails) {
                           emails.push_back(
                               {{"email", address.email},
                                {"primary", address.primary},
                                {"verified", address.verified},
                                {"visibility", address.primary ? json("public") : json(nullptr)}});
                       }
                       return emails;
                   }));
        server.Get("/user/orgs", api([](const GithubUser& user) {
                       json orgs = json::array();
                       std::int64_t id = 1000;
                       for (const auto& login : user.orgs) {
                           orgs.push_back({{"login", login}, {"id", ++id}, {"description", ""}});
                       }
                       return orgs;
                   }));
    });
}

GithubStandIn::~GithubStandIn() = default;

std::string GithubStandIn::base_url() const { return server_->url("", "localhost"); }

int GithubStandIn::port() const { return server_->port(); }

void GithubStandIn::set_current_user(const std::string& login) {
    std::lock_guard lock(state_->mutex);
    if (!state_->user(login)) throw std::invalid_argument("GithubStandIn: no user " + login);
    state_->current_login = login;
}

std::vector<GithubRequest> GithubStandIn::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

}  // namespace gatehouse::testing
