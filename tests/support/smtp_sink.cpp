#include "support/smtp_sink.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::testing {
namespace {

const std::string kScript = std::string(GATEHOUSE_SOURCE_DIR) + "/tests/interop/smtp_sink.js";
constexpr std::chrono::seconds kStartTimeout{30};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Splits at the first empty line into (headers, body); line breaks may be CR LF or LF.
std::pair<std::string, std::string> split_head(const std::string& raw) {
    std::size_t at = raw.find("\r\n\r\n");
    if (at != std::string::npos) return {raw.substr(0, at), raw.substr(at + 4)};
    at = raw.find("\n\n");
    if (at != std::string::npos) return {raw.substr(0, at), raw.substr(at + 2)};
    throw std::runtime_error("the message has no body");
}

std::vector<std::pair<std::string, std::string>> parse_headers(const std::string& head) {
    std::vector<std::pair<std::string, std::string>> headers;
    std::istringstream lines(head);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
            headers.back().second += line;  // unfolding keeps the white space
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        headers.emplace_back(line.substr(0, colon), value);
    }
    return headers;
}

std::string find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return {};
}

std::string quoted_printable_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 1 < text.size() && (text[i + 1] == '\r' || text[i + 1] == '\n')) {
            i += (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n') ? 2 : 1;
        } else if (text[i] == '=' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string without_cr(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    return text;
}

std::string decode_body(const std::string& encoding, const std::string& body) {
    const std::string how = lower(encoding);
    if (how == "base64") {
        auto decoded = util::base64_decode(body);
        if (!decoded) throw std::runtime_error("a part is not valid base64");
        return without_cr(*decoded);
    }
    if (how == "quoted-printable") return without_cr(quoted_printable_decode(body));
    return without_cr(body);
}

// The parameter of a header value, such as boundary in `multipart/alternative; boundary="x"`.
std::string parameter(const std::string& value, const std::string& name) {
    const std::string wanted = name + "=";
    const std::size_t at = lower(value).find(wanted);
    if (at == std::string::npos) return {};
    std::string rest = value.substr(at + wanted.size());
    if (!rest.empty() && rest.front() == '"') return rest.substr(1, rest.find('"', 1) - 1);
    return rest.substr(0, rest.find(';'));
}

void take_part(ReceivedMail& mail, const std::string& type, const std::string& encoding,
               const std::string& body) {
    const std::string kind = lower(type);
    if (kind.starts_with("text/plain")) mail.text = decode_body(encoding, body);
    if (kind.starts_with("text/html")) mail.html = decode_body(encoding, body);
}

std::string decode_encoded_words(const std::string& value) {
    std::string out;
    std::size_t at = 0;
    bool previous_was_word = false;
    while (at < value.size()) {
        const std::size_t start = value.find("=?", at);
        if (start == std::string::npos) {
            out += value.substr(at);
            break;
        }
        const std::size_t charset_end = value.find('?', start + 2);
        const std::size_t encoding_end =
            charset_end == std::string::npos ? charset_end : value.find('?', charset_end + 1);
        const std::size_t end =
            encoding_end == std::string::npos ? encoding_end : value.find("?=", encoding_end + 1);
        if (end == std::string::npos) {
            out += value.substr(at);
            break;
        }
        const std::string between = value.substr(at, start - at);
        // White space between two encoded words is not part of the text (RFC 2047 §6.2).
        if (!(previous_was_word && std::all_of(between.begin(), between.end(),
                                               [](char c) { return c == ' ' || c == '\t'; }))) {
            out += between;
        }
        const std::string encoding =
            lower(value.substr(charset_end + 1, encoding_end - charset_end - 1));
        const std::string text = value.substr(encoding_end + 1, end - encoding_end - 1);
        if (encoding == "b") {
            out += util::base64_decode(text).value_or("");
        } else {
            std::string q = text;
            std::replace(q.begin(), q.end(), '_', ' ');
            out += quoted_printable_decode(q);
        }
        at = end + 2;
        previous_was_word = true;
    }
    return out;
}

}  // namespace

std::string ReceivedMail::header(std::string_view name) const { return find_header(headers, name); }

std::size_t ReceivedMail::header_count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(
        headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); }));
}

std::string ReceivedMail::subject() const { return decode_encoded_words(header("Subject")); }

ReceivedMail parse_received_mail(const std::string& raw) {
    ReceivedMail mail;
    mail.raw = raw;
    auto [head, body] = split_head(raw);
    mail.headers = parse_headers(head);
    const std::string type = mail.header("Content-Type");
    if (!lower(type).starts_with("multipart/")) {
        take_part(mail, type.empty() ? "text/plain" : type,
                  mail.header("Content-Transfer-Encoding"), body);
        return mail;
    }
    const std::string boundary = "--" + parameter(type, "boundary");
    std::size_t at = body.find(boundary);
    while (at != std::string::npos) {
        at += boundary.size();
        if (body.compare(at, 2, "--") == 0) break;
        const std::size_t next = body.find(boundary, at);
        if (next == std::string::npos) break;
        std::string chunk = body.substr(at, next - at);
        while (!chunk.empty() && (chunk.front() == '\r' || chunk.front() == '\n'))
            chunk.erase(0, 1);
        auto [part_head, part_body] = split_head(chunk);
        const auto part_headers = parse_headers(part_head);
        take_part(mail, find_header(part_headers, "Content-Type"),
                  find_header(part_headers, "Content-Transfer-Encoding"), part_body);
        at = next;
    }
    return mail;
}

SmtpSink::SmtpSink(SmtpSinkOptions options)
    : options_(std::move(options)), ca_(std::make_unique<TestCa>()) {
    std::vector<std::string> argv = {"node", kScript, "--dir", directory()};
    if (options_.temp_fail_data > 0) {
        argv.insert(argv.end(), {"--temp-fail-data", std::to_string(options_.temp_fail_data)});
    }
    if (options_.temp_fail_rcpt > 0) {
        argv.insert(argv.end(), {"--temp-fail-rcpt", std::to_string(options_.temp_fail_rcpt)});
    }
    if (options_.reject_rcpt) argv.push_back("--reject-rcpt");
    if (!options_.user.empty()) {
        argv.insert(argv.end(), {"--user", options_.user, "--password", options_.password});
    }
    if (options_.starttls || options_.implicit_tls) {
        argv.insert(argv.end(), {"--tls-key", ca_->leaf().key_file, "--tls-cert",
                                 ca_->leaf().certificate_file});
    }
    if (options_.implicit_tls) argv.push_back("--implicit-tls");
    if (options_.stall) argv.push_back("--stall");
    process_ = std::make_unique<ChildProcess>(argv);
    const std::string line = process_->wait_for_line(
        [](const std::string& l) {
            return !l.empty() &&
                   std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; });
        },
        kStartTimeout);
    port_ = std::stoi(line);
}

SmtpSink::~SmtpSink() = default;

std::string SmtpSink::url() const {
    if (options_.implicit_tls) return "smtps://localhost:" + std::to_string(port_);
    if (options_.starttls) return "smtp://localhost:" + std::to_string(port_);
    return "smtp://127.0.0.1:" + std::to_string(port_);
}

std::vector<ReceivedMail> SmtpSink::messages() const {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory(), error)) {
        if (entry.path().extension() == ".eml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<ReceivedMail> received;
    for (const auto& file : files) {
        ReceivedMail mail = parse_received_mail(read_file(file));
        mail.file = file.string();
        auto envelope_file = file;
        envelope_file.replace_extension(".json");
        mail.envelope = nlohmann::json::parse(read_file(envelope_file), nullptr, false);
        received.push_back(std::move(mail));
    }
    return received;
}

std::vector<ReceivedMail> SmtpSink::wait_for_messages(std::size_t count,
                                                      std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto received = messages();
        if (received.size() >= count) return received;
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("the SMTP sink received " + std::to_string(received.size()) +
                                     " of " + std::to_string(count) +
                                     " messages in time; its log: " + log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace gatehouse::testing
