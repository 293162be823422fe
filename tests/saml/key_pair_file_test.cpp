#include "gatehouse/saml/key_pair_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gatehouse/saml/keys.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

constexpr util::UnixTime kNow = 1795423500;  // 2026-11-23T08:45:00Z

std::string contents_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The names in `folder`, to show no temporary file is left behind.
std::vector<std::string> names_in(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        names.push_back(entry.path().filename().string());
    }
    return names;
}

}  // namespace

TEST_CASE("a key pair file is created once, readable by its owner only, and read back after") {
    testing::TempDir dir;
    util::FixedClock clock(kNow);
    const std::string path = dir.file("sp-key.pem");

    auto first = load_or_create_key_pair_file(path, "Gatehouse SP", clock);
    REQUIRE(first.ok());
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    auto second = load_or_create_key_pair_file(path, "Gatehouse SP", clock);
    REQUIRE(second.ok());

    CHECK(first->created);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(contents_of(path) == first->private_key_pem + first->certificate_pem);
    CHECK(SpCredentials::from_pem(first->private_key_pem, first->certificate_pem).ok());
    CHECK_FALSE(second->created);
    CHECK(second->private_key_pem == first->private_key_pem);
    CHECK(second->certificate_pem == first->certificate_pem);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"sp-key.pem"});
}

TEST_CASE("callers creating one key pair file at once all end with the same key") {
    // Threads stand in for gateway processes starting together: link() decides between them
    // the same way.
    testing::TempDir dir;
    const std::string path = dir.file("sp-key.pem");
    constexpr int kCallers = 6;
    std::vector<Result<KeyPairFile>> got(kCallers, fail("unset", "unset"));
    std::vector<std::thread> callers;
    for (int i = 0; i < kCallers; ++i) {
        callers.emplace_back([&, i] {
            util::FixedClock clock(kNow);
            got[i] = load_or_create_key_pair_file(path, "Gatehouse SP", clock);
        });
    }
    for (auto& caller : callers) caller.join();

    int created = 0;
    for (const auto& pair : got) {
        REQUIRE(pair.ok());
        if (pair->created) ++created;
        CHECK(pair->private_key_pem + pair->certificate_pem == contents_of(path));
    }
    CHECK(created == 1);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"sp-key.pem"});
}

TEST_CASE("a key pair file without a certificate after the key is refused and left as it is") {
    testing::TempDir dir;
    util::FixedClock clock(kNow);
    const std::string path = dir.file("sp-key.pem");
    for (const std::string& text :
         {std::string("not a key\n"), std::string("-----BEGIN CERTIFICATE-----\nMIIB\n"),
          std::string()}) {
        CAPTURE(text);
        std::ofstream(path, std::ios::binary) << text;

        auto loaded = load_or_create_key_pair_file(path, "Gatehouse SP", clock);

        REQUIRE_FALSE(loaded.ok());
        CHECK(loaded.error().code == "saml.key.unreadable");
        CHECK(contents_of(path) == text);
    }
}

TEST_CASE("a key pair file in a folder that does not exist is refused as unwritable") {
    testing::TempDir dir;
    util::FixedClock clock(kNow);

    auto created = load_or_create_key_pair_file(dir.file("missing/sp-key.pem"), "SP", clock);

    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == "saml.key.unwritable");
    CHECK_FALSE(std::filesystem::exists(dir.file("missing")));
}
