// Shared implementation of memory levels (caches and DRAM): energy per bit read and written,
// a bandwidth, a capacity, static and idle power. Internal to hwmodels/.
#pragma once

#include <string>

#include "engine/core/component.hpp"
#include "engine/core/params.hpp"

namespace jg::hw {

class MemoryModel final : public core::ComponentModel {
 public:
  /// on_chip: bandwidth is given per cycle and energy scales with the core voltage.
  MemoryModel(std::string kind, core::Role role, bool on_chip, const core::ParamValues& p);
  std::string_view kind() const override { return m_kind; }
  core::Role role() const override { return m_role; }
  const core::MemoryCaps* memory() const override { return &m_caps; }

 private:
  std::string m_kind;
  core::Role m_role;
  core::MemoryCaps m_caps;
};

/// Link or storage: a bandwidth and an energy per bit moved.
class TransferModel final : public core::ComponentModel {
 public:
  TransferModel(std::string kind, core::Role role, double bandwidth_bytes_per_s, const core::ParamValues& p,
                const char* energy_key, const char* action, bool inter_node = false);
  std::string_view kind() const override { return m_kind; }
  core::Role role() const override { return m_role; }
  const core::TransferCaps* transfer() const override { return &m_caps; }

 private:
  std::string m_kind;
  core::Role m_role;
  core::TransferCaps m_caps;
};

}  // namespace jg::hw
