// `gatehouse audit`: an org's audit log as JSON lines, newest first, for people and for
// log shippers alike.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {
namespace {

struct AuditArgs {
    std::string org;
    std::string action;
    std::string actor;
    std::string target;
    std::string outcome;
    std::string since;
    std::string until;
    std::int64_t limit = 100;
    std::int64_t offset = 0;
};

std::optional<util::UnixTime> parse_time(const std::string& text, const char* option, bool& bad) {
    if (text.empty()) return std::nullopt;
    auto parsed = util::parse_iso8601(text);
    if (!parsed) {
        std::cerr << "gatehouse audit: " << option << " must be a time like 2026-11-23T08:00:00Z\n";
        bad = true;
    }
    return parsed;
}

int print_audit(const GlobalOptions& global, const AuditArgs& args) {
    store::AuditQuery query;
    query.action_prefix = args.action;
    query.actor = args.actor;
    query.target = args.target;
    query.outcome = args.outcome;
    bool bad = false;
    query.since = parse_time(args.since, "--since", bad);
    query.until = parse_time(args.until, "--until", bad);
    if (bad) return kExitUsage;
    query.page = store::Page{args.offset, args.limit};

    auto store = open_store(global);
    if (!store) return kExitFailure;
    util::SystemClock clock;
    service::AdminService admin(*store, clock);
    auto page = admin.audit_log(args.org, query);
    if (!page) {
        std::cerr << "gatehouse audit: " << page.error().message << "\n";
        return kExitFailure;
    }
    for (const auto& e : page->items) {
        nlohmann::json details = nlohmann::json::parse(e.details, nullptr, false);
        if (details.is_discarded()) details = nlohmann::json::object();
        const nlohmann::json line = {{"id", e.id},           {"at", util::format_iso8601(e.at)},
                                     {"org", args.org},      {"actor", e.actor},
                                     {"action", e.action},   {"target", e.target},
                                     {"outcome", e.outcome}, {"reason_code", e.reason_code},
                                     {"details", details}};
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return kExitOk;
}

}  // namespace

void add_audit_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    auto args = std::make_shared<AuditArgs>();
    CLI::App* audit =
        app.add_subcommand("audit", "Print an org's audit log as JSON lines, newest first");
    audit->add_option("ORG", args->org, "Organization slug")->required();
    audit->add_option("--action", args->action, "Only actions starting with this (saml., scim.)");
    audit->add_option("--actor", args->actor, "Only this actor (cli, idp, member:<id>, …)");
    audit->add_option("--target", args->target, "Only this target");
    audit->add_option("--outcome", args->outcome, "success or failure")
        ->check(CLI::IsMember({"success", "failure"}));
    audit->add_option("--since", args->since, "From this time (2026-11-23T08:00:00Z)");
    audit->add_option("--until", args->until, "Up to this time");
    audit->add_option("--limit", args->limit, "At most this many entries")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}))
        ->capture_default_str();
    audit->add_option("--offset", args->offset, "Skip this many of the newest entries")
        ->check(CLI::NonNegativeNumber);
    audit->callback([&global, &command, args] {
        command = [&global, args] { return print_audit(global, *args); };
    });
}

}  // namespace gatehouse::cli
