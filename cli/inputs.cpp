#include "cli/inputs.hpp"

#include <algorithm>
#include <filesystem>

#include "engine/core/hash.hpp"
#include "hwmodels/platform/library.hpp"

namespace jg::cli {

using namespace jg::core;

LoadedInput load_input(const std::string& kind, const std::string& name) {
  if (std::filesystem::is_regular_file(name)) {
    std::string text = read_text_file(name);
    ConfigNode root = parse_toml_text(text, name);
    if (kind == "platform") hw::expand_platform(root);
    return {std::move(root), {kind, name, sha256_hex(text)}};
  }
  const bool is_platform = kind == "platform";
  if (is_platform) {
    // A shipped platform by name or alias, or a composed node; `extends`/`from` expanded.
    if (const hw::LibraryEntry* e = hw::find_library_platform(name)) {
      ConfigNode root = hw::library_tree(*e);
      hw::expand_platform(root);
      return {std::move(root), {kind, "builtin:" + e->name, sha256_hex(e->text)}};
    }
    if (auto text = hw::compose_node_text(name)) {
      ConfigNode root = parse_toml_text(*text, "<--hw " + name + ">");
      hw::expand_platform(root);
      return {std::move(root), {kind, "composed:" + name, sha256_hex(*text)}};
    }
  }
  const auto& library = is_platform ? hw::platform_library() : wl::workload_library();
  if (!is_platform)
    if (const char* text = find_embedded(library, name))
      return {parse_toml_text(text, "builtin:" + name), {kind, "builtin:" + name, sha256_hex(text)}};
  std::vector<std::string> names = is_platform ? hw::library_names_and_aliases() : std::vector<std::string>{};
  if (!is_platform)
    for (const auto& e : library) names.emplace_back(e.name);
  const bool looks_like_path = name.find('/') != std::string::npos || name.find(".toml") != std::string::npos;
  const std::string flag = is_platform ? "--hw" : "--workload";
  throw ConfigError({SourceLoc{flag, 0, 0, {}}, "", "a " + kind + " file or a shipped " + kind + " name",
                     looks_like_path ? "no file '" + name + "'" : "'" + name + "', neither a file nor a shipped name",
                     did_you_mean(name, names) + " (see `joulegraph list`)"});
}

namespace {

/// power_mode, or a knob of the platform's [power_modes] (gpu_freq, cpu_cores, ...).
bool is_mode_key(const ConfigNode& platform, const std::string& key) {
  const auto keys = hw::power_mode_keys(platform);
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

void apply_overrides(ConfigNode& platform, ConfigNode& workload, const std::vector<std::string>& sets) {
  // "a=1,b=2" in one --set is two assignments when every comma-separated part has an '='.
  std::vector<std::string> split;
  for (const auto& s : sets) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    bool all_assign = true;
    while (true) {
      const std::size_t comma = s.find(',', start);
      parts.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      all_assign = all_assign && parts.back().find('=') != std::string::npos;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (all_assign)
      split.insert(split.end(), parts.begin(), parts.end());
    else
      split.push_back(s);
  }
  for (const auto& s : split) {
    const auto eq = s.find('=');
    const std::string key = s.substr(0, eq);
    const std::string first = key.substr(0, key.find('.'));
    if (first == "hw")
      apply_override(platform, s.substr(3));
    else if (first == "workload")
      apply_override(workload, s.substr(9));
    else if (first == "devices" || first == "links" || first == "storage" || first == "node" ||
             is_mode_key(platform, key))
      apply_override(platform, s);
    else {
      const ConfigNode* params = workload.find("params");
      std::vector<std::string> names;
      if (params)
        for (const auto& e : params->entries()) names.push_back(e.first);
      if (eq == std::string::npos || std::find(names.begin(), names.end(), key) == names.end())
        throw ConfigError({SourceLoc{"<--set " + s + ">", 0, 0, {}}, key,
                           "a workload parameter, a power-mode key of the platform, or a hardware key under "
                           "devices., links., storage. or node.",
                           "'" + key + "'",
                           (names.empty() ? std::string("this workload has no [params]") : did_you_mean(key, names)) +
                               "; prefix hw. or workload. to set any other key"});
      apply_override(workload, "params." + s);
    }
  }
}

}  // namespace jg::cli
