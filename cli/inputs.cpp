#include "cli/inputs.hpp"

#include <filesystem>

#include "engine/core/hash.hpp"

namespace jg::cli {

using namespace jg::core;

LoadedInput load_input(const std::string& kind, const std::string& name) {
  if (std::filesystem::is_regular_file(name)) {
    std::string text = read_text_file(name);
    return {parse_toml_text(text, name), {kind, name, sha256_hex(text)}};
  }
  const bool is_platform = kind == "platform";
  const auto& library = is_platform ? hw::platform_library() : wl::workload_library();
  if (const char* text = find_embedded(library, name))
    return {parse_toml_text(text, "builtin:" + name), {kind, "builtin:" + name, sha256_hex(text)}};
  std::vector<std::string> names;
  for (const auto& e : library) names.emplace_back(e.name);
  const bool looks_like_path = name.find('/') != std::string::npos || name.find(".toml") != std::string::npos;
  const std::string flag = is_platform ? "--hw" : "--workload";
  throw ConfigError({SourceLoc{flag, 0, 0, {}}, "", "a " + kind + " file or a shipped " + kind + " name",
                     looks_like_path ? "no file '" + name + "'" : "'" + name + "', neither a file nor a shipped name",
                     did_you_mean(name, names) + " (see `joulegraph list`)"});
}

void apply_overrides(ConfigNode& platform, ConfigNode& workload, const std::vector<std::string>& sets) {
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    const std::string key = s.substr(0, eq);
    const std::string first = key.substr(0, key.find('.'));
    if (first == "hw")
      apply_override(platform, s.substr(3));
    else if (first == "workload")
      apply_override(workload, s.substr(9));
    else if (first == "devices" || first == "links" || first == "storage")
      apply_override(platform, s);
    else {
      const ConfigNode* params = workload.find("params");
      std::vector<std::string> names;
      if (params)
        for (const auto& e : params->entries()) names.push_back(e.first);
      if (eq == std::string::npos || std::find(names.begin(), names.end(), key) == names.end())
        throw ConfigError({SourceLoc{"<--set " + s + ">", 0, 0, {}}, key,
                           "a workload parameter, or a hardware key under devices., links. or storage.",
                           "'" + key + "'",
                           (names.empty() ? std::string("this workload has no [params]") : did_you_mean(key, names)) +
                               "; prefix hw. or workload. to set any other key"});
      apply_override(workload, "params." + s);
    }
  }
}

}  // namespace jg::cli
