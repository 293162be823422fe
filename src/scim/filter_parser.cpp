// Recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "gatehouse/scim/filter.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim {
namespace {

using nlohmann::json;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '_'; }
// Characters of an attribute path or keyword, including the ':' and '.' of schema URNs.
bool is_word_char(char c) { return is_name_char(c) || c == ':' || c == '.' || c == '$'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// ATTRNAME = ALPHA *(nameChar); "$ref" is the one RFC 7643 name outside that rule.
bool is_attribute_name(std::string_view name) {
    if (detail::iequals(name, "$ref")) return true;
    if (name.empty() || !is_alpha(name.front())) return false;
    for (char c : name) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

// Position of the first byte that does not start a well-formed UTF-8 sequence, if any.
// Checked up front so that every string literal handed to nlohmann::json is valid UTF-8.
std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            length = 2, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, min = 0x10000;
        } else {
            return i;
        }
        if (i + length > text.size()) return i;
        std::uint32_t code = c & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return i;
            code = (code << 6) | (next & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
        i += length;
    }
    return std::nullopt;
}

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

std::string_view operator_name(CompareOp op) {
    switch (op) {
        case CompareOp::eq:
            return "eq";
        case CompareOp::ne:
            return "ne";
        case CompareOp::co:
            return "co";
        case CompareOp::sw:
            return "sw";
        case CompareOp::ew:
            return "ew";
        case CompareOp::gt:
            return "gt";
        case CompareOp::ge:
            return "ge";
        case CompareOp::lt:
            return "lt";
        case CompareOp::le:
            return "le";
    }
    return "?";
}

std::optional<CompareOp> parse_operator(std::string_view word) {
    for (CompareOp op : {CompareOp::eq, CompareOp::ne, CompareOp::co, CompareOp::sw, CompareOp::ew,
                         CompareOp::gt, CompareOp::ge, CompareOp::lt, CompareOp::le}) {
        if (detail::iequals(word, operator_name(op))) return op;
    }
    return std::nullopt;
}

FilterPtr make(auto node) { return std::make_shared<const Filter>(Filter{std::move(node)}); }

// Joins operands under one operator, splicing in operands that already are such a junction
// so chains stay flat.
FilterPtr join(LogicalOp op, std::vector<FilterPtr> parts) {
    if (parts.size() == 1) return std::move(parts.front());
    Junction junction{op, {}};
    for (auto& part : parts) {
        const auto* inner = std::get_if<Junction>(&part->node);
        if (inner != nullptr && inner->op == op) {
            junction.operands.insert(junction.operands.end(), inner->operands.begin(),
                                     inner->operands.end());
        } else {
            junction.operands.push_back(std::move(part));
        }
    }
    return make(std::move(junction));
}

// One parse over one text. Every error is reported as the first one found, with the
// 1-based position of the character where the parser stopped.
class Parser {
  public:
    Parser(std::string_view text, std::string_view error_code)
        : text_(text), error_code_(error_code) {}

    Result<FilterPtr> filter() {
        if (auto status = check_text(); !status) return status.error();
        auto result = or_expression(false);
        if (!result) return result;
        skip_spaces();
        if (!at_end()) return error("\"and\", \"or\" or the end of the filter");
        return result;
    }

    Result<PatchPath> patch_path() {
        if (auto status = check_text(); !status) return status.error();
        skip_spaces();
        if (at_end()) return error("an attribute path");
        PatchPath path;
        auto attribute = attribute_path();
        if (!attribute) return attribute.error();
        path.attribute = std::move(*attribute);
        if (peek() == '[') {
            auto bracket = value_filter(path.attribute);
            if (!bracket) return bracket.error();
            path.value_filter = std::move(*bracket);
            if (peek() == '.') {
                ++pos_;
                auto sub = name();
                if (!sub) return sub.error();
                path.sub_attribute = std::move(*sub);
            }
        }
        skip_spaces();
        if (!at_end()) return error("the end of the path");
        return path;
    }

  private:
    Status check_text() {
        if (text_.size() > kMaxFilterLength) {
            return fail(std::string(error_code_), "the text is " + std::to_string(text_.size()) +
                                                      " bytes long; the limit is " +
                                                      std::to_string(kMaxFilterLength));
        }
        if (auto bad = invalid_utf8_at(text_)) {
            pos_ = *bad;
            return problem("the text is not valid UTF-8");
        }
        return {};
    }

    // FILTER with `or` binding loosest. `in_brackets` forbids nested value paths, which
    // RFC 7644's valFilter rule does not allow.
    Result<FilterPtr> or_expression(bool in_brackets) {
        std::vector<FilterPtr> parts;
        while (true) {
            auto part = and_expression(in_brackets);
            if (!part) return part;
            parts.push_back(std::move(*part));
            if (!take_keyword("or")) break;
        }
        return join(LogicalOp::or_, std::move(parts));
    }

    Result<FilterPtr> and_expression(bool in_brackets) {
        std::vector<FilterPtr> parts;
        while (true) {
            auto part = unary(in_brackets);
            if (!part) return part;
            parts.push_back(std::move(*part));
            if (!take_keyword("and")) break;
        }
        return join(LogicalOp::and_, std::move(parts));
    }

    Result<FilterPtr> unary(bool in_brackets) {
        skip_spaces();
        if (at_end()) return error("an attribute path, \"not\" or \"(\"");
        if (peek() != '(' && detail::iequals(peek_word(), "not")) {
            pos_ += 3;
            skip_spaces();
            if (peek() != '(') return error("\"(\" after \"not\"");
            auto operand = group(in_brackets);
            if (!operand) return operand;
            return make(Negation{std::move(*operand)});
        }
        if (peek() == '(') return group(in_brackets);
        return attribute_expression(in_brackets);
    }

    // "(" FILTER ")", with the opening parenthesis at pos_.
    Result<FilterPtr> group(bool in_brackets) {
        const std::size_t open = pos_;
        if (auto status = enter(); !status) return status.error();
        ++pos_;
        auto inner = or_expression(in_brackets);
        if (!inner) return inner;
        skip_spaces();
        if (peek() != ')') {
            return error("\")\" to close the \"(\" at character " + std::to_string(open + 1));
        }
        ++pos_;
        --depth_;
        return inner;
    }

    // attrPath "pr" | attrPath compareOp compValue | attrPath "[" valFilter "]" [tail]
    Result<FilterPtr> attribute_expression(bool in_brackets) {
        auto attribute = attribute_path();
        if (!attribute) return attribute.error();
        if (peek() == '[') {
            if (in_brackets) return problem("a value filter cannot contain another \"[\"");
            auto inner = value_filter(*attribute);
            if (!inner) return inner;
            if (peek() != '.') return make(ValuePath{std::move(*attribute), std::move(*inner)});
            // Entra ID's `emails[type eq "work"].value eq "x"`: the comparison after the
            // bracket applies to the same element the bracket selected.
            ++pos_;
            auto sub = name();
            if (!sub) return sub.error();
            auto tail = condition(AttributePath{"", std::move(*sub), ""});
            if (!tail) return tail;
            auto both = join(LogicalOp::and_, {std::move(*inner), std::move(*tail)});
            return make(ValuePath{std::move(*attribute), std::move(both)});
        }
        return condition(std::move(*attribute));
    }

    // "pr" | compareOp SP compValue, after an attribute path.
    Result<FilterPtr> condition(AttributePath attribute) {
        skip_spaces();
        const std::string_view word = peek_word();
        if (word.empty()) return error("\"pr\" or a comparison operator");
        if (detail::iequals(word, "pr")) {
            pos_ += word.size();
            return make(Presence{std::move(attribute)});
        }
        const auto op = parse_operator(word);
        if (!op) {
            return error("\"pr\" or a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le)");
        }
        pos_ += word.size();
        skip_spaces();
        const std::size_t value_start = pos_;
        auto value = comp_value();
        if (!value) return value.error();
        if (auto status = check_operand(*op, *value, value_start); !status) return status.error();
        return make(Comparison{std::move(attribute), *op, std::move(*value)});
    }

    // Rejects operands that the operator can never match, so the administrator learns of
    // the mistake instead of getting an empty result.
    Status check_operand(CompareOp op, const json& value, std::size_t at) {
        const bool substring = op == CompareOp::co || op == CompareOp::sw || op == CompareOp::ew;
        const bool ordering = op == CompareOp::gt || op == CompareOp::ge || op == CompareOp::lt ||
                              op == CompareOp::le;
        if (substring && !value.is_string()) {
            pos_ = at;
            return error("a string after \"" + std::string(operator_name(op)) + "\"");
        }
        if (ordering && !value.is_string() && !value.is_number()) {
            pos_ = at;
            return error("a string or number after \"" + std::string(operator_name(op)) + "\"");
        }
        return {};
    }

    // "[" valFilter "]" with the bracket at pos_.
    Result<FilterPtr> value_filter(const AttributePath& attribute) {
        if (!attribute.sub_attribute.empty()) {
            return problem("a value filter must follow an attribute without a sub-attribute");
        }
        const std::size_t open = pos_;
        if (auto status = enter(); !status) return status.error();
        ++pos_;
        auto inner = or_expression(true);
        if (!inner) return inner;
        skip_spaces();
        if (peek() != ']') {
            return error("\"]\" to close the \"[\" at character " + std::to_string(open + 1));
        }
        ++pos_;
        --depth_;
        return inner;
    }

    // [URI ":"] ATTRNAME ["." ATTRNAME]
    Result<AttributePath> attribute_path() {
        skip_spaces();
        const std::string_view word = peek_word();
        if (word.empty()) return error("an attribute path");
        AttributePath path;
        std::string_view rest = word;
        if (const auto colon = word.rfind(':'); colon != std::string_view::npos) {
            path.urn = std::string(word.substr(0, colon));
            rest = word.substr(colon + 1);
        }
        const auto dot = rest.find('.');
        path.attribute = std::string(rest.substr(0, dot));
        if (dot != std::string_view::npos) path.sub_attribute = std::string(rest.substr(dot + 1));
        const bool valid = (word.find(':') == std::string_view::npos ||
                            (!path.urn.empty() && is_alpha(path.urn.front()))) &&
                           is_attribute_name(path.attribute) &&
                           (dot == std::string_view::npos || is_attribute_name(path.sub_attribute));
        if (!valid) return error("an attribute path");
        pos_ += word.size();
        return path;
    }

    Result<std::string> name() {
        std::size_t end = pos_;
        while (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '$')) ++end;
        const std::string_view word = text_.substr(pos_, end - pos_);
        if (!is_attribute_name(word)) return error("a sub-attribute name");
        pos_ = end;
        return std::string(word);
    }

    // compValue = false / null / true / number / string
    Result<json> comp_value() {
        const char c = peek();
        if (c == '"') return string_literal();
        if (c == '-' || is_digit(c)) return number_literal();
        const std::string_view word = peek_word();
        json value;
        if (detail::iequals(word, "true")) {
            value = true;
        } else if (detail::iequals(word, "false")) {
            value = false;
        } else if (detail::iequals(word, "null")) {
            value = nullptr;
        } else {
            return error("a value (a quoted string, number, true, false or null)");
        }
        pos_ += word.size();
        return value;
    }

    Result<json> string_literal() {
        const std::size_t open = pos_;
        ++pos_;
        std::string out;
        while (true) {
            if (at_end()) {
                pos_ = open;
                return problem("the string that starts here has no closing '\"'");
            }
            const char c = text_[pos_];
            if (c == '"') break;
            if (static_cast<unsigned char>(c) < 0x20) {
                return problem("a control character must be escaped inside a string");
            }
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            ++pos_;
            const char escape = peek();
            switch (escape) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    auto code = unicode_escape();
                    if (!code) return code.error();
                    append_utf8(out, *code);
                    continue;
                }
                default:
                    return error(
                        "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits)");
            }
            ++pos_;
        }
        ++pos_;
        return json(std::move(out));
    }

    // After "\" with pos_ at 'u': one \u escape (four hex digits), or a surrogate pair of two.
    Result<std::uint32_t> unicode_escape() {
        const std::size_t start = pos_ - 1;
        auto high = hex4();
        if (!high) return high;
        if (*high < 0xD800 || *high > 0xDFFF) return high;
        if (*high >= 0xDC00 || text_.substr(pos_, 2) != "\\u") {
            pos_ = start;
            return error("a \\u escape that is not half of a surrogate pair");
        }
        ++pos_;
        auto low = hex4();
        if (!low) return low;
        if (*low < 0xDC00 || *low > 0xDFFF) {
            pos_ = start;
            return error("a \\u escape that is not half of a surrogate pair");
        }
        return 0x10000 + ((*high - 0xD800) << 10) + (*low - 0xDC00);
    }

    // pos_ at 'u' of a \u escape; leaves pos_ after the four digits.
    Result<std::uint32_t> hex4() {
        ++pos_;
        std::uint32_t code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = peek();
            std::uint32_t digit = 0;
            if (is_digit(c)) {
                digit = static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                digit = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                digit = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return error("four hexadecimal digits after \\u");
            }
            code = code * 16 + digit;
            ++pos_;
        }
        return code;
    }

    // JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    Result<json> number_literal() {
        const std::size_t start = pos_;
        std::size_t i = pos_;
        auto digits = [&] {
            const std::size_t from = i;
            while (i < text_.size() && is_digit(text_[i])) ++i;
            return i > from;
        };
        if (i < text_.size() && text_[i] == '-') ++i;
        const std::size_t int_start = i;
        if (!digits() || (text_[int_start] == '0' && i - int_start > 1)) {
            return error("a number");
        }
        bool integral = true;
        if (i < text_.size() && text_[i] == '.') {
            ++i;
            integral = false;
            if (!digits()) return error("a number");
        }
        if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
            ++i;
            integral = false;
            if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
            if (!digits()) return error("a number");
        }
        if (i < text_.size() && is_word_char(text_[i])) {
            pos_ = i;
            return error("the end of the number");
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + i;
        pos_ = i;
        if (integral) {
            std::int64_t whole = 0;
            if (std::from_chars(first, last, whole).ec == std::errc{}) return json(whole);
        }
        double real = 0;
        const auto parsed = std::from_chars(first, last, real);
        if (parsed.ec != std::errc{}) {
            pos_ = start;
            return error("a number within the range of a double");
        }
        return json(real);
    }

    Status enter() {
        if (++depth_ > kMaxFilterDepth) {
            return problem("nesting is deeper than " + std::to_string(kMaxFilterDepth) + " levels");
        }
        return {};
    }

    // Consumes `keyword` (case-insensitive) when it is the next word.
    bool take_keyword(std::string_view keyword) {
        const std::size_t saved = pos_;
        skip_spaces();
        if (detail::iequals(peek_word(), keyword)) {
            pos_ += keyword.size();
            return true;
        }
        pos_ = saved;
        return false;
    }

    std::string_view peek_word() const {
        std::size_t end = pos_;
        while (end < text_.size() && is_word_char(text_[end])) ++end;
        return text_.substr(pos_, end - pos_);
    }

    void skip_spaces() {
        while (!at_end() && is_space(text_[pos_])) ++pos_;
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }

    // What the parser saw at pos_, for messages: the word, or a single character.
    std::string found() const {
        if (at_end()) return "the end of the text";
        std::string_view what = peek_word();
        if (what.empty()) what = text_.substr(pos_, 1);
        // Appended piece by piece: GCC 12 at -O3 takes `"\"" + std::string(…)` for an
        // overlapping memcpy and warns (-Wrestrict, a false positive).
        std::string quoted = "\"";
        quoted += what.substr(0, 24);
        quoted += what.size() > 24 ? "…\"" : "\"";
        return quoted;
    }

    Error error(const std::string& expected) const {
        return problem("expected " + expected + ", found " + found());
    }
    Error problem(const std::string& what) const {
        return fail(std::string(error_code_),
                    "at character " + std::to_string(pos_ + 1) + ": " + what);
    }

    std::string_view text_;
    std::string_view error_code_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

}  // namespace

Result<FilterPtr> parse_filter(std::string_view text) {
    return Parser(text, kInvalidFilterCode).filter();
}

Result<PatchPath> parse_patch_path(std::string_view text) {
    return Parser(text, kInvalidPathCode).patch_path();
}

}  // namespace gatehouse::scim
