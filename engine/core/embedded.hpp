// Text files compiled into the binary (cmake/embed.cmake): the shipped platforms and workloads.
#pragma once

#include <string_view>
#include <vector>

namespace jg::core {

struct EmbeddedText {
  const char* name;  ///< file name without .toml
  const char* text;
};

/// The text of the entry called `name`, or nullptr.
inline const char* find_embedded(const std::vector<EmbeddedText>& entries, std::string_view name) {
  for (const auto& e : entries)
    if (name == e.name) return e.text;
  return nullptr;
}

}  // namespace jg::core
