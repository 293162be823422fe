#include "mail_options.hpp"

#include <fstream>
#include <sstream>

namespace gatehouse::cli {
namespace {

Error invalid(const std::string& message) { return fail("smtp.invalid_settings", message); }

// The password is the file's first line; a file keeps it out of the process list and the
// environment.
Result<std::string> read_password(const std::string& path) {
    std::ifstream in(path);
    if (!in) return invalid("The SMTP password file " + path + " cannot be read.");
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return invalid("The SMTP password file " + path + " is empty.");
    return line;
}

}  // namespace

void add_mail_options(CLI::App& serve, MailOptions& options) {
    serve
        .add_option("--smtp-url", options.smtp_url,
                    "Send queued mail through this server: smtp://HOST:587 (STARTTLS) or "
                    "smtps://HOST:465; user:password@ may precede HOST (default: none, mail "
                    "stays in the outbox)")
        ->envname("GATEHOUSE_SMTP_URL");
    serve
        .add_option("--smtp-from", options.from,
                    "Sender of the mail: ADDRESS or \"NAME <ADDRESS>\" (required with --smtp-url)")
        ->envname("GATEHOUSE_SMTP_FROM");
    serve.add_option("--smtp-user", options.user, "SMTP AUTH user (with --smtp-password-file)")
        ->envname("GATEHOUSE_SMTP_USER");
    serve
        .add_option("--smtp-password-file", options.password_file,
                    "File whose first line is the SMTP AUTH password")
        ->envname("GATEHOUSE_SMTP_PASSWORD_FILE");
    serve
        .add_option("--smtp-ca-file", options.ca_file,
                    "CA certificates (PEM) to verify the SMTP server with, instead of the "
                    "system's")
        ->envname("GATEHOUSE_SMTP_CA_FILE")
        ->check(CLI::ExistingFile);
    serve
        .add_flag("--smtp-insecure", options.insecure,
                  "Allow smtp:// without STARTTLS to a server that is not on loopback")
        ->envname("GATEHOUSE_SMTP_INSECURE");
    serve
        .add_option("--smtp-timeout", options.timeout_seconds,
                    "Seconds one delivery attempt may take, connection included")
        ->envname("GATEHOUSE_SMTP_TIMEOUT")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    serve
        .add_option("--smtp-max-attempts", options.max_attempts,
                    "Attempts before a message the server keeps deferring is marked failed")
        ->envname("GATEHOUSE_SMTP_MAX_ATTEMPTS")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    serve
        .add_option("--smtp-retry-delay", options.retry_delay_seconds,
                    "Seconds before the first retry; each later one waits twice as long, up "
                    "to an hour")
        ->envname("GATEHOUSE_SMTP_RETRY_DELAY")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
}

Result<std::unique_ptr<service::MailSender>> start_mail_sender(const MailOptions& options,
                                                               store::Store& store,
                                                               const util::Clock& clock) {
    const bool any_other = !options.from.empty() || !options.user.empty() ||
                           !options.password_file.empty() || !options.ca_file.empty();
    if (options.smtp_url.empty()) {
        if (any_other) return invalid("The --smtp-* settings need --smtp-url.");
        return std::unique_ptr<service::MailSender>();
    }
    if (options.from.empty()) return invalid("--smtp-url needs --smtp-from, the sender address.");
    if (options.user.empty() != options.password_file.empty()) {
        return invalid("--smtp-user and --smtp-password-file go together.");
    }
    service::SmtpSettings settings;
    settings.url = options.smtp_url;
    settings.from = options.from;
    settings.user = options.user;
    if (!options.password_file.empty()) {
        auto password = read_password(options.password_file);
        if (!password) return password.error();
        settings.password = std::move(*password);
    }
    settings.ca_file = options.ca_file;
    settings.insecure = options.insecure;
    settings.timeout = std::chrono::seconds(options.timeout_seconds);
    settings.connect_timeout = std::min(settings.timeout, std::chrono::seconds(10));
    auto parsed = service::parse_smtp_settings(std::move(settings));
    if (!parsed) return parsed.error();

    service::RetryPolicy policy;
    policy.max_attempts = options.max_attempts;
    policy.first_delay = std::chrono::seconds(options.retry_delay_seconds);
    policy.max_delay = std::max(policy.first_delay, std::chrono::seconds(3600));
    // Longer than any attempt can take, so only a dead process's claim lapses.
    policy.lease = parsed->timeout + std::chrono::seconds(30);
    return std::make_unique<service::MailSender>(store, clock, std::move(*parsed), policy,
                                                 std::chrono::milliseconds(1000));
}

}  // namespace gatehouse::cli
