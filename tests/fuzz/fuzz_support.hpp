// What the fuzz targets share: the libFuzzer entry points they define, and reading the
// project's test fixtures (keys, certificates) when a target starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace gatehouse::fuzz {

// The fuzz input as text (bytes as they came, NULs included).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The contents of `relative` under the source tree. A target that cannot read its fixtures
// would fuzz nothing useful, so it stops the run at once.
inline std::string read_source_file(std::string_view relative) {
    const std::string path = std::string(GATEHOUSE_SOURCE_DIR) + "/" + std::string(relative);
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        std::cerr << "fuzz target: cannot read " << path << "\n";
        std::abort();
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

// With GATEHOUSE_FUZZ_TRACE set, prints how the code under test answered each input ("ok",
// or the reason code of the refusal), so a seed that stops short of where it should reach
// can be seen: `GATEHOUSE_FUZZ_TRACE=1 build/tests/fuzz/fuzz_saml_response corpus/...`.
inline void trace(std::string_view step, std::string_view outcome) {
    static const bool enabled = std::getenv("GATEHOUSE_FUZZ_TRACE") != nullptr;
    if (enabled) std::cerr << step << ": " << outcome << "\n";
}

template <typename Result>
void trace_result(std::string_view step, const Result& result) {
    trace(step, result ? std::string_view("ok") : std::string_view(result.error().code));
}

// Fails the run loudly: an invariant the code under test promises did not hold.
[[noreturn]] inline void invariant_broken(std::string_view what) {
    std::cerr << "fuzz invariant broken: " << what << "\n";
    std::abort();
}

}  // namespace gatehouse::fuzz
