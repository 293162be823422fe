#include "forwarded.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace gatehouse::http {
namespace {

// An IP address in the form ranges compare: IPv4-mapped IPv6 already folded into IPv4.
struct Address {
    bool ipv6 = false;
    std::array<std::uint8_t, 16> bytes{};
};

constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::optional<Address> parse_address(std::string_view text) {
    // inet_pton reads a NUL-terminated string; a text that does not fit the longest IPv6 form
    // is no address.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char terminated[INET6_ADDRSTRLEN] = {};
    std::copy(text.begin(), text.end(), terminated);
    Address address;
    if (inet_pton(AF_INET, terminated, address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, terminated, address.bytes.data()) != 1) return std::nullopt;
    if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin())) {
        // A dual-stack socket reports IPv4 peers this way; they are IPv4 clients.
        std::copy(address.bytes.begin() + 12, address.bytes.end(), address.bytes.begin());
        std::fill(address.bytes.begin() + 4, address.bytes.end(), std::uint8_t{0});
        return address;
    }
    address.ipv6 = true;
    return address;
}

std::string format_address(bool ipv6, const std::array<std::uint8_t, 16>& bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
    return text;
}

std::string format_address(const Address& address) {
    return format_address(address.ipv6, address.bytes);
}

// The mask of byte `index` of a /prefix_length network.
std::uint8_t prefix_mask(int prefix_length, std::size_t index) {
    const int bits = prefix_length - static_cast<int>(index) * 8;
    if (bits >= 8) return 0xff;
    if (bits <= 0) return 0;
    return static_cast<std::uint8_t>(0xff << (8 - bits));
}

bool in_range(const AddressRange& range, const Address& address) {
    if (range.ipv6 != address.ipv6) return false;
    for (std::size_t i = 0; i < address.bytes.size(); ++i) {
        if ((address.bytes[i] & prefix_mask(range.prefix_length, i)) != range.network[i])
            return false;
    }
    return true;
}

bool in_any(const std::vector<AddressRange>& ranges, const Address& address) {
    return std::any_of(ranges.begin(), ranges.end(),
                       [&](const AddressRange& range) { return in_range(range, address); });
}

// The prefix length after a slash: one to three decimal digits (no sign, no spaces), at most
// `longest`.
std::optional<int> parse_prefix_length(std::string_view digits, int longest) {
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value > longest) return std::nullopt;
    return value;
}

Error bad_proxy(std::string_view text, const std::string& problem) {
    return fail("config.trusted_proxy", "Trusted proxy '" + std::string(text) + "' " + problem);
}

Result<AddressRange> parse_range(std::string_view raw) {
    const std::string_view text = trim(raw);
    const auto slash = text.find('/');
    const std::string_view address_text = text.substr(0, slash);
    const auto address = parse_address(address_text);
    if (!address) {
        return bad_proxy(raw,
                         "is not an IP address or network; write one like 10.0.0.0/8, "
                         "127.0.0.1 or fd00::/8 (no brackets or port).");
    }
    // The family the text was written in bounds the prefix: "::ffff:10.0.0.0/104" is IPv6.
    const bool written_as_ipv6 = address_text.find(':') != std::string_view::npos;
    const int longest = written_as_ipv6 ? 128 : 32;
    int prefix_length = longest;
    if (slash != std::string_view::npos) {
        const auto parsed = parse_prefix_length(text.substr(slash + 1), longest);
        if (!parsed) {
            return bad_proxy(raw, "has a prefix length that is not a number from 0 to " +
                                      std::to_string(longest) + ".");
        }
        prefix_length = *parsed;
    }
    const int written_prefix_length = prefix_length;
    if (written_as_ipv6 && !address->ipv6) {
        if (prefix_length < 96) {
            return bad_proxy(raw,
                             "reaches beyond the IPv4-mapped addresses; write the IPv4 network "
                             "instead.");
        }
        prefix_length -= 96;
    }

    AddressRange range;
    range.ipv6 = address->ipv6;
    range.prefix_length = prefix_length;
    for (std::size_t i = 0; i < range.network.size(); ++i)
        range.network[i] = address->bytes[i] & prefix_mask(prefix_length, i);
    if (range.network != address->bytes) {
        return bad_proxy(raw, "has bits set past its /" + std::to_string(written_prefix_length) +
                                  " prefix; write the network " + to_string(range) +
                                  " or the single address " + format_address(*address) + ".");
    }
    return range;
}

}  // namespace

Result<std::vector<AddressRange>> parse_trusted_proxies(const std::vector<std::string>& texts) {
    std::vector<AddressRange> ranges;
    ranges.reserve(texts.size());
    for (const std::string& text : texts) {
        auto range = parse_range(text);
        if (!range) return range.error();
        ranges.push_back(*range);
    }
    return ranges;
}

std::string to_string(const AddressRange& range) {
    return format_address(range.ipv6, range.network) + "/" + std::to_string(range.prefix_length);
}

bool contains(const std::vector<AddressRange>& ranges, std::string_view address) {
    const auto parsed = parse_address(address);
    return parsed && in_any(ranges, *parsed);
}

std::string forwarded_client_address(std::string_view peer,
                                     const std::vector<std::string>& forwarded_for,
                                     const std::vector<AddressRange>& trusted) {
    const auto peer_address = parse_address(peer);
    if (!peer_address) return std::string(peer);
    std::string last_trusted = format_address(*peer_address);
    if (!in_any(trusted, *peer_address)) return last_trusted;

    // Right to left across occurrences, then across the items of each: the same order as
    // one list with every occurrence joined by commas.
    for (auto value = forwarded_for.rbegin(); value != forwarded_for.rend(); ++value) {
        std::string_view rest = *value;
        while (true) {
            const auto comma = rest.rfind(',');
            const std::string_view item =
                trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
            const auto address = parse_address(item);
            // Whoever wrote garbage here cannot be told apart from its neighbours, so the
            // nearest hop we know to be honest is the best answer.
            if (!address) return last_trusted;
            if (!in_any(trusted, *address)) return format_address(*address);
            last_trusted = format_address(*address);
            if (comma == std::string_view::npos) break;
            rest = rest.substr(0, comma);
        }
    }
    return last_trusted;
}

std::optional<std::string> forwarded_scheme(std::string_view peer,
                                            const std::vector<std::string>& forwarded_proto,
                                            const std::vector<AddressRange>& trusted) {
    if (forwarded_proto.size() != 1 || !contains(trusted, peer)) return std::nullopt;
    std::string scheme(trim(forwarded_proto.front()));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "https" || scheme == "http") return scheme;
    return std::nullopt;
}

}  // namespace gatehouse::http
