#include "cli/study.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

#include "cli/sweep.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"

namespace jg::cli {

using namespace jg::core;

std::vector<std::uint64_t> sample_indices(std::uint64_t size, std::uint64_t n, std::uint64_t seed) {
  std::vector<std::uint64_t> out;
  if (n >= size) {
    out.resize(size);
    for (std::uint64_t i = 0; i < size; ++i) out[i] = i;
    return out;
  }
  // splitmix64: a fixed generator, so a seed gives the same sample everywhere.
  std::uint64_t state = seed;
  auto next = [&] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  auto below = [&](std::uint64_t bound) {  // uniform in [0, bound), by rejection
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return x % bound;
  };
  // Floyd: for j = size-n .. size-1, draw t in [0, j]; take t unless taken, else j.
  std::unordered_set<std::uint64_t> taken;
  for (std::uint64_t j = size - n; j < size; ++j) {
    const std::uint64_t t = below(j + 1);
    taken.insert(taken.count(t) ? j : t);
  }
  out.assign(taken.begin(), taken.end());
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

constexpr double kMaxPoints = 1e8;

std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

/// Values of a slow axis: a list, or a range {from, to, step}.
std::vector<AxisValue> slow_values(const std::string& key, const ConfigNode& v) {
  std::vector<AxisValue> out;
  if (v.is_array()) {
    if (v.items().empty()) v.fail("a non-empty list of values", "an empty list");
    for (const auto& x : v.items()) out.push_back(scalar_value(x, key));
    return out;
  }
  if (v.is_table()) {
    v.check_keys({"from", "to", "step"}, "a range key");
    const ConfigNode& from = v.at("from");
    const ConfigNode& to = v.at("to");
    const ConfigNode& step = v.at("step");
    for (const ConfigNode* n : {&from, &to, &step})
      if (!n->is_number()) n->fail("a number", n->describe(), "ranges take plain numbers; list quantities instead");
    const double a = from.as_number(), b = to.as_number(), d = step.as_number();
    if (d == 0) step.fail("a non-zero step", "0");
    if ((b - a) * d < 0)
      v.fail("a range whose step leads from `from` to `to`",
             fmt::format("from = {}, to = {}, step = {}: no value", number_text(a), number_text(b), number_text(d)),
             "an empty range; swap from and to or change the step's sign");
    const double n = std::floor((b - a) / d * (1 + 1e-12) + 1e-9) + 1;
    if (n > 1e6) v.fail("a range of at most 1e6 values", fmt::format("{} values", n));
    const bool ints = from.kind() == ConfigNode::Kind::Integer && step.kind() == ConfigNode::Kind::Integer;
    for (double i = 0; i < n; ++i) {
      AxisValue x;
      const double val = ints ? a + i * d : a + i * d;
      x.text = x.label = ints ? number_text(val) : fmt::format("{}", val);
      x.number = true;
      out.push_back(x);
    }
    return out;
  }
  if (v.kind() == ConfigNode::Kind::String && v.as_string() == "all")
    v.fail("a list or a range {from, to, step}", "\"all\"", "\"all\" is for power_mode and the power-mode knobs");
  v.fail("a list of values or a range {from = , to = , step = }", v.describe());
}

}  // namespace

AxisValue scalar_value(const ConfigNode& v, const std::string& key) {
  AxisValue a;
  switch (v.kind()) {
    case ConfigNode::Kind::Integer:
    case ConfigNode::Kind::Float:
      a.text = a.label = number_text(v.as_number());
      a.number = true;
      break;
    case ConfigNode::Kind::Bool:
      a.text = a.label = v.as_bool() ? "true" : "false";
      a.number = true;
      break;
    case ConfigNode::Kind::String:
      a.text = a.label = v.as_string();
      break;
    default:
      v.fail("a number, a string or a boolean (a value of '" + key + "')", v.describe());
  }
  return a;
}

SweepSpec read_spec(const std::string& path) {
  SweepSpec s;
  s.path = path;
  s.root = parse_toml_text(read_text_file(path), path);
  const ConfigNode& r = s.root;
  r.check_keys({"schema_version", "platform", "workload", "stage", "set", "axes", "sample", "samples", "seed"},
               "a sweep file key");
  const ConfigNode& ver = r.at("schema_version");
  if (ver.kind() != ConfigNode::Kind::Integer || ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  s.platform = r.at("platform").as_string();
  s.workload = r.at("workload").as_string();
  if (const ConfigNode* st = r.find("stage")) {
    s.stage = st->as_string();
    s.stage_node = st;
  }
  if (const ConfigNode* set = r.find("set")) {
    if (!set->is_table()) set->fail("a table of fixed overrides ([set])", set->describe());
    for (const auto& [k, v] : set->entries()) {
      s.sets.push_back(k + "=" + scalar_value(v, k).text);
      s.set_nodes.push_back(&v);
    }
  }
  const ConfigNode& axes = r.at("axes");
  if (axes.kind() == ConfigNode::Kind::String) {
    if (axes.as_string() != "all_power_modes") axes.fail("\"all_power_modes\" or an [axes] table", axes.describe());
    s.all_power_modes = true;
    s.all_node = &axes;
  } else {
    if (!axes.is_table()) axes.fail("an [axes] table or \"all_power_modes\"", axes.describe());
    if (axes.entries().empty()) axes.fail("at least one axis", "an empty [axes] table", "e.g. power_mode = \"all\"");
    for (const auto& [k, v] : axes.entries()) {
      s.axis_keys.push_back(k);
      s.axis_nodes.push_back(&v);
    }
  }
  const ConfigNode* sample = r.find("sample");
  const ConfigNode* samples = r.find("samples");
  if (sample && samples) samples->fail("one of [sample] and samples", "both", "keep [sample] n = ..., seed = ...");
  auto count = [](const ConfigNode& n, const std::string& what) {
    if (n.kind() != ConfigNode::Kind::Integer || n.as_int() < 1) n.fail(what, n.describe());
    return static_cast<std::uint64_t>(n.as_int());
  };
  if (sample) {
    if (!sample->is_table()) sample->fail("a [sample] table with n and seed", sample->describe());
    sample->check_keys({"n", "seed"}, "a [sample] key");
    s.sample_n = count(sample->at("n"), "a positive whole number of points");
    if (const ConfigNode* sd = sample->find("seed")) s.seed = count(*sd, "a positive whole number");
  } else if (samples) {
    s.sample_n = count(*samples, "a positive whole number of points");
    if (const ConfigNode* sd = r.find("seed")) s.seed = count(*sd, "a positive whole number");
  } else if (const ConfigNode* sd = r.find("seed")) {
    sd->fail("seed only with samples or [sample]", sd->describe());
  }
  return s;
}

std::vector<Axis> resolve_axes(const SweepSpec& s, const hw::Platform& base) {
  const hw::PowerModes& pm = base.power_modes;
  std::vector<Axis> axes;
  auto no_modes = [&](const ConfigNode& n, const std::string& what) {
    n.fail("a platform with power modes for " + what, "platform '" + base.name + "', which has none",
           "sweep its clocks as hardware keys, e.g. devices.gpu.pe.clock = [\"1.2GHz\", \"1.4GHz\"]");
  };
  auto all_knobs = [&](const ConfigNode& n) {
    if (pm.empty()) no_modes(n, "power_mode = \"all\"");
    for (std::size_t k = 0; k < pm.knobs.size(); ++k) {
      Axis a;
      a.key = pm.knobs[k].name;
      a.kind = Axis::Kind::kKnob;
      a.knob = k;
      a.node = &n;
      for (double v : pm.knobs[k].values)
        a.values.push_back({pm.format_value(k, v), pm.format_value(k, v), pm.knobs[k].is_count, v, 0, {}, {}});
      axes.push_back(std::move(a));
    }
  };
  if (s.all_power_modes) {
    all_knobs(*s.all_node);
    return axes;
  }
  for (std::size_t i = 0; i < s.axis_keys.size(); ++i) {
    const std::string& key = s.axis_keys[i];
    const ConfigNode& v = *s.axis_nodes[i];
    if (key == "power_mode") {
      if (v.kind() == ConfigNode::Kind::String) {
        if (v.as_string() != "all")
          v.fail("\"all\" or a list of power modes", v.describe(), "e.g. power_mode = [\"15W\", \"30W\"]");
        all_knobs(v);
        continue;
      }
      if (pm.empty()) no_modes(v, "power_mode");
      if (!v.is_array() || v.items().empty()) v.fail("\"all\" or a non-empty list of power modes", v.describe());
      Axis a;
      a.key = key;
      a.kind = Axis::Kind::kPreset;
      a.node = &v;
      std::vector<std::string> names;
      for (const auto& pr : pm.presets) names.push_back(pr.name);
      for (const auto& x : v.items()) {
        const std::string& name = x.as_string();
        auto it = std::find_if(pm.presets.begin(), pm.presets.end(),
                               [&](const hw::Preset& p) { return to_lower(p.name) == to_lower(name); });
        if (it == pm.presets.end())
          x.fail("a power mode of platform '" + base.name + "'", x.describe(), did_you_mean(name, names));
        AxisValue av;
        av.text = av.label = it->name;
        av.preset = static_cast<std::size_t>(it - pm.presets.begin());
        a.values.push_back(av);
      }
      axes.push_back(std::move(a));
      continue;
    }
    auto knob = std::find_if(pm.knobs.begin(), pm.knobs.end(), [&](const hw::Knob& k) { return k.name == key; });
    if (knob != pm.knobs.end()) {
      const auto k = static_cast<std::size_t>(knob - pm.knobs.begin());
      Axis a;
      a.key = key;
      a.kind = Axis::Kind::kKnob;
      a.knob = k;
      a.node = &v;
      std::vector<double> values;
      if (v.kind() == ConfigNode::Kind::String && v.as_string() == "all") {
        values = knob->values;
      } else {
        if (!v.is_array() || v.items().empty())
          v.fail("\"all\" or a non-empty list of " + key + " values", v.describe());
        for (const auto& x : v.items()) {
          double si = 0;
          if (knob->is_count) {
            if (x.kind() != ConfigNode::Kind::Integer) x.fail("a whole number", x.describe());
            si = static_cast<double>(x.as_int());
          } else {
            si = x.as<Frequency>().si();
          }
          const int at = hw::find_knob_value(*knob, si);
          if (at < 0) {
            std::string list;
            for (double y : knob->values) list += (list.empty() ? "" : ", ") + pm.format_value(k, y);
            x.fail("a value of " + key + " that platform '" + base.name + "' has: " + list, x.describe());
          }
          values.push_back(knob->values[static_cast<std::size_t>(at)]);
        }
      }
      for (double y : values)
        a.values.push_back({pm.format_value(k, y), pm.format_value(k, y), knob->is_count, y, 0, {}, {}});
      axes.push_back(std::move(a));
      continue;
    }
    Axis a;
    a.key = key;
    a.node = &v;
    a.values = slow_values(key, v);
    axes.push_back(std::move(a));
  }
  // A knob varied twice (power_mode = "all" beside gpu_freq) is ambiguous.
  for (std::size_t i = 0; i < axes.size(); ++i)
    for (std::size_t j = i + 1; j < axes.size(); ++j)
      if (axes[i].kind == Axis::Kind::kKnob && axes[j].kind == Axis::Kind::kKnob && axes[i].knob == axes[j].knob)
        axes[j].node->fail("each knob on one axis", "'" + axes[j].key + "' already varied by power_mode = \"all\"",
                           "drop one of them");
  return axes;
}

Space make_space(std::vector<Axis> axes, const SweepSpec& s) {
  Space sp;
  sp.axes = std::move(axes);
  double product = 1;
  for (std::size_t i = 0; i < sp.axes.size(); ++i)
    if (sp.axes[i].kind == Axis::Kind::kSlow) sp.decode.push_back(i);
  for (std::size_t i = 0; i < sp.axes.size(); ++i)
    if (sp.axes[i].kind != Axis::Kind::kSlow) {
      sp.decode.push_back(i);
      sp.fast *= sp.axes[i].values.size();
    }
  for (const auto& a : sp.axes) product *= static_cast<double>(a.values.size());
  if (product > 1.8e19)
    throw ConfigError({s.root.loc(), "axes", "a space of fewer than 2^64 points", fmt::format("{:.3g} points", product),
                       "sample it: [sample] n = 100000"});
  sp.product = 1;
  for (const auto& a : sp.axes) sp.product *= a.values.size();
  if (s.sample_n > 0) sp.sample = sample_indices(sp.product, s.sample_n, s.seed);
  for (auto& a : sp.axes)
    for (auto& v : a.values) {
      v.csv = report::csv_field(v.label) + ",";
      v.json = report::json_string(a.key) + ":" + (v.number ? v.label : report::json_string(v.label)) + ",";
    }
  if (static_cast<double>(sp.points()) > kMaxPoints)
    throw ConfigError({s.root.loc(), "axes", fmt::format("at most {:.0e} points", kMaxPoints),
                       fmt::format("{} points", sp.points()), "sample the space: [sample] n = 1000000, seed = 1"});
  return sp;
}

Built build_combination(const LoadedInput& hw_in, const hw::Platform& base, const std::string& workload,
                        std::vector<std::string> sets, const std::string& stage, const ConfigNode* stage_node) {
  LoadedInput wl_in = load_workload_input(workload, base, sets);
  const ConfigNode* params = wl_in.root.find("params");
  const ConfigNode* mode = params ? params->find("mode") : nullptr;
  const bool mode_set =
      std::any_of(sets.begin(), sets.end(), [](const std::string& a) { return a.rfind("mode=", 0) == 0; });
  if ((stage == "training" || stage == "train") && mode && mode->as_string() == "infer" && !mode_set)
    sets.push_back("mode=train");
  ConfigNode hw_root = hw_in.root;
  apply_overrides(hw_root, wl_in.root, sets);
  Built b{hw::load_platform(hw_root, hw::builtin_registry()), build_graph(wl_in.root, false), {}};
  if (stage_node) b.selected = select_stages(b.graph, stage, *stage_node, workload);
  return b;
}

Figures figures_of(const eval::Ledger& led, const std::vector<std::size_t>& selected) {
  Figures f;
  f.total_energy_j = led.energy_j;
  f.total_time_s = led.time_s;
  if (selected.empty()) {
    f.energy_j = led.energy_j;
    f.time_s = led.time_s;
  }
  for (std::size_t s : selected) {
    f.energy_j += led.stages[s].energy_j;
    f.time_s += led.stages[s].time_s;
  }
  return f;
}

void set_mode(hw::Platform& w, const hw::Platform& base, const std::vector<double>& knobs) {
  for (std::size_t d = 0; d < w.devices.size(); ++d) w.devices[d].min_clock_hz = base.devices[d].min_clock_hz;
  hw::set_power_mode(w, knobs);
}

}  // namespace jg::cli
