// The SCIM 2.0 endpoints of an org: bearer authentication, request decoding (media type,
// JSON, query parameters) and SCIM-shaped responses around ProvisioningService.
#include <memory>

#include "gatehouse/scim/discovery.hpp"
#include "gatehouse/scim/error.hpp"
#include "gatehouse/service/bearer_auth.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "gatehouse/util/log.hpp"
#include "json_body.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

using nlohmann::json;
using service::ProvisioningService;
using service::ScimClient;

constexpr const char* kScimMediaType = "application/scim+json";
constexpr const char* kScimPrefix = R"(/api/0/organizations/[^/]+/scim/v2)";
constexpr std::string_view kUnsupportedMediaType = "http.unsupported_media_type";

using ScimHandler =
    std::function<void(ProvisioningService&, const ScimClient&, const Request&, Response&)>;

std::string route(std::string_view suffix) {
    return std::string(kScimPrefix) + std::string(suffix);
}

void send_scim(Response& res, int status, const json& body, const std::string& etag = {}) {
    if (!etag.empty()) res.set_header("ETag", etag);
    send_json(res, status, body, kScimMediaType);
}

void send_scim_error(Response& res, const scim::ScimError& error) {
    if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    send_json(res, error.status, scim::to_json(error), kScimMediaType);
}

void send_failure(const Request& req, Response& res, const Error& error) {
    if (error.code == service::kScimUnauthorized)
        return send_scim_error(res, {401, "", error.message});
    if (error.code == service::kScimDisabled || error.code == service::kScimOwnerProtected)
        return send_scim_error(res, {403, "", error.message});
    if (error.code == kUnsupportedMediaType) return send_scim_error(res, {415, "", error.message});
    const scim::ScimError scim_error = scim::to_scim_error(error);
    if (scim_error.status >= 500) {
        util::log_event(util::LogLevel::error, "scim.failure",
                        {{"path", req.path}, {"code", error.code}, {"message", error.message}});
    }
    send_scim_error(res, scim_error);
}

std::optional<std::string_view> param(const Request& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    // The parameters live as long as the request; the view stays valid.
    return std::string_view(req.params.find(name)->second);
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// The JSON body of a POST, PUT or PATCH. RFC 7644 §3.1 names application/scim+json; IdPs
// also send application/json, and some clients send no Content-Type at all, so all three
// are read. Anything else is a 415: the body is not a SCIM message.
Result<json> read_body(const Request& req) {
    std::string media = lowercase(req.get_header_value("Content-Type"));
    media = media.substr(0, media.find(';'));
    while (!media.empty() && media.back() == ' ') media.pop_back();
    if (!media.empty() && media != kScimMediaType && media != "application/json") {
        return fail(std::string(kUnsupportedMediaType),
                    "The request body must be application/scim+json or application/json.");
    }
    auto body = parse_json_body(req.body);
    if (!body) return scim::scim_fail("invalidSyntax", body.error().message);
    return body;
}

service::IfMatch if_match(const Request& req) {
    if (!req.has_header("If-Match")) return std::nullopt;
    return req.get_header_value("If-Match");
}

Result<scim::Projection> projection_of(const Request& req) {
    return scim::parse_projection(param(req, "attributes"), param(req, "excludedAttributes"));
}

Result<service::ScimQuery> query_of(const Request& req) {
    service::ScimQuery query;
    if (auto filter = param(req, "filter")) query.filter = std::string(*filter);
    auto page = scim::parse_page(param(req, "startIndex"), param(req, "count"));
    if (!page) return page.error();
    query.page = *page;
    auto projection = projection_of(req);
    if (!projection) return projection.error();
    query.projection = std::move(*projection);
    return query;
}

// Sends a resource returned by a change, projected as the request asks (RFC 7644 §3.9).
void send_resource(const Request& req, Response& res, int status,
                   const Result<service::ScimResource>& resource) {
    if (!resource) return send_failure(req, res, resource.error());
    auto projection = projection_of(req);
    if (!projection) return send_failure(req, res, projection.error());
    // RFC 7644 §3.3: a 201 carries the new resource's URI in Location, as meta.location.
    const json location = resource->body.value("/meta/location"_json_pointer, json());
    if (status == 201 && location.is_string())
        res.set_header("Location", location.get<std::string>());
    send_scim(res, status, scim::project(resource->body, *projection), resource->etag);
}

// Wraps a handler so that it runs only for a caller whose token belongs to the org the path
// names (resolved by the server before routing).
Handler authenticated(AppContext& app, std::shared_ptr<ProvisioningService> service,
                      ScimHandler handler) {
    return [&app, service = std::move(service), handler = std::move(handler)](const Request& req,
                                                                              Response& res) {
        const core::Org& org = *current_request().org;
        const std::string base = app.base_url + "/api/0/organizations/" + org.slug + "/scim/v2";
        auto accepted = service::authenticate_bearer(app.store, app.clock, org,
                                                     req.get_header_value("Authorization"),
                                                     service::BearerKind::scim_token);
        if (!accepted) return send_failure(req, res, accepted.error());
        const ScimClient client{org, std::move(accepted->token), base};
        handler(*service, client, req, res);
    };
}

void register_user_routes(Router& http, AppContext& app,
                          const std::shared_ptr<ProvisioningService>& s) {
    http.get(route("/Users/?"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto query = query_of(req);
                 if (!query) return send_failure(req, res, query.error());
                 auto list = svc.list_users(client, *query);
                 if (!list) return send_failure(req, res, list.error());
                 send_scim(res, 200, *list);
             }));
    http.post(route("/Users/?"),
              authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                  auto body = read_body(req);
                  if (!body) return send_failure(req, res, body.error());
                  send_resource(req, res, 201, svc.create_user(client, *body));
              }));
    http.get(route("/Users/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto projection = projection_of(req);
                 if (!projection) return send_failure(req, res, projection.error());
                 auto user = svc.get_user(client, req.matches[1].str(), *projection);
                 if (!user) return send_failure(req, res, user.error());
                 send_scim(res, 200, user->body, user->etag);
             }));
    http.put(route("/Users/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto body = read_body(req);
                 if (!body) return send_failure(req, res, body.error());
                 send_resource(
                     req, res, 200,
                     svc.replace_user(client, req.matches[1].str(), *body, if_match(req)));
             }));
    http.patch(route("/Users/([^/]+)"),
               authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                   auto body = read_body(req);
                   if (!body) return send_failure(req, res, body.error());
                   send_resource(
                       req, res, 200,
                       svc.patch_user(client, req.matches[1].str(), *body, if_match(req)));
               }));
    http.del(route("/Users/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 if (auto deleted = svc.delete_user(client, req.matches[1].str(), if_match(req));
                     !deleted) {
                     return send_failure(req, res, deleted.error());
                 }
                 res.status = 204;
             }));
}

void register_group_routes(Router& http, AppContext& app,
                           const std::shared_ptr<ProvisioningService>& s) {
    http.get(route("/Groups/?"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto query = query_of(req);
                 if (!query) return send_failure(req, res, query.error());
                 auto list = svc.list_groups(client, *query);
                 if (!list) return send_failure(req, res, list.error());
                 send_scim(res, 200, *list);
             }));
    http.post(route("/Groups/?"),
              authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                  auto body = read_body(req);
                  if (!body) return send_failure(req, res, body.error());
                  send_resource(req, res, 201, svc.create_group(client, *body));
              }));
    http.get(route("/Groups/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto projection = projection_of(req);
                 if (!projection) return send_failure(req, res, projection.error());
                 auto group = svc.get_group(client, req.matches[1].str(), *projection);
                 if (!group) return send_failure(req, res, group.error());
                 send_scim(res, 200, group->body, group->etag);
             }));
    http.put(route("/Groups/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 auto body = read_body(req);
                 if (!body) return send_failure(req, res, body.error());
                 send_resource(
                     req, res, 200,
                     svc.replace_group(client, req.matches[1].str(), *body, if_match(req)));
             }));
    http.patch(route("/Groups/([^/]+)"),
               authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                   auto body = read_body(req);
                   if (!body) return send_failure(req, res, body.error());
                   send_resource(
                       req, res, 200,
                       svc.patch_group(client, req.matches[1].str(), *body, if_match(req)));
               }));
    http.del(route("/Groups/([^/]+)"),
             authenticated(app, s, [](auto& svc, const auto& client, const auto& req, auto& res) {
                 if (auto deleted = svc.delete_group(client, req.matches[1].str(), if_match(req));
                     !deleted) {
                     return send_failure(req, res, deleted.error());
                 }
                 res.status = 204;
             }));
}

void register_discovery_routes(Router& http, AppContext& app,
                               const std::shared_ptr<ProvisioningService>& s) {
    http.get(route("/ServiceProviderConfig/?"),
             authenticated(app, s, [](auto&, const auto& client, const auto&, auto& res) {
                 send_scim(res, 200, scim::service_provider_config(client.base_url));
             }));
    http.get(route("/ResourceTypes/?"),
             authenticated(app, s, [](auto&, const auto& client, const auto&, auto& res) {
                 send_scim(res, 200, scim::resource_types(client.base_url));
             }));
    http.get(route("/ResourceTypes/([^/]+)"),
             authenticated(app, s, [](auto&, const auto& client, const auto& req, auto& res) {
                 auto type = scim::resource_type(req.matches[1].str(), client.base_url);
                 if (!type) return send_failure(req, res, type.error());
                 send_scim(res, 200, *type);
             }));
    http.get(route("/Schemas/?"),
             authenticated(app, s, [](auto&, const auto& client, const auto&, auto& res) {
                 send_scim(res, 200, scim::schemas(client.base_url));
             }));
    http.get(route("/Schemas/([^/]+)"),
             authenticated(app, s, [](auto&, const auto& client, const auto& req, auto& res) {
                 auto schema = scim::schema(req.matches[1].str(), client.base_url);
                 if (!schema) return send_failure(req, res, schema.error());
                 send_scim(res, 200, *schema);
             }));
}

// The discovery endpoints are read-only (RFC 7644 §4): a write to any of them, or below
// them, is a 405 with the methods they do answer, in SCIM's error format (Okta's SCIM spec
// test checks this), never the catch-all 404 below.
void register_discovery_writes(Router& http) {
    const auto read_only = [](const Request& req, Response& res) {
        res.set_header("Allow", "GET, HEAD");
        send_scim_error(res, {405, "",
                              "The SCIM discovery endpoint " + req.path +
                                  " is read-only; it answers GET only."});
    };
    const std::string pattern = route("/(?:Schemas|ResourceTypes|ServiceProviderConfig)(?:/.*)?");
    http.post(pattern, read_only);
    http.put(pattern, read_only);
    http.patch(pattern, read_only);
    http.del(pattern, read_only);
}

}  // namespace

void register_scim_routes(Router& http, AppContext& app) {
    auto service = std::make_shared<ProvisioningService>(app.store, app.clock, app.invitations);
    register_user_routes(http, app, service);
    register_group_routes(http, app, service);
    register_discovery_routes(http, app, service);
    register_discovery_writes(http);
    // Any other path under the SCIM base answers in SCIM's error format, so an IdP probing
    // an endpoint Gatehouse lacks (Bulk, /Me, /.search) gets a message it can show.
    const auto not_found = [](const Request& req, Response& res) {
        send_failure(req, res,
                     scim::scim_not_found("There is no SCIM endpoint at " + req.path + "."));
    };
    for (const auto& pattern : {route("/.*"), route("/?")}) {
        http.get(pattern, not_found);
        http.post(pattern, not_found);
        http.put(pattern, not_found);
        http.patch(pattern, not_found);
        http.del(pattern, not_found);
    }
}

}  // namespace gatehouse::http
