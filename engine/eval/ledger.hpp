// The energy ledger: energy by (stage, op, component, action), with every stage's total over
// its repeats. Slot-level detail is kept per stage; per op the ledger keeps its totals (energy,
// time, MACs, FLOPs, DRAM bytes), which add up to the stage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/graph.hpp"

namespace jg::eval {

/// One column of the linear form: a component's action, or its static or idle time.
struct Slot {
  int component = -1;
  std::string action;  ///< action name, "static" or "idle"
  enum class Kind : std::uint8_t { kAction, kStatic, kIdle } kind = Kind::kAction;
};

struct OpRecord {
  std::uint32_t op = 0;  ///< index into the stage's ops
  double energy_j = 0;   ///< everything the platform drew while the op ran, over all repeats
  double time_s = 0;
  double macs = 0;
  double flops = 0;
  double dram_bytes = 0;  ///< bytes read + written at the device's DRAM
};

/// Energy at the four reporting boundaries (platform.hpp NodeSpec): the device-boundary
/// devices' components, every component (DC side), after PSU losses, times PUE.
struct BoundaryEnergy {
  double device_j = 0;
  double node_j = 0;
  double wall_j = 0;
  double facility_j = 0;
};

struct StageResult {
  std::string name;
  wl::StageKind kind = wl::StageKind::kInference;
  std::string device;
  double repeat = 1;
  double time_s = 0;
  double energy_j = 0;
  double device_energy_j = 0;         ///< of the bound device's own components
  double clock_hz = 0;                ///< operating clock after any power-cap throttling
  double voltage_ratio = 1;           ///< V/V_nominal at that clock
  bool throttled = false;             ///< the power cap lowered the clock
  bool cap_unattainable = false;      ///< even the lowest clock exceeds the cap
  std::vector<double> slot_energy_j;  ///< per Slot, over all repeats
  std::vector<OpRecord> ops;
  BoundaryEnergy boundary;
  double bubble_s = 0;          ///< pipeline-parallel idle time inside time_s (no op ran)
  double bubble_j = 0;          ///< energy drawn during the bubble (static and idle power)
  double host_wait_s = 0;       ///< time the device waited for the host between repetitions (Stage::host_wait_s)
  double host_wait_j = 0;       ///< energy drawn during host waits (static and idle power)
  double wait_s = 0;            ///< last stage: time the platform idled waiting for work (Graph::min_time_s)
  double wait_j = 0;            ///< energy drawn while waiting, at idle power
  std::string overlaps;         ///< the stage this one ran concurrently with ("" if none)
  double overlap_s = 0;         ///< time both ran at once (hidden from the wall time)
  double overlap_credit_j = 0;  ///< energy charged twice while two stages ran at once, taken off this stage
  [[nodiscard]] double avg_power_w() const { return time_s > 0 ? energy_j / time_s : 0.0; }
};

struct Ledger {
  std::vector<Slot> slots;
  std::vector<std::string> component_ids;
  std::vector<StageResult> stages;
  double energy_j = 0;  ///< node boundary
  double time_s = 0;    ///< wall time: the stages' times less what overlap hides
  double nodes = 1;     ///< identical nodes the workload runs on; every energy covers all of them
  BoundaryEnergy boundary;
  [[nodiscard]] double avg_power_w() const { return time_s > 0 ? energy_j / time_s : 0.0; }
  /// Energy of each component in a stage, indexed like component_ids.
  [[nodiscard]] std::vector<double> component_energy(const StageResult& s) const;
  /// Throws InternalError if an energy is negative or non-finite, or parts do not add up.
  void check_invariants() const;
};

}  // namespace jg::eval
