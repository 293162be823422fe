// The outbox through the real program: `gatehouse outbox test` and `outbox list`, the admin
// API's view of it, a server without --smtp-url that keeps mail queued, and a server killed
// with SIGKILL before it could deliver, whose message the next server delivers once.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/smtp_sink.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr std::chrono::seconds kWait{30};

struct OutboxGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");

    OutboxGateway() {
        auto created =
            run_gatehouse({"--db", db, "org", "create", "acme", "--name", "Acme <Corp>"});
        REQUIRE_MESSAGE(created.exit_code == 0, created.err);
    }

    // Queues the test message; returns its Message-ID.
    std::string queue_test(const std::string& to = "ada@example.com") {
        auto queued = run_gatehouse({"--db", db, "outbox", "test", "--org", "acme", "--to", to});
        REQUIRE_MESSAGE(queued.exit_code == 0, queued.err);
        const std::size_t open = queued.out.find('<');
        REQUIRE(open != std::string::npos);
        return queued.out.substr(open, queued.out.find('>', open) - open + 1);
    }

    std::vector<json> list(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"--db", db, "outbox", "list"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto listed = run_gatehouse(args);
        REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
        std::vector<json> lines;
        std::istringstream in(listed.out);
        std::string line;
        while (std::getline(in, line)) lines.push_back(json::parse(line));
        return lines;
    }

    // Waits until the outbox's only message is in `state`.
    json wait_for_state(const std::string& state) {
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        while (true) {
            auto lines = list();
            if (lines.size() == 1 && lines[0]["state"] == state) return lines[0];
            REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                            "the message never became " << state);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
};

int closed_port() {
    SmtpSink gone;
    return gone.port();
}

bool wait_for_log(const ServerProcess& server, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
        if (server.log().find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace

TEST_CASE("outbox test queues a message that outbox list shows with its state and Message-ID") {
    OutboxGateway gw;
    const std::string message_id = gw.queue_test();
    const auto lines = gw.list();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["org"] == "acme");
    CHECK(lines[0]["kind"] == "test");
    CHECK(lines[0]["state"] == "queued");
    CHECK(lines[0]["tries"] == 0);
    CHECK(lines[0]["to"] == "ada@example.com");
    CHECK(lines[0]["subject"] == "Test message from Gatehouse for Acme <Corp>");
    CHECK(lines[0]["message_id"] == message_id);
    CHECK(lines[0]["last_error"] == "");
    CHECK(lines[0]["next_attempt_at"].is_string());
    CHECK(gw.list({"--state", "sent"}).empty());
    CHECK(gw.list({"--org", "acme", "--state", "queued"}).size() == 1);
}

TEST_CASE("outbox test refuses an address that is not one plain address, queueing nothing") {
    OutboxGateway gw;
    auto refused = run_gatehouse(
        {"--db", gw.db, "outbox", "test", "--org", "acme", "--to", "ada@example.com, eve@x.org"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("mail.invalid_address") != std::string::npos);
    auto unknown_org = run_gatehouse(
        {"--db", gw.db, "outbox", "test", "--org", "nope", "--to", "ada@example.com"});
    CHECK(unknown_org.exit_code == 1);
    auto bad_state = run_gatehouse({"--db", gw.db, "outbox", "list", "--state", "lost"});
    CHECK(bad_state.exit_code == 2);
    CHECK(gw.list().empty());
}

TEST_CASE("a server without --smtp-url keeps mail queued and shows it in the admin API") {
    OutboxGateway gw;
    auto key = run_gatehouse({"--db", gw.db, "admin-key", "create", "acme", "--quiet"});
    REQUIRE(key.exit_code == 0);
    std::string token = key.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();

    ServerProcess server(gw.db);
    const std::string message_id = gw.queue_test();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const auto lines = gw.list();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["state"] == "queued");
    CHECK(lines[0]["tries"] == 0);

    httplib::Client client("127.0.0.1", server.port());
    auto anonymous = client.Get("/api/0/organizations/acme/outbox/");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    auto listed =
        client.Get("/api/0/organizations/acme/outbox/", {{"Authorization", "Bearer " + token}});
    REQUIRE(listed);
    REQUIRE(listed->status == 200);
    const json body = json::parse(listed->body);
    CHECK(body["total"] == 1);
    REQUIRE(body["messages"].size() == 1);
    CHECK(body["messages"][0]["message_id"] == message_id);
    CHECK(body["messages"][0]["state"] == "queued");
    CHECK(body["messages"][0]["to"] == "ada@example.com");
}

TEST_CASE("serve refuses --smtp-url without --smtp-from, and a password file that is missing") {
    OutboxGateway gw;
    auto no_from = run_gatehouse(
        {"--db", gw.db, "serve", "--listen", "127.0.0.1:0", "--smtp-url", "smtp://127.0.0.1:25"});
    CHECK(no_from.exit_code == 2);
    CHECK(no_from.err.find("--smtp-from") != std::string::npos);
    auto no_password =
        run_gatehouse({"--db", gw.db, "serve", "--listen", "127.0.0.1:0", "--smtp-url",
                       "smtp://127.0.0.1:25", "--smtp-from", "noreply@example.com", "--smtp-user",
                       "mailer", "--smtp-password-file", gw.dir.file("missing")});
    CHECK(no_password.exit_code == 2);
}

TEST_CASE("a message queued before a kill -9 is delivered once by the next server") {
    OutboxGateway gw;
    const std::string password_file = gw.dir.file("smtp-password");
    std::ofstream(password_file) << "pa55-w0rd-never-logged\n";
    const std::vector<std::string> smtp_flags = {
        "--smtp-from",          "noreply@gatehouse.example",
        "--smtp-user",          "mailer",
        "--smtp-password-file", password_file,
        "--smtp-retry-delay",   "1",
        "--smtp-timeout",       "5"};
    std::string message_id;
    {
        // The server's SMTP server is down: the message is attempted, deferred, and the
        // process dies before it could ever be delivered.
        auto flags = smtp_flags;
        flags.insert(flags.end(),
                     {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(closed_port())});
        ServerProcess first(gw.db, flags);
        message_id = gw.queue_test();
        REQUIRE(wait_for_log(first, "\"mail.attempt\""));
        CHECK(first.stop(SIGKILL) == 128 + SIGKILL);
        CHECK(first.log().find("pa55-w0rd") == std::string::npos);
    }
    const auto deferred = gw.list();
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]["state"] != "sent");
    CHECK(deferred[0]["tries"].get<int>() >= 1);
    CHECK_FALSE(deferred[0]["last_error"].get<std::string>().empty());

    SmtpSinkOptions options;
    options.user = "mailer";
    options.password = "pa55-w0rd-never-logged";
    SmtpSink sink(options);
    auto flags = smtp_flags;
    flags.insert(flags.end(), {"--smtp-url", sink.url()});
    ServerProcess second(gw.db, flags);
    const auto received = sink.wait_for_messages(1, kWait);
    REQUIRE(received.size() == 1);
    CHECK(received[0].header("Message-ID") == message_id);
    CHECK(received[0].envelope["user"] == "mailer");
    CHECK(received[0].subject() == "Test message from Gatehouse for Acme <Corp>");
    CHECK(received[0].html.find("Acme &lt;Corp&gt;") != std::string::npos);
    const auto sent = gw.wait_for_state("sent");
    CHECK(sent["message_id"] == message_id);
    CHECK(sent["sent_at"].is_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(sink.messages().size() == 1);
    CHECK(second.log().find("pa55-w0rd") == std::string::npos);
    CHECK(second.log().find("\"outcome\":\"sent\"") != std::string::npos);
}
