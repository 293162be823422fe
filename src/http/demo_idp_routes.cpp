// The demo IdP under /demo-idp/ (serve --demo-idp): metadata, the sign-in form that answers an
// AuthnRequest, and the page that posts the signed Response to the org's ACS.
#include <memory>

#include "forms.hpp"
#include "gatehouse/service/demo_idp.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

std::string raw_query(const Request& req) {
    const auto question = req.target.find('?');
    return question == std::string::npos ? std::string() : req.target.substr(question + 1);
}

mstch::array role_options(const std::string& selected) {
    mstch::array options;
    for (const char* role : {"", "admin", "manager", "billing", "member"}) {
        options.push_back(mstch::map{{"value", std::string(role)},
                                     {"label", std::string(*role ? role : "(default role)")},
                                     {"selected", selected == role}});
    }
    return options;
}

// The sign-in form for one request; `submission` refills it after a refusal.
mstch::map form_values(const service::DemoSubmission& submission, const std::string& org_name,
                       const std::string& error) {
    return mstch::map{{"form", true},
                      {"org_name", org_name},
                      {"org_slug", submission.org_slug},
                      {"request_id", submission.request_id},
                      {"relay_state", submission.relay_state},
                      {"token", submission.token},
                      {"email", submission.email},
                      {"first_name", submission.first_name},
                      {"last_name", submission.last_name},
                      {"roles", role_options(submission.role)},
                      {"error", error}};
}

void refuse(Response& res, int status, const Error& error) {
    util::log_event(util::LogLevel::warning, "demo_idp.refused",
                    {{"reason", error.code}, {"message", error.message}});
    send_html(res, status,
              render_page("error", "Demo IdP",
                          mstch::map{{"title", std::string("The demo IdP cannot answer this")},
                                     {"message", error.message},
                                     {"home", true}}));
}

void register_unavailable(Router& http, const Error& error) {
    http.get(R"(/demo-idp/.*)",
             [error](const Request&, Response& res) { refuse(res, 503, error); });
}

}  // namespace

void register_demo_idp_routes(Router& http, AppContext& app) {
    auto key = service::load_or_create_demo_idp_key(app.demo_idp_key_path, app.clock);
    if (!key) {
        util::log_event(util::LogLevel::error, "demo_idp.key_failed",
                        {{"reason", key.error().code}, {"message", key.error().message}});
        register_unavailable(http, key.error());
        return;
    }
    auto idp = std::make_shared<service::DemoIdp>(app.store, app.clock, app.base_url,
                                                  std::move(*key), app.sp_keys);
    util::log_event(util::LogLevel::warning, "demo_idp.mounted",
                    {{"entity_id", idp->entity_id()},
                     {"fingerprint", idp->certificate().sha256_fingerprint()}});

    http.get("/demo-idp/", [idp](const Request&, Response& res) {
        send_html(res, 200,
                  render_page("demo_idp", "Demo IdP",
                              mstch::map{{"index", true},
                                         {"entity_id", idp->entity_id()},
                                         {"metadata_url", idp->entity_id() + "metadata"},
                                         {"sso_url", idp->sso_url()}}));
    });

    http.get("/demo-idp/metadata", [idp](const Request&, Response& res) {
        res.set_content(idp->metadata(), "application/samlmetadata+xml");
    });

    http.get("/demo-idp/sso", [idp](const Request& req, Response& res) {
        auto request = idp->read_request(raw_query(req));
        if (!request) {
            refuse(res, 400, request.error());
            return;
        }
        service::DemoSubmission blank;
        blank.org_slug = request->org.slug;
        blank.request_id = request->request_id;
        blank.relay_state = request->relay_state;
        blank.token = idp->form_token(*request);
        send_html(
            res, 200,
            render_page("demo_idp", "Demo IdP sign-in", form_values(blank, request->org.name, "")));
    });

    const std::size_t max_body = app.max_body_bytes;
    http.post("/demo-idp/sso", [idp, max_body](const Request& req, Response& res) {
        auto form = read_form(req, res, max_body);
        if (!form) return;
        service::DemoSubmission submission{
            (*form)["org"],   (*form)["request_id"], (*form)["relay_state"], (*form)["token"],
            (*form)["email"], (*form)["first_name"], (*form)["last_name"],   (*form)["role"]};
        auto answer = idp->answer(submission);
        if (!answer) {
            const auto& code = answer.error().code;
            if (code == "demo_idp.email_invalid" || code == "demo_idp.role_invalid") {
                send_html(res, 422,
                          render_page("demo_idp", "Demo IdP sign-in",
                                      form_values(submission, submission.org_slug,
                                                  answer.error().message)));
                return;
            }
            refuse(res, code == "demo_idp.token_invalid" ? 403 : 400, answer.error());
            return;
        }
        send_html(res, 200,
                  render_page("demo_idp_post", "Continue to Gatehouse",
                              mstch::map{{"acs_url", answer->acs_url},
                                         {"saml_response", answer->saml_response},
                                         {"relay_state", answer->relay_state}}));
    });
}

}  // namespace gatehouse::http
