// The sender's mailbox as configured: an address with an optional display name. Private to
// the service layer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::service {

struct Mailbox {
    std::string display_name;  // "" when none; UTF-8 without control characters or quotes
    std::string address;       // passes is_valid_mail_address
};

// Reads "noreply@example.com" or "Display Name <noreply@example.com>" (the name optionally
// in double quotes, which may not appear inside it). nullopt for anything else.
std::optional<Mailbox> parse_mailbox(std::string_view text);

}  // namespace gatehouse::service
