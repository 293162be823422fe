// Requests written byte for byte, for what httplib's client would not send as given: raw
// control characters in the request line, a missing, doubled or foreign Host header.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace gatehouse::testing {

// The length of the first complete response at the start of `data` (headers and a body of
// Content-Length bytes), or 0 while it is incomplete.
inline std::size_t complete_response_length(const std::string& data) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    std::size_t body = 0;
    const auto length = data.find("\r\nContent-Length: ");
    if (length != std::string::npos && length < head_end)
        body = std::stoul(data.substr(length + 18, data.find("\r\n", length + 18)));
    const std::size_t total = head_end + 4 + body;
    return data.size() >= total ? total : 0;
}

// Sends `request` to 127.0.0.1:`port` and returns the first `responses` responses to it
// (fewer when the server closes first or nothing more comes within 10 seconds). The server
// may go on waiting for more of a request it could not parse; the answer is complete anyway.
inline std::string raw_exchange(int port, const std::string& request, int responses = 1) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    timeval patience{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
        ::close(fd);
        throw std::runtime_error("cannot send to 127.0.0.1:" + std::to_string(port));
    }
    std::string received;
    std::string answered;
    char buffer[4096];
    while (responses > 0) {
        const std::size_t complete = complete_response_length(received);
        if (complete > 0) {
            answered += received.substr(0, complete);
            received.erase(0, complete);
            --responses;
            continue;
        }
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        received.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return answered + received;
}

// The status code of a raw response ("HTTP/1.1 421 Misdirected Request" gives 421); 0 when
// there is none.
inline int raw_status(const std::string& response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
}

// The value of header `name` (exact case) in a raw response, or empty.
inline std::string raw_header(const std::string& response, const std::string& name) {
    const std::string head = response.substr(0, response.find("\r\n\r\n"));
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 4;
    return head.substr(start, head.find("\r\n", start) - start);
}

// A GET of `target` with `host` as its Host header (none when empty), closing afterwards.
inline std::string raw_get(int port, const std::string& target, const std::string& host) {
    std::string request = "GET " + target + " HTTP/1.1\r\n";
    if (!host.empty()) request += "Host: " + host + "\r\n";
    return raw_exchange(port, request + "Connection: close\r\n\r\n");
}

// One response as the server sent it, headers unaltered (httplib's client percent-decodes
// header values, which breaks signed Redirect-binding URLs).
struct RawAnswer {
    std::string text;

    int status() const { return raw_status(text); }
    std::string header(const std::string& name) const { return raw_header(text, name); }
    bool has_header(const std::string& name) const {
        return text.substr(0, text.find("\r\n\r\n")).find("\r\n" + name + ": ") !=
               std::string::npos;
    }
    std::string body() const {
        const auto head_end = text.find("\r\n\r\n");
        return head_end == std::string::npos ? std::string() : text.substr(head_end + 4);
    }
};

// A form POST of `body` to `target` on 127.0.0.1:`port` with `headers` (each "Name: value").
inline RawAnswer raw_post_form(int port, const std::string& target, const std::string& body,
                               const std::vector<std::string>& headers = {}) {
    std::string request = "POST " + target +
                          " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\nConnection: close\r\n";
    for (const auto& header : headers) request += header + "\r\n";
    return {raw_exchange(port, request + "\r\n" + body)};
}

}  // namespace gatehouse::testing
