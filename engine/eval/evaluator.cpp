#include "engine/eval/evaluator.hpp"
#include "engine/eval/evaluator_internal.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "engine/core/error.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/quantity.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::eval {

using namespace jg::core;
using hw::Device;
using hw::Platform;
using wl::Graph;
using wl::Op;
using wl::OpType;
using wl::Stage;
using namespace detail;

std::string slot_id(const Ledger& ledger, std::size_t slot) {
  const Slot& s = ledger.slots[slot];
  return ledger.component_ids[static_cast<std::size_t>(s.component)] + "." + s.action;
}

double slot_prior(const Platform& p, const Slot& slot) {
  const auto& m = *p.components[static_cast<std::size_t>(slot.component)].model;
  if (slot.kind == Slot::Kind::kStatic) return m.static_power().si();
  if (slot.kind == Slot::Kind::kIdle) return m.idle_power().si();
  for (const auto& a : m.actions())
    if (a.name == slot.action) return a.energy_j;
  JG_ASSERT(false, "no action " + slot.action);
  return 0;
}

std::vector<Slot> platform_slots(const Platform& p) {
  std::vector<Slot> slots;
  for (std::size_t c = 0; c < p.components.size(); ++c) {
    const int ci = static_cast<int>(c);
    for (const auto& a : p.components[c].model->actions()) slots.push_back({ci, a.name, Slot::Kind::kAction});
    slots.push_back({ci, "static", Slot::Kind::kStatic});
    slots.push_back({ci, "idle", Slot::Kind::kIdle});
  }
  return slots;
}

namespace detail {

Layout::Layout(const Platform& p, const EvalOptions& opt) {
  time_factor.fill(1.0);
  for (std::size_t t = 0; t < wl::kOpTypeCount; ++t) {
    auto it = opt.time_factors.find(std::string(wl::op_type_name(static_cast<OpType>(t))));
    if (it != opt.time_factors.end()) time_factor[t] = it->second;
  }
  for (const auto& c : p.components) {
    first_action.push_back(count);
    for (const auto& a : c.model->actions()) base.push_back(a.energy_j);
    count += c.model->actions().size();
    static_slot.push_back(count++);
    base.push_back(c.model->static_power().si());
    idle_slot.push_back(count++);
    base.push_back(c.model->idle_power().si());
  }
  if (opt.activity) {
    base.assign(count, 1.0);
  } else if (!opt.overrides.empty()) {
    const std::vector<Slot> slots = platform_slots(p);
    for (std::size_t s = 0; s < count; ++s) {
      auto it =
          opt.overrides.find(p.components[static_cast<std::size_t>(slots[s].component)].id + "." + slots[s].action);
      if (it != opt.overrides.end()) base[s] = it->second;
    }
  }
}

namespace {

double on_chip_scale(const Platform& p, std::size_t comp, double r) {
  return p.components[comp].model->voltage_scaled() ? r : 1.0;
}

/// The binding of a peer's link (or of a fabric or network link) at index `link`.
PeerBinding link_binding(const Platform& p, const Layout& L, int link) {
  PeerBinding pb;
  const auto lc = static_cast<std::size_t>(link);
  const TransferCaps& tc = *p.components[lc].model->transfer();
  pb.link = link;
  pb.link_bw = p.components[lc].count * tc.bandwidth_bytes_per_s * tc.efficiency;
  pb.link_slot = L.first_action[lc] + static_cast<std::size_t>(tc.transfer_action);
  return pb;
}

}  // namespace

/// Per component, the factor on its static (busy) or idle power: its instance count; for a PE
/// array the share of units online; for DRAM in its busy state the memory-clock ratio
/// (background power taken proportional to the clock: assumption).
void power_scales(const Platform& p, bool busy, std::vector<double>& out) {
  out.clear();
  for (const auto& c : p.components) out.push_back(c.count);
  for (const auto& d : p.devices) {
    const double units = p.pe_caps(static_cast<int>(&d - p.devices.data())).units;
    out[static_cast<std::size_t>(d.pe)] *= d.active_units / units;
    if (busy && !d.shares_dram) out[static_cast<std::size_t>(d.dram)] *= d.memory_clock_ratio;
  }
}

std::vector<char> default_busy(const Platform& p, int di) {
  const Device& d = p.devices[static_cast<std::size_t>(di)];
  std::vector<char> busy(p.components.size(), 0);
  for (int m : d.members)
    if (p.components[static_cast<std::size_t>(m)].model->role() != Role::kStorage)
      busy[static_cast<std::size_t>(m)] = 1;
  busy[static_cast<std::size_t>(d.dram)] = 1;
  for (int c : p.node.parts) busy[static_cast<std::size_t>(c)] = 1;
  return busy;
}

Bound bind_structure(const Platform& p, const Layout& L, const Graph& g, int di) {
  const Device& d = p.devices[static_cast<std::size_t>(di)];
  const ComputeCaps& pe = p.pe_caps(di);
  Bound b;
  const std::size_t pe_c = static_cast<std::size_t>(d.pe);
  for (std::size_t t = 0; t < kDTypeCount; ++t)
    b.op_slot[t] = pe.op_action[t] >= 0 ? L.first_action[pe_c] + static_cast<std::size_t>(pe.op_action[t]) : kNone;
  b.vector_slot = L.first_action[pe_c] + static_cast<std::size_t>(pe.vector_action);
  if (pe.host_action >= 0) b.host_slot = L.first_action[pe_c] + static_cast<std::size_t>(pe.host_action);
  b.view.register_bytes = pe.register_bytes;
  std::vector<int> levels = d.caches;
  levels.push_back(d.dram);
  b.view.levels = levels.size();
  b.dram_level = levels.size() - 1;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const auto c = static_cast<std::size_t>(levels[l]);
    const MemoryCaps& mc = *p.components[c].model->memory();
    b.view.capacity_bytes[l] = mc.capacity_bytes;
    b.level_component[l] = levels[l];
    b.read_slot[l] = L.first_action[c] + static_cast<std::size_t>(mc.read_action);
    b.write_slot[l] = L.first_action[c] + static_cast<std::size_t>(mc.write_action);
  }
  if (!d.storage.empty()) {
    b.storage = d.storage.front();
    const auto sc = static_cast<std::size_t>(b.storage);
    const TransferCaps& tc = *p.components[sc].model->transfer();
    b.storage_bw = tc.bandwidth_bytes_per_s * tc.efficiency;
    b.storage_slot = L.first_action[sc] + static_cast<std::size_t>(tc.transfer_action);
  }
  for (const auto& peer : g.peers) {
    PeerBinding pb;
    const int pi = p.find_device(peer);
    const int link = pi >= 0 ? p.link_between(di, pi) : -1;
    const bool shared = pi >= 0 && link < 0 && p.devices[static_cast<std::size_t>(pi)].dram == d.dram;
    if (link >= 0 || shared) {
      if (link >= 0)
        pb = link_binding(p, L, link);
      else
        pb.unified = true;
      const auto pd = static_cast<std::size_t>(p.devices[static_cast<std::size_t>(pi)].dram);
      const MemoryCaps& pm = *p.components[pd].model->memory();
      pb.peer_read_slot = L.first_action[pd] + static_cast<std::size_t>(pm.read_action);
      pb.peer_write_slot = L.first_action[pd] + static_cast<std::size_t>(pm.write_action);
    }
    b.peers.push_back(pb);
  }
  // Collectives among the device's instances: its own fabric (a link connecting the device to
  // itself, e.g. NVLink through NVSwitch); else the first link to another device, every byte
  // crossing it twice (staged through that device's memory: assumption, no PCIe peer-to-peer).
  int fabric = p.link_between(di, di);
  if (fabric < 0)
    for (const auto& l : p.links)
      if (!l.inter_node && (l.a == di || l.b == di)) {
        fabric = l.component;
        b.fabric_crossings = 2;
        break;
      }
  if (fabric >= 0) b.fabric = link_binding(p, L, fabric);
  if (const int net = p.network_link(di); net >= 0) b.network = link_binding(p, L, net);
  b.view.instances = d.count;
  b.overhead_s = d.launch_overhead_s;
  b.busy = default_busy(p, di);
  return b;
}

/// Every energy coefficient is multiplied by the graph's node count: the nodes are identical
/// and run the same share.
void bind_point(Bound& b, const Platform& p, const Layout& L, const Graph& g, int di, double f_hz, double workers) {
  const Device& d = p.devices[static_cast<std::size_t>(di)];
  const ComputeCaps& pe = p.pe_caps(di);
  const double vnom = pe.nominal_voltage.si();
  const double v = d.voltage_at(f_hz, d.voltage_at(d.nominal_clock_hz, vnom));
  b.v_ratio = d.vf_curve.empty() ? 1.0 : v / d.voltage_at(d.nominal_clock_hz, vnom);
  const double r = b.v_ratio;
  b.coef.assign(L.count, 0.0);
  power_scales(p, true, b.static_scale);
  power_scales(p, false, b.idle_scale);
  for (std::size_t c = 0; c < p.components.size(); ++c) {
    const double s = on_chip_scale(p, c, r);
    for (std::size_t slot = L.first_action[c]; slot < L.static_slot[c]; ++slot) b.coef[slot] = L.base[slot] * s * s;
    b.coef[L.static_slot[c]] = L.base[L.static_slot[c]] * s * b.static_scale[c];
    b.coef[L.idle_slot[c]] = L.base[L.idle_slot[c]] * b.idle_scale[c];
  }
  for (double& k : b.coef) k *= g.nodes;
  // Instances and online units: rates scale with both. A stage limited to `workers` units
  // computes at that share (its memory bandwidth and powers are unchanged).
  const double n_dev = d.count;
  const double all_units = n_dev * d.active_units;
  const double online = d.active_units / pe.units * (workers > 0 && workers < all_units ? workers / all_units : 1.0);
  for (std::size_t t = 0; t < kDTypeCount; ++t)
    b.mac_rate[t] = n_dev * online * pe.units * pe.peak_ops_per_cycle[t] * f_hz * pe.efficiency / 2.0;
  b.vector_rate = n_dev * online * pe.units * pe.vector_ops_per_cycle * f_hz;
  b.host_rate = n_dev * online * pe.units * pe.host_ops_per_cycle * f_hz;
  for (std::size_t l = 0; l < b.view.levels; ++l) {
    const auto c = static_cast<std::size_t>(b.level_component[l]);
    const MemoryCaps& mc = *p.components[c].model->memory();
    const double mem_clock = l == b.dram_level ? d.memory_clock_ratio : 1.0;
    b.level_bw[l] = p.components[c].count *
                    (mc.bandwidth_bytes_per_s * mem_clock + mc.bandwidth_bytes_per_cycle * f_hz) * mc.efficiency;
  }
  // Unified memory (Jetson): the copy reads and writes every byte in the one DRAM, so it moves
  // at half the DRAM's bandwidth and no link is involved.
  for (auto& pb : b.peers)
    if (pb.unified) pb.link_bw = 0.5 * b.level_bw[b.dram_level];
  b.base_power_w = 0;
  for (std::size_t c = 0; c < p.components.size(); ++c)
    b.base_power_w += b.busy[c] ? b.coef[L.static_slot[c]] : b.coef[L.idle_slot[c]];
}

StageResult finish_stage(const Platform& p, const Layout& L, const Bound& b, const Stage& st, int di, double f_hz,
                         std::vector<double> dyn_j, double time, const std::vector<double>& extra,
                         std::vector<OpRecord> ops) {
  StageResult r;
  r.name = st.name;
  r.kind = st.kind;
  r.device = st.device;
  r.repeat = st.repeat;
  r.clock_hz = f_hz;
  r.voltage_ratio = b.v_ratio;
  r.ops = std::move(ops);
  r.slot_energy_j = std::move(dyn_j);
  // Pipeline bubble: the device waits, powered, for a share of the wall time.
  // Host waits (per repetition) are charged the same way.
  const double bubble = st.bubble > 0 ? time * st.bubble / (1 - st.bubble) : 0.0;
  const double stall = bubble + st.host_wait_s;
  for (std::size_t c = 0; c < p.components.size(); ++c) {
    const double busy_s = b.busy[c] ? time : extra[c];
    r.slot_energy_j[L.static_slot[c]] = b.coef[L.static_slot[c]] * (busy_s + (b.busy[c] ? stall : 0));
    r.slot_energy_j[L.idle_slot[c]] = b.coef[L.idle_slot[c]] * (time - busy_s + (b.busy[c] ? 0 : stall));
  }
  const double k = st.repeat;
  for (auto& e : r.slot_energy_j) e *= k;
  r.bubble_s = bubble * k;
  r.bubble_j = b.base_power_w * bubble * k;
  r.host_wait_s = st.host_wait_s * k;
  r.host_wait_j = b.base_power_w * st.host_wait_s * k;
  r.time_s = (time + stall) * k;
  for (auto& o : r.ops) {
    o.energy_j *= k;
    o.time_s *= k;
    o.macs *= k;
    o.flops *= k;
    o.dram_bytes *= k;
  }
  for (double e : r.slot_energy_j) r.energy_j += e;
  const Device& d = p.devices[static_cast<std::size_t>(di)];
  for (int m : d.members) {
    const auto c = static_cast<std::size_t>(m);
    for (std::size_t s = L.first_action[c]; s <= L.idle_slot[c]; ++s) r.device_energy_j += r.slot_energy_j[s];
  }
  return r;
}

}  // namespace detail

namespace {

/// Partial sums of one chunk of ops.
struct Partial {
  std::vector<double> dyn_j;         // per slot, action slots only
  double time_s = 0;                 // total op time
  std::vector<double> extra_busy_s;  // per component: time it was busy beyond the default set
};

/// Evaluates one op: fills its record and adds into the partial.
inline void eval_op(const Op& op, const Bound& b, const Layout& L, Partial& part, OpRecord& rec) {
  const OpActivity a = wl::estimate(op, b.view);
  double dyn = 0;
  charge_op(op, a, b, [&](std::size_t slot, double units) {
    if (units == 0.0) return;
    const double e = units * b.coef[slot];
    part.dyn_j[slot] += e;
    dyn += e;
  });
  const OpTime ot = op_time(op, a, b, L);
  double power = b.base_power_w;
  for (const int x : {ot.extra, ot.extra2}) {
    if (x < 0) continue;
    const auto c = static_cast<std::size_t>(x);
    power += b.coef[L.static_slot[c]] - b.coef[L.idle_slot[c]];
    part.extra_busy_s[c] += ot.t;
  }
  part.time_s += ot.t;
  rec.energy_j = dyn + power * ot.t;
  rec.time_s = ot.t;
  rec.macs = a.macs;
  rec.flops = a.vector_flops;
  rec.dram_bytes = a.read_bytes[b.dram_level] + a.write_bytes[b.dram_level];
}

StageResult eval_stage(const Platform& p, const Layout& L, const Graph& g, const Stage& st, int di, double f_hz,
                       const EvalOptions& opt) {
  Bound b = bind_structure(p, L, g, di);
  bind_point(b, p, L, g, di, f_hz, st.workers);
  const std::size_t n = st.ops.size();
  std::vector<OpRecord> ops(n);
  const std::size_t chunks = chunk_count(n, opt.chunk);
  std::vector<Partial> parts(chunks);
  for_each_chunk(n, opt.chunk, opt.threads, [&](std::size_t c, std::size_t begin, std::size_t end) {
    Partial& part = parts[c];
    part.dyn_j.assign(L.count, 0.0);
    part.extra_busy_s.assign(p.components.size(), 0.0);
    for (std::size_t i = begin; i < end; ++i) {
      ops[i].op = static_cast<std::uint32_t>(i);
      eval_op(st.ops[i], b, L, part, ops[i]);
    }
  });
  // Fixed-order reduction: identical whatever the thread count.
  std::vector<double> dyn(L.count, 0.0), extra(p.components.size(), 0.0);
  double time = 0;
  for (const auto& part : parts) {
    for (std::size_t s = 0; s < L.count; ++s) dyn[s] += part.dyn_j[s];
    for (std::size_t c = 0; c < extra.size(); ++c) extra[c] += part.extra_busy_s[c];
    time += part.time_s;
  }
  return finish_stage(p, L, b, st, di, f_hz, std::move(dyn), time, extra, std::move(ops));
}

BoundaryEnergy boundaries(const Platform& p, const Layout& L, const StageResult& r) {
  BoundaryEnergy b;
  for (std::size_t c = 0; c < p.components.size(); ++c) {
    const int dev = p.components[c].device;
    double e = 0;
    for (std::size_t s = L.first_action[c]; s <= L.idle_slot[c]; ++s) e += r.slot_energy_j[s];
    if (dev >= 0 && p.node.in_device_boundary[static_cast<std::size_t>(dev)]) b.device_j += e;
  }
  b.node_j = r.energy_j;
  b.wall_j = b.node_j / p.node.psu_efficiency;
  b.facility_j = b.wall_j * p.node.pue;
  return b;
}

/// Stages that overlap (dataloader under training): while both run, a component busy in one is
/// charged idle in the other, and one busy or idle in both is charged twice. The double charge,
/// T = min(t_a, t_b) times that power, is taken back: idle charges from the stage where the
/// component was idle, a static charge from the overlapping stage. Clamped so that no slot
/// goes negative (a component that was busy beyond its default set for part of a stage).
void apply_overlaps(const Platform& p, const Layout& L, const Graph& g, Ledger& led) {
  for (std::size_t ai = 0; ai < led.stages.size(); ++ai) {
    StageResult& a = led.stages[ai];
    const Stage& sa = g.stages[ai];
    if (sa.overlaps.empty()) continue;
    std::size_t bi = 0;
    while (bi < g.stages.size() && g.stages[bi].name != sa.overlaps) ++bi;
    JG_ASSERT(bi < g.stages.size() && bi != ai, "overlap partner not found");
    StageResult& b = led.stages[bi];
    const double t = std::min(a.time_s, b.time_s);
    if (t <= 0) continue;
    const auto busy_a = default_busy(p, p.find_device(sa.device));
    const auto busy_b = default_busy(p, p.find_device(g.stages[bi].device));
    auto take = [&](StageResult& r, std::size_t slot, double want) {
      const double got = std::min(want, r.slot_energy_j[slot]);
      r.slot_energy_j[slot] -= got;
      r.overlap_credit_j += got;
      return want - got;
    };
    for (std::size_t c = 0; c < p.components.size(); ++c) {
      const std::size_t st = L.static_slot[c], id = L.idle_slot[c];
      if (busy_a[c] && busy_b[c]) {
        take(a, st, t * a.slot_energy_j[st] / a.time_s);
      } else if (busy_a[c]) {
        take(b, id, t * b.slot_energy_j[id] / b.time_s);
      } else {
        // Idle in a (busy in b, or idle in both): a's idle charge over the overlap goes.
        const double rate = a.slot_energy_j[id] / a.time_s;
        const double rest = take(a, id, t * rate);
        if (!busy_b[c] && rest > 0) take(b, id, rest);
      }
    }
    a.overlaps = sa.overlaps;
    a.overlap_s = t;
  }
}

}  // namespace

namespace detail {

Ledger run_stages(const Platform& p, const Graph& g, const EvalOptions& opt, const Layout& L, const Layout& L_cap,
                  const StageFn& stage_fn, bool describe) {
  Ledger led;
  led.nodes = g.nodes;
  if (describe) {
    led.slots = platform_slots(p);
    JG_ASSERT(led.slots.size() == L.count, "slot layout mismatch");
    for (const auto& c : p.components) led.component_ids.push_back(c.id);
  }
  for (std::size_t si = 0; si < g.stages.size(); ++si) {
    const Stage& st = g.stages[si];
    const int di = p.find_device(st.device);
    const Device& d = p.devices[static_cast<std::size_t>(di)];
    StageResult r = stage_fn(si, di, d.clock_hz, L_cap);
    // The cap holds per instance, on every node.
    const double cap_w = d.power_cap_w * d.count * g.nodes;
    if (d.power_cap_w > 0 && r.time_s > 0 && r.device_energy_j / r.time_s > cap_w) {
      // Device power rises with the clock; find the highest clock that meets the cap.
      double lo = d.min_clock_hz, hi = d.clock_hz;
      StageResult at_lo = stage_fn(si, di, lo, L_cap);
      if (at_lo.device_energy_j / at_lo.time_s > cap_w) {
        r = std::move(at_lo);
        r.cap_unattainable = true;
      } else {
        r = std::move(at_lo);
        for (int it = 0; it < 40 && hi - lo > 1e-4 * hi; ++it) {
          const double mid = 0.5 * (lo + hi);
          StageResult m = stage_fn(si, di, mid, L_cap);
          if (m.device_energy_j / m.time_s <= cap_w) {
            lo = mid;
            r = std::move(m);
          } else {
            hi = mid;
          }
        }
      }
      r.throttled = true;
    }
    if (opt.activity) {
      StageResult a = stage_fn(si, di, r.clock_hz, L);
      a.throttled = r.throttled;
      a.cap_unattainable = r.cap_unattainable;
      r = std::move(a);
    }
    led.stages.push_back(std::move(r));
  }
  apply_overlaps(p, L, g, led);
  if (g.min_time_s > 0 && !led.stages.empty()) {
    double busy_s = 0;
    for (const auto& r : led.stages) busy_s += r.time_s - r.overlap_s;
    if (busy_s < g.min_time_s) {
      StageResult& last = led.stages.back();
      last.wait_s = g.min_time_s - busy_s;
      std::vector<double> idle_scale;
      power_scales(p, false, idle_scale);
      for (std::size_t c = 0; c < p.components.size(); ++c) {
        const double e = L.base[L.idle_slot[c]] * idle_scale[c] * g.nodes * last.wait_s;
        last.slot_energy_j[L.idle_slot[c]] += e;
        last.wait_j += e;
      }
      last.time_s += last.wait_s;
    }
  }
  for (auto& r : led.stages) {
    r.energy_j = 0;
    for (double e : r.slot_energy_j) r.energy_j += e;
    r.boundary = boundaries(p, L, r);
    led.energy_j += r.energy_j;
    led.time_s += r.time_s - r.overlap_s;
    led.boundary.device_j += r.boundary.device_j;
    led.boundary.node_j += r.boundary.node_j;
    led.boundary.wall_j += r.boundary.wall_j;
    led.boundary.facility_j += r.boundary.facility_j;
  }
  return led;
}

}  // namespace detail

Ledger evaluate(const Platform& p, const Graph& g, const EvalOptions& opt) {
  validate_binding(p, g);
  const Layout L(p, opt);
  // The power cap compares watts: in activity mode the clock is chosen with the real values.
  EvalOptions real = opt;
  real.activity = false;
  const Layout L_cap(p, real);
  Ledger led = run_stages(
      p, g, opt, L, L_cap,
      [&](std::size_t si, int di, double f_hz, const Layout& layout) {
        return eval_stage(p, layout, g, g.stages[si], di, f_hz, opt);
      },
      true);
  led.check_invariants();
  return led;
}

}  // namespace jg::eval
