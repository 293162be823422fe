#include "sp_key_pair.hpp"

#include <sys/stat.h>

#include "gatehouse/saml/key_pair_file.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::cli {
namespace {

namespace fs = std::filesystem;

// Where serve once looked for the SP key pair when no option named one.
constexpr const char* kLegacyKey = "certs/sp.key";
constexpr const char* kLegacyCertificate = "certs/sp.crt";

Result<saml::SpCredentials> from_key_pair_file(const saml::KeyPairFile& file) {
    return saml::SpCredentials::from_pem(file.private_key_pem, file.certificate_pem);
}

// What tells a key pair file apart from the one read before: none when it is missing.
std::string file_signature(const fs::path& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) return "none";
    return std::to_string(status.st_ino) + ":" + std::to_string(status.st_size) + ":" +
           std::to_string(status.st_mtim.tv_sec) + "." + std::to_string(status.st_mtim.tv_nsec);
}

std::string signature_of_ring(const fs::path& current) {
    return file_signature(current) + "/" + file_signature(next_key_pair_path(current)) + "/" +
           file_signature(previous_key_pair_path(current));
}

std::string fingerprint_of(const std::shared_ptr<const saml::SpCredentials>& pair) {
    return pair ? pair->certificate().sha256_fingerprint() : std::string();
}

Result<std::shared_ptr<const saml::SpCredentials>> read_pair(const fs::path& path) {
    auto file = saml::read_key_pair_file(path);
    if (!file) return file.error();
    auto loaded = from_key_pair_file(*file);
    if (!loaded) {
        return fail(loaded.error().code, path.string() + ": " + loaded.error().message);
    }
    return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
}

}  // namespace

fs::path next_key_pair_path(const fs::path& current) {
    return current.parent_path() / "sp-key-next.pem";
}

fs::path previous_key_pair_path(const fs::path& current) {
    return current.parent_path() / "sp-key-previous.pem";
}

Result<saml::SpKeyRing> read_key_ring(const fs::path& current) {
    saml::SpKeyRing ring;
    auto pair = read_pair(current);
    if (!pair) return pair.error();
    ring.current = std::move(*pair);
    std::error_code error;
    for (auto [path, slot] : {std::pair{next_key_pair_path(current), &ring.next},
                              std::pair{previous_key_pair_path(current), &ring.previous}}) {
        if (!fs::exists(path, error)) continue;
        auto other = read_pair(path);
        if (!other) return other.error();
        *slot = std::move(*other);
    }
    return ring;
}

SpKeyReloader::SpKeyReloader(fs::path current, std::shared_ptr<saml::SpKeys> keys,
                             std::chrono::milliseconds period)
    : current_(std::move(current)), keys_(std::move(keys)), period_(period) {
    thread_ = std::thread([this] { run(); });
}

SpKeyReloader::~SpKeyReloader() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SpKeyReloader::run() {
    std::string seen = signature_of_ring(current_);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
        const std::string now = signature_of_ring(current_);
        if (now == seen) continue;
        auto ring = read_key_ring(current_);
        if (!ring) {
            util::log_event(util::LogLevel::error, "server.sp_keys_unreadable",
                            {{"source", current_.parent_path().string()},
                             {"code", ring.error().code},
                             {"message", ring.error().message},
                             {"detail", "the keys in use are kept"}});
            seen = now;
            continue;
        }
        util::log_event(util::LogLevel::warning, "server.sp_keys_reloaded",
                        {{"current", fingerprint_of(ring->current)},
                         {"next", fingerprint_of(ring->next)},
                         {"previous", fingerprint_of(ring->previous)}});
        keys_->replace(std::move(*ring));
        seen = now;
    }
}

fs::path state_key_pair_path(const std::string& db_path) {
    if (store::is_postgres_url(db_path)) return {};
    fs::path folder = fs::path(db_path).parent_path();
    if (folder.empty()) folder = ".";
    return folder / "sp-key.pem";
}

Result<std::shared_ptr<const saml::SpCredentials>> load_or_create_sp_credentials(
    const GlobalOptions& global, const std::string& key_file, const std::string& cert_file,
    const util::Clock& clock) {
    if (!key_file.empty()) {
        auto loaded = saml::SpCredentials::from_files(key_file, cert_file);
        if (!loaded) return loaded.error();
        util::log_event(
            util::LogLevel::info, "server.sp_key",
            {{"source", key_file}, {"fingerprint", loaded->certificate().sha256_fingerprint()}});
        return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
    }
    const fs::path path = state_key_pair_path(global.db_path);
    if (path.empty()) {
        util::log_event(
            util::LogLevel::warning, "server.sp_key_missing",
            {{"detail",
              "with a PostgreSQL store every gateway process must use one SP key pair: pass "
              "--sp-key and --sp-cert; SAML endpoints answer 503 until then"}});
        return std::shared_ptr<const saml::SpCredentials>();
    }
    std::error_code error;
    if (!fs::exists(path, error) && fs::exists(kLegacyKey, error) &&
        fs::exists(kLegacyCertificate, error)) {
        return fail("serve.sp_key_legacy",
                    std::string(kLegacyKey) + " and " + kLegacyCertificate +
                        " are no longer read by default: pass --sp-key " + kLegacyKey +
                        " --sp-cert " + kLegacyCertificate +
                        " to keep that key pair, or remove them to let serve create " +
                        path.string() + ".");
    }
    fs::create_directories(path.parent_path(), error);
    if (error) {
        return fail("serve.state_folder", "Cannot create the store's folder " +
                                              path.parent_path().string() + ": " + error.message() +
                                              ".");
    }
    auto file = saml::load_or_create_key_pair_file(path, "Gatehouse SP", clock);
    if (!file) return file.error();
    auto loaded = from_key_pair_file(*file);
    if (!loaded) return loaded.error();
    const std::string fingerprint = loaded->certificate().sha256_fingerprint();
    if (file->created) {
        util::log_event(util::LogLevel::warning, "server.sp_key_created",
                        {{"source", path.string()},
                         {"fingerprint", fingerprint},
                         {"detail",
                          "created a new SP key pair (mode 0600); IdPs need the SP metadata "
                          "that carries its certificate"}});
    } else {
        util::log_event(util::LogLevel::info, "server.sp_key",
                        {{"source", path.string()}, {"fingerprint", fingerprint}});
    }
    return std::make_shared<const saml::SpCredentials>(std::move(*loaded));
}

Result<saml::SpCredentials> read_sp_credentials(const GlobalOptions& global,
                                                const std::string& key_file,
                                                const std::string& cert_file) {
    if (key_file.empty() != cert_file.empty()) {
        return fail("saml.key.unreadable",
                    "--sp-key and --sp-cert go together: give both, or neither for the key "
                    "pair file beside the store.");
    }
    if (!key_file.empty()) return saml::SpCredentials::from_files(key_file, cert_file);
    const fs::path path = state_key_pair_path(global.db_path);
    std::error_code error;
    if (path.empty() || !fs::exists(path, error)) {
        return fail("saml.key.unreadable",
                    path.empty() ? "With a PostgreSQL store, name the SP key pair the gateway "
                                   "uses with --sp-key and --sp-cert."
                                 : "No SP key pair at " + path.string() +
                                       ": start gatehouse serve once to create it, or name "
                                       "the gateway's with --sp-key and --sp-cert.");
    }
    auto file = saml::read_key_pair_file(path);
    if (!file) return file.error();
    return from_key_pair_file(*file);
}

}  // namespace gatehouse::cli
