#include "support/oidc_op.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace gatehouse::testing {
namespace {

using nlohmann::json;

const std::string kScript = std::string(GATEHOUSE_SOURCE_DIR) + "/tests/interop/oidc_op.js";
constexpr std::chrono::seconds kStartTimeout{30};

json client_json(const OidcClient& client) {
    json entry = {{"client_id", client.client_id},
                  {"client_secret", client.client_secret},
                  {"redirect_uris", client.redirect_uris}};
    if (!client.token_endpoint_auth_method.empty()) {
        entry["token_endpoint_auth_method"] = client.token_endpoint_auth_method;
    }
    return entry;
}

json account_json(const OidcAccount& account) {
    json entry = {{"sub", account.sub},
                  {"email", account.email},
                  {"email_verified", account.email_verified},
                  {"given_name", account.given_name},
                  {"family_name", account.family_name},
                  {"name", account.name}};
    if (!account.hd.empty()) entry["hd"] = account.hd;
    if (!account.role.empty()) entry["gatehouse_role"] = account.role;
    if (!account.groups.empty()) entry["groups"] = account.groups;
    return entry;
}

json config_json(const OidcProviderConfig& config, const TestCa& ca) {
    json clients = json::array();
    for (const auto& client : config.clients) clients.push_back(client_json(client));
    json accounts = json::array();
    for (const auto& account : config.accounts) accounts.push_back(account_json(account));
    return {{"port", 0},
            {"host", "127.0.0.1"},
            {"issuer_host", "localhost"},
            {"tls", {{"key", ca.leaf().key_file}, {"cert", ca.leaf().certificate_file}}},
            {"clients", clients},
            {"accounts", accounts},
            {"signing", config.signing},
            {"login", config.login == OidcLogin::form ? "form" : "auto"}};
}

bool is_ready_line(const std::string& line) { return line.starts_with(R"({"ready":true)"); }

}  // namespace

std::string to_string(IdTokenMutation mutation) {
    switch (mutation) {
        case IdTokenMutation::wrong_nonce:
            return "wrong_nonce";
        case IdTokenMutation::wrong_audience:
            return "wrong_audience";
        case IdTokenMutation::expired:
            return "expired";
        case IdTokenMutation::tampered:
            return "tampered";
        case IdTokenMutation::alg_none:
            return "alg_none";
        case IdTokenMutation::unknown_kid:
            return "unknown_kid";
        case IdTokenMutation::hs256:
            return "hs256";
        case IdTokenMutation::wrong_issuer:
            return "wrong_issuer";
    }
    throw std::logic_error("unknown IdTokenMutation");
}

OidcProviderProcess::OidcProviderProcess(const OidcProviderConfig& config,
                                         std::shared_ptr<const TestCa> ca)
    : ca_(ca ? std::move(ca) : std::make_shared<const TestCa>()) {
    const std::string config_file = dir_.file("oidc_op.json");
    std::ofstream(config_file) << config_json(config, *ca_).dump(2);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"node", kScript, "--config", config_file});
    const std::string ready = process_->wait_for_line(is_ready_line, kStartTimeout);
    issuer_ = json::parse(ready).at("issuer").get<std::string>();
    port_ = std::stoi(issuer_.substr(issuer_.rfind(':') + 1));
}

OidcProviderProcess::~OidcProviderProcess() = default;

std::unique_ptr<httplib::SSLClient> OidcProviderProcess::client() const {
    return loopback_https_client(port_, ca_file());
}

std::string OidcProviderProcess::control(const std::string& method, const std::string& path,
                                         const std::string& json_body) const {
    const auto https = client();
    const auto response = method == "GET"
                              ? https->Get(path.c_str())
                              : https->Post(path.c_str(), json_body, "application/json");
    if (!response) {
        throw std::runtime_error("oidc_op control " + path + ": " +
                                 httplib::to_string(response.error()) + "\n" + log());
    }
    if (response->status != 200) {
        throw std::runtime_error("oidc_op control " + path + " answered " +
                                 std::to_string(response->status) + ": " + response->body + "\n" +
                                 log());
    }
    return response->body;
}

void OidcProviderProcess::select_login(const std::string& sub) {
    control("POST", "/__control/login", json{{"sub", sub}}.dump());
}

std::vector<std::string> OidcProviderProcess::rotate_keys(bool keep_old) {
    const auto answer =
        json::parse(control("POST", "/__control/rotate", json{{"keep_old", keep_old}}.dump()));
    return answer.at("kids").get<std::vector<std::string>>();
}

void OidcProviderProcess::mutate_next_token(IdTokenMutation mutation) {
    control("POST", "/__control/mutate", json{{"mode", to_string(mutation)}}.dump());
}

std::vector<TokenRequest> OidcProviderProcess::token_requests() const {
    std::vector<TokenRequest> requests;
    for (const auto& entry : json::parse(control("GET", "/__control/requests", ""))) {
        TokenRequest request;
        request.grant_type = entry.value("grant_type", "");
        request.code_verifier = entry.value("code_verifier", false);
        request.client_auth_method = entry.value("client_auth_method", "");
        request.status = entry.value("status", 0);
        request.error = entry.value("error", "");
        requests.push_back(request);
    }
    return requests;
}

}  // namespace gatehouse::testing
