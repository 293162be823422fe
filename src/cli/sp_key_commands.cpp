// `gatehouse sp-key show|rotate`: the SP key pair in the state folder (sp-key.pem beside the
// SQLite store) and its rollover. `rotate` stages a next pair, which running gateways publish
// in every org's SP metadata beside the current one; `rotate --switch`, once IdPs have that
// metadata, makes it current and keeps the old pair to decrypt with only.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "gatehouse/saml/key_pair_file.hpp"
#include "gatehouse/util/crypto.hpp"
#include "sp_key_pair.hpp"

namespace gatehouse::cli {
namespace {

namespace fs = std::filesystem;

struct RotateOptions {
    bool switch_now = false;
    double min_age_hours = 24;
};

std::string utc_time(util::UnixTime when) {
    const std::time_t time = when;
    std::tm parts{};
    gmtime_r(&time, &parts);
    std::ostringstream out;
    out << std::put_time(&parts, "%Y-%m-%d %H:%M UTC");
    return out.str();
}

// The state folder's current key pair file; prints why there is none and returns empty.
fs::path current_pair(const GlobalOptions& global, const std::string& command) {
    const fs::path path = state_key_pair_path(global.db_path);
    if (path.empty()) {
        std::cerr << "gatehouse " << command
                  << ": the SP key pair is kept beside a SQLite store; with PostgreSQL every "
                     "gateway is given one with --sp-key and --sp-cert, and rolling it over "
                     "is not supported yet.\n";
        return {};
    }
    std::error_code error;
    if (!fs::exists(path, error)) {
        std::cerr << "gatehouse " << command << ": there is no SP key pair at " << path.string()
                  << " yet: gatehouse serve creates it on its first start.\n";
        return {};
    }
    return path;
}

util::UnixTime modified_at(const fs::path& path) {
    std::error_code error;
    const auto written = fs::last_write_time(path, error);
    if (error) return 0;
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::file_clock::to_sys(written).time_since_epoch())
        .count();
}

void describe(const std::string& role, const std::shared_ptr<const saml::SpCredentials>& pair,
              const fs::path& path) {
    if (!pair) {
        std::cout << role << ": none\n";
        return;
    }
    std::cout << role << ": " << path.string() << "\n"
              << "  SHA-256 " << pair->certificate().sha256_fingerprint() << "\n"
              << "  certificate valid until " << utc_time(pair->certificate().not_after())
              << ", file written " << utc_time(modified_at(path)) << "\n";
}

int show(const GlobalOptions& global) {
    const fs::path current = current_pair(global, "sp-key show");
    if (current.empty()) return kExitFailure;
    auto ring = read_key_ring(current);
    if (!ring) {
        std::cerr << "gatehouse sp-key show: " << ring.error().message << "\n";
        return kExitFailure;
    }
    describe("current (signs; published)", ring->current, current);
    describe("next (published; not yet signing)", ring->next, next_key_pair_path(current));
    describe("previous (decrypts only)", ring->previous, previous_key_pair_path(current));
    return kExitOk;
}

int stage(const fs::path& current) {
    const fs::path next = next_key_pair_path(current);
    std::error_code error;
    const bool staged_before = fs::exists(next, error);
    util::SystemClock clock;
    auto file = saml::load_or_create_key_pair_file(next, "Gatehouse SP", clock);
    if (!file) {
        std::cerr << "gatehouse sp-key rotate: " << file.error().message << "\n";
        return kExitFailure;
    }
    auto pair = saml::SpCredentials::from_pem(file->private_key_pem, file->certificate_pem);
    if (!pair) {
        std::cerr << "gatehouse sp-key rotate: " << next.string() << ": " << pair.error().message
                  << "\n";
        return kExitFailure;
    }
    const std::string fingerprint = pair->certificate().sha256_fingerprint();
    if (staged_before && !file->created) {
        std::cout << "A next SP key pair is already staged (SHA-256 " << fingerprint << ", since "
                  << utc_time(modified_at(next))
                  << "). Once every IdP has the SP metadata that carries it, run gatehouse "
                     "sp-key rotate --switch.\n";
        return kExitOk;
    }
    std::cout << "Staged the next SP key pair in " << next.string() << " (SHA-256 " << fingerprint
              << ").\nRunning gateways publish its certificate beside the current one in "
                 "every org's SP metadata within seconds, for signing and for encryption, and "
                 "decrypt assertions encrypted to it.\nIdPs that import the SP metadata (by "
                 "URL or file) must read it again. Then run gatehouse sp-key rotate --switch "
                 "(it waits for the pair to be 24 hours old unless --min-age-hours says "
                 "otherwise).\n";
    return kExitOk;
}

int switch_to_next(const fs::path& current, double min_age_hours) {
    const fs::path next = next_key_pair_path(current);
    const fs::path previous = previous_key_pair_path(current);
    std::error_code error;
    if (!fs::exists(next, error)) {
        std::cerr << "gatehouse sp-key rotate: no next key pair is staged: run gatehouse sp-key "
                     "rotate first, and --switch once IdPs have the metadata that carries it.\n";
        return kExitFailure;
    }
    auto next_pair = saml::read_key_pair_file(next);
    if (!next_pair) {
        std::cerr << "gatehouse sp-key rotate: " << next_pair.error().message << "\n";
        return kExitFailure;
    }
    const util::UnixTime staged_at = modified_at(next);
    const util::UnixTime now = util::SystemClock{}.now();
    const auto min_age_seconds = static_cast<util::UnixTime>(min_age_hours * 3600);
    if (now - staged_at < min_age_seconds) {
        std::cerr << "gatehouse sp-key rotate: the next key pair was staged at "
                  << utc_time(staged_at) << "; IdPs that read the SP metadata now and then may "
                  << "not have its certificate yet. Switch after "
                  << utc_time(staged_at + min_age_seconds)
                  << ", or pass a smaller --min-age-hours once every IdP has it.\n";
        return kExitFailure;
    }
    // The old pair becomes the previous one by a second name for the same file, so no copy
    // of the private key is ever written; then the next pair replaces the current one in one
    // rename. At every moment sp-key.pem holds a whole key pair.
    const fs::path link_name =
        current.parent_path() / (".sp-key-previous-" + util::random_token(8) + ".tmp");
    if (::link(current.c_str(), link_name.c_str()) != 0) {
        std::cerr << "gatehouse sp-key rotate: cannot link " << current.string() << ": "
                  << std::strerror(errno) << "\n";
        return kExitFailure;
    }
    fs::rename(link_name, previous, error);
    if (!error) fs::rename(next, current, error);
    if (error) {
        fs::remove(link_name, error);
        std::cerr << "gatehouse sp-key rotate: cannot switch the key pair files: "
                  << error.message() << "\n";
        return kExitFailure;
    }
    if (const int folder = ::open(current.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
        folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
    auto pair =
        saml::SpCredentials::from_pem(next_pair->private_key_pem, next_pair->certificate_pem);
    std::cout << "Switched: " << current.string() << " now holds the pair staged at "
              << utc_time(staged_at)
              << (pair ? " (SHA-256 " + pair->certificate().sha256_fingerprint() + ")" : "")
              << ", which running gateways sign with within seconds. The old pair is kept in "
              << previous.string()
              << " to decrypt assertions from IdPs that still encrypt to it; it is no longer "
                 "published.\n";
    return kExitOk;
}

int rotate(const GlobalOptions& global, const RotateOptions& options) {
    const fs::path current = current_pair(global, "sp-key rotate");
    if (current.empty()) return kExitFailure;
    return options.switch_now ? switch_to_next(current, options.min_age_hours) : stage(current);
}

}  // namespace

void add_sp_key_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    CLI::App* sp_key = app.add_subcommand(
        "sp-key", "The gateway's SP key pair beside the SQLite store, and rolling it over");
    sp_key->require_subcommand(1);

    CLI::App* show_command =
        sp_key->add_subcommand("show", "The current, next and previous SP key pairs");
    show_command->callback([&command, &global] { command = [&global] { return show(global); }; });

    auto options = std::make_shared<RotateOptions>();
    CLI::App* rotate_command = sp_key->add_subcommand(
        "rotate",
        "Stage a next SP key pair, published in the metadata beside the current one; with "
        "--switch, make the staged pair current");
    rotate_command->add_flag("--switch", options->switch_now,
                             "Make the staged pair current, keeping the old one to decrypt "
                             "with only");
    rotate_command
        ->add_option("--min-age-hours", options->min_age_hours,
                     "With --switch: how long the staged pair must have been published")
        ->check(CLI::Range(0.0, 24.0 * 365))
        ->capture_default_str();
    rotate_command->callback([&command, &global, options] {
        command = [&global, options] { return rotate(global, *options); };
    });
}

}  // namespace gatehouse::cli
