#include "sp_key_pair.hpp"

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

}  // namespace

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
