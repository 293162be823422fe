// The `gatehouse serve` flags of the mail sender (--smtp-*), and starting the sender from
// them. Private to the command line.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "gatehouse/service/mail_sender.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {

struct MailOptions {
    std::string smtp_url;  // "" = no sender: mail stays in the outbox
    std::string from;
    std::string user;
    std::string password_file;
    std::string ca_file;
    bool insecure = false;
    int timeout_seconds = 60;
    int max_attempts = 8;
    int retry_delay_seconds = 30;
};

// Adds the --smtp-* flags (each also GATEHOUSE_SMTP_*) to `serve`.
void add_mail_options(CLI::App& serve, MailOptions& options);

// Starts the background sender when --smtp-url is given; null when it is not. Errors (code
// "smtp.invalid_settings") say which flag is wrong: --smtp-from missing, a bad URL, an
// unreadable password file, and so on.
Result<std::unique_ptr<service::MailSender>> start_mail_sender(const MailOptions& options,
                                                               store::Store& store,
                                                               const util::Clock& clock);

}  // namespace gatehouse::cli
