// Internal to engine/eval: the evaluator's binding and per-op arithmetic, shared by the full
// evaluation (evaluator.cpp) and the re-evaluation of a Plan at other operating points
// (plan.cpp), so that both compute exactly the same model.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <vector>

#include "engine/core/activity.hpp"
#include "engine/eval/evaluator.hpp"

namespace jg::eval::detail {

inline const std::size_t kNone = static_cast<std::size_t>(-1);

/// Slot layout: first action slot, static slot and idle slot of every component.
struct Layout {
  std::vector<std::size_t> first_action, static_slot, idle_slot;
  std::size_t count = 0;
  /// Per slot: J per unit (actions) or W per instance (static, idle) before any scaling: the
  /// model's value, an override, or 1 in activity mode.
  std::vector<double> base;
  std::array<double, wl::kOpTypeCount> time_factor{};
  Layout(const hw::Platform& p, const EvalOptions& opt);
};

/// A peer reachable over a link: where its transfer energy and its peer DRAM traffic go.
struct PeerBinding {
  int link = -1;
  std::size_t link_slot = kNone;
  double link_bw = 0;
  bool unified = false;  ///< shared DRAM, no link: the copy moves at half the DRAM's bandwidth
  std::size_t peer_read_slot = kNone, peer_write_slot = kNone;
};

/// A stage bound to its device. The structure (slot indices, memory view, peers, busy set) is
/// fixed by the platform; rates and coefficients follow the operating point (bind_point).
struct Bound {
  core::HierarchyView view;
  std::array<double, core::kDTypeCount> mac_rate{};  // MAC/s
  double vector_rate = 0, host_rate = 0;
  std::array<double, core::kMaxMemLevels> level_bw{};
  std::array<std::size_t, core::kDTypeCount> op_slot{};
  std::size_t vector_slot = kNone, host_slot = kNone;
  std::array<std::size_t, core::kMaxMemLevels> read_slot{}, write_slot{};
  std::array<int, core::kMaxMemLevels> level_component{};
  std::size_t dram_level = 0;
  std::size_t storage_slot = kNone;
  int storage = -1;
  double storage_bw = 0;
  std::vector<PeerBinding> peers;  // indexed like Graph::peers
  PeerBinding fabric;              // collectives among the device's instances
  PeerBinding network;             // collectives with the device's instances on other nodes
  double fabric_crossings = 1;     // times each byte crosses the fabric link (2 when staged through a host)
  double overhead_s = 0;
  std::vector<double> coef;  // per slot: J per unit, or W for static/idle slots
  double base_power_w = 0;   // device busy, everything else idle
  std::vector<char> busy;    // per component, the default busy set
  double v_ratio = 1;
  std::vector<double> static_scale, idle_scale;  // scratch of bind_point, per component
};

/// Components busy whenever a stage on device `di` runs (its members, its DRAM, node parts).
std::vector<char> default_busy(const hw::Platform& p, int di);
/// Per component, the factor on its static (busy) or idle power (see evaluator.cpp).
void power_scales(const hw::Platform& p, bool busy, std::vector<double>& out);

/// The operating-point-independent part of a binding.
Bound bind_structure(const hw::Platform& p, const Layout& L, const wl::Graph& g, int di);
/// Rates, voltage ratio and coefficients at clock f_hz and the platform's current device
/// settings (online units, memory clocks). `workers`: PE units the stage may use (0: all).
void bind_point(Bound& b, const hw::Platform& p, const Layout& L, const wl::Graph& g, int di, double f_hz,
                double workers);

/// The slots an op charges and how many units each (J = units x coefficient).
template <class Fn>
inline void charge_op(const wl::Op& op, const core::OpActivity& a, const Bound& b, Fn&& charge) {
  const std::size_t dt = core::index_of(a.dtype);
  if (a.macs > 0) charge(b.op_slot[dt], 2.0 * a.macs);
  if (a.vector_flops > 0) charge(b.vector_slot, a.vector_flops);
  if (a.host_ops > 0) charge(b.host_slot, a.host_ops);
  for (std::size_t l = 0; l < b.view.levels; ++l) {
    if (a.read_bytes[l] + a.write_bytes[l] == 0.0) continue;
    charge(b.read_slot[l], a.read_bytes[l] * core::kBitsPerByte);
    charge(b.write_slot[l], a.write_bytes[l] * core::kBitsPerByte);
  }
  if (a.storage_read_bytes > 0) charge(b.storage_slot, a.storage_read_bytes * core::kBitsPerByte);
  if (a.link_bytes > 0) {
    const PeerBinding& pb = b.peers[static_cast<std::size_t>(op.peer)];
    if (pb.link >= 0) charge(pb.link_slot, a.link_bytes * core::kBitsPerByte);
    charge(pb.peer_read_slot, a.peer_dram_read_bytes * core::kBitsPerByte);
    charge(pb.peer_write_slot, a.peer_dram_write_bytes * core::kBitsPerByte);
  }
  if (a.fabric_bytes > 0) charge(b.fabric.link_slot, a.fabric_bytes * b.fabric_crossings * core::kBitsPerByte);
  if (a.network_bytes > 0) charge(b.network.link_slot, a.network_bytes * core::kBitsPerByte);
}

/// An op's time and the components beyond the default busy set it keeps busy meanwhile.
struct OpTime {
  double t = 0;
  int extra = -1, extra2 = -1;
};

/// The roofline: t = max(t_compute, bytes_l / B_l, storage, link, collectives) + overhead.
inline OpTime op_time(const wl::Op& op, const core::OpActivity& a, const Bound& b, const Layout& L) {
  OpTime r;
  const std::size_t dt = core::index_of(a.dtype);
  double t = 0;
  if (a.macs > 0) t += a.macs / b.mac_rate[dt];
  if (a.vector_flops > 0) t += a.vector_flops / b.vector_rate;
  if (a.host_ops > 0) t += a.host_ops / b.host_rate;
  for (std::size_t l = 0; l < b.view.levels; ++l) {
    const double bytes = a.read_bytes[l] + a.write_bytes[l];
    if (bytes != 0.0) t = std::max(t, bytes / b.level_bw[l]);
  }
  if (a.storage_read_bytes > 0) {
    t = std::max(t, a.storage_read_bytes / b.storage_bw);
    r.extra = b.storage;
  }
  if (a.link_bytes > 0) {
    const PeerBinding& pb = b.peers[static_cast<std::size_t>(op.peer)];
    t = std::max(t, a.link_bytes / pb.link_bw);
    if (pb.link >= 0) r.extra = pb.link;
  }
  // A collective's phases inside the node and across nodes follow each other.
  double t_comm = 0;
  if (a.fabric_bytes > 0) {
    t_comm += a.fabric_bytes * b.fabric_crossings / b.fabric.link_bw;
    r.extra = b.fabric.link;
  }
  if (a.network_bytes > 0) {
    t_comm += a.network_bytes / b.network.link_bw;
    r.extra2 = b.network.link;
  }
  t = std::max(t, t_comm);
  r.t = (t + (op.fused || (op.on_chip & wl::kOnChipInputA) ? 0.0 : b.overhead_s) + a.latency_s) *
        L.time_factor[static_cast<std::size_t>(op.type)];
  return r;
}

/// A stage's result from its op sums: dynamic energy per slot (one repetition), op time and the
/// busy time of components beyond the default set. Adds bubble and host waits, charges static
/// and idle power, multiplies by the repeat count. Op records, if any, are scaled too.
StageResult finish_stage(const hw::Platform& p, const Layout& L, const Bound& b, const wl::Stage& st, int di,
                         double f_hz, std::vector<double> dyn_j, double time_s, const std::vector<double>& extra_s,
                         std::vector<OpRecord> ops);

/// Evaluates one stage at clock f_hz with layout L.
using StageFn = std::function<StageResult(std::size_t stage, int di, double f_hz, const Layout& L)>;

/// The stage loop of evaluate(): power-cap throttling, activity mode, overlaps, the workload's
/// minimum time and boundaries; stages computed by `stage_fn`. Slots and component ids are
/// filled when `describe` is set.
Ledger run_stages(const hw::Platform& p, const wl::Graph& g, const EvalOptions& opt, const Layout& L,
                  const Layout& L_cap, const StageFn& stage_fn, bool describe);

}  // namespace jg::eval::detail
