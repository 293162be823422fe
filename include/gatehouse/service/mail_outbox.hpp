// Queueing mail: a message is rendered from the templates in templates/mail/ and stored in
// the outbox in the caller's transaction, so it exists exactly when the change behind it does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct MailDraft {
    std::string kind;           // what the message is for, shown to admins
    std::string to;             // one address, checked (see is_valid_mail_address)
    std::string template_name;  // templates/mail/<name>.subject.mustache, .txt.mustache,
                                // .html.mustache
    nlohmann::json values;      // an object of string values for the templates
};

// The rendered parts of a message.
struct RenderedMail {
    std::string subject;    // one line: no control characters
    std::string text_body;  // values as given, control characters other than newline dropped
    std::string html_body;  // values HTML-escaped by the template engine
};

// One plain address "local@domain" that is safe on an SMTP command line and in a header:
// printable ASCII without spaces or any of <>()[],;:\" , exactly one '@' with something on
// both sides, a domain of dot-separated non-empty labels, at most 254 characters.
bool is_valid_mail_address(std::string_view address);

// Renders the draft's template with its values. Errors: "mail.unknown_template" (no such
// template), "mail.invalid_values" (values is not an object of strings).
Result<RenderedMail> render_mail(const std::string& template_name, const nlohmann::json& values);

// Renders `draft` and stores it in the outbox inside `tx`, so it is committed with the
// change that caused it, or not at all. The message is queued for now, with a new
// Message-ID of its own that every later attempt keeps. Errors: "mail.invalid_address",
// "mail.unknown_template", "mail.invalid_values", store errors.
Result<core::OutboundMail> queue_mail(store::Transaction& tx, const util::Clock& clock,
                                      const core::Org& org, const MailDraft& draft);

// Queues the `test` template ("This is a test message from Gatehouse for ORG") to `to`, in
// a transaction of its own. Errors: as queue_mail.
Result<core::OutboundMail> queue_test_mail(store::Store& store, const util::Clock& clock,
                                           const core::Org& org, const std::string& to);

// The org's outbox as admins see it, newest first. Errors: store errors.
Result<store::PageOf<core::OutboundMail>> list_outbox(store::Store& store, const core::Org& org,
                                                      store::Page page);

// Messages of one org or of all (org_id nullopt), in one state or any, newest first; for
// operators. Errors: store errors.
Result<store::PageOf<core::OutboundMail>> list_all_outbox(store::Store& store,
                                                          std::optional<core::RowId> org_id,
                                                          std::optional<core::MailState> state,
                                                          store::Page page);

}  // namespace gatehouse::service
