// The shipped hardware library (hwmodels/library/*.toml, embedded at build time): lookup by
// canonical name or alias, `extends` and device `from` references, and the node composer
// ("8xa100-sxm4-80gb+2xepyc-7742"). Everything here works on configuration trees; the platform
// itself is built by load_platform() from the expanded tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/config.hpp"

namespace jg::hw {

struct LibraryEntry {
  std::string name;  ///< canonical name = file name without .toml
  std::vector<std::string> aliases;
  std::string description;
  const char* text = nullptr;
};

/// Every shipped platform with its aliases and description (parses all files on first use).
const std::vector<LibraryEntry>& library_index();

/// The entry whose canonical name or alias equals `name` (case-insensitive), or nullptr. A
/// canonical name is found without parsing the library (that entry has no aliases or
/// description filled in: see library_index()).
const LibraryEntry* find_library_platform(std::string_view name);

/// Canonical names and aliases, for "did you mean".
std::vector<std::string> library_names_and_aliases();

/// The parsed (not yet expanded) tree of a shipped platform; file name "builtin:NAME".
core::ConfigNode library_tree(const LibraryEntry& entry);

/// Resolves `extends = "NAME"` at the top and `from = "NAME"` (+ optional `from_device`) in
/// device tables, recursively: the referenced platform (shipped name or alias, or a file path
/// relative to the referring file) is expanded, then this file's keys are merged over it.
/// Aliases are not inherited. Throws ConfigError for unknown names (with the nearest ones)
/// and for reference cycles.
void expand_platform(core::ConfigNode& root);

/// If `spec` is a node composition such as "8xa100-sxm4-80gb+2xepyc-7742" (terms joined by
/// '+', each an optional "Nx" count and a shipped single-device platform name), the TOML text
/// of that node: the devices (by `from`), a PCIe link from every accelerator to the host CPU,
/// the host's storage, and node parts (fans, NIC, baseboard, PSU efficiency) whose values are
/// stated assumptions. std::nullopt if `spec` has no '+' and no "Nx" prefix.
std::optional<std::string> compose_node_text(std::string_view spec);

}  // namespace jg::hw
