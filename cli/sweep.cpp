// Sweeps and optimization over a design space (sweep.hpp).
//
// A sweep file names a platform, a workload and axes. An axis is a power-mode axis (power_mode,
// or a knob of the platform's [power_modes] such as gpu_freq: a "fast" axis, set on a copy of a
// built platform and evaluated through an eval::Plan without rebuilding anything) or any other
// key --set accepts (batch, dtype, devices.gpu.power_cap, ...: a "slow" axis, which rebuilds the
// platform and the graph once per combination of slow-axis values). Points are the Cartesian
// product, slow axes outermost, or a seeded sample of it; they are evaluated in parallel blocks
// and written in order, so the output is the same whatever the thread count.
#include "cli/sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "engine/core/error.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/quantity.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/eval/pareto.hpp"
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

/// One value of an axis.
struct AxisValue {
  std::string text;     ///< as a --set right-hand side (slow axes)
  std::string label;    ///< in the output
  bool number = false;  ///< label is a number (unquoted in JSON)
  double si = 0;        ///< knob axes: the knob value
  std::size_t preset = 0;
  std::string csv, json;  ///< "label," and "\"key\":value," ready to append
};

struct Axis {
  std::string key;
  enum class Kind : std::uint8_t { kSlow, kKnob, kPreset } kind = Kind::kSlow;
  std::size_t knob = 0;
  std::vector<AxisValue> values;
  const ConfigNode* node = nullptr;  ///< where the sweep file defines it
};

struct SweepSpec {
  std::string path;
  ConfigNode root;
  std::string platform, workload, stage;
  const ConfigNode* stage_node = nullptr;
  std::vector<std::string> sets;              ///< [set] as --set assignments
  std::vector<const ConfigNode*> set_nodes;   ///< where each is written
  std::vector<const ConfigNode*> axis_nodes;  ///< [axes] entries in file order
  std::vector<std::string> axis_keys;
  bool all_power_modes = false;  ///< axes = "all_power_modes"
  const ConfigNode* all_node = nullptr;
  std::uint64_t sample_n = 0, seed = 1;  ///< 0: the whole product
};

std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

/// A scalar TOML value as --set text and an output label.
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

/// Resolves the spec's axes against the platform (its power modes): fast axes for power_mode and
/// knobs, slow axes for everything else. Output order: file order, power_mode = "all" expanded
/// into one column per knob.
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

/// The points: the product of the axes (slow axes outermost, in file order, then fast ones), or
/// a sorted seeded sample of it.
struct Space {
  std::vector<Axis> axes;           ///< output (file) order
  std::vector<std::size_t> decode;  ///< axes in decoding order, outermost first
  std::uint64_t product = 1, fast = 1;
  std::vector<std::uint64_t> sample;  ///< empty: every point
  [[nodiscard]] std::uint64_t points() const { return sample.empty() ? product : sample.size(); }
  [[nodiscard]] std::uint64_t index(std::uint64_t ordinal) const { return sample.empty() ? ordinal : sample[ordinal]; }
  /// Value index per axis (output order) of a product index.
  void values_of(std::uint64_t index, std::vector<std::size_t>& out) const {
    out.resize(axes.size());
    for (std::size_t i = decode.size(); i-- > 0;) {
      const std::size_t a = decode[i];
      const std::uint64_t n = axes[a].values.size();
      out[a] = static_cast<std::size_t>(index % n);
      index /= n;
    }
  }
};

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

/// A built combination of slow-axis values: platform, graph, plan, the stages compared.
struct Combo {
  hw::Platform platform;
  wl::Graph graph;
  std::optional<eval::Plan> plan;
  std::vector<std::size_t> selected;  ///< stages whose figures are compared
  std::vector<double> base_values;    ///< the power-mode knob values before fast axes
  std::vector<int> column;            ///< per stage: its per-stage column (CSV), -1 none
};

struct Figures {
  double energy_j = 0, time_s = 0, total_energy_j = 0, total_time_s = 0;
};

/// Runs the sweep: builds combinations as blocks need them, evaluates points in parallel and
/// hands each block's results to the caller in order.
class Runner {
 public:
  Runner(const SweepSpec& spec, int threads) : spec_(spec), threads_(threads) {
    hw_ = load_input("platform", spec.platform);
    base_ = std::make_unique<hw::Platform>(hw::load_platform(hw_.root, hw::builtin_registry()));
    space_ = make_space(resolve_axes(spec, *base_), spec);
    fast_axes_ =
        std::any_of(space_.axes.begin(), space_.axes.end(), [](const Axis& a) { return a.kind != Axis::Kind::kSlow; });
    if (space_.points() > 0) build(space_.index(0) / space_.fast);
  }
  [[nodiscard]] const Space& space() const { return space_; }
  [[nodiscard]] const Combo& first() const { return *combos_.begin()->second; }
  [[nodiscard]] const hw::Platform& base() const { return *base_; }

  /// Per point (in a worker; `text` is its chunk's buffer) and per block (serially, in order;
  /// returns false to stop).
  using PointFn = std::function<void(std::uint64_t ordinal, const std::vector<std::size_t>& values, const Combo&,
                                     const eval::Ledger&, const Figures&, std::string& text)>;
  using BlockFn = std::function<bool(const std::string& text, std::uint64_t done)>;
  void run(const PointFn& per_point, const BlockFn& per_block) {
    const std::uint64_t n = space_.points();
    constexpr std::uint64_t kBlock = 1 << 15;
    constexpr std::size_t kChunk = 1024;
    for (std::uint64_t start = 0; start < n; start += kBlock) {
      const std::uint64_t end = std::min(n, start + kBlock);
      const std::uint64_t c0 = space_.index(start) / space_.fast;
      for (auto it = combos_.begin(); it != combos_.end();)  // passed combinations are never needed again
        it = it->first < c0 ? combos_.erase(it) : std::next(it);
      std::vector<std::uint64_t> missing;  // combination indices do not decrease along the points
      for (std::uint64_t o = start; o < end; ++o) {
        const std::uint64_t c = space_.index(o) / space_.fast;
        if ((missing.empty() || missing.back() != c) && !combos_.count(c)) missing.push_back(c);
      }
      build_all(missing);
      const std::size_t len = static_cast<std::size_t>(end - start);
      std::vector<std::string> texts(chunk_count(len, kChunk));
      for_each_chunk(len, kChunk, threads_, [&](std::size_t ci, std::size_t b, std::size_t e) {
        Worker& w = worker();
        std::vector<std::size_t> vi;
        std::vector<double> knobs;
        for (std::size_t i = b; i < e; ++i) {
          const std::uint64_t ordinal = start + i;
          const std::uint64_t index = space_.index(ordinal);
          const std::uint64_t ck = index / space_.fast;
          const Combo& combo = *combos_.at(ck);
          if (w.combo != ck || !w.platform) {
            w.platform = std::make_unique<hw::Platform>(combo.platform);
            w.plan = std::make_unique<eval::Plan>(*combo.plan);
            w.combo = ck;
          }
          space_.values_of(index, vi);
          if (fast_axes_) {
            knobs = combo.base_values;
            for (std::size_t a = 0; a < space_.axes.size(); ++a) {
              const Axis& ax = space_.axes[a];
              if (ax.kind == Axis::Kind::kPreset)
                knobs = combo.platform.power_modes.presets[ax.values[vi[a]].preset].setting;
            }
            for (std::size_t a = 0; a < space_.axes.size(); ++a)
              if (space_.axes[a].kind == Axis::Kind::kKnob)
                knobs[space_.axes[a].knob] = space_.axes[a].values[vi[a]].si;
            if (!knobs.empty()) {
              for (std::size_t d = 0; d < w.platform->devices.size(); ++d)
                w.platform->devices[d].min_clock_hz = combo.platform.devices[d].min_clock_hz;
              hw::set_power_mode(*w.platform, knobs);
            }
          }
          const eval::Ledger led = w.plan->evaluate(*w.platform);
          Figures f;
          f.total_energy_j = led.energy_j;
          f.total_time_s = led.time_s;
          if (combo.selected.empty()) {
            f.energy_j = led.energy_j;
            f.time_s = led.time_s;
          } else {
            for (std::size_t s : combo.selected) {
              f.energy_j += led.stages[s].energy_j;
              f.time_s += led.stages[s].time_s;
            }
          }
          per_point(ordinal, vi, combo, led, f, texts[ci]);
        }
      });
      std::string text;
      for (auto& t : texts) text += t;
      if (!per_block(text, end)) return;
    }
  }

  /// Labels of a point's axis values (output order).
  void labels(std::uint64_t ordinal, std::vector<const AxisValue*>& out) const {
    std::vector<std::size_t> vi;
    space_.values_of(space_.index(ordinal), vi);
    out.clear();
    for (std::size_t a = 0; a < space_.axes.size(); ++a) out.push_back(&space_.axes[a].values[vi[a]]);
  }

  /// Per-stage CSV columns: the first combination's stage names.
  std::vector<std::string> stage_columns;
  /// Called (serially) for every combination built after the first.
  std::function<void(const Combo&)> on_build;

 private:
  struct Worker {
    std::uint64_t combo = 0;
    std::unique_ptr<hw::Platform> platform;
    std::unique_ptr<eval::Plan> plan;
  };

  Worker& worker() {
    std::lock_guard<std::mutex> lock(mu_);
    return workers_[std::this_thread::get_id()];
  }

  void build_all(const std::vector<std::uint64_t>& missing) {
    if (missing.empty()) return;
    std::vector<std::unique_ptr<Combo>> built(missing.size());
    for_each_chunk(missing.size(), 1, threads_,
                   [&](std::size_t i, std::size_t, std::size_t) { built[i] = make_combo(missing[i]); });
    for (std::size_t i = 0; i < missing.size(); ++i) {
      place_columns(*built[i]);
      if (on_build) on_build(*built[i]);
      combos_[missing[i]] = std::move(built[i]);
    }
  }

  void build(std::uint64_t c) {
    auto combo = make_combo(c);
    for (const auto& st : combo->graph.stages) stage_columns.push_back(st.name);
    place_columns(*combo);
    combos_[c] = std::move(combo);
  }

  void place_columns(Combo& c) const {
    c.column.clear();
    for (const auto& st : c.graph.stages) {
      auto it = std::find(stage_columns.begin(), stage_columns.end(), st.name);
      c.column.push_back(it == stage_columns.end() ? -1 : static_cast<int>(it - stage_columns.begin()));
    }
  }

  /// Builds the combination with slow-axis values of combination index c. A ConfigError raised
  /// by one of its assignments is reported where the sweep file writes that value.
  std::unique_ptr<Combo> make_combo(std::uint64_t c) const {
    std::vector<std::string> sets = spec_.sets;
    std::vector<const ConfigNode*> nodes = spec_.set_nodes;
    std::vector<std::size_t> vi;
    space_.values_of(c * space_.fast, vi);
    for (std::size_t a = 0; a < space_.axes.size(); ++a) {
      const Axis& ax = space_.axes[a];
      if (ax.kind != Axis::Kind::kSlow) continue;
      sets.push_back(ax.key + "=" + ax.values[vi[a]].text);
      const ConfigNode* n = ax.node;
      if (n->is_array()) n = &n->items()[vi[a]];
      nodes.push_back(n);
    }
    auto combo = std::make_unique<Combo>();
    try {
      LoadedInput wl_in = load_workload_input(spec_.workload, *base_, sets);
      // stage = "training" on a zoo model in its default inference mode selects its training
      // pipeline (the minimal sweep file); an explicit mode is left alone.
      const ConfigNode* params = wl_in.root.find("params");
      const ConfigNode* mode = params ? params->find("mode") : nullptr;
      const bool mode_set =
          std::any_of(sets.begin(), sets.end(), [](const std::string& a) { return a.rfind("mode=", 0) == 0; });
      if ((spec_.stage == "training" || spec_.stage == "train") && mode && mode->as_string() == "infer" && !mode_set) {
        sets.push_back("mode=train");
        nodes.push_back(spec_.stage_node);
      }
      ConfigNode hw_root = hw_.root;
      apply_overrides(hw_root, wl_in.root, sets);
      combo->platform = hw::load_platform(hw_root, hw::builtin_registry());
      combo->graph = build_graph(wl_in.root, false);
    } catch (const ConfigError& e) {
      const auto& d = e.detail();
      for (std::size_t i = 0; i < sets.size(); ++i)
        if (d.loc.file.rfind("<--set ", 0) == 0 && d.loc.file.size() >= sets[i].size() + 1 &&
            d.loc.file.compare(d.loc.file.size() - sets[i].size() - 1, std::string::npos, sets[i] + ">") == 0) {
          const std::string key = sets[i].substr(0, sets[i].find('='));
          throw ConfigError({nodes[i]->loc(), key, d.expected, d.found,
                             d.hint.empty() ? "(as --set " + sets[i] + ")" : d.hint + " (as --set " + sets[i] + ")"});
        }
      throw;
    }
    combo->plan.emplace(combo->platform, combo->graph);
    combo->base_values = combo->platform.power_modes.active_values;
    if (spec_.stage_node) combo->selected = select_stages(combo->graph, spec_.stage, *spec_.stage_node, spec_.workload);
    return combo;
  }

  const SweepSpec& spec_;
  int threads_;
  bool fast_axes_ = false;
  LoadedInput hw_;
  std::unique_ptr<hw::Platform> base_;
  Space space_;
  std::map<std::uint64_t, std::unique_ptr<Combo>> combos_;
  std::mutex mu_;
  std::map<std::thread::id, Worker> workers_;
};

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

/// Ctrl-C sets a flag the runner checks between blocks; the previous handler is restored.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    previous_ = std::signal(SIGINT, on_sigint);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  [[nodiscard]] static bool interrupted() { return g_interrupted != 0; }

 private:
  void (*previous_)(int) = nullptr;
};

/// A progress line with rate and ETA on standard error when it is a terminal.
class Progress {
 public:
  Progress(std::ostream& err, std::uint64_t total)
      : err_(err), total_(total), on_(&err == &std::cerr && ::isatty(STDERR_FILENO)), t0_(clock::now()) {}
  void update(std::uint64_t done) {
    if (!on_) return;
    const double s = std::chrono::duration<double>(clock::now() - t0_).count();
    const double rate = s > 0 ? static_cast<double>(done) / s : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int width = 30;
    const int fill = total_ ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total_)) : width;
    err_ << fmt::format("\r[{:<{}}] {}/{} points  {:.3g} points/s  ETA {:.1f} s ",
                        std::string(static_cast<std::size_t>(fill), '#'), width, done, total_, rate, eta)
         << std::flush;
  }
  void done() {
    if (on_) err_ << "\n";
  }

 private:
  using clock = std::chrono::steady_clock;
  std::ostream& err_;
  std::uint64_t total_;
  bool on_;
  clock::time_point t0_;
};

std::string num(double v) { return fmt::format("{}", v); }

}  // namespace

int cmd_sweep(const SweepArgs& a, std::ostream& out, std::ostream& err) {
  InterruptGuard guard;  // from the start: Ctrl-C while loading stops after the first block
  const SweepSpec spec = read_spec(a.file);
  Runner runner(spec, a.threads);
  const Space& sp = runner.space();
  const bool csv = a.format == "csv";
  const bool selected = !spec.stage.empty();
  std::string header;
  if (csv) {
    for (const auto& ax : sp.axes) header += report::csv_field(ax.key) + ",";
    header += "energy_j,time_s,avg_power_w";
    if (selected) header += ",total_energy_j,total_time_s";
    for (const auto& s : runner.stage_columns) header += "," + report::csv_field("energy_j." + s);
    header += "\n";
  }
  const std::size_t stage_cols = runner.stage_columns.size();
  Runner::PointFn per_point = [&](std::uint64_t, const std::vector<std::size_t>& vi, const Combo& combo,
                                  const eval::Ledger& led, const Figures& f, std::string& text) {
    auto to = std::back_inserter(text);
    const double power = f.time_s > 0 ? f.energy_j / f.time_s : 0.0;
    if (csv) {
      for (std::size_t i = 0; i < vi.size(); ++i) text += sp.axes[i].values[vi[i]].csv;
      fmt::format_to(to, "{},{},{}", f.energy_j, f.time_s, power);
      if (selected) fmt::format_to(to, ",{},{}", f.total_energy_j, f.total_time_s);
      std::array<double, 16> small{};
      std::vector<double> big;
      double* cols = stage_cols <= small.size() ? small.data() : (big.assign(stage_cols, 0.0), big.data());
      for (std::size_t s = 0; s < led.stages.size(); ++s)
        if (combo.column[s] >= 0) cols[combo.column[s]] += led.stages[s].energy_j;
      for (std::size_t c = 0; c < stage_cols; ++c) fmt::format_to(to, ",{}", cols[c]);
      text += '\n';
    } else {
      text += '{';
      for (std::size_t i = 0; i < vi.size(); ++i) text += sp.axes[i].values[vi[i]].json;
      fmt::format_to(to, "\"energy_j\":{},\"time_s\":{},\"avg_power_w\":{}", f.energy_j, f.time_s, power);
      if (selected) fmt::format_to(to, ",\"total_energy_j\":{},\"total_time_s\":{}", f.total_energy_j, f.total_time_s);
      text += ",\"stages\":{";
      for (std::size_t s = 0; s < led.stages.size(); ++s)
        fmt::format_to(to, "{}{}:{{\"energy_j\":{},\"time_s\":{}}}", s ? "," : "",
                       report::json_string(led.stages[s].name), led.stages[s].energy_j, led.stages[s].time_s);
      text += "}}\n";
    }
  };
  // Stage names that fit no CSV column would be lost: refuse rather than drop them.
  auto check_columns = [&](const Combo& c) {
    if (!csv) return;
    for (std::size_t s = 0; s < c.column.size(); ++s)
      if (c.column[s] < 0)
        throw ConfigError({spec.root.loc(), "axes", "the same stages at every point (CSV has one column per stage)",
                           "stage '" + c.graph.stages[s].name + "' not among " +
                               [&] {
                                 std::string l;
                                 for (const auto& n : runner.stage_columns) l += (l.empty() ? "" : ", ") + n;
                                 return l;
                               }(),
                           "use --format jsonl"});
  };
  check_columns(runner.first());
  runner.on_build = check_columns;
  std::unique_ptr<report::AtomicFile> file;
  if (!a.out.empty()) file = std::make_unique<report::AtomicFile>(a.out);
  std::ostream& os = file ? file->stream() : out;
  os << header;
  Progress progress(err, sp.points());
  std::uint64_t written = 0;
  runner.run(per_point, [&](const std::string& text, std::uint64_t done) {
    os << text;
    os.flush();
    written = done;
    progress.update(done);
    return !InterruptGuard::interrupted();
  });
  progress.done();
  if (file) file->commit();
  if (written < sp.points()) {
    err << fmt::format("joulegraph sweep: interrupted after {} of {} points; {} holds complete rows for them\n",
                       written, sp.points(), a.out.empty() ? "standard output" : a.out);
    return 130;
  }
  return 0;
}

namespace {

std::string axis_text(const Runner& r, std::uint64_t ordinal) {
  std::vector<const AxisValue*> labels;
  r.labels(ordinal, labels);
  std::string s;
  for (std::size_t i = 0; i < labels.size(); ++i) s += (i ? " " : "") + r.space().axes[i].key + "=" + labels[i]->label;
  return s;
}

std::string point_json(const Runner& r, std::uint64_t ordinal, const eval::Figures& f) {
  std::vector<const AxisValue*> labels;
  r.labels(ordinal, labels);
  std::string s = "{";
  for (std::size_t i = 0; i < labels.size(); ++i)
    s += report::json_string(r.space().axes[i].key) + ": " +
         (labels[i]->number ? labels[i]->label : report::json_string(labels[i]->label)) + ", ";
  return s + fmt::format("\"time_s\": {}, \"energy_j\": {}, \"avg_power_w\": {}, \"edp_js\": {}}}", f.time_s,
                         f.energy_j, f.avg_power_w(), f.edp_js());
}

template <class Q>
double parse_limit(const std::string& text, const std::string& option) {
  try {
    const double v = parse_as<Q>(text).si();
    if (!(v > 0)) throw QuantitySyntaxError("not positive");
    return v;
  } catch (const QuantitySyntaxError&) {
    throw ConfigError({SourceLoc{option, 0, 0, {}}, option,
                       "a positive " + dim_noun(Q::dim()) + " such as " + example_for(Q::dim()), "'" + text + "'", ""});
  }
}

}  // namespace

int cmd_optimize(const OptimizeArgs& a, std::ostream& out, std::ostream& err) {
  eval::Limits limits;
  if (!a.max_power.empty()) limits.max_power_w = parse_limit<Power>(a.max_power, "--max-power");
  if (!a.deadline.empty()) limits.deadline_s = parse_limit<Time>(a.deadline, "--deadline");
  const eval::Objective obj = a.objective == "energy" ? eval::Objective::kEnergy
                              : a.objective == "edp"  ? eval::Objective::kEdp
                                                      : eval::Objective::kTime;
  InterruptGuard guard;
  const SweepSpec spec = read_spec(a.file);
  Runner runner(spec, a.threads);
  const Space& sp = runner.space();
  std::vector<eval::Figures> pts(static_cast<std::size_t>(sp.points()));
  Progress progress(err, sp.points());
  std::uint64_t evaluated = 0;
  runner.run(
      [&](std::uint64_t o, const std::vector<std::size_t>&, const Combo&, const eval::Ledger&, const Figures& f,
          std::string&) {
        pts[static_cast<std::size_t>(o)] = {f.time_s, f.energy_j};
      },
      [&](const std::string&, std::uint64_t done) {
        evaluated = done;
        progress.update(done);
        return !InterruptGuard::interrupted();
      });
  progress.done();
  if (evaluated < sp.points()) {
    err << fmt::format("joulegraph optimize: interrupted after {} of {} points; nothing chosen\n", evaluated,
                       sp.points());
    return 130;
  }
  std::vector<double> t, e, p;
  for (const auto& f : pts) {
    t.push_back(f.time_s);
    e.push_back(f.energy_j);
    p.push_back(f.avg_power_w());
  }
  const std::vector<std::size_t> front = eval::pareto_front(t, e);
  const std::vector<std::size_t> front_p = eval::pareto_front(t, p);
  const eval::Choice ch = eval::choose(pts, obj, limits);
  std::string limit_text;
  if (limits.max_power_w > 0) limit_text += "average power <= " + format(Power(limits.max_power_w));
  if (limits.deadline_s > 0)
    limit_text += (limit_text.empty() ? "" : ", ") + ("time <= " + format(Time(limits.deadline_s)));
  const std::string what = spec.stage.empty() ? "the whole workload" : "stage " + spec.stage;
  if (!ch.best) {
    // Nothing meets the limits: say how close the space comes.
    const auto lowest_p = std::min_element(p.begin(), p.end()) - p.begin();
    const auto fastest = std::min_element(t.begin(), t.end()) - t.begin();
    err << "joulegraph optimize: no point of " << sp.points() << " meets " << limit_text << " (" << what << ").\n";
    if (limits.max_power_w > 0)
      err << "  the lowest average power is " << format(Power(p[static_cast<std::size_t>(lowest_p)])) << " at "
          << axis_text(runner, static_cast<std::uint64_t>(lowest_p)) << "\n";
    if (limits.deadline_s > 0)
      err << "  the shortest time is " << format(Time(t[static_cast<std::size_t>(fastest)])) << " at "
          << axis_text(runner, static_cast<std::uint64_t>(fastest)) << "\n";
    return 1;
  }
  const eval::Figures& best = pts[*ch.best];
  const double bv = eval::objective_value(best, obj);
  if (a.format == "json") {
    out << "{\n  \"objective\": " << report::json_string(a.objective) << ",\n";
    out << "  \"limits\": {\"max_power_w\": " << (limits.max_power_w > 0 ? num(limits.max_power_w) : "null")
        << ", \"deadline_s\": " << (limits.deadline_s > 0 ? num(limits.deadline_s) : "null") << "},\n";
    out << "  \"stage\": " << (spec.stage.empty() ? "null" : report::json_string(spec.stage)) << ",\n";
    out << "  \"points_evaluated\": " << sp.points() << ",\n  \"feasible\": " << ch.feasible << ",\n";
    out << "  \"best\": " << point_json(runner, *ch.best, best) << ",\n";
    out << "  \"ties\": " << ch.ties << ",\n";
    if (ch.next) {
      const double nv = eval::objective_value(pts[*ch.next], obj);
      out << "  \"next_best\": " << point_json(runner, *ch.next, pts[*ch.next]) << ",\n";
      out << "  \"next_best_gap\": " << num(bv > 0 ? nv / bv - 1 : 0.0) << ",\n";
    } else {
      out << "  \"next_best\": null,\n  \"next_best_gap\": null,\n";
    }
    for (int k = 0; k < 2; ++k) {
      const auto& f = k == 0 ? front : front_p;
      out << (k == 0 ? "  \"pareto\": [\n" : "  \"pareto_power\": [\n");
      for (std::size_t i = 0; i < f.size(); ++i)
        out << "    " << point_json(runner, f[i], pts[f[i]]) << (i + 1 < f.size() ? ",\n" : "\n");
      out << (k == 0 ? "  ],\n" : "  ]\n");
    }
    out << "}\n";
    return 0;
  }
  const char* obj_name = obj == eval::Objective::kTime ? "time" : obj == eval::Objective::kEnergy ? "energy" : "EDP";
  out << fmt::format("joulegraph optimize: {} points of {} x {} ({}), minimizing {}{}\n", sp.points(),
                     runner.base().name, spec.workload, what, obj_name,
                     limit_text.empty() ? "" : " with " + limit_text);
  out << fmt::format("feasible: {} of {} points\n\n", ch.feasible, sp.points());
  auto show = [&](const eval::Figures& f) {
    return fmt::format("time {}, energy {}, average power {}, EDP {} J·s", format(Time(f.time_s)),
                       format(Energy(f.energy_j)), format(Power(f.avg_power_w())), fmt::format("{:.4g}", f.edp_js()));
  };
  out << "best:      " << axis_text(runner, *ch.best) << "\n           " << show(best) << "\n";
  if (ch.ties > 1)
    out << fmt::format(
        "           {} points tie with it (they differ only in settings that leave the figures unchanged)\n", ch.ties);
  if (ch.next) {
    const double nv = eval::objective_value(pts[*ch.next], obj);
    out << "next best: " << axis_text(runner, *ch.next) << "\n           " << show(pts[*ch.next])
        << fmt::format("\n           {} {:.2f} % worse\n", obj_name, 100.0 * (bv > 0 ? nv / bv - 1 : 0.0));
  } else {
    out << "next best: none (every feasible point ties with the best)\n";
  }
  out << fmt::format("\nPareto front, time vs energy: {} points (time vs average power: {} points)\n", front.size(),
                     front_p.size());
  const std::size_t shown = std::min<std::size_t>(front.size(), 40);
  out << fmt::format("  {:>12} {:>12} {:>12}  settings\n", "time", "energy", "avg power");
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& f = pts[front[i]];
    out << fmt::format("  {:>12} {:>12} {:>12}  {}\n", format(Time(f.time_s)), format(Energy(f.energy_j)),
                       format(Power(f.avg_power_w())), axis_text(runner, front[i]));
  }
  if (shown < front.size()) out << fmt::format("  ... {} more (--format json lists them all)\n", front.size() - shown);
  return 0;
}

}  // namespace jg::cli
