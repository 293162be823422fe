// The gateway's SP key pair as the commands that sign for it find it: the files --sp-key and
// --sp-cert name, or else `sp-key.pem` beside a SQLite store, which `serve` creates on first
// start.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "commands.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::cli {

// The key pair file of the store `db_path` names: `sp-key.pem` in a SQLite file's folder
// ("." when the path has none). Empty for a PostgreSQL URL: processes sharing a database
// share no folder, so they must be given one key pair.
std::filesystem::path state_key_pair_path(const std::string& db_path);

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
