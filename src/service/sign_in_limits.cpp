#include "sign_in_limits.hpp"

#include <algorithm>
#include <cctype>

#include "audit_entry.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

constexpr std::string_view kAccountPrefix = "account:";
constexpr std::string_view kAddressPrefix = "address:";
// Longer emails are refused anyway; cutting them keeps every throttle row small.
constexpr std::size_t kMaxSubjectBytes = 320;

std::string lower_ascii(std::string_view text) {
    std::string lowered(text.substr(0, kMaxSubjectBytes));
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered;
}

}  // namespace

ThrottleSubjects throttle_subjects(std::string_view email, std::string_view client_address) {
    ThrottleSubjects subjects;
    subjects.account = std::string(kAccountPrefix) + lower_ascii(email);
    if (!client_address.empty()) {
        subjects.address =
            std::string(kAddressPrefix) + std::string(client_address.substr(0, kMaxSubjectBytes));
    }
    return subjects;
}

std::optional<int> throttled_for(store::Store& store, const util::Clock& clock,
                                 const core::Org& org, const SignInLimits& limits,
                                 const ThrottleSubjects& subjects) {
    const util::UnixTime now = clock.now();
    std::optional<util::UnixTime> open_until;
    std::string limit;
    (void)store.read([&](store::Transaction& tx) -> Status {
        const auto check = [&](const std::string& subject, int allowed, const char* kind) {
            if (subject.empty()) return;
            const auto counted = tx.sign_in_failures(org.id, subject, now, limits.window_seconds);
            if (counted.failures < allowed) return;
            const util::UnixTime closes = counted.window_start + limits.window_seconds;
            if (!open_until || closes > *open_until) {
                open_until = closes;
                limit = kind;
            }
        };
        check(subjects.account, limits.account_failures, "account");
        check(subjects.address, limits.address_failures, "address");
        return {};
    });
    if (!open_until) return std::nullopt;
    util::log_event(util::LogLevel::warning, "auth.password_sign_in.throttled",
                    {{"org", org.slug}, {"limit", limit}});
    return std::max<int>(1, static_cast<int>(*open_until - now));
}

Status count_failure(store::Transaction& tx, const core::Org& org, const SignInLimits& limits,
                     const ThrottleSubjects& subjects, util::UnixTime now,
                     const std::string& target) {
    const auto count = [&](const std::string& subject, int allowed, const char* kind) -> Status {
        if (subject.empty()) return {};
        const auto counted = tx.record_sign_in_failure(org.id, subject, now, limits.window_seconds);
        if (counted.failures != allowed) return {};
        nlohmann::json details = {{"limit", kind},
                                  {"failures", counted.failures},
                                  {"until", counted.window_start + limits.window_seconds}};
        if (!subjects.address.empty()) {
            details["address"] = subjects.address.substr(kAddressPrefix.size());
        }
        auto entry = audit_entry(org, "anonymous", "auth.password_sign_in", target, "failure",
                                 "auth.password.throttled", details);
        entry.at = now;
        return tx.append_audit(std::move(entry));
    };
    if (auto counted = count(subjects.account, limits.account_failures, "account"); !counted) {
        return counted;
    }
    return count(subjects.address, limits.address_failures, "address");
}

HashSlots::HashSlots(int slots) : available_(std::max(1, slots)) {}

HashSlots::Slot::~Slot() {
    if (owner_) owner_->release();
}

std::optional<HashSlots::Slot> HashSlots::acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, wait, [this] { return available_ > 0; })) return std::nullopt;
    --available_;
    return Slot(this);
}

int HashSlots::available() const {
    std::lock_guard lock(mutex_);
    return available_;
}

void HashSlots::release() {
    {
        std::lock_guard lock(mutex_);
        ++available_;
    }
    freed_.notify_one();
}

}  // namespace gatehouse::service
