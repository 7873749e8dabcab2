// Power modes (Jetson nvpmodel knobs and presets): reading [power_modes] and applying the mode a
// platform file or --set selects to its devices' clocks, online units and memory clock.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/power_modes.hpp"

namespace jg::hw {

using namespace jg::core;

namespace {

Knob::Sets parse_sets(const ConfigNode& n) {
  static const std::vector<std::string> kSets = {"clock", "cores", "units", "memory_clock"};
  const std::string& v = n.as_string();
  if (v == "clock") return Knob::Sets::kClock;
  if (v == "cores" || v == "units") return Knob::Sets::kCores;
  if (v == "memory_clock") return Knob::Sets::kMemoryClock;
  n.fail("one of clock, cores, units, memory_clock", n.describe(), did_you_mean(v, kSets));
}

/// Reads a knob value as written (a frequency string or a count) into SI.
double knob_value(const Knob& k, const ConfigNode& v) {
  if (k.is_count) {
    if (v.kind() != ConfigNode::Kind::Integer) v.fail("a whole number (a count of cores or units)", v.describe());
    return static_cast<double>(v.as_int());
  }
  return v.as<Frequency>().si();
}

std::string valid_values(const PowerModes& m, std::size_t k) {
  std::string out;
  for (double v : m.knobs[k].values) out += (out.empty() ? "" : ", ") + m.format_value(k, v);
  return out;
}

}  // namespace

int find_knob_value(const Knob& k, double v) {
  for (std::size_t i = 0; i < k.values.size(); ++i)
    if (std::abs(k.values[i] - v) <= 1e-6 * std::max(1.0, std::abs(v))) return static_cast<int>(i);
  return -1;
}

void read_power_modes(Platform& p, const ConfigNode& t) {
  static const std::vector<std::string> kKeys = {"default", "knobs", "presets", "caveat", "source", "sources"};
  for (const auto& [k, v] : t.entries())
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) v.fail_unknown_key("a power_modes key", k, kKeys);
  PowerModes& m = p.power_modes;
  if (const ConfigNode* s = t.find("source")) m.source = s->as_string();
  if (const ConfigNode* c = t.find("caveat")) m.caveat = c->as_string();
  for (const auto& [name, kt] : t.at("knobs").entries()) {
    static const std::vector<std::string> kKnobKeys = {"device", "sets", "values", "source"};
    for (const auto& [k, v] : kt.entries())
      if (std::find(kKnobKeys.begin(), kKnobKeys.end(), k) == kKnobKeys.end())
        v.fail_unknown_key("a knob key", k, kKnobKeys);
    Knob knob;
    knob.name = name;
    const ConfigNode& dev = kt.at("device");
    knob.device = p.find_device(dev.as_string());
    if (knob.device < 0)
      dev.fail("a device of this platform", dev.describe(), did_you_mean(dev.as_string(), p.device_names()));
    knob.sets = parse_sets(kt.at("sets"));
    knob.is_count = knob.sets == Knob::Sets::kCores;
    const ConfigNode& vals = kt.at("values");
    if (!vals.is_array() || vals.items().empty()) vals.fail("a non-empty array of values", vals.describe());
    const Device& d = p.devices[static_cast<std::size_t>(knob.device)];
    const double units = p.pe_caps(knob.device).units;
    for (const auto& v : vals.items()) {
      const double x = knob_value(knob, v);
      if (!knob.values.empty() && !(x > knob.values.back()))
        v.fail("values in ascending order without repeats", v.describe());
      if (knob.sets == Knob::Sets::kCores && (x < 1 || x > units))
        v.fail("a count between 1 and the " + format_number(units) + " units of device '" + d.name + "'", v.describe());
      if (knob.sets == Knob::Sets::kClock) {
        const double lo = d.vf_curve.empty() ? d.min_clock_hz : d.vf_curve.front().freq_hz;
        const double hi = d.vf_curve.empty() ? d.nominal_clock_hz : d.vf_curve.back().freq_hz;
        if (x < lo * (1 - 1e-9) || x > hi * (1 + 1e-9))
          v.fail("a clock within device '" + d.name + "''s range " + format(Frequency(lo)) + " to " +
                     format(Frequency(hi)),
                 v.describe(), "widen the device's vf_curve or drop the value");
      }
      if (knob.sets == Knob::Sets::kMemoryClock && x <= 0) v.fail("a positive clock", v.describe());
      knob.values.push_back(x);
    }
    if (knob.sets == Knob::Sets::kMemoryClock && d.shares_dram)
      dev.fail("the device that owns the memory", "device '" + d.name + "', which shares another device's dram");
    m.knobs.push_back(std::move(knob));
  }
  if (m.knobs.empty()) t.at("knobs").fail("at least one knob", "an empty table");
  std::vector<std::string> knob_names;
  for (const auto& k : m.knobs) knob_names.push_back(k.name);
  for (const auto& [name, pt] : t.at("presets").entries()) {
    Preset pr;
    pr.name = name;
    pr.setting.assign(m.knobs.size(), -1);
    std::vector<char> seen(m.knobs.size(), 0);
    for (const auto& [k, v] : pt.entries()) {
      if (k == "budget") {
        pr.budget_w = v.as<Power>().si();
        continue;
      }
      if (is_citation_key(k)) continue;
      auto it = std::find(knob_names.begin(), knob_names.end(), k);
      if (it == knob_names.end()) {
        auto valid = knob_names;
        valid.push_back("budget");
        v.fail_unknown_key("a knob of this platform or budget", k, valid);
      }
      const auto ki = static_cast<std::size_t>(it - knob_names.begin());
      const double x = knob_value(m.knobs[ki], v);
      if (find_knob_value(m.knobs[ki], x) < 0) v.fail("one of " + valid_values(m, ki), v.describe());
      pr.setting[ki] = x;
      seen[ki] = 1;
    }
    for (std::size_t ki = 0; ki < m.knobs.size(); ++ki)
      if (!seen[ki]) pt.fail("a value for every knob", "no value for " + m.knobs[ki].name);
    m.presets.push_back(std::move(pr));
  }
  if (m.presets.empty()) t.at("presets").fail("at least one preset", "an empty table");
  const ConfigNode& def = t.at("default");
  m.default_preset = def.as_string();
  bool found = false;
  for (const auto& pr : m.presets) found = found || pr.name == m.default_preset;
  if (!found) {
    std::vector<std::string> names;
    for (const auto& pr : m.presets) names.push_back(pr.name);
    def.fail("the name of a preset", def.describe(), did_you_mean(m.default_preset, names));
  }
}

namespace {

/// Applies power_modes.active_values to the knobs' devices.
void set_device_settings(Platform& p) {
  const PowerModes& m = p.power_modes;
  for (std::size_t ki = 0; ki < m.knobs.size(); ++ki) {
    const Knob& k = m.knobs[ki];
    Device& d = p.devices[static_cast<std::size_t>(k.device)];
    const double x = m.active_values[ki];
    switch (k.sets) {
      case Knob::Sets::kClock:
        d.clock_hz = x;
        d.min_clock_hz = std::min(d.min_clock_hz, x);
        break;
      case Knob::Sets::kCores:
        d.active_units = x;
        break;
      case Knob::Sets::kMemoryClock:
        d.memory_clock_ratio = x / k.values.back();
        break;
    }
  }
  // Devices sharing memory follow the owner's memory clock.
  for (auto& d : p.devices)
    if (d.shares_dram)
      for (const auto& o : p.devices)
        if (!o.shares_dram && o.dram == d.dram) d.memory_clock_ratio = o.memory_clock_ratio;
}

}  // namespace

void set_power_mode(Platform& p, const std::vector<double>& values) {
  PowerModes& m = p.power_modes;
  if (values.size() != m.knobs.size())
    throw std::invalid_argument("set_power_mode: " + std::to_string(values.size()) + " values for " +
                                std::to_string(m.knobs.size()) + " knobs");
  for (std::size_t ki = 0; ki < m.knobs.size(); ++ki)
    if (find_knob_value(m.knobs[ki], values[ki]) < 0)
      throw std::invalid_argument("set_power_mode: knob " + m.knobs[ki].name + " has no value " +
                                  m.format_value(ki, values[ki]));
  m.active_values = values;
  m.active = "custom";
  for (const auto& pr : m.presets)
    if (pr.setting == values) m.active = pr.name;
  set_device_settings(p);
}

/// Applies the mode chosen at the top level (power_mode = "15W", knob keys) to the devices.
void apply_power_mode(Platform& p, const ConfigNode& root) {
  PowerModes& m = p.power_modes;
  std::string mode = m.default_preset;
  const ConfigNode* chosen = root.find("power_mode");
  if (chosen) mode = chosen->as_string();
  const Preset* preset = nullptr;
  std::vector<std::string> names;
  for (const auto& pr : m.presets) {
    names.push_back(pr.name);
    if (pr.name == mode) preset = &pr;
  }
  if (!preset) {
    // Case-insensitive second chance: "maxn", "15w".
    for (const auto& pr : m.presets)
      if (to_lower(pr.name) == to_lower(mode)) preset = &pr;
  }
  if (!preset) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    chosen->fail(
        "a power mode of platform '" + p.name + "': " + list, chosen->describe(), "or set single knobs: " + [&] {
          std::string k;
          for (const auto& kn : m.knobs) k += (k.empty() ? "" : ", ") + kn.name;
          return k;
        }());
  }
  m.active = preset->name;
  m.active_values = preset->setting;
  for (std::size_t ki = 0; ki < m.knobs.size(); ++ki) {
    const ConfigNode* v = root.find(m.knobs[ki].name);
    if (!v) continue;
    const double x = knob_value(m.knobs[ki], *v);
    if (find_knob_value(m.knobs[ki], x) < 0)
      v->fail("one of " + valid_values(m, ki), v->describe(),
              "the values device '" + p.devices[static_cast<std::size_t>(m.knobs[ki].device)].name + "' supports");
    if (x != m.active_values[ki]) {
      m.active_values[ki] = x;
      m.active += "+" + m.knobs[ki].name;
    }
  }
  set_device_settings(p);
}

double PowerModes::combinations() const {
  double n = knobs.empty() ? 0 : 1;
  for (const auto& k : knobs) n *= static_cast<double>(k.values.size());
  return n;
}

std::string PowerModes::format_value(std::size_t knob, double v) const {
  return knobs[knob].is_count ? format_number(v) : format(Frequency(v), 6);
}

std::vector<std::string> power_mode_keys(const ConfigNode& root) {
  std::vector<std::string> keys = {"power_mode"};
  if (const ConfigNode* pm = root.find("power_modes"); pm && pm->is_table())
    if (const ConfigNode* kn = pm->find("knobs"); kn && kn->is_table())
      for (const auto& [k, v] : kn->entries()) keys.push_back(k);
  return keys;
}

}  // namespace jg::hw
