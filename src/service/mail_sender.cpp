// The delivery loop: claim one due message, attempt it, record the outcome, repeat. One at
// a time, so a sender never holds a claim it is not working on, and a crash strands at most
// one message until its lease lapses.
#include "gatehouse/service/mail_sender.hpp"

#include <algorithm>

#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

std::string_view outcome_name(SmtpOutcome::Kind kind) {
    switch (kind) {
        case SmtpOutcome::Kind::sent:
            return "sent";
        case SmtpOutcome::Kind::permanent:
            return "refused";
        case SmtpOutcome::Kind::temporary:
            break;
    }
    return "deferred";
}

void log_attempt(const core::OutboundMail& mail, const SmtpOutcome& outcome,
                 std::string_view decision) {
    util::log_event(
        outcome.kind == SmtpOutcome::Kind::sent ? util::LogLevel::info : util::LogLevel::warning,
        "mail.attempt",
        {{"mail_id", mail.id},
         {"org_id", mail.org_id},
         {"kind", mail.kind},
         {"message_id", mail.message_id},
         {"attempt", mail.attempts},
         {"outcome", outcome_name(outcome.kind)},
         {"reply_code", outcome.reply_code},
         {"reason", outcome.reason},
         {"state", decision}});
}

// Records the outcome. A lost claim (kNotFound: the lease lapsed and another sender has the
// message) is not an error of this round.
Status settle(store::Store& store, const core::OutboundMail& mail, const SmtpOutcome& outcome,
              util::UnixTime now, const RetryPolicy& policy, bool stopping, std::string& decision) {
    const Status written = store.write([&](store::Transaction& tx) -> Status {
        if (outcome.kind == SmtpOutcome::Kind::sent) {
            decision = "sent";
            return tx.mark_outbound_mail_sent(mail.org_id, mail.id, now);
        }
        if (outcome.kind == SmtpOutcome::Kind::permanent) {
            decision = "failed";
            return tx.fail_outbound_mail(mail.org_id, mail.id, mail.attempts, outcome.reason);
        }
        if (mail.attempts >= policy.max_attempts) {
            decision = "failed";
            return tx.fail_outbound_mail(
                mail.org_id, mail.id, mail.attempts,
                "Gave up after " + std::to_string(mail.attempts) + " attempts: " + outcome.reason);
        }
        decision = "queued";
        // An attempt cut short by a shutdown says nothing about the server: due again at once.
        const auto wait = stopping ? std::chrono::seconds(0) : retry_delay(policy, mail.attempts);
        return tx.retry_outbound_mail(mail.org_id, mail.id, mail.attempts, now + wait.count(),
                                      outcome.reason);
    });
    if (!written && written.error().code == store::kNotFound) {
        decision = "claim_lost";
        return {};
    }
    return written;
}

}  // namespace

std::chrono::seconds retry_delay(const RetryPolicy& policy, int attempts) {
    auto delay = policy.first_delay;
    for (int i = 1; i < attempts && delay < policy.max_delay; ++i) delay *= 2;
    return std::min(delay, policy.max_delay);
}

Result<DeliveryCounts> deliver_due_mail(store::Store& store, const util::Clock& clock,
                                        const RetryPolicy& policy, const SendAttempt& send,
                                        std::stop_token stop) {
    DeliveryCounts counts;
    while (!stop.stop_requested()) {
        std::vector<core::OutboundMail> claimed;
        const Status claim = store.write([&](store::Transaction& tx) -> Status {
            claimed = tx.claim_due_outbound_mail(clock.now(), policy.lease.count(), 1);
            return {};
        });
        if (!claim) return claim.error();
        if (claimed.empty()) break;
        const core::OutboundMail& mail = claimed.front();

        SmtpOutcome outcome;
        if (mail.attempts > policy.max_attempts) {
            // Claimed again after its senders died mid-attempt, more times than allowed.
            outcome.kind = SmtpOutcome::Kind::permanent;
            outcome.reason = "Gave up after " + std::to_string(mail.attempts - 1) +
                             " attempts that never finished.";
        } else {
            outcome = send(mail, clock.now());
        }
        std::string decision;
        const Status settled =
            settle(store, mail, outcome, clock.now(), policy, stop.stop_requested(), decision);
        log_attempt(mail, outcome, decision);
        if (!settled) return settled.error();
        if (decision == "sent") ++counts.sent;
        if (decision == "failed") ++counts.failed;
        if (decision == "queued") ++counts.retried;
    }
    return counts;
}

MailSender::MailSender(store::Store& store, const util::Clock& clock, SmtpSettings settings,
                       RetryPolicy policy, std::chrono::milliseconds poll)
    : store_(store),
      clock_(clock),
      settings_(std::move(settings)),
      policy_(policy),
      poll_(poll),
      thread_([this](std::stop_token stop) { run(stop); }) {}

MailSender::~MailSender() { stop(); }

void MailSender::stop() {
    std::lock_guard join_lock(join_mutex_);
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
}

void MailSender::run(std::stop_token stop) {
    util::log_event(util::LogLevel::info, "mail.sender_started",
                    {{"smtp_url", smtp_url_for_logs(settings_)},
                     {"starttls_required", settings_.require_starttls},
                     {"authenticated", !settings_.user.empty()}});
    const SendAttempt send = [this, stop](const core::OutboundMail& mail, util::UnixTime date) {
        return send_mail_over_smtp(settings_, mail, date, stop);
    };
    while (!stop.stop_requested()) {
        auto round = deliver_due_mail(store_, clock_, policy_, send, stop);
        if (!round) {
            util::log_event(util::LogLevel::error, "mail.delivery_failed",
                            {{"code", round.error().code}, {"message", round.error().message}});
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, poll_, [] { return false; });
    }
}

}  // namespace gatehouse::service
