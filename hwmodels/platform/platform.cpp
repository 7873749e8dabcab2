#include "hwmodels/platform/platform.hpp"

#include <algorithm>

#include "engine/core/activity.hpp"
#include "engine/core/quantity.hpp"

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
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.component;
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

namespace {

const std::vector<std::string> kDeviceKinds = {"cpu", "gpu", "fpga", "accelerator", "soc"};
const std::vector<std::string> kDeviceKeys = {"kind",   "pe",        "cache",     "dram",     "board",
                                              "clock",  "min_clock", "power_cap", "vf_curve", "launch_overhead",
                                              "source", "sources"};

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
  p.components.push_back({id, device, info->create(values), table.loc()});
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
  d.dram = add_component(p, reg, t.at("dram"), name + ".dram", di, Role::kDram, {});
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
  if (ends[0] == ends[1]) connects.fail("two different devices", "the same device twice");
  return {ends[0], ends[1]};
}

}  // namespace

Platform load_platform(const ConfigNode& root, const Registry& reg) {
  static const std::vector<std::string> kTop = {"schema_version", "name",    "description", "devices",
                                                "links",          "storage", "source",      "sources"};
  for (const auto& [k, v] : root.entries())
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) v.fail_unknown_key("a platform key", k, kTop);
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  Platform p;
  p.name = root.at("name").as_string();
  if (const ConfigNode* d = root.find("description")) p.description = d->as_string();
  const ConfigNode& devices = root.at("devices");
  if (devices.entries().empty()) devices.fail("at least one device", "an empty table");
  for (const auto& [name, t] : devices.entries()) load_device(p, reg, name, t);
  if (const ConfigNode* links = root.find("links")) {
    for (const auto& [name, t] : links->entries()) {
      int c = add_component(p, reg, t, name, -1, Role::kLink, {"connects"});
      auto [a, b] = read_ends(p, t.at("connects"));
      if (p.link_between(a, b) >= 0)
        t.at("connects").fail("one link per device pair", "a second link between the same devices");
      p.links.push_back({c, a, b});
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
  return p;
}

}  // namespace jg::hw
