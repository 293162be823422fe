#include "gatehouse/saml/key_pair_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::saml {
namespace {

constexpr std::string_view kCertificateBegin = "-----BEGIN CERTIFICATE-----";

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Removes the temporary file when the link into place is done or has failed.
class TemporaryName {
  public:
    explicit TemporaryName(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryName() { ::unlink(path_.c_str()); }
    TemporaryName(const TemporaryName&) = delete;
    TemporaryName& operator=(const TemporaryName&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

Error unwritable(const std::filesystem::path& path, const std::string& what) {
    return fail("saml.key.unwritable",
                "Cannot " + what + " the key pair file " + path.string() + ".");
}

Result<KeyPairFile> split(const std::filesystem::path& path, const std::string& pem) {
    const auto certificate = pem.find(kCertificateBegin);
    if (certificate == std::string::npos || certificate == 0) {
        return fail("saml.key.unreadable", "The key pair file " + path.string() +
                                               " does not hold a private key followed by its "
                                               "certificate.");
    }
    return KeyPairFile{pem.substr(0, certificate), pem.substr(certificate), false};
}

// Writes `pem` to a new file at `path`, mode 0600 from its creation, and syncs it.
Status write_private_file(const std::filesystem::path& path, const std::string& pem) {
    FileDescriptor file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (file.get() < 0) return unwritable(path, "create");
    std::size_t written = 0;
    while (written < pem.size()) {
        const auto n = ::write(file.get(), pem.data() + written, pem.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return unwritable(path, "write");
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(file.get()) != 0) return unwritable(path, "write");
    return {};
}

// Syncs the folder, so the new name survives a crash as the file's contents do.
void sync_folder(const std::filesystem::path& folder) {
    FileDescriptor handle(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_CLOEXEC));
    if (handle.get() >= 0) ::fsync(handle.get());
}

}  // namespace

Result<KeyPairFile> read_key_pair_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
        return fail("saml.key.unreadable", "Cannot read the key pair file " + path.string() + ".");
    }
    return split(path, text.str());
}

Result<KeyPairFile> load_or_create_key_pair_file(const std::filesystem::path& path,
                                                 std::string_view common_name,
                                                 const util::Clock& clock) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) return read_key_pair_file(path);

    auto generated = generate_sp_credentials(common_name, clock);
    if (!generated) return generated.error();
    const std::string pem = generated->private_key_pem + generated->certificate_pem;

    // A random temporary name: each process starting at once writes its own.
    TemporaryName temporary(path.string() + ".new-" + util::random_token(8));
    if (auto written = write_private_file(temporary.path(), pem); !written) return written.error();
    // link() never replaces an existing name: the first process to link wins, and the others
    // read its file instead of their own.
    if (::link(temporary.path().c_str(), path.c_str()) != 0) {
        if (errno == EEXIST) return read_key_pair_file(path);
        return unwritable(path, "create");
    }
    sync_folder(path.parent_path());
    auto created = split(path, pem);
    if (created) created->created = true;
    return created;
}

}  // namespace gatehouse::saml
