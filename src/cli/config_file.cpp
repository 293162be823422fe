#include "config_file.hpp"

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

namespace gatehouse::cli {
namespace {

constexpr const char* kConfigEnvironment = "GATEHOUSE_CONFIG";

// The option a config item names, or null when no option takes it.
const CLI::Option* option_of(const CLI::App& root, const CLI::ConfigItem& item) {
    const CLI::App* app = &root;
    for (const std::string& parent : item.parents) {
        try {
            app = app->get_subcommand(parent);
        } catch (const CLI::OptionNotFound&) {
            return nullptr;
        }
    }
    return app->get_option_no_throw("--" + item.name);
}

bool set_in_environment(const CLI::Option& option) {
    const std::string name = option.get_envname();
    if (name.empty()) return false;
    const char* value = std::getenv(name.c_str());
    return value != nullptr && *value != '\0';
}

// CLI11's TOML reader with three changes. A key that names no option is refused with its
// name, where CLI11 would say only that it could not parse it. CLI11 fills options from the
// file before it reads the environment, and fills each option once, so a value in the file
// would hide its environment variable: items whose option's variable is set are left out
// here, and the environment wins as the operator who set it expects. And a key given twice
// is read as the command line reads a repeated option: a list option takes the values of
// every line, any other option is refused, where CLI11 would keep the first line's value
// without a word unless the two lines were adjacent.
class ConfigUnderEnvironment : public CLI::ConfigTOML {
  public:
    explicit ConfigUnderEnvironment(const CLI::App& root) : root_(root) {}

    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
        std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
        std::map<std::string, std::size_t> kept_at;  // full name to its place in `kept`
        std::vector<CLI::ConfigItem> kept;
        for (CLI::ConfigItem& item : items) {
            // "++" and "--" mark where a section opens and closes.
            if (item.name == "++" || item.name == "--") {
                kept.push_back(std::move(item));
                continue;
            }
            const CLI::Option* option = option_of(root_, item);
            if (option == nullptr) {
                throw CLI::ConfigError("the config file sets " + item.fullname() +
                                       ", which is not the long name of an option there");
            }
            // CLI11 joins adjacent lines of one key into one item of several values.
            const bool takes_list = option->get_items_expected_max() > 1;
            const auto earlier = kept_at.find(item.fullname());
            if (!takes_list && (item.inputs.size() > 1 || earlier != kept_at.end())) {
                throw CLI::ConfigError("the config file sets " + item.fullname() +
                                       " twice, or to a list, where it takes one value");
            }
            if (set_in_environment(*option)) continue;
            if (earlier != kept_at.end()) {
                auto& inputs = kept[earlier->second].inputs;
                inputs.insert(inputs.end(), item.inputs.begin(), item.inputs.end());
                continue;
            }
            kept_at.emplace(item.fullname(), kept.size());
            kept.push_back(std::move(item));
        }
        return kept;
    }

  private:
    const CLI::App& root_;
};

}  // namespace

void add_config_file_option(CLI::App& app) {
    // CLI11 reads the file before the environment, so the variable naming the file is read
    // here; a file it names must then exist.
    const char* from_environment = std::getenv(kConfigEnvironment);
    const bool named = from_environment != nullptr && *from_environment != '\0';
    app.set_config("--config", named ? from_environment : "",
                   "Read option values from this TOML file: top-level keys for the global "
                   "options (db = \"…\"), a [serve] or other section per command, each key "
                   "an option's long name. Options given on the command line or in their "
                   "environment variables override the file. (Env:GATEHOUSE_CONFIG)",
                   named);
    app.config_formatter(std::make_shared<ConfigUnderEnvironment>(app));
    app.allow_config_extras(CLI::config_extras_mode::error);
}

}  // namespace gatehouse::cli
