#include "engine/core/component.hpp"

#include "engine/core/error.hpp"

namespace jg::core {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kPe:
      return "pe";
    case Role::kCache:
      return "cache";
    case Role::kDram:
      return "dram";
    case Role::kLink:
      return "link";
    case Role::kStorage:
      return "storage";
    case Role::kBoard:
      return "board";
  }
  return "?";
}

Energy ComponentModel::evaluate(std::span<const double> counts, Time active, Time idle, double v_ratio) const {
  JG_ASSERT(counts.size() == m_actions.size(), "activity has " + std::to_string(counts.size()) + " counts for " +
                                                   std::to_string(m_actions.size()) + " actions");
  const double r = m_voltage_scaled ? v_ratio : 1.0;
  double dyn_j = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) dyn_j += counts[i] * m_actions[i].energy_j;
  return Energy(dyn_j * r * r) + m_static * active * r + m_idle * idle;
}

}  // namespace jg::core
