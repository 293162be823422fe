// The gateway's SP key pair as the commands that sign for it find it: the files --sp-key and
// --sp-cert name, or else `sp-key.pem` beside a SQLite store, which `serve` creates on first
// start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "commands.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_key_ring.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {

// The key pair file of the store `db_path` names: `sp-key.pem` in a SQLite file's folder
// ("." when the path has none). Empty for a PostgreSQL URL: processes sharing a database
// share no folder, so they must be given one key pair.
std::filesystem::path state_key_pair_path(const std::string& db_path);

// Beside the key pair file `current`: the pair `sp-key rotate` staged (sp-key-next.pem) and
// the pair its switch replaced (sp-key-previous.pem).
std::filesystem::path next_key_pair_path(const std::filesystem::path& current);
std::filesystem::path previous_key_pair_path(const std::filesystem::path& current);

// The current pair of `current` and, when their files exist, the next and previous pairs.
// Fails with the errors of saml::read_key_pair_file and SpCredentials::from_pem, naming the
// file.
Result<saml::SpKeyRing> read_key_ring(const std::filesystem::path& current);

// Keeps `keys` in step with the key pair files beside `current` while serve runs: every
// `period` it looks at the three files (inode, size, modification time) and, when one has
// changed, reads the ring again and replaces it, logging "server.sp_keys_reloaded" with the
// fingerprints. A ring that cannot be read is logged ("server.sp_keys_unreadable") and the
// keys in use are kept. Stops and joins its thread when destroyed.
class SpKeyReloader {
  public:
    SpKeyReloader(std::filesystem::path current, std::shared_ptr<saml::SpKeys> keys,
                  std::chrono::milliseconds period);
    ~SpKeyReloader();
    SpKeyReloader(const SpKeyReloader&) = delete;
    SpKeyReloader& operator=(const SpKeyReloader&) = delete;

  private:
    void run();

    const std::filesystem::path current_;
    const std::shared_ptr<saml::SpKeys> keys_;
    const std::chrono::milliseconds period_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// For `serve`. `key_file` and `cert_file` are both set or both empty (the caller checks).
// Set: loads them (the SpCredentials::from_files errors). Empty: reads the store's key pair
// file, creating its folder and the file on first start (saml::load_or_create_key_pair_file),
// and refuses with "serve.sp_key_legacy" when certs/sp.key and certs/sp.crt, once read by
// default, exist in the working folder while the file does not, since a new key would
// silently break every IdP that trusts the old one. Logs "server.sp_key_created" (a warning:
// IdPs need the new metadata) or "server.sp_key", with the certificate's SHA-256 fingerprint.
// With a PostgreSQL store and no files, returns null after a "server.sp_key_missing" warning:
// SAML endpoints then answer 503.
Result<std::shared_ptr<const saml::SpCredentials>> load_or_create_sp_credentials(
    const GlobalOptions& global, const std::string& key_file, const std::string& cert_file,
    const util::Clock& clock);

// For commands that sign as a running gateway would (`saml test`): the named files, else the
// store's key pair file, which must exist ("saml.key.unreadable" otherwise, saying to start
// serve once or name the files). Creates nothing.
Result<saml::SpCredentials> read_sp_credentials(const GlobalOptions& global,
                                                const std::string& key_file,
                                                const std::string& cert_file);

}  // namespace gatehouse::cli
