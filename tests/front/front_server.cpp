#include "front/front_server.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "front/loopback_clients.hpp"
#include "support/saml_idp.hpp"

namespace gatehouse::testing {
namespace {

// Whether `help` lists option `name` itself, not only a longer one that starts with it
// (--max-connections and --max-connections-per-client).
bool lists_flag(const std::string& help, const std::string& name) {
    for (auto at = help.find(name); at != std::string::npos; at = help.find(name, at + 1)) {
        const auto after = at + name.size();
        const bool starts = at == 0 || help[at - 1] == ' ' || help[at - 1] == ',';
        const bool ends =
            after == help.size() || !(std::isalnum(static_cast<unsigned char>(help[after])) ||
                                      help[after] == '-' || help[after] == '_');
        if (starts && ends) return true;
    }
    return false;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

std::vector<std::string> unknown_serve_flags(const std::vector<ServeFlag>& flags) {
    const auto help = run_gatehouse({"serve", "--help"});
    REQUIRE_MESSAGE(help.exit_code == 0, "gatehouse serve --help failed: " << help.err);
    std::vector<std::string> unknown;
    for (const auto& flag : flags) {
        if (!lists_flag(help.out, flag.name)) unknown.push_back(flag.name);
    }
    return unknown;
}

FrontServer::FrontServer(std::initializer_list<ServeFlag> flags) {
    raise_open_file_limit();
    const std::string db = dir_.file("gatehouse.db");
    const auto created = run_gatehouse({"--db", db, "org", "create", kFrontOrg, "--name", "Front"});
    REQUIRE_MESSAGE(created.exit_code == 0, created.err);
    const auto sp = generate_identity("gatehouse.front.test");
    write_text(dir_.file("sp.key"), sp.private_key_pem);
    write_text(dir_.file("sp.crt"), sp.certificate_pem);

    std::vector<std::string> args = {"--sp-key", dir_.file("sp.key"), "--sp-cert",
                                     dir_.file("sp.crt")};
    const auto unknown = unknown_serve_flags(std::vector<ServeFlag>(flags));
    for (const auto& flag : flags) {
        if (std::find(unknown.begin(), unknown.end(), flag.name) != unknown.end()) {
            const std::string message = std::string(GATEHOUSE_BINARY) + " has no `serve " +
                                        flag.name +
                                        "` flag, which this test needs; running without it";
            FAIL_CHECK(message);
            continue;
        }
        args.push_back(flag.name);
        args.push_back(flag.value);
    }
    process_ = std::make_unique<ServerProcess>(db, args);
}

}  // namespace gatehouse::testing
