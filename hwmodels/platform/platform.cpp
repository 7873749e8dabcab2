#include "hwmodels/platform/platform.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "engine/core/activity.hpp"
#include "engine/core/params.hpp"
#include "engine/core/quantity.hpp"
#include "hwmodels/platform/library.hpp"
#include "hwmodels/platform/power_modes.hpp"

namespace jg::hw {

using namespace jg::core;

double Device::voltage_at(double f_hz, double nominal_v) const {
  if (vf_curve.empty()) return nominal_v;
  if (f_hz <= vf_curve.front().freq_hz) return vf_curve.front().volt_v;
  if (f_hz >= vf_curve.back().freq_hz) return vf_curve.back().volt_v;
  for (std::size_t i = 1; i < vf_curve.size(); ++i) {
    const auto& lo = vf_curve[i - 1];
    const auto& hi = vf_curve[i];
    if (f_hz <= hi.freq_hz)
      return lo.volt_v + (hi.volt_v - lo.volt_v) * (f_hz - lo.freq_hz) / (hi.freq_hz - lo.freq_hz);
  }
  return vf_curve.back().volt_v;
}

int Platform::find_device(const std::string& n) const {
  for (std::size_t i = 0; i < devices.size(); ++i)
    if (devices[i].name == n) return static_cast<int>(i);
  return -1;
}

int Platform::link_between(int a, int b) const {
  for (const auto& l : links)
    if (!l.inter_node && ((l.a == a && l.b == b) || (l.a == b && l.b == a))) return l.component;
  return -1;
}

int Platform::network_link(int device) const {
  for (const auto& l : links)
    if (l.inter_node && l.a == device) return l.component;
  return -1;
}

std::vector<std::string> Platform::device_names() const {
  std::vector<std::string> out;
  for (const auto& d : devices) out.push_back(d.name);
  return out;
}

const ComputeCaps& Platform::pe_caps(int device) const {
  return *components[static_cast<std::size_t>(devices[static_cast<std::size_t>(device)].pe)].model->compute();
}

double Platform::device_idle_power_w(int device) const {
  const Device& d = devices[static_cast<std::size_t>(device)];
  double w = 0;
  for (int m : d.members) {
    const auto& c = components[static_cast<std::size_t>(m)];
    if (c.model->role() == Role::kStorage) continue;
    double x = c.model->idle_power().si();
    if (m == d.pe) x *= d.active_units / pe_caps(device).units;
    w += x;
  }
  return w;
}

double Platform::idle_power_w() const {
  double w = 0;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    w += devices[i].count * device_idle_power_w(static_cast<int>(i));
    for (int s : devices[i].storage) w += components[static_cast<std::size_t>(s)].model->idle_power().si();
  }
  for (const auto& l : links) {
    const auto& c = components[static_cast<std::size_t>(l.component)];
    w += c.count * c.model->idle_power().si();
  }
  for (int part : node.parts) {
    const auto& c = components[static_cast<std::size_t>(part)];
    w += c.count * c.model->static_power().si();
  }
  return w;
}

namespace {

const std::vector<std::string> kDeviceKinds = {"cpu", "gpu", "fpga", "accelerator", "soc"};
const std::vector<std::string> kDeviceKeys = {"kind",      "pe",
                                              "cache",     "dram",
                                              "board",     "clock",
                                              "min_clock", "power_cap",
                                              "vf_curve",  "launch_overhead",
                                              "count",     "power_limit_range",
                                              "datasheet", "source",
                                              "sources",   "embodied"};

Datasheet read_datasheet(const ConfigNode& t, bool per_device) {
  if (!t.is_table()) t.fail("a table of vendor figures (tdp, idle, peak, dram_bandwidth, source)", t.describe());
  static const std::vector<std::string> kDevice = {"tdp", "idle", "dram_bandwidth", "peak", "source", "sources"};
  static const std::vector<std::string> kPlatform = {"tdp", "idle", "source", "sources"};
  const auto& valid = per_device ? kDevice : kPlatform;
  Datasheet ds;
  ds.present = true;
  for (const auto& [k, v] : t.entries()) {
    if (std::find(valid.begin(), valid.end(), k) == valid.end()) v.fail_unknown_key("a datasheet key", k, valid);
    if (k == "tdp") ds.tdp_w = v.as<Power>().si();
    if (k == "idle") ds.idle_w = v.as<Power>().si();
    if (k == "dram_bandwidth") ds.dram_bandwidth_bytes_per_s = v.as<Bandwidth>().si() / kBitsPerByte;
    if (k == "source") ds.source = v.as_string();
    if (k == "peak") {
      if (!v.is_table()) v.fail("a table of data type = rate, such as { fp16 = \"312 TFLOP/s\" }", v.describe());
      for (const auto& [dt, rate] : v.entries()) {
        const auto d = parse_dtype(dt);
        if (!d) {
          std::vector<std::string> names(kDTypeNames.begin(), kDTypeNames.end());
          rate.fail_unknown_key("a data type", dt, names);
        }
        ds.peak_ops_per_s[index_of(*d)] = rate.as<OpsRate>().si();
      }
    }
  }
  return ds;
}

int add_component(Platform& p, const Registry& reg, const ConfigNode& table, const std::string& id, int device,
                  Role role, const std::vector<std::string>& extra_keys) {
  if (!table.is_table()) table.fail("a table with model = \"...\"", table.describe());
  const ConfigNode& model = table.at("model");
  const std::string& kind = model.as_string();
  const ModelInfo* info = reg.find(kind);
  std::vector<std::string> same_role;
  for (const auto& m : reg.all())
    if (m.role == role) same_role.push_back(m.kind);
  if (!info)
    model.fail("a " + std::string(role_name(role)) + " model", model.describe(), did_you_mean(kind, same_role));
  if (info->role != role)
    model.fail("a " + std::string(role_name(role)) + " model",
               "'" + kind + "', a " + std::string(role_name(info->role)) + " model", did_you_mean(kind, same_role));
  std::vector<std::string> extra = extra_keys;
  extra.push_back("model");
  ParamValues values = read_params(table, info->params, extra);
  for (const auto& c : p.components)
    if (c.id == id) table.fail("a unique component id", "a second component named '" + id + "'");
  p.components.push_back({id, device, 1, info->create(values), table.loc()});
  return static_cast<int>(p.components.size() - 1);
}

void load_device(Platform& p, const Registry& reg, const std::string& name, const ConfigNode& t) {
  if (!t.is_table()) t.fail("a device table", t.describe());
  for (const auto& [k, v] : t.entries())
    if (std::find(kDeviceKeys.begin(), kDeviceKeys.end(), k) == kDeviceKeys.end())
      v.fail_unknown_key("a device key", k, kDeviceKeys);
  Device d;
  d.name = name;
  const int di = static_cast<int>(p.devices.size());
  const ConfigNode& kind = t.at("kind");
  d.kind = kind.as_string();
  if (std::find(kDeviceKinds.begin(), kDeviceKinds.end(), d.kind) == kDeviceKinds.end())
    kind.fail("a device kind", kind.describe(), did_you_mean(d.kind, kDeviceKinds));
  d.pe = add_component(p, reg, t.at("pe"), name + ".pe", di, Role::kPe, {});
  if (const ConfigNode* caches = t.find("cache")) {
    for (const auto& c : caches->items()) {
      const ConfigNode& cname = c.at("name");
      d.caches.push_back(add_component(p, reg, c, name + "." + cname.as_string(), di, Role::kCache, {"name"}));
    }
  }
  if (d.caches.size() + 1 > kMaxMemLevels)
    t.at("cache").fail("at most " + std::to_string(kMaxMemLevels - 1) + " cache levels",
                       std::to_string(d.caches.size()) + " levels");
  const ConfigNode& dram = t.at("dram");
  if (dram.is_string())
    d.shares_dram = true;  // resolved once every device is loaded
  else
    d.dram = add_component(p, reg, dram, name + ".dram", di, Role::kDram, {});
  if (const ConfigNode* b = t.find("board")) d.board = add_component(p, reg, *b, name + ".board", di, Role::kBoard, {});

  const ComputeCaps& caps = *p.components[static_cast<std::size_t>(d.pe)].model->compute();
  d.nominal_clock_hz = caps.nominal_clock.si();
  if (const ConfigNode* vf = t.find("vf_curve")) {
    for (const auto& pt : vf->items()) {
      if (!pt.is_array() || pt.items().size() != 2)
        pt.fail("a pair [frequency, voltage] such as [\"1.41 GHz\", \"0.9 V\"]", pt.describe());
      VfPoint v{pt.items()[0].as<Frequency>().si(), pt.items()[1].as<Voltage>().si()};
      if (!d.vf_curve.empty() && !(v.freq_hz > d.vf_curve.back().freq_hz))
        pt.fail("frequencies in ascending order",
                format(Frequency(v.freq_hz)) + " after " + format(Frequency(d.vf_curve.back().freq_hz)));
      if (!d.vf_curve.empty() && v.volt_v < d.vf_curve.back().volt_v)
        pt.fail("voltage not decreasing with frequency",
                format(Voltage(v.volt_v)) + " after " + format(Voltage(d.vf_curve.back().volt_v)));
      d.vf_curve.push_back(v);
    }
    if (d.vf_curve.size() < 2) vf->fail("at least two [frequency, voltage] points", std::to_string(d.vf_curve.size()));
  }
  d.clock_hz = d.nominal_clock_hz;
  double lo = d.vf_curve.empty() ? 0.1 * d.nominal_clock_hz : d.vf_curve.front().freq_hz;
  double hi = d.vf_curve.empty() ? d.nominal_clock_hz : d.vf_curve.back().freq_hz;
  if (const ConfigNode* c = t.find("clock")) {
    d.clock_hz = c->as<Frequency>().si();
    if (d.clock_hz < lo * (1 - 1e-9) || d.clock_hz > hi * (1 + 1e-9))
      c->fail("a clock between " + format(Frequency(lo)) + " and " + format(Frequency(hi)), c->describe(),
              d.vf_curve.empty() ? "without a vf_curve the clock may not exceed the PE's nominal clock"
                                 : "the range of the device's vf_curve");
  }
  d.min_clock_hz = lo;
  if (const ConfigNode* c = t.find("min_clock")) {
    d.min_clock_hz = c->as<Frequency>().si();
    if (d.min_clock_hz <= 0 || d.min_clock_hz > d.clock_hz)
      c->fail("a positive clock not above the operating clock " + format(Frequency(d.clock_hz)), c->describe());
  }
  if (const ConfigNode* c = t.find("power_cap")) {
    d.power_cap_w = c->as<Power>().si();
    if (d.power_cap_w <= 0) c->fail("a positive power such as \"300 W\"", c->describe());
  }
  if (const ConfigNode* c = t.find("launch_overhead")) {
    d.launch_overhead_s = c->as<Time>().si();
    if (d.launch_overhead_s < 0) c->fail("a non-negative time such as \"5 us\"", c->describe());
  }
  if (const ConfigNode* c = t.find("count")) {
    const std::int64_t n = c->as_int();
    if (n < 1 || n > 65536) c->fail("a count between 1 and 65536", c->describe());
    d.count = static_cast<int>(n);
  }
  if (const ConfigNode* r = t.find("power_limit_range")) {
    if (!r->is_array() || r->items().size() != 2)
      r->fail("a pair [min, max] such as [\"100 W\", \"400 W\"]", r->describe());
    d.power_limit_min_w = r->items()[0].as<Power>().si();
    d.power_limit_max_w = r->items()[1].as<Power>().si();
    if (!(d.power_limit_min_w > 0 && d.power_limit_min_w <= d.power_limit_max_w))
      r->fail("0 < min <= max", format(Power(d.power_limit_min_w)) + ", " + format(Power(d.power_limit_max_w)));
    if (const ConfigNode* c = t.find("power_cap");
        c && (d.power_cap_w < d.power_limit_min_w * (1 - 1e-9) || d.power_cap_w > d.power_limit_max_w * (1 + 1e-9)))
      c->fail("a power limit the device accepts: " + format(Power(d.power_limit_min_w)) + " to " +
                  format(Power(d.power_limit_max_w)),
              c->describe(), "power_limit_range of device '" + name + "'");
  }
  if (const ConfigNode* ds = t.find("datasheet")) d.datasheet = read_datasheet(*ds, true);
  d.active_units = caps.units;
  for (auto& c : p.components)
    if (c.device == di) c.count = d.count;
  p.devices.push_back(std::move(d));
}

std::pair<int, int> read_ends(const Platform& p, const ConfigNode& connects) {
  const auto& items = connects.items();
  if (items.size() != 2) connects.fail("two device names", std::to_string(items.size()) + " entries");
  int ends[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& n = items[static_cast<std::size_t>(i)].as_string();
    ends[i] = p.find_device(n);
    if (ends[i] < 0)
      items[static_cast<std::size_t>(i)].fail("the name of a device of this platform",
                                              items[static_cast<std::size_t>(i)].describe(),
                                              did_you_mean(n, p.device_names()));
  }
  // A device named twice is a fabric among its own instances (NVLink through NVSwitch).
  if (ends[0] == ends[1] && p.devices[static_cast<std::size_t>(ends[0])].count < 2)
    connects.fail("two different devices, or one device with count > 1 (a fabric among its instances)",
                  "the same device twice, and it has one instance");
  return {ends[0], ends[1]};
}

void read_node(Platform& p, const Registry& reg, const ConfigNode& t) {
  t.check_keys({"psu_efficiency", "pue", "device_boundary", "parts", "source", "sources", "lifetime", "embodied"},
               "a node key");
  if (const ConfigNode* v = t.find("psu_efficiency")) {
    p.node.psu_efficiency = v->as_number();
    if (!(p.node.psu_efficiency > 0.3 && p.node.psu_efficiency <= 1.0))
      v->fail("a DC/AC efficiency in (0.3, 1]", v->describe());
  }
  if (const ConfigNode* v = t.find("pue")) {
    p.node.pue = v->as_number();
    if (!(p.node.pue >= 1.0 && p.node.pue < 5.0)) v->fail("a power usage effectiveness in [1, 5)", v->describe());
  }
  if (const ConfigNode* s = t.find("source")) p.node.source = s->as_string();
  if (const ConfigNode* v = t.find("lifetime")) {
    p.node.lifetime_s = v->as<core::Time>().si();
    if (!(p.node.lifetime_s >= core::kSecondsPerDay && p.node.lifetime_s <= 50 * core::kSecondsPerYear))
      v->fail("a service life between 1 day and 50 years (e.g. \"5 years\")", v->describe());
  }
  if (const ConfigNode* e = t.find("embodied")) read_node_embodied(p, *e);
  if (const ConfigNode* b = t.find("device_boundary")) {
    p.node.in_device_boundary.assign(p.devices.size(), 0);
    for (const auto& item : b->items()) {
      const int di = p.find_device(item.as_string());
      if (di < 0)
        item.fail("a device of this platform", item.describe(), did_you_mean(item.as_string(), p.device_names()));
      p.node.in_device_boundary[static_cast<std::size_t>(di)] = 1;
    }
  }
  if (const ConfigNode* parts = t.find("parts")) {
    for (const auto& [name, pt] : parts->entries()) {
      const int c = add_component(p, reg, pt, "node." + name, -1, Role::kBoard, {"count"});
      if (const ConfigNode* n = pt.find("count")) {
        if (n->as_int() < 1 || n->as_int() > 100000) n->fail("a count between 1 and 100000", n->describe());
        p.components[static_cast<std::size_t>(c)].count = static_cast<int>(n->as_int());
      }
      p.node.parts.push_back(c);
    }
  }
}

}  // namespace

Platform load_platform(const ConfigNode& input, const Registry& reg) {
  ConfigNode root = input;
  expand_platform(root);
  std::vector<std::string> top = {"schema_version", "name",    "aliases", "description", "devices",
                                  "links",          "storage", "node",    "datasheet",   "power_modes",
                                  "source",         "sources", "fabric"};
  const std::vector<std::string> mode_keys = power_mode_keys(root);
  top.insert(top.end(), mode_keys.begin(), mode_keys.end());
  for (const auto& [k, v] : root.entries())
    if (std::find(top.begin(), top.end(), k) == top.end()) v.fail_unknown_key("a platform key", k, top);
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  Platform p;
  p.name = root.at("name").as_string();
  if (const ConfigNode* d = root.find("description")) p.description = d->as_string();
  if (const ConfigNode* a = root.find("aliases"))
    for (const auto& item : a->items()) p.aliases.push_back(item.as_string());
  if (const ConfigNode* ds = root.find("datasheet")) p.datasheet = read_datasheet(*ds, false);
  // [fabric]: the link a single-device platform's instances use among themselves once composed
  // into a node (NVLink, or PCIe peer-to-peer); used by the node composer, checked here.
  if (const ConfigNode* f = root.find("fabric")) {
    const ConfigNode& m = f->at("model");
    const core::ModelInfo* info = reg.find(m.as_string());
    if (!info || info->role != Role::kLink)
      m.fail("a link model (link.nvlink, link.pcie)", m.describe(), did_you_mean(m.as_string(), reg.kinds()));
  }
  const ConfigNode& devices = root.at("devices");
  if (devices.entries().empty()) devices.fail("at least one device", "an empty table");
  for (const auto& [name, t] : devices.entries()) load_device(p, reg, name, t);
  // Shared memory: `dram = "gpu"` names the device that owns it.
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    Device& d = p.devices[i];
    if (!d.shares_dram) continue;
    const ConfigNode& ref = devices.at(d.name).at("dram");
    const int owner = p.find_device(ref.as_string());
    if (owner < 0 || owner == static_cast<int>(i) || p.devices[static_cast<std::size_t>(owner)].shares_dram)
      ref.fail("the name of another device of this platform that has its own [dram] table", ref.describe(),
               did_you_mean(ref.as_string(), p.device_names()));
    d.dram = p.devices[static_cast<std::size_t>(owner)].dram;
  }
  for (std::size_t i = 0; i < p.devices.size(); ++i)
    if (const ConfigNode* e = devices.at(p.devices[i].name).find("embodied"))
      read_device_embodied(p, static_cast<int>(i), *e);
  if (const ConfigNode* links = root.find("links")) {
    for (const auto& [name, t] : links->entries()) {
      int c = add_component(p, reg, t, name, -1, Role::kLink, {"connects", "count"});
      const bool network = p.components[static_cast<std::size_t>(c)].model->transfer()->inter_node;
      const ConfigNode& ends = t.at("connects");
      int a = -1, b = -1;
      if (network) {
        // Ports of one device to its peers on other nodes: one device name.
        if (ends.items().size() != 1)
          ends.fail("one device name (the device whose ports reach other nodes)",
                    std::to_string(ends.items().size()) + " entries");
        const ConfigNode& n = ends.items().front();
        a = b = p.find_device(n.as_string());
        if (a < 0)
          n.fail("the name of a device of this platform", n.describe(), did_you_mean(n.m_str, p.device_names()));
        if (p.network_link(a) >= 0) ends.fail("one network link per device", "a second network link at the device");
      } else {
        std::tie(a, b) = read_ends(p, ends);
        if (p.link_between(a, b) >= 0) ends.fail("one link per device pair", "a second link between the same devices");
      }
      if (const ConfigNode* n = t.find("count")) {
        if (n->as_int() < 1 || n->as_int() > 65536) n->fail("a count between 1 and 65536", n->describe());
        p.components[static_cast<std::size_t>(c)].count = static_cast<int>(n->as_int());
      }
      p.links.push_back({c, a, b, network});
    }
  }
  if (const ConfigNode* st = root.find("storage")) {
    for (const auto& [name, t] : st->entries()) {
      const ConfigNode& at = t.at("attached_to");
      int dev = p.find_device(at.as_string());
      if (dev < 0)
        at.fail("the name of a device of this platform", at.describe(), did_you_mean(at.as_string(), p.device_names()));
      int c = add_component(p, reg, t, name, dev, Role::kStorage, {"attached_to"});
      p.devices[static_cast<std::size_t>(dev)].storage.push_back(c);
    }
  }
  for (std::size_t c = 0; c < p.components.size(); ++c)
    if (p.components[c].device >= 0)
      p.devices[static_cast<std::size_t>(p.components[c].device)].members.push_back(static_cast<int>(c));
  if (const ConfigNode* n = root.find("node")) read_node(p, reg, *n);
  if (p.node.in_device_boundary.empty()) {
    // Default: the accelerators (what NVML reports); a CPU-only platform: its CPUs (RAPL).
    bool any_accel = false;
    for (const auto& d : p.devices) any_accel = any_accel || d.kind != "cpu";
    for (const auto& d : p.devices) p.node.in_device_boundary.push_back(!any_accel || d.kind != "cpu" ? 1 : 0);
  }
  if (const ConfigNode* pm = root.find("power_modes")) {
    read_power_modes(p, *pm);
    apply_power_mode(p, root);
  } else if (const ConfigNode* chosen = root.find("power_mode")) {
    chosen->fail("a platform with [power_modes]", chosen->describe(),
                 "platform '" + p.name + "' has no power modes; set devices.NAME.clock or power_cap instead");
  }
  return p;
}

}  // namespace jg::hw
