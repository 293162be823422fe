// `gatehouse outbox list` shows the mail waiting, sent and failed, with what went wrong;
// `gatehouse outbox test` queues a test message, to check the SMTP settings end to end.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/mail_outbox.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

struct OutboxArgs {
    std::string org;
    std::string state;
    std::string to;
    std::int64_t limit = 100;
};

std::string org_slug(std::vector<core::Org>& orgs, core::RowId id) {
    for (const auto& org : orgs) {
        if (org.id == id) return org.slug;
    }
    return std::to_string(id);
}

int list_outbox(const GlobalOptions& global, const OutboxArgs& args) {
    std::optional<core::MailState> state;
    if (!args.state.empty()) {
        state = core::parse_mail_state(args.state);
        if (!state) {
            std::cerr << "gatehouse outbox list: --state must be queued, sending, sent or failed\n";
            return kExitUsage;
        }
    }
    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    service::AdminService admin(*store, clock);
    auto orgs = admin.list_orgs();
    if (!orgs) {
        std::cerr << "gatehouse outbox list: " << orgs.error().message << "\n";
        return kExitFailure;
    }
    std::optional<core::RowId> org_id;
    if (!args.org.empty()) {
        auto org = admin.find_org(args.org);
        if (!org) {
            std::cerr << "gatehouse outbox list: " << org.error().message << "\n";
            return kExitFailure;
        }
        org_id = org->id;
    }
    auto page = service::list_all_outbox(*store, org_id, state, store::Page{0, args.limit});
    if (!page) {
        std::cerr << "gatehouse outbox list: " << page.error().message << "\n";
        return kExitFailure;
    }
    for (const auto& m : page->items) {
        nlohmann::json line = {{"id", m.id},
                               {"org", org_slug(*orgs, m.org_id)},
                               {"kind", m.kind},
                               {"state", core::to_string(m.state)},
                               {"tries", m.attempts},
                               {"to", m.to},
                               {"subject", m.subject},
                               {"message_id", m.message_id},
                               {"last_error", m.last_error},
                               {"created_at", util::format_iso8601(m.created_at)}};
        line["next_attempt_at"] =
            m.state == core::MailState::queued || m.state == core::MailState::sending
                ? nlohmann::json(util::format_iso8601(m.next_attempt_at))
                : nlohmann::json(nullptr);
        line["sent_at"] =
            m.sent_at ? nlohmann::json(util::format_iso8601(*m.sent_at)) : nlohmann::json(nullptr);
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return kExitOk;
}

int queue_test(const GlobalOptions& global, const OutboxArgs& args) {
    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    service::AdminService admin(*store, clock);
    auto org = admin.find_org(args.org);
    if (!org) {
        std::cerr << "gatehouse outbox test: " << org.error().message << "\n";
        return kExitFailure;
    }
    auto queued = service::queue_test_mail(*store, clock, *org, args.to);
    if (!queued) {
        std::cerr << "gatehouse outbox test: " << queued.error().message << " ("
                  << queued.error().code << ")\n";
        return queued.error().code.rfind("mail.", 0) == 0 ? kExitUsage : kExitFailure;
    }
    std::cout << "queued\t" << queued->id << "\t" << queued->message_id << "\n";
    return kExitOk;
}

}  // namespace

void add_outbox_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* outbox = app.add_subcommand("outbox", "The mail Gatehouse sends, and its state");
    outbox->require_subcommand(1);

    auto list_args = std::make_shared<OutboxArgs>();
    CLI::App* list = outbox->add_subcommand(
        "list",
        "Print the outbox as JSON lines, newest first: state, tries, next attempt, last "
        "error, recipient, subject and Message-ID");
    list->add_option("--org", list_args->org, "Only this organization");
    list->add_option("--state", list_args->state, "Only queued, sending, sent or failed");
    list->add_option("--limit", list_args->limit, "At most this many messages")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}))
        ->capture_default_str();
    list->callback([&global, &command, list_args] {
        command = [&global, list_args] { return list_outbox(global, *list_args); };
    });

    auto test_args = std::make_shared<OutboxArgs>();
    CLI::App* test =
        outbox->add_subcommand("test",
                               "Queue a test message; a running server with --smtp-url "
                               "sends it");
    test->add_option("--org", test_args->org, "Organization slug")->required();
    test->add_option("--to", test_args->to, "Address to send it to")->required();
    test->callback([&global, &command, test_args] {
        command = [&global, test_args] { return queue_test(global, *test_args); };
    });
}

}  // namespace gatehouse::cli
