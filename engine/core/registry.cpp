#include "engine/core/registry.hpp"

#include "engine/core/error.hpp"

namespace jg::core {

void Registry::add(ModelInfo info) {
  JG_ASSERT(find(info.kind) == nullptr, "model kind registered twice: " + info.kind);
  m_models.push_back(std::move(info));
}

const ModelInfo* Registry::find(const std::string& kind) const {
  for (const auto& m : m_models)
    if (m.kind == kind) return &m;
  return nullptr;
}

std::vector<std::string> Registry::kinds() const {
  std::vector<std::string> out;
  for (const auto& m : m_models) out.push_back(m.kind);
  return out;
}

}  // namespace jg::core
