// Runs a fuzz target over files and folders named on the command line, without libFuzzer:
// the normal test build (any compiler, with the sanitizers of that build) replays the seed
// corpus and every input a fuzzer once found under tests/fuzz/regressions/.
#include <filesystem>
#include <vector>

#include "fuzz_support.hpp"

int main(int argc, char** argv) {
    LLVMFuzzerInitialize(&argc, &argv);
    std::vector<std::filesystem::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        if (std::filesystem::is_directory(path)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
                if (entry.is_regular_file() && entry.path().filename() != "README.md") {
                    inputs.push_back(entry.path());
                }
            }
        } else if (std::filesystem::is_regular_file(path)) {
            inputs.push_back(path);
        } else {
            std::cerr << "replay: no such file or folder: " << path << "\n";
            return 2;
        }
    }
    if (inputs.empty()) {
        std::cerr << "replay: no input to run\n";
        return 2;
    }
    for (const auto& path : inputs) {
        std::ifstream file(path, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(file),
                                std::istreambuf_iterator<char>()};
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << "replayed " << inputs.size() << " inputs\n";
    return 0;
}
