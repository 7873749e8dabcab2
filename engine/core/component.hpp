// Component-model interface (DESIGN.md §3). A model is immutable after construction; its energy
// is one linear form, used by the evaluator and (later) fitted by the calibrator:
//
//   E = Σ_a n_a · e_a · r_V²  +  P_static · r_V · t_active  +  P_idle · t_idle
//
// where n_a are action counts (ops, bits), e_a the energy per action [J], r_V = V/V_nominal of
// the component's voltage domain (1 for off-chip parts), t_active the time its device is busy
// and t_idle the time it is idle.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/dtype.hpp"
#include "engine/core/units.hpp"

namespace jg::core {

enum class Role : std::uint8_t { kPe, kCache, kDram, kLink, kStorage, kBoard };
std::string_view role_name(Role r);

/// One action a component performs, with its energy per unit (per op or per bit).
struct Action {
  std::string name;       ///< "read_bit", "op_fp16" (the component id is prefixed in reports)
  double energy_j = 0.0;  ///< per unit at the nominal voltage
};

/// Compute capabilities of a PE array.
struct ComputeCaps {
  double units = 1;                                      ///< cores / SMs / DSP groups
  std::array<double, kDTypeCount> peak_ops_per_cycle{};  ///< per unit, matrix path, 0 = unsupported
  std::array<int, kDTypeCount> op_action{};              ///< index into actions(), -1 if unsupported
  double vector_ops_per_cycle = 0;                       ///< per unit, other arithmetic
  int vector_action = -1;
  double host_ops_per_cycle = 0;  ///< per unit, scalar integer work (decode); 0 = not a CPU
  int host_action = -1;
  double register_bytes = 0;  ///< operand storage of all units together
  double efficiency = 1.0;    ///< achieved / peak on large matrix ops
  Frequency nominal_clock{};
  Voltage nominal_voltage{};
};

/// A level of the memory hierarchy (cache or DRAM).
struct MemoryCaps {
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;      ///< off-chip: fixed
  double bandwidth_bytes_per_cycle = 0;  ///< on-chip: scales with the device clock
  double efficiency = 1.0;               ///< achieved / peak bandwidth
  int read_action = -1, write_action = -1;
};

/// A link or a storage device.
struct TransferCaps {
  double bandwidth_bytes_per_s = 0;
  double efficiency = 1.0;
  int transfer_action = -1;  ///< link: transfer_bit; storage: read_bit
  bool inter_node = false;   ///< a network port to other nodes (link.network), not a link inside the node
};

class ComponentModel {
 public:
  virtual ~ComponentModel() = default;
  [[nodiscard]] virtual std::string_view kind() const = 0;  ///< "dram.hbm3"
  [[nodiscard]] virtual Role role() const = 0;
  [[nodiscard]] virtual const ComputeCaps* compute() const { return nullptr; }
  [[nodiscard]] virtual const MemoryCaps* memory() const { return nullptr; }
  [[nodiscard]] virtual const TransferCaps* transfer() const { return nullptr; }

  [[nodiscard]] const std::vector<Action>& actions() const { return m_actions; }
  [[nodiscard]] Power static_power() const { return m_static; }
  [[nodiscard]] Power idle_power() const { return m_idle; }
  /// True if the part sits in the device's core voltage domain (its dynamic energy scales with V²).
  [[nodiscard]] bool voltage_scaled() const { return m_voltage_scaled; }

  /// The linear form above. `counts` has one entry per action. Pure and thread-safe.
  [[nodiscard]] Energy evaluate(std::span<const double> counts, Time active, Time idle, double v_ratio = 1.0) const;

 protected:
  std::vector<Action> m_actions;
  Power m_static{};
  Power m_idle{};
  bool m_voltage_scaled = false;
};

}  // namespace jg::core
