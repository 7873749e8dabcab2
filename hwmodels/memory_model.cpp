#include "hwmodels/memory_model.hpp"

namespace jg::hw {

using namespace jg::core;

MemoryModel::MemoryModel(std::string kind, Role role, bool on_chip, const ParamValues& p)
    : m_kind(std::move(kind)), m_role(role) {
  m_voltage_scaled = on_chip;
  m_caps.capacity_bytes = p.si("capacity") / kBitsPerByte;
  if (on_chip)
    m_caps.bandwidth_bytes_per_cycle = p.si("bytes_per_cycle");
  else
    m_caps.bandwidth_bytes_per_s = p.si("bandwidth") / kBitsPerByte;
  m_caps.efficiency = p.si("efficiency");
  const double e_read = p.si("e_read");
  const double e_write = p.has("e_write") ? p.si("e_write") : e_read;
  m_caps.read_action = 0;
  m_caps.write_action = 1;
  m_actions = {{"read_bit", e_read}, {"write_bit", e_write}};
  m_static = p.get<Power>("static_power");
  m_idle = p.has("idle_power") ? p.get<Power>("idle_power") : m_static;
}

TransferModel::TransferModel(std::string kind, Role role, double bandwidth_bytes_per_s, const ParamValues& p,
                             const char* energy_key, const char* action, bool inter_node)
    : m_kind(std::move(kind)), m_role(role) {
  m_caps.bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  m_caps.inter_node = inter_node;
  m_caps.efficiency = p.si("efficiency");
  m_caps.transfer_action = 0;
  m_actions = {{action, p.si(energy_key)}};
  m_static = p.get<Power>("static_power");
  m_idle = p.has("idle_power") ? p.get<Power>("idle_power") : m_static;
}

}  // namespace jg::hw
