// Every `gatehouse …` command line shown in a code block of README.md, read from the README
// when the test runs and run in README order on one fresh store, so the README cannot show
// a command line the program refuses. A line added to the README is run without any change
// here, unless it names something only this file can stand in for (a host, a placeholder):
// then the table in `substitutions()` needs a row, and the loopback guard says so.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/time.hpp"
#include "support/jws_signer.hpp"
#include "support/postgres_server.hpp"
#include "support/saml_idp.hpp"
#include "support/temp_dir.hpp"
#include "support/test_ca.hpp"
#include "support/tls_fixture.hpp"

extern char** environ;

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// How many `gatehouse` command lines README.md shows. Counted by hand, so that a change in
// the README (or a parser that finds nothing) is noticed here rather than passing silently.
constexpr std::size_t kReadmeCommandLines = 48;

// The base URL every README line's https://sso.example.com becomes: the CLI's own default,
// so the commands that take no --base-url (`saml check … --sp-key`) expect the same URLs.
constexpr const char* kBaseUrl = "http://127.0.0.1:8080";

// One `gatehouse …` command as the README shows it, continuation lines joined.
struct ReadmeCommand {
    int line = 0;          // where it starts in README.md
    std::string text;      // from `gatehouse` on, without a trailing comment or `)`
    std::string stdin_of;  // the variable `printf '%s\n' "$VAR" |` feeds it, if any
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::size_t indent_of(const std::string& line) {
    const auto first = line.find_first_not_of(' ');
    return first == std::string::npos ? line.size() : first;
}

bool is_blank(const std::string& line) { return indent_of(line) == line.size(); }

// Removes a shell comment: a `#` that starts a word outside quotes.
std::string without_comment(const std::string& text) {
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '#' && (i == 0 || text[i - 1] == ' ')) {
            return text.substr(0, text.find_last_not_of(' ', i - 1) + 1);
        }
    }
    return text;
}

// The command a code line runs, when it runs `gatehouse`: alone, fed by `printf … |`, or in
// `NAME=$(…)`. The README uses no other shell forms around the program.
std::optional<ReadmeCommand> command_in(const std::string& code, int line) {
    static const std::regex shape(
        R"re(^(?:printf '%s\\n' "\$([A-Z_]+)" \| |[A-Z_]+=\$\()?(gatehouse( .*)?)$)re");
    std::smatch match;
    if (!std::regex_match(code, match, shape)) return std::nullopt;
    ReadmeCommand command{line, without_comment(match[2].str()), match[1].str()};
    if (code.find("=$(") != std::string::npos && command.text.ends_with(")")) {
        command.text.pop_back();
    }
    return command;
}

// Every command line in README.md's code blocks: fenced (```) blocks, and indented blocks
// (a run of lines indented by four spaces or more after a blank line, which also catches
// the code inside numbered steps). A line ending in `\` continues on the next.
std::vector<ReadmeCommand> readme_commands() {
    std::istringstream readme(read_file(std::string(GATEHOUSE_SOURCE_DIR) + "/README.md"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(readme, line);) lines.push_back(line);

    std::vector<ReadmeCommand> commands;
    bool fenced = false;
    bool indented = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const std::string trimmed = line.substr(indent_of(line));
        if (trimmed.starts_with("```")) {
            fenced = !fenced;
            continue;
        }
        if (!fenced) {
            if (is_blank(line)) {
                indented = false;
                continue;
            }
            const bool after_blank = i > 0 && is_blank(lines[i - 1]);
            if (indent_of(line) < 4) {
                indented = false;
                continue;
            }
            if (!indented && !after_blank) continue;
            indented = true;
        }
        std::string code = trimmed;
        const int first_line = static_cast<int>(i) + 1;
        while (code.ends_with("\\") && i + 1 < lines.size()) {
            code.pop_back();
            ++i;
            code += lines[i].substr(indent_of(lines[i]));
        }
        code = std::regex_replace(code, std::regex(" {2,}"), " ");
        if (auto command = command_in(code, first_line)) commands.push_back(*command);
    }
    return commands;
}

// Splits a command line into words as the shell would for these lines: blanks separate
// words, and single or double quotes keep blanks inside one.
std::vector<std::string> shell_words(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (const char c : text) {
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

// True when every URL among `words` points at this machine: 127.0.0.1, localhost, or a
// PostgreSQL Unix socket. The guard that keeps a new README line from reaching the network.
bool only_loopback_urls(const std::vector<std::string>& words, std::string& offending) {
    static const std::regex url(R"re(^[a-z]+://(?:[^@/]*@)?([^/:?]*))re");
    for (const auto& word : words) {
        std::smatch match;
        const auto at = word.find("://");
        if (at == std::string::npos) continue;
        const std::string candidate = word.substr(word.rfind(' ', at) + 1);
        if (!std::regex_search(candidate, match, url)) continue;
        const std::string host = match[1].str();
        const bool socket = host.empty() && candidate.find("host=/") != std::string::npos;
        if (host != "127.0.0.1" && host != "localhost" && !socket) {
            offending = word;
            return false;
        }
    }
    return true;
}

// How a run of the binary ended, and what it printed.
struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Starts GATEHOUSE_BINARY with `args` in folder `cwd`, standard input read from `input_file`
// and its output written to `out_file` and `err_file`, so relative paths on a README line
// resolve in the test's folder as they would in the reader's.
pid_t start_gatehouse(const std::vector<std::string>& args, const std::string& cwd,
                      const std::string& input_file, const std::string& out_file,
                      const std::string& err_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, input_file.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string binary = GATEHOUSE_BINARY;
    std::vector<std::string> copies = args;
    std::vector<char*> argv = {binary.data()};
    for (auto& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + binary);
    return pid;
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return exit_code_of(status);
}

// The loopback stand-ins for the hosts the README names, and the files its lines read.
struct ReadmeWorld {
    TempDir folder;  // the working directory of every command: var/gatehouse.db lives here
    TestIdp idp{"urn:gatehouse:readme-idp"};  // a name, not a URL anything fetches
    TestCa ca;
    std::string sp_certificate_pem;
    std::unique_ptr<TestHttpsServer> https;
    SilentListener smtp;  // a mail server that never answers: `serve` only has to start
    std::map<std::string, std::string> postgres_urls;  // README URL -> a fresh database

    ReadmeWorld() {
        std::filesystem::create_directories(folder.file("var"));
        util::SystemClock clock;
        auto sp = saml::generate_sp_credentials("gatehouse README SP", clock);
        REQUIRE(sp.ok());
        sp_certificate_pem = sp->certificate_pem;
        // The key pair file `serve` reads beside var/gatehouse.db (and would otherwise create),
        // which `saml check --sp-key var/sp-key.pem` reads too.
        write_file(folder.file("var/sp-key.pem"), sp->private_key_pem + sp->certificate_pem);
        write_file(folder.file("smtp-password"), "mail-password\n");
        https = std::make_unique<TestHttpsServer>(
            ca.leaf(), [this](httplib::Server& server) { install_routes(server); });
    }

    std::string issuer() const { return https->url("/oidc"); }

    void install_routes(httplib::Server& server) {
        server.Get("/saml/metadata", [this](const httplib::Request&, httplib::Response& res) {
            res.set_content(metadata_xml(), "application/samlmetadata+xml");
        });
        server.Get("/oidc/.well-known/openid-configuration", [this](const httplib::Request&,
                                                                    httplib::Response& res) {
            const nlohmann::json discovery = {
                {"issuer", issuer()},
                {"authorization_endpoint", issuer() + "/auth"},
                {"token_endpoint", issuer() + "/token"},
                {"jwks_uri", issuer() + "/jwks"},
                {"id_token_signing_alg_values_supported", nlohmann::json::array({"RS256"})},
                {"code_challenge_methods_supported", nlohmann::json::array({"S256"})}};
            res.set_content(discovery.dump(), "application/json");
        });
        server.Get("/oidc/jwks", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(
                oidc::testing::jwks_text({oidc::testing::SigningKey::shared_rsa().jwk()}),
                "application/json");
        });
    }

    std::string metadata_xml() const {
        std::string der;
        std::istringstream pem(idp.identity().certificate_pem);
        for (std::string line; std::getline(pem, line);) {
            if (line.find("-----") == std::string::npos) der += line;
        }
        return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
               "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" +
               idp.entity_id() +
               "\"><md:IDPSSODescriptor "
               "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
               "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
               der +
               "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
               "<md:SingleSignOnService "
               "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"" +
               https->url("/saml/sso") + "\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
    }

    // A Response from the test IdP to org acme at kBaseUrl, signed, answering `request_id`
    // (empty: IdP-initiated), issued at `at`.
    std::string response_xml(const std::string& assertion_id, const std::string& request_id,
                             util::UnixTime at) const {
        ResponseSpec spec;
        spec.response_id = "_readme-response-" + assertion_id;
        spec.assertion_id = assertion_id;
        spec.response_issuer = idp.entity_id();
        spec.assertion_issuer = idp.entity_id();
        spec.destination = std::string(kBaseUrl) + "/saml/acs/acme/";
        spec.recipient = spec.destination;
        spec.audience = std::string(kBaseUrl) + "/saml/metadata/acme/";
        spec.in_response_to = request_id;
        spec.name_id = "ada@acme.example";
        spec.issue_instant = at;
        spec.not_before = at - 60;
        spec.not_on_or_after = at + 300;
        spec.subject_not_on_or_after = at + 300;
        spec.attributes = {{"email", {"ada@acme.example"}}, {"firstName", {"Ada"}}};
        return idp.sign(build_response_xml(spec), spec.assertion_id);
    }

    // The files the `saml check` lines name, made as the README describes them; made just
    // before those lines run, as the IdP issues a Response only minutes before it is used.
    void write_check_inputs() {
        const util::UnixTime now = util::SystemClock{}.now();
        write_file(folder.file("response.b64"),
                   util::base64_encode(response_xml("_readme-plain", "", now)));
        const auto at = util::parse_iso8601("2026-11-23T08:00:00Z");
        REQUIRE(at);
        write_file(folder.file("response.xml"), response_xml("_readme-at", "_abc", *at));
        write_file(folder.file("idp.pem"), idp.identity().certificate_pem);
        write_file(folder.file("encrypted.b64"),
                   util::base64_encode(encrypt_assertion(response_xml("_readme-encrypted", "", now),
                                                         sp_certificate_pem)));
    }

    std::string postgres_database(const std::string& readme_url) {
        auto& url = postgres_urls[readme_url];
        if (url.empty()) url = shared_postgres_server().create_database();
        return url;
    }
};

// What the README writes where this test has a loopback stand-in or a concrete value,
// applied in order to each joined line before it is split into words.
struct Substitution {
    std::string readme;
    std::string replacement;
};

std::vector<Substitution> substitutions(ReadmeWorld& world) {
    const std::string ca = " --metadata-ca-file " + world.ca.ca_file();
    const std::string oidc_fixture =
        world.issuer() + " --allow-private-urls --ca-file " + world.ca.ca_file();
    return {
        // The port of a gateway the test starts: any free one, read from its log.
        {"--listen 127.0.0.1:8080", "--listen 127.0.0.1:0"},
        // The public URL is never contacted; the CLI's default keeps the `saml check`
        // lines with and without --base-url on the same URLs.
        {"https://sso.example.com", kBaseUrl},
        // `serve …` and `--base-url …`: the rest of the serve options, elided.
        {"serve …", "serve --listen 127.0.0.1:0"},
        {"--base-url …", std::string("--base-url ") + kBaseUrl + " --listen 127.0.0.1:0"},
        // Okta's metadata URL: the test IdP's metadata on a loopback HTTPS server.
        {"https://example.okta.com/app/…/sso/saml/metadata",
         world.https->url("/saml/metadata") + " --allow-private-metadata-urls" + ca},
        // An OpenID issuer and Google's: a loopback discovery document and key set.
        {"--issuer https://acme.okta.com", "--issuer " + oidc_fixture},
        {"--kind google", "--kind google --issuer " + oidc_fixture},
        // Client IDs the README abbreviates.
        {"0oa1…", "0oa1readme"},
        {"1234….apps.googleusercontent.com", "1234-readme.apps.googleusercontent.com"},
        {"Ov23…", "Ov23readme"},
        // The placeholders of the explicit `saml check`.
        {"--idp-entity-id ID", "--idp-entity-id " + world.idp.entity_id()},
        {"--sp-entity-id URL", std::string("--sp-entity-id ") + kBaseUrl + "/saml/metadata/acme/"},
        {"--acs-url URL", std::string("--acs-url ") + kBaseUrl + "/saml/acs/acme/"},
        // Absolute paths of a production machine: the test's folder.
        {"/var/lib/gatehouse/gatehouse.db", "var/gatehouse.db"},
        {"/etc/gatehouse/smtp-password", "smtp-password"},
        // The mail relay: a loopback port that accepts and never answers.
        {"smtp://mail.example.com:587", "smtp://127.0.0.1:" + std::to_string(world.smtp.port())},
        // Each PostgreSQL URL: its own empty database on the test's private server.
        {"'postgresql://…'", "'" + world.postgres_database("postgresql://…") + "'"},
        {"'postgresql://gatehouse:PASSWORD@db.internal:5432/gatehouse'",
         "'" + world.postgres_database("db.internal") + "'"},
        {"'postgresql://gatehouse@/gatehouse?host=/run/postgresql'",
         "'" + world.postgres_database("/run/postgresql") + "'"},
    };
}

// What a person types, or what the README's variables hold, on standard input.
std::string standard_input(const ReadmeCommand& command) {
    static const std::map<std::string, std::string> variables = {
        {"IT_PASSWORD", "it-readme-password-1"},   {"ROOT_PASSWORD", "root-readme-password-1"},
        {"GOOGLE_SECRET", "google-readme-secret"}, {"GITHUB_SECRET", "github-readme-secret"},
        {"SECRET", "oidc-readme-secret"},
    };
    if (!command.stdin_of.empty()) {
        const auto value = variables.find(command.stdin_of);
        REQUIRE_MESSAGE(value != variables.end(), "no value for $" << command.stdin_of);
        return value->second + "\n";
    }
    if (command.text.find("-stdin") != std::string::npos) return "typed-readme-secret-1\n";
    return "";
}

std::string substituted(const std::vector<Substitution>& table, std::string text) {
    for (const auto& [readme, replacement] : table) {
        for (auto at = text.find(readme); at != std::string::npos;
             at = text.find(readme, at + replacement.size())) {
            text.replace(at, readme.size(), replacement);
        }
    }
    return text;
}

// Runs a one-shot command to its end.
Outcome run_once(const ReadmeWorld& world, const std::vector<std::string>& args,
                 const std::string& input) {
    write_file(world.folder.file(".stdin"), input);
    const pid_t pid =
        start_gatehouse(args, world.folder.path().string(), world.folder.file(".stdin"),
                        world.folder.file(".stdout"), world.folder.file(".stderr"));
    Outcome outcome;
    outcome.exit_code = wait_exit(pid);
    outcome.out = read_file(world.folder.file(".stdout"));
    outcome.err = read_file(world.folder.file(".stderr"));
    return outcome;
}

// Runs `serve`, which would run until stopped: waits for the port it logs, asks /healthz,
// then stops it as an operator would (SIGTERM), which must end it with 0.
Outcome run_server(const ReadmeWorld& world, const std::vector<std::string>& args) {
    write_file(world.folder.file(".stdin"), "");
    const pid_t pid =
        start_gatehouse(args, world.folder.path().string(), world.folder.file(".stdin"),
                        world.folder.file(".stdout"), world.folder.file(".stderr"));
    static const std::regex listening(R"re("event":"server.listening".*"port":([0-9]+))re");
    Outcome outcome;
    int port = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port == 0 && std::chrono::steady_clock::now() < deadline) {
        outcome.err = read_file(world.folder.file(".stderr"));
        std::smatch match;
        if (std::regex_search(outcome.err, match, listening)) {
            port = std::stoi(match[1].str());
        } else if (int status = 0; waitpid(pid, &status, WNOHANG) == pid) {
            // It ended before listening (a refused option, a store it cannot open).
            outcome.exit_code = exit_code_of(status);
            outcome.err = read_file(world.folder.file(".stderr"));
            FAIL_CHECK("serve ended before it listened");
            return outcome;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    int health = 0;
    if (port != 0) {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(10, 0);
        if (auto res = client.Get("/healthz")) health = res->status;
    }
    kill(pid, SIGTERM);
    outcome.exit_code = wait_exit(pid);
    outcome.err = read_file(world.folder.file(".stderr"));
    CHECK_MESSAGE(health == 200, "GET /healthz answered " << health);
    return outcome;
}

// True for `serve`, the one command that runs until it is stopped. The README's lines put
// only --db before a command, so the first other word is the command.
bool is_serve(const std::vector<std::string>& args) {
    std::size_t at = 0;
    while (at + 1 < args.size() && args[at] == "--db") at += 2;
    return at < args.size() && args[at] == "serve";
}

}  // namespace

TEST_CASE("README: every gatehouse command line in its code blocks is found") {
    const auto commands = readme_commands();

    CHECK(commands.size() == kReadmeCommandLines);
    for (const auto& command : commands) {
        INFO("README.md:" << command.line << ": " << command.text);
        CHECK(command.text.starts_with("gatehouse"));
        CHECK(command.text.find('\\') == std::string::npos);
        CHECK(command.text.find(" #") == std::string::npos);
    }
}

TEST_CASE("README: every gatehouse command line runs, in README order, on one store") {
    const auto commands = readme_commands();
    REQUIRE(commands.size() == kReadmeCommandLines);
    ReadmeWorld world;
    const auto table = substitutions(world);

    for (const auto& command : commands) {
        const std::string text = substituted(table, command.text);
        INFO("README.md:" << command.line << ": " << command.text);
        INFO("ran as: " << text);
        REQUIRE_MESSAGE(text.find("…") == std::string::npos,
                        "a placeholder is left: give it a row in substitutions()");
        auto words = shell_words(text);
        REQUIRE(words.at(0) == "gatehouse");
        words.erase(words.begin());
        std::string offending;
        REQUIRE_MESSAGE(
            only_loopback_urls(words, offending),
            "this line would reach " << offending << ": give it a row in substitutions()");
        // The README's Okta step 4 configures the IdP in the browser or with curl; the
        // `saml check … --org acme` lines need it, answering IdP-initiated sign-ins.
        if (command.text.starts_with("gatehouse saml check response.b64")) {
            world.write_check_inputs();
            const auto configured =
                run_once(world,
                         shell_words(substituted(table,
                                                 "saml configure acme --metadata-url "
                                                 "https://example.okta.com/app/…/sso/saml/metadata "
                                                 "--allow-idp-initiated true")),
                         "");
            REQUIRE_MESSAGE(configured.exit_code == 0, configured.err);
        }

        const Outcome outcome = is_serve(words) ? run_server(world, words)
                                                : run_once(world, words, standard_input(command));

        CHECK_MESSAGE(outcome.exit_code == 0, "exit code " << outcome.exit_code << "\nstdout:\n"
                                                           << outcome.out << "\nstderr:\n"
                                                           << outcome.err);
    }
}
