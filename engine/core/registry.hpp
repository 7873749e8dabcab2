// Explicit model registry (DESIGN.md §3): concrete models are listed one line each in
// hwmodels/register_builtin.cpp; nothing registers itself by static initialisation.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/component.hpp"
#include "engine/core/params.hpp"

namespace jg::core {

struct ModelInfo {
  std::string kind;  ///< "family.variant", e.g. "dram.hbm3"
  Role role = Role::kBoard;
  std::string summary;  ///< one line
  std::vector<ParamSpec> params;
  std::string example;  ///< a TOML table body that constructs the model
  std::function<std::unique_ptr<ComponentModel>(const ParamValues&)> create;
};

class Registry {
 public:
  void add(ModelInfo info);  ///< InternalError on a duplicate kind
  [[nodiscard]] const ModelInfo* find(const std::string& kind) const;
  [[nodiscard]] const std::vector<ModelInfo>& all() const { return m_models; }
  [[nodiscard]] std::vector<std::string> kinds() const;

 private:
  std::vector<ModelInfo> m_models;
};

}  // namespace jg::core
