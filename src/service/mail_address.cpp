#include "mail_address.hpp"

#include "gatehouse/service/mail_outbox.hpp"

namespace gatehouse::service {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

}  // namespace

std::optional<Mailbox> parse_mailbox(std::string_view text) {
    text = trim(text);
    if (is_valid_mail_address(text)) return Mailbox{"", std::string(text)};
    const std::size_t open = text.rfind('<');
    if (open == std::string_view::npos || text.empty() || text.back() != '>') return std::nullopt;
    const std::string_view address = text.substr(open + 1, text.size() - open - 2);
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
    }
    if (!is_valid_mail_address(address) || name.size() > 200) return std::nullopt;
    for (const char raw : name) {
        const auto c = static_cast<unsigned char>(raw);
        if (c < 0x20 || c == 0x7f || raw == '"' || raw == '\\' || raw == '<' || raw == '>') {
            return std::nullopt;
        }
    }
    return Mailbox{std::string(name), std::string(address)};
}

}  // namespace gatehouse::service
