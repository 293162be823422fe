// A key pair kept in one PEM file (the private key, then its certificate), created on first
// use: the gateway's own SP key in its state folder, and the demo IdP's key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

struct KeyPairFile {
    std::string private_key_pem;
    std::string certificate_pem;
    bool created = false;  // true when this call generated and wrote the file
};

// Reads the key pair file at `path`. Fails with "saml.key.unreadable" when it cannot be read
// or does not hold a private key followed by a certificate. Creates nothing.
Result<KeyPairFile> read_key_pair_file(const std::filesystem::path& path);

// Reads the key pair file at `path`, or, when there is none, generates a key pair
// (generate_sp_credentials(common_name, clock)) and writes it there with mode 0600. The new
// file is written and synced under a temporary name in the same folder, then linked into
// place: no reader ever sees part of it, the key is never readable by others, and of several
// processes creating it at once every one ends up with the file that was linked first.
// Fails with "saml.key.unreadable" (the file cannot be read, or holds no private key followed
// by a certificate), "saml.key.unwritable" (the folder or file cannot be written) or
// "saml.key.generate_failed". The folder must exist. Safe to call from several processes.
Result<KeyPairFile> load_or_create_key_pair_file(const std::filesystem::path& path,
                                                 std::string_view common_name,
                                                 const util::Clock& clock);

}  // namespace gatehouse::saml
