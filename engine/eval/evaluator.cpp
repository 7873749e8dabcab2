#include "engine/eval/evaluator.hpp"

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

namespace {

const std::size_t kNone = static_cast<std::size_t>(-1);

/// Slot layout: first action slot, static slot and idle slot of every component.
struct Layout {
  std::vector<std::size_t> first_action, static_slot, idle_slot;
  std::size_t count = 0;
  /// Per slot: J per unit (actions) or W per instance (static, idle) before any scaling: the
  /// model's value, an override, or 1 in activity mode.
  std::vector<double> base;
  std::array<double, wl::kOpTypeCount> time_factor{};
  Layout(const Platform& p, const EvalOptions& opt) {
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
};

/// A peer reachable over a link: where its transfer energy and its peer DRAM traffic go.
struct PeerBinding {
  int link = -1;
  std::size_t link_slot = kNone;
  double link_bw = 0;
  std::size_t peer_read_slot = kNone, peer_write_slot = kNone;
};

/// A stage bound to its device at one clock: rates, slot indices and coefficients.
struct Bound {
  HierarchyView view;
  std::array<double, kDTypeCount> mac_rate{};  // MAC/s
  double vector_rate = 0, host_rate = 0;
  std::array<double, kMaxMemLevels> level_bw{};
  std::array<std::size_t, kDTypeCount> op_slot{};
  std::size_t vector_slot = kNone, host_slot = kNone;
  std::array<std::size_t, kMaxMemLevels> read_slot{}, write_slot{};
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
};

double on_chip_scale(const Platform& p, int comp, double r) {
  return p.components[static_cast<std::size_t>(comp)].model->voltage_scaled() ? r : 1.0;
}

/// Per component, the factor on its static (busy) or idle power: its instance count; for a PE
/// array the share of units online; for DRAM in its busy state the memory-clock ratio
/// (background power taken proportional to the clock: assumption).
std::vector<double> power_scales(const Platform& p, bool busy) {
  std::vector<double> out;
  for (const auto& c : p.components) out.push_back(c.count);
  for (const auto& d : p.devices) {
    const double units = p.pe_caps(static_cast<int>(&d - p.devices.data())).units;
    out[static_cast<std::size_t>(d.pe)] *= d.active_units / units;
    if (busy && !d.shares_dram) out[static_cast<std::size_t>(d.dram)] *= d.memory_clock_ratio;
  }
  return out;
}

/// Components busy whenever a stage on device `di` runs (its members, its DRAM, node parts).
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

/// `workers`: PE units the stage may use (0: all). Every energy coefficient is multiplied by
/// the graph's node count: the nodes are identical and run the same share.
Bound bind(const Platform& p, const Layout& L, const Graph& g, int di, double f_hz, double workers) {
  const Device& d = p.devices[static_cast<std::size_t>(di)];
  const ComputeCaps& pe = p.pe_caps(di);
  Bound b;
  const double vnom = pe.nominal_voltage.si();
  const double v = d.voltage_at(f_hz, d.voltage_at(d.nominal_clock_hz, vnom));
  b.v_ratio = d.vf_curve.empty() ? 1.0 : v / d.voltage_at(d.nominal_clock_hz, vnom);
  const double r = b.v_ratio;
  b.coef.assign(L.count, 0.0);
  const std::vector<double> static_scale = power_scales(p, true), idle_scale = power_scales(p, false);
  for (std::size_t c = 0; c < p.components.size(); ++c) {
    const auto& m = *p.components[c].model;
    const double s = on_chip_scale(p, static_cast<int>(c), r);
    for (std::size_t a = 0; a < m.actions().size(); ++a)
      b.coef[L.first_action[c] + a] = L.base[L.first_action[c] + a] * s * s;
    b.coef[L.static_slot[c]] = L.base[L.static_slot[c]] * s * static_scale[c];
    b.coef[L.idle_slot[c]] = L.base[L.idle_slot[c]] * idle_scale[c];
  }
  for (double& k : b.coef) k *= g.nodes;
  // Instances and online units: rates scale with both. A stage limited to `workers` units
  // computes at that share (its memory bandwidth and powers are unchanged).
  const double n_dev = d.count;
  const double all_units = n_dev * d.active_units;
  const double online = d.active_units / pe.units * (workers > 0 && workers < all_units ? workers / all_units : 1.0);
  const std::size_t pe_c = static_cast<std::size_t>(d.pe);
  for (std::size_t t = 0; t < kDTypeCount; ++t) {
    b.mac_rate[t] = n_dev * online * pe.units * pe.peak_ops_per_cycle[t] * f_hz * pe.efficiency / 2.0;
    b.op_slot[t] = pe.op_action[t] >= 0 ? L.first_action[pe_c] + static_cast<std::size_t>(pe.op_action[t]) : kNone;
  }
  b.vector_rate = n_dev * online * pe.units * pe.vector_ops_per_cycle * f_hz;
  b.vector_slot = L.first_action[pe_c] + static_cast<std::size_t>(pe.vector_action);
  b.host_rate = n_dev * online * pe.units * pe.host_ops_per_cycle * f_hz;
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
    const double instances = p.components[c].count;
    const double mem_clock = l + 1 == levels.size() ? d.memory_clock_ratio : 1.0;
    b.level_bw[l] =
        instances * (mc.bandwidth_bytes_per_s * mem_clock + mc.bandwidth_bytes_per_cycle * f_hz) * mc.efficiency;
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
      if (link >= 0) {
        const auto lc = static_cast<std::size_t>(link);
        const TransferCaps& tc = *p.components[lc].model->transfer();
        pb.link = link;
        pb.link_bw = p.components[lc].count * tc.bandwidth_bytes_per_s * tc.efficiency;
        pb.link_slot = L.first_action[lc] + static_cast<std::size_t>(tc.transfer_action);
      } else {
        // Unified memory (Jetson): the copy reads and writes every byte in the one DRAM, so it
        // moves at half the DRAM's bandwidth and no link is involved.
        pb.link_bw = 0.5 * b.level_bw[b.dram_level];
      }
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
  {
    int fabric = p.link_between(di, di);
    if (fabric < 0)
      for (const auto& l : p.links)
        if (!l.inter_node && (l.a == di || l.b == di)) {
          fabric = l.component;
          b.fabric_crossings = 2;
          break;
        }
    if (fabric >= 0) {
      const auto lc = static_cast<std::size_t>(fabric);
      const TransferCaps& tc = *p.components[lc].model->transfer();
      b.fabric.link = fabric;
      b.fabric.link_bw = p.components[lc].count * tc.bandwidth_bytes_per_s * tc.efficiency;
      b.fabric.link_slot = L.first_action[lc] + static_cast<std::size_t>(tc.transfer_action);
    }
    if (const int net = p.network_link(di); net >= 0) {
      const auto lc = static_cast<std::size_t>(net);
      const TransferCaps& tc = *p.components[lc].model->transfer();
      b.network.link = net;
      b.network.link_bw = p.components[lc].count * tc.bandwidth_bytes_per_s * tc.efficiency;
      b.network.link_slot = L.first_action[lc] + static_cast<std::size_t>(tc.transfer_action);
    }
  }
  b.view.instances = d.count;
  b.overhead_s = d.launch_overhead_s;
  b.busy = default_busy(p, di);
  for (std::size_t c = 0; c < p.components.size(); ++c)
    b.base_power_w += b.busy[c] ? b.coef[L.static_slot[c]] : b.coef[L.idle_slot[c]];
  return b;
}

/// Partial sums of one chunk of ops.
struct Partial {
  std::vector<double> dyn_j;         // per slot, action slots only
  double time_s = 0;                 // total op time
  std::vector<double> extra_busy_s;  // per component: time it was busy beyond the default set
};

/// Evaluates one op: fills its record and adds into the partial.
inline void eval_op(const Op& op, const Bound& b, const Layout& L, Partial& part, OpRecord& rec) {
  const OpActivity a = wl::estimate(op, b.view);
  const std::size_t dt = index_of(a.dtype);
  double dyn = 0;
  auto charge = [&](std::size_t slot, double units) {
    if (units == 0.0) return;
    const double e = units * b.coef[slot];
    part.dyn_j[slot] += e;
    dyn += e;
  };
  double t_compute = 0;
  if (a.macs > 0) {
    t_compute += a.macs / b.mac_rate[dt];
    charge(b.op_slot[dt], 2.0 * a.macs);
  }
  if (a.vector_flops > 0) {
    t_compute += a.vector_flops / b.vector_rate;
    charge(b.vector_slot, a.vector_flops);
  }
  if (a.host_ops > 0) {
    t_compute += a.host_ops / b.host_rate;
    charge(b.host_slot, a.host_ops);
  }
  double t = t_compute;
  for (std::size_t l = 0; l < b.view.levels; ++l) {
    const double bytes = a.read_bytes[l] + a.write_bytes[l];
    if (bytes == 0.0) continue;
    t = std::max(t, bytes / b.level_bw[l]);
    charge(b.read_slot[l], a.read_bytes[l] * kBitsPerByte);
    charge(b.write_slot[l], a.write_bytes[l] * kBitsPerByte);
  }
  int extra = -1, extra2 = -1;
  if (a.storage_read_bytes > 0) {
    t = std::max(t, a.storage_read_bytes / b.storage_bw);
    charge(b.storage_slot, a.storage_read_bytes * kBitsPerByte);
    extra = b.storage;
  }
  if (a.link_bytes > 0) {
    const PeerBinding& pb = b.peers[static_cast<std::size_t>(op.peer)];
    t = std::max(t, a.link_bytes / pb.link_bw);
    if (pb.link >= 0) {
      charge(pb.link_slot, a.link_bytes * kBitsPerByte);
      extra = pb.link;
    }
    charge(pb.peer_read_slot, a.peer_dram_read_bytes * kBitsPerByte);
    charge(pb.peer_write_slot, a.peer_dram_write_bytes * kBitsPerByte);
  }
  // A collective's phases inside the node and across nodes follow each other.
  double t_comm = 0;
  if (a.fabric_bytes > 0) {
    const double bytes = a.fabric_bytes * b.fabric_crossings;
    t_comm += bytes / b.fabric.link_bw;
    charge(b.fabric.link_slot, bytes * kBitsPerByte);
    extra = b.fabric.link;
  }
  if (a.network_bytes > 0) {
    t_comm += a.network_bytes / b.network.link_bw;
    charge(b.network.link_slot, a.network_bytes * kBitsPerByte);
    extra2 = b.network.link;
  }
  t = std::max(t, t_comm);
  t = (t + (op.fused || (op.on_chip & wl::kOnChipInputA) ? 0.0 : b.overhead_s) + a.latency_s) *
      L.time_factor[static_cast<std::size_t>(op.type)];
  double power = b.base_power_w;
  for (const int x : {extra, extra2}) {
    if (x < 0) continue;
    const auto c = static_cast<std::size_t>(x);
    power += b.coef[L.static_slot[c]] - b.coef[L.idle_slot[c]];
    part.extra_busy_s[c] += t;
  }
  part.time_s += t;
  rec.energy_j = dyn + power * t;
  rec.time_s = t;
  rec.macs = a.macs;
  rec.flops = a.vector_flops;
  rec.dram_bytes = a.read_bytes[b.dram_level] + a.write_bytes[b.dram_level];
}

StageResult eval_stage(const Platform& p, const Layout& L, const Graph& g, const Stage& st, int di, double f_hz,
                       const EvalOptions& opt) {
  const Bound b = bind(p, L, g, di, f_hz, st.workers);
  StageResult r;
  r.name = st.name;
  r.kind = st.kind;
  r.device = st.device;
  r.repeat = st.repeat;
  r.clock_hz = f_hz;
  r.voltage_ratio = b.v_ratio;
  const std::size_t n = st.ops.size();
  r.ops.resize(n);
  const std::size_t chunks = chunk_count(n, opt.chunk);
  std::vector<Partial> parts(chunks);
  for_each_chunk(n, opt.chunk, opt.threads, [&](std::size_t c, std::size_t begin, std::size_t end) {
    Partial& part = parts[c];
    part.dyn_j.assign(L.count, 0.0);
    part.extra_busy_s.assign(p.components.size(), 0.0);
    for (std::size_t i = begin; i < end; ++i) {
      r.ops[i].op = static_cast<std::uint32_t>(i);
      eval_op(st.ops[i], b, L, part, r.ops[i]);
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
  r.slot_energy_j = dyn;
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

Ledger evaluate(const Platform& p, const Graph& g, const EvalOptions& opt) {
  validate_binding(p, g);
  const Layout L(p, opt);
  // The power cap compares watts: in activity mode the clock is chosen with the real values.
  EvalOptions real = opt;
  real.activity = false;
  const Layout L_cap(p, real);
  Ledger led;
  led.nodes = g.nodes;
  led.slots = platform_slots(p);
  JG_ASSERT(led.slots.size() == L.count, "slot layout mismatch");
  for (const auto& c : p.components) led.component_ids.push_back(c.id);
  for (const auto& st : g.stages) {
    const int di = p.find_device(st.device);
    const Device& d = p.devices[static_cast<std::size_t>(di)];
    StageResult r = eval_stage(p, L_cap, g, st, di, d.clock_hz, opt);
    // The cap holds per instance, on every node.
    const double cap_w = d.power_cap_w * d.count * g.nodes;
    if (d.power_cap_w > 0 && r.time_s > 0 && r.device_energy_j / r.time_s > cap_w) {
      // Device power rises with the clock; find the highest clock that meets the cap.
      double lo = d.min_clock_hz, hi = d.clock_hz;
      StageResult at_lo = eval_stage(p, L_cap, g, st, di, lo, opt);
      if (at_lo.device_energy_j / at_lo.time_s > cap_w) {
        r = std::move(at_lo);
        r.cap_unattainable = true;
      } else {
        r = std::move(at_lo);
        for (int it = 0; it < 40 && hi - lo > 1e-4 * hi; ++it) {
          const double mid = 0.5 * (lo + hi);
          StageResult m = eval_stage(p, L_cap, g, st, di, mid, opt);
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
      StageResult a = eval_stage(p, L, g, st, di, r.clock_hz, opt);
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
      const std::vector<double> idle_scale = power_scales(p, false);
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
  led.check_invariants();
  return led;
}

}  // namespace jg::eval
