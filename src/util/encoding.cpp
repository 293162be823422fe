#include "gatehouse/util/encoding.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <limits>

namespace gatehouse::util {
namespace {

std::string encode_with(std::string_view bytes, int variant) {
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), variant);
    out.resize(out.size() - 1);  // the terminating NUL libsodium writes
    return out;
}

enum class CharClass : unsigned char { refused, kept, skipped };

// What base64_decode does with each byte: the standard alphabet and '=' are kept, the
// whitespace of wrapped lines is skipped, anything else refuses the whole text.
constexpr std::array<CharClass, 256> kBase64Classes = [] {
    std::array<CharClass, 256> classes{};
    for (auto& c : classes) c = CharClass::refused;
    for (const unsigned char c :
         std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="))
        classes[c] = CharClass::kept;
    for (const unsigned char c : std::string_view(" \t\r\n")) classes[c] = CharClass::skipped;
    return classes;
}();

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    return encode_with(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string base64url_encode(std::string_view bytes) {
    return encode_with(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> base64_decode(std::string_view text) {
    // A SAMLResponse is decoded on every sign-in, so this is a table lookup per character
    // (OpenSSL's EVP_DecodeBlock) after one pass that drops line breaks and checks the shape:
    // only the standard alphabet, whole quanta, and '=' padding only at the very end.
    std::string compact(text.size(), '\0');
    char* next = compact.data();
    for (const char c : text) {
        const CharClass kind = kBase64Classes[static_cast<unsigned char>(c)];
        if (kind == CharClass::refused) return std::nullopt;
        *next = c;
        next += kind == CharClass::kept ? 1 : 0;
    }
    compact.resize(static_cast<std::size_t>(next - compact.data()));
    if (compact.size() % 4 != 0 || compact.size() > std::numeric_limits<int>::max())
        return std::nullopt;
    std::size_t padding = 0;
    if (!compact.empty() && compact.back() == '=')
        padding = compact[compact.size() - 2] == '=' ? 2 : 1;
    if (compact.find('=') < compact.size() - padding) return std::nullopt;
    if (compact.empty()) return std::string{};

    std::string out(compact.size() / 4 * 3, '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(compact.data()),
                                        static_cast<int>(compact.size()));
    if (written < 0 || static_cast<std::size_t>(written) != out.size()) return std::nullopt;
    out.resize(out.size() - padding);
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    // libsodium's decoder refuses '=' for the unpadded variant, a dangling 6-bit character
    // and non-zero unused bits; with no `ignore` set, it refuses white space too.
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &written, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(written);
    return out;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        out += digits[(static_cast<unsigned char>(c) >> 4) & 0xF];
        out += digits[static_cast<unsigned char>(c) & 0xF];
    }
    return out;
}

std::string url_encode(std::string_view text) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            u == '-' || u == '_' || u == '.' || u == '~') {
            out += c;
        } else {
            out += '%';
            out += digits[u >> 4];
            out += digits[u & 0xF];
        }
    }
    return out;
}

std::optional<std::string> url_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the run up to the next escape at once: a form-encoded SAMLResponse is mostly
        // plain characters.
        std::size_t run = i;
        while (run < text.size() && text[run] != '%' && text[run] != '+') ++run;
        out.append(text.data() + i, run - i);
        if (run == text.size()) break;
        if (text[run] == '+') {
            out += plus_is_space ? ' ' : '+';
            i = run + 1;
            continue;
        }
        if (run + 2 >= text.size()) return std::nullopt;
        const int hi = hex_value(text[run + 1]);
        const int lo = hex_value(text[run + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i = run + 3;
    }
    return out;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq));
        auto value =
            url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!key || !value) return std::nullopt;
        fields.emplace(std::move(*key), std::move(*value));
    }
    return fields;
}

}  // namespace gatehouse::util
