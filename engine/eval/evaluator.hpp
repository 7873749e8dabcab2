// The evaluator (DESIGN.md §3): bind -> activity -> time -> charge -> aggregate.
//
// Per op: activity from the op estimator; time from a roofline,
//   t = max(t_compute, max_l bytes_l / B_l, t_link, t_storage) + launch_overhead,
//   t_compute = MACs / R_mac(dtype) + vector_flops / R_vec + host_ops / R_host,
// with R and B the peak rates times their efficiencies at the operating clock; energy from
// the linear form of every component (component.hpp): action counts x energy per action,
// static power of the busy components x t, idle power of all other components x t.
// A device with a power cap that the stage's average device power exceeds is throttled: the
// clock is lowered (bisection over [min_clock, clock]) until the cap holds.
#pragma once

#include <memory>

#include "engine/eval/ledger.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/graph.hpp"

namespace jg::eval {

struct EvalOptions {
  int threads = 0;           ///< 0: TBB default; 1: serial
  std::size_t chunk = 4096;  ///< ops per work item; fixed, so results do not depend on threads
  /// Per slot id ("gpu.pe.mac_fp16", "gpu.board.static", "nvlink.idle"): the value that replaces
  /// the component model's own energy per unit (J) or power per instance (W), e.g. from a
  /// calibration. Unknown ids are the caller's to reject (see slot_id).
  std::map<std::string, double> overrides;
  /// Per op type name ("gemm", "elementwise", ...): a factor on the time of every op of that
  /// type, launch overhead included (measured / modelled, from a calibration). Unknown names are
  /// the caller's to reject.
  std::map<std::string, double> time_factors;
  /// Activity mode: every energy per unit and power taken as 1, so that each slot's "energy" is
  /// the activity the linear form multiplies (units scaled by voltage, instance-seconds for
  /// static and idle power). The calibrator builds its design matrix from this.
  bool activity = false;
};

/// "component_id.action", "component_id.static" or "component_id.idle".
std::string slot_id(const Ledger& ledger, std::size_t slot);
/// The model's own value behind a slot: J per unit for an action, W per instance for static/idle.
double slot_prior(const hw::Platform& platform, const Slot& slot);

/// Checks that the graph can run on the platform: devices exist, data types and op kinds are
/// supported, links and storage exist. Throws ConfigError naming the op's position.
void validate_binding(const hw::Platform& platform, const wl::Graph& graph);

/// Evaluates the whole graph. validate_binding must have passed (it is called again here).
Ledger evaluate(const hw::Platform& platform, const wl::Graph& graph, const EvalOptions& options = {});

/// A graph prepared for evaluation at many operating points of one platform: every op's
/// activity (which depends on the memory hierarchy, not on clocks) is estimated once, with the
/// units each slot is charged; per stage, op times are summed once per distinct (clock, online
/// units, memory clock) of its device and kept. evaluate() then gives what eval::evaluate gives
/// at the platform's current device settings (clocks, online units, memory clocks, power caps:
/// what a power mode sets), to rounding, without per-op records, slots or component ids.
/// Not thread-safe: give each thread its own copy (copies share the activities).
class Plan {
 public:
  /// `graph` must outlive the plan. Runs validate_binding. Activity mode is not supported.
  Plan(const hw::Platform& platform, const wl::Graph& graph, const EvalOptions& options = {});
  Plan(const Plan&);
  Plan& operator=(const Plan&);
  Plan(Plan&&) noexcept;
  Plan& operator=(Plan&&) noexcept;
  ~Plan();
  /// `platform`: the platform the plan was made for, or a copy of it with other device settings.
  [[nodiscard]] Ledger evaluate(const hw::Platform& platform) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Whether a workload's memory footprint fits one instance of its device's DRAM.
struct MemoryCheck {
  std::string device;
  double need_bytes = 0;      ///< per instance
  double capacity_bytes = 0;  ///< per instance
  [[nodiscard]] bool fits() const { return need_bytes <= capacity_bytes; }
};
std::vector<MemoryCheck> check_memory(const hw::Platform& platform, const wl::Graph& graph);

/// The slots (columns of the linear form) of a platform, in ledger order.
std::vector<Slot> platform_slots(const hw::Platform& platform);

}  // namespace jg::eval
