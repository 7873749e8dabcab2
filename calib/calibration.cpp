#include "calib/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <tuple>

#include "engine/core/config.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"

namespace jg::calib {

using core::ConfigError;
using core::ConfigNode;

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string num(double v) {
  if (std::isnan(v)) return "nan";
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

void write_metrics(std::string& s, const char* table, const Metrics& m) {
  s += std::string("\n[") + table + "]\n";
  s += "windows = " + std::to_string(m.n) + "\n";
  s += "mape = " + num(m.mape) + "\n";
  s += "rmspe = " + num(m.rmspe) + "\n";
  s += "rmse_j = " + num(m.rmse) + "\n";
  s += "r2 = " + num(m.r2) + "\n";
  s += "pi90_coverage = " + num(m.pi90_coverage) + "\n";
}

/// A number, or "nan" written as a string (undefined: a standard error NNLS held at zero).
double number_or_nan(const ConfigNode& n) {
  if (n.kind() == ConfigNode::Kind::String && n.as_string() == "nan") return std::nan("");
  return n.as_number();
}

/// `factor` of a [[factor]] or [[time_factor]] table: finite, at least 0 (or above 0).
double read_factor(const ConfigNode& t, bool zero_ok) {
  const ConfigNode& fac = t.at("factor");
  const double v = fac.as_number();
  if (!std::isfinite(v) || v < 0 || (!zero_ok && v == 0))
    fac.fail(zero_ok ? "a finite factor, 0 or more" : "a finite factor above 0", fac.describe());
  return v;
}

/// The strings of an array with where each was read.
void read_names(const ConfigNode& list, std::vector<std::string>& names, std::vector<core::SourceLoc>& locs,
                std::vector<std::string>& paths) {
  for (const auto& x : list.items()) {
    names.push_back(x.as_string());
    locs.push_back(x.loc());
    paths.push_back(x.path());
  }
}

Metrics read_metrics(const ConfigNode& t) {
  Metrics m;
  m.n = static_cast<std::size_t>(t.at("windows").as_int());
  auto get = [&](const char* k) { return number_or_nan(t.at(k)); };
  m.mape = get("mape");
  m.rmspe = get("rmspe");
  m.rmse = get("rmse_j");
  m.r2 = get("r2");
  m.pi90_coverage = get("pi90_coverage");
  return m;
}

/// Column vectors of two slots are the same up to a positive factor in every window.
bool proportional(const std::vector<double>& a, const std::vector<double>& b) {
  double k = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] == 0) != (b[i] == 0)) return false;
    if (a[i] == 0) continue;
    const double r = a[i] / b[i];
    if (k == 0) {
      k = r;
    } else if (std::fabs(r - k) > 1e-9 * std::fabs(k)) {
      return false;
    }
  }
  return k > 0;
}

}  // namespace

std::string calibration_toml(const Calibration& c) {
  std::string s = "# joulegraph calibration: factors on the platform's own per-action energies and powers.\n";
  s += "# Calibrated value = factor x prior. Written by `joulegraph calibrate`; apply with\n";
  s += "# `joulegraph estimate --hw " + c.platform + " --calibration FILE`.\n";
  s += "schema_version = 1\n";
  s += "platform = " + quoted(c.platform) + "\n";
  s += "method = " + quoted(c.method) + "\n";
  s += "measured = " + quoted(c.measured) + "\n";
  s += "train_windows = " + std::to_string(c.train_windows) + "\n";
  s += "test_windows = " + std::to_string(c.test_windows) + "\n";
  s += "interval90_rel_lo = " + num(c.rel_lo) + "  # relative error band of held-out windows (5th percentile)\n";
  s += "interval90_rel_hi = " + num(c.rel_hi) + "  # (95th percentile)\n";
  s += "\n[validity]\n";
  s += "window_min_s = " + num(c.window_min_s) + "\nwindow_max_s = " + num(c.window_max_s) + "\n";
  s += "power_min_w = " + num(c.power_min_w) + "\npower_max_w = " + num(c.power_max_w) + "\n";
  write_metrics(s, "train", c.train);
  write_metrics(s, "test", c.test);
  for (const auto& f : c.factors) {
    s += "\n[[factor]]\n";
    s += "factor = " + num(f.factor) + "\n";
    s += "std_error = " + num(f.std_error) + "\n";
    s += "slots = [";
    for (std::size_t i = 0; i < f.slots.size(); ++i) s += (i ? ", " : "") + quoted(f.slots[i]);
    s += "]\nprior_si = [";
    for (std::size_t i = 0; i < f.prior.size(); ++i) s += (i ? ", " : "") + num(f.prior[i]);
    s += "]\nunits = [";
    for (std::size_t i = 0; i < f.units.size(); ++i) s += (i ? ", " : "") + quoted(f.units[i]);
    s += "]\n";
  }
  if (!c.time_factors.empty()) write_metrics(s, "time_test", c.time_test);
  for (const auto& t : c.time_factors) {
    s += "\n[[time_factor]]\nfactor = " + num(t.factor) + "\n";
    s += "std_error = " + num(t.std_error) + "\nop_types = [";
    for (std::size_t i = 0; i < t.op_types.size(); ++i) s += (i ? ", " : "") + quoted(t.op_types[i]);
    s += "]\n";
  }
  for (const auto& in : c.inputs)
    s += "\n[[input]]\nrole = " + quoted(in.role) + "\npath = " + quoted(in.path) + "\nsha256 = " + quoted(in.sha256) +
         "\n";
  if (!c.notes.empty()) {
    s += "\nnotes = [\n";
    for (const auto& n : c.notes) s += "  " + quoted(n) + ",\n";
    s += "]\n";
  }
  return s;
}

Calibration read_calibration(const std::string& path) {
  const ConfigNode root = core::parse_toml_file(path);
  static const std::vector<std::string> kTop = {
      "schema_version",    "platform", "method", "measured", "train_windows", "test_windows", "interval90_rel_lo",
      "interval90_rel_hi", "validity", "train",  "test",     "factor",        "input",        "notes",
      "time_factor",       "time_test"};
  for (const auto& [k, v] : root.entries())
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) v.fail_unknown_key("a calibration key", k, kTop);
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  Calibration c;
  c.platform = root.at("platform").as_string();
  c.platform_loc = root.at("platform").loc();
  c.method = root.at("method").as_string();
  c.measured = root.at("measured").as_string();
  c.train_windows = static_cast<std::size_t>(root.at("train_windows").as_int());
  c.test_windows = static_cast<std::size_t>(root.at("test_windows").as_int());
  c.rel_lo = root.at("interval90_rel_lo").as_number();
  c.rel_hi = root.at("interval90_rel_hi").as_number();
  if (!(c.rel_lo <= c.rel_hi))
    root.at("interval90_rel_hi").fail("a value at least interval90_rel_lo", root.at("interval90_rel_hi").describe());
  const ConfigNode& v = root.at("validity");
  c.window_min_s = v.at("window_min_s").as_number();
  c.window_max_s = v.at("window_max_s").as_number();
  c.power_min_w = v.at("power_min_w").as_number();
  c.power_max_w = v.at("power_max_w").as_number();
  c.train = read_metrics(root.at("train"));
  c.test = read_metrics(root.at("test"));
  if (const ConfigNode* fs = root.find("factor"))
    for (const auto& t : fs->items()) {
      SlotFactor f;
      f.factor = read_factor(t, true);
      f.std_error = number_or_nan(t.at("std_error"));
      read_names(t.at("slots"), f.slots, f.slot_locs, f.slot_paths);
      for (const auto& x : t.at("prior_si").items()) f.prior.push_back(x.as_number());
      for (const auto& x : t.at("units").items()) f.units.push_back(x.as_string());
      if (f.slots.empty() || f.prior.size() != f.slots.size() || f.units.size() != f.slots.size())
        t.at("prior_si")
            .fail("as many priors and units as slots (at least one)", std::to_string(f.slots.size()) + " slots, " +
                                                                          std::to_string(f.prior.size()) + " priors, " +
                                                                          std::to_string(f.units.size()) + " units");
      c.factors.push_back(std::move(f));
    }
  if (const ConfigNode* tt = root.find("time_test")) c.time_test = read_metrics(*tt);
  if (const ConfigNode* ts = root.find("time_factor"))
    for (const auto& t : ts->items()) {
      TimeFactor f;
      f.factor = read_factor(t, false);
      f.std_error = number_or_nan(t.at("std_error"));
      read_names(t.at("op_types"), f.op_types, f.locs, f.paths);
      c.time_factors.push_back(std::move(f));
    }
  if (const ConfigNode* ins = root.find("input"))
    for (const auto& t : ins->items())
      c.inputs.push_back({t.at("role").as_string(), t.at("path").as_string(), t.at("sha256").as_string()});
  if (const ConfigNode* ns = root.find("notes"))
    for (const auto& n : ns->items()) c.notes.push_back(n.as_string());
  return c;
}

std::map<std::string, double> calibration_overrides(const Calibration& c, const hw::Platform& p,
                                                    const std::string& path) {
  if (c.platform != p.name)
    throw ConfigError({c.platform_loc.line > 0 ? c.platform_loc : core::SourceLoc{path, 0, 0, {}}, "platform",
                       "a calibration of platform '" + p.name + "'", "one of platform '" + c.platform + "'",
                       "calibrate this platform, or estimate with --hw " + c.platform});
  std::map<std::string, double> valid;
  for (const auto& s : eval::platform_slots(p))
    valid[p.components[static_cast<std::size_t>(s.component)].id + "." + s.action] = eval::slot_prior(p, s);
  std::map<std::string, double> out;
  for (const auto& f : c.factors)
    for (std::size_t i = 0; i < f.slots.size(); ++i) {
      if (!valid.count(f.slots[i])) {
        std::vector<std::string> names;
        for (const auto& [k, v] : valid) names.push_back(k);
        throw ConfigError({i < f.slot_locs.size() ? f.slot_locs[i] : core::SourceLoc{path, 0, 0, {}},
                           i < f.slot_paths.size() ? f.slot_paths[i] : std::string("factor.slots"),
                           "a slot of platform '" + p.name + "'", "\"" + f.slots[i] + "\"",
                           core::did_you_mean(f.slots[i], names)});
      }
      out[f.slots[i]] = f.factor * f.prior[i];
    }
  return out;
}

std::map<std::string, double> calibration_time_factors(const Calibration& c, const std::string& path) {
  std::vector<std::string> names;
  for (std::size_t t = 0; t < wl::kOpTypeCount; ++t) names.emplace_back(wl::op_type_name(static_cast<wl::OpType>(t)));
  std::map<std::string, double> out;
  for (const auto& f : c.time_factors)
    for (std::size_t i = 0; i < f.op_types.size(); ++i) {
      if (std::find(names.begin(), names.end(), f.op_types[i]) == names.end())
        throw ConfigError({i < f.locs.size() ? f.locs[i] : core::SourceLoc{path, 0, 0, {}},
                           i < f.paths.size() ? f.paths[i] : std::string("time_factor.op_types"), "an op type",
                           "\"" + f.op_types[i] + "\"", core::did_you_mean(f.op_types[i], names)});
      out[f.op_types[i]] = f.factor;
    }
  return out;
}

MeasuredWindows measure_windows(const std::string& trace_path, TraceFormat f, const std::vector<Marker>& windows,
                                const std::vector<std::string>& channels, TraceIssues* issues) {
  WindowIntegrator wi(windows);
  TraceIssues is = read_trace(trace_path, f, wi);
  if (issues) *issues = is;
  const auto& list = wi.channel_list();
  std::vector<std::size_t> use;
  if (channels.empty()) {
    for (ChannelKind want : {ChannelKind::kPower, ChannelKind::kEnergy}) {
      for (std::size_t c = 0; c < list.size(); ++c)
        if (list[c].kind == want) use.push_back(c);
      if (!use.empty()) break;
    }
    if (use.empty())
      throw ConfigError({{trace_path, 0, 0, {}}, "", "a power or energy channel in the trace", "counters only", ""});
  } else {
    for (const auto& name : channels) {
      auto it = std::find_if(list.begin(), list.end(), [&](const Channel& ch) { return ch.name == name; });
      if (it == list.end() || it->kind == ChannelKind::kCounter) {
        std::vector<std::string> names;
        for (const auto& ch : list)
          if (ch.kind != ChannelKind::kCounter) names.push_back(ch.name);
        throw ConfigError({{trace_path, 0, 0, {}},
                           "--channel",
                           "a power or energy channel of the trace",
                           "\"" + name + "\"",
                           core::did_you_mean(name, names)});
      }
      use.push_back(static_cast<std::size_t>(it - list.begin()));
    }
  }
  MeasuredWindows m;
  m.windows = wi.windows();
  for (std::size_t k = 0; k < use.size(); ++k) m.channels += (k ? "+" : "") + list[use[k]].name;
  for (std::size_t w = 0; w < m.windows.size(); ++w) {
    double e = 0, cov = std::numeric_limits<double>::infinity();
    for (std::size_t c : use) {
      e += wi.values()[w][c];
      cov = std::min(cov, wi.covered_s()[w][c]);
    }
    m.energy_j.push_back(e);
    m.covered_s.push_back(cov);
  }
  return m;
}

namespace {

/// Columns (per window) that are non-zero somewhere, grouped where mutually proportional.
std::vector<std::vector<std::size_t>> proportional_groups(const std::vector<std::vector<double>>& cols) {
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t s = 0; s < cols.size(); ++s) {
    if (std::none_of(cols[s].begin(), cols[s].end(), [](double v) { return v > 0; })) continue;
    bool placed = false;
    for (auto& gr : groups)
      if (proportional(cols[s], cols[gr.front()])) {
        gr.push_back(s);
        placed = true;
        break;
      }
    if (!placed) groups.push_back({s});
  }
  return groups;
}

/// The stage each marker names (index into the ledger's stages).
std::vector<std::size_t> marker_stages(const eval::Ledger& a, const wl::Graph& g, const MeasuredWindows& m) {
  std::vector<std::string> stage_names;
  for (const auto& s : a.stages) stage_names.push_back(s.name);
  std::vector<std::size_t> out;
  for (const auto& mk : m.windows) {
    auto it = std::find(stage_names.begin(), stage_names.end(), mk.name);
    if (it == stage_names.end())
      throw ConfigError({{"markers", static_cast<std::uint32_t>(mk.line), 0, {}},
                         "name",
                         "the name of a stage of workload '" + g.name + "'",
                         "\"" + mk.name + "\"",
                         core::did_you_mean(mk.name, stage_names)});
    out.push_back(static_cast<std::size_t>(it - stage_names.begin()));
  }
  return out;
}

/// Sums the columns of each group into one design column per group.
Design grouped_design(const std::vector<std::vector<double>>& cols, const std::vector<std::vector<std::size_t>>& groups,
                      const std::vector<std::string>& names, const std::vector<double>& y, const std::string& target) {
  Design d;
  d.target = target;
  for (const auto& gr : groups) {
    std::string name;
    for (std::size_t k : gr) name += (name.empty() ? "" : "+") + names[k];
    d.columns.push_back(name);
    d.units.push_back("1");
  }
  for (std::size_t w = 0; w < y.size(); ++w) {
    std::vector<double> row;
    for (const auto& gr : groups) {
      double v = 0;
      for (std::size_t k : gr) v += cols[k][w];
      row.push_back(v);
    }
    d.add_row(row, y[w]);
  }
  return d;
}

/// Time factors per op type from the window durations: duration = sum over op-type groups of
/// factor x modelled time of those ops in the stage (launch overheads included).
std::vector<TimeFactor> fit_time(const hw::Platform& p, const wl::Graph& g, const MeasuredWindows& m,
                                 const MarkerFitOptions& o, Metrics& test) {
  const eval::Ledger L = eval::evaluate(p, g);
  const std::vector<std::size_t> at = marker_stages(L, g, m);
  std::vector<std::vector<double>> cols(wl::kOpTypeCount);
  std::vector<double> durations;
  for (std::size_t w = 0; w < m.windows.size(); ++w) {
    std::vector<double> t(wl::kOpTypeCount, 0.0);
    for (const auto& rec : L.stages[at[w]].ops)
      t[static_cast<std::size_t>(g.stages[at[w]].ops[rec.op].type)] += rec.time_s;
    for (std::size_t k = 0; k < wl::kOpTypeCount; ++k) cols[k].push_back(t[k]);
    durations.push_back(m.windows[w].end_s - m.windows[w].start_s);
  }
  std::vector<std::string> names;
  for (std::size_t k = 0; k < wl::kOpTypeCount; ++k) names.emplace_back(wl::op_type_name(static_cast<wl::OpType>(k)));
  const auto groups = proportional_groups(cols);
  const Design d = grouped_design(cols, groups, names, durations, "duration_s");
  std::vector<std::size_t> train, tst;
  interleaved_split(d.rows(), o.test_every, o.test_every - 1, train, tst);
  LinearOptions lo;
  lo.method = LinearMethod::kNnls;
  const HeldOut h = fit_held_out(d, lo, train, tst);
  test = h.test;
  std::vector<TimeFactor> out;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    TimeFactor f;
    for (std::size_t k : groups[gi]) f.op_types.push_back(names[k]);
    f.factor = h.model.coef[gi].value;
    f.std_error = h.model.coef[gi].std_error;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Calibration fit_markers(const hw::Platform& p, const wl::Graph& g, const MeasuredWindows& m,
                        const MarkerFitOptions& o) {
  (void)marker_stages(eval::evaluate(p, g), g, m);  // every marker names a stage
  if (m.windows.size() < o.min_windows)
    throw core::ModelError("calibration needs at least " + std::to_string(o.min_windows) + " marker windows (every " +
                           std::to_string(o.test_every) + "th of them held out); " + std::to_string(m.windows.size()) +
                           " given");
  // Time first: the activity (static power is charged per second) follows the fitted times.
  Calibration c;
  eval::EvalOptions act;
  act.activity = true;
  if (o.fit_time) {
    c.time_factors = fit_time(p, g, m, o, c.time_test);
    for (const auto& t : c.time_factors)
      for (const auto& name : t.op_types)
        if (t.factor > 0) act.time_factors[name] = t.factor;
  }
  // Activity of each stage (all its repeats), one evaluation in activity mode.
  const eval::Ledger a = eval::evaluate(p, g, act);
  const std::vector<std::size_t> at = marker_stages(a, g, m);
  const std::size_t n_slots = a.slots.size();
  std::vector<std::vector<double>> cols(n_slots);  // modelled energy of each slot in each window
  std::vector<double> prior(n_slots);
  std::vector<std::string> ids(n_slots);
  for (std::size_t s = 0; s < n_slots; ++s) {
    prior[s] = eval::slot_prior(p, a.slots[s]);
    ids[s] = eval::slot_id(a, s);
  }
  for (std::size_t w = 0; w < m.windows.size(); ++w)
    for (std::size_t s = 0; s < n_slots; ++s) cols[s].push_back(a.stages[at[w]].slot_energy_j[s] * prior[s]);
  // Groups of slots with non-zero, mutually proportional columns: one factor each.
  c.platform = p.name;
  c.measured = m.channels;
  const auto groups = proportional_groups(cols);
  std::vector<int> group_of(n_slots, -1);
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (std::size_t s : groups[gi]) group_of[s] = static_cast<int>(gi);
  const Design d = grouped_design(cols, groups, ids, m.energy_j, "energy_j");
  std::vector<std::size_t> train, test;
  interleaved_split(d.rows(), o.test_every, o.test_every - 1, train, test);
  const HeldOut h = fit_held_out(d, o.linear, train, test);
  c.method = std::string(o.linear.method == LinearMethod::kNnls  ? "nnls"
                         : o.linear.method == LinearMethod::kOls ? "ols"
                                                                 : "ridge") +
             " on slot factors (columns: modelled energy of each slot group)";
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    SlotFactor f;
    for (std::size_t s : groups[gi]) {
      f.slots.push_back(eval::slot_id(a, s));
      f.prior.push_back(prior[s]);
      f.units.push_back(a.slots[s].kind == eval::Slot::Kind::kAction ? "J" : "W");
    }
    f.factor = h.model.coef[gi].value;
    f.std_error = h.model.coef[gi].std_error;
    c.factors.push_back(std::move(f));
  }
  c.train = h.model.train;
  c.test = h.test;
  c.train_windows = h.train_rows;
  c.test_windows = h.test_rows;
  c.rel_lo = h.rel_lo;
  c.rel_hi = h.rel_hi;
  c.window_min_s = std::numeric_limits<double>::infinity();
  c.power_min_w = std::numeric_limits<double>::infinity();
  for (std::size_t w = 0; w < m.windows.size(); ++w) {
    const double dur = m.windows[w].end_s - m.windows[w].start_s;
    c.window_min_s = std::min(c.window_min_s, dur);
    c.window_max_s = std::max(c.window_max_s, dur);
    c.power_min_w = std::min(c.power_min_w, m.energy_j[w] / dur);
    c.power_max_w = std::max(c.power_max_w, m.energy_j[w] / dur);
  }
  for (std::size_t s = 0; s < n_slots; ++s)
    if (group_of[s] >= 0 && prior[s] == 0)
      c.notes.push_back("slot " + eval::slot_id(a, s) + " has a prior of 0: a factor cannot move it");
  return c;
}

LevelsResult power_levels(const MeasuredWindows& m, std::size_t levels, std::size_t test_every) {
  std::vector<double> power;
  std::vector<std::size_t> idx;
  for (std::size_t w = 0; w < m.windows.size(); ++w)
    if (m.covered_s[w] > 0) {
      power.push_back(m.energy_j[w] / m.covered_s[w]);
      idx.push_back(w);
    }
  if (power.size() < levels * 2)
    throw core::ModelError("power levels need at least " + std::to_string(levels * 2) + " covered windows; " +
                           std::to_string(power.size()) + " found");
  std::vector<std::size_t> train, test;
  interleaved_split(power.size(), test_every, test_every - 1, train, test);
  // 1-D k-means on the training windows, centres started at evenly spaced quantiles.
  std::vector<double> tp;
  for (std::size_t i : train) tp.push_back(power[i]);
  std::vector<double> sorted = tp;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> centre(levels);
  for (std::size_t k = 0; k < levels; ++k)
    centre[k] = sorted[std::min(sorted.size() - 1, (2 * k + 1) * sorted.size() / (2 * levels))];
  auto nearest = [&](double v) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < levels; ++k)
      if (std::fabs(v - centre[k]) < std::fabs(v - centre[best])) best = k;
    return best;
  };
  for (int it = 0; it < 100; ++it) {
    std::vector<double> sum(levels, 0), cnt(levels, 0);
    for (double v : tp) {
      const std::size_t k = nearest(v);
      sum[k] += v;
      cnt[k] += 1;
    }
    bool moved = false;
    for (std::size_t k = 0; k < levels; ++k)
      if (cnt[k] > 0 && sum[k] / cnt[k] != centre[k]) {
        centre[k] = sum[k] / cnt[k];
        moved = true;
      }
    if (!moved) break;
  }
  std::sort(centre.begin(), centre.end());
  LevelsResult r;
  r.levels.resize(levels);
  for (std::size_t k = 0; k < levels; ++k) r.levels[k].power_w = centre[k];
  std::vector<double> sq(levels, 0);
  for (std::size_t i : train) {
    const std::size_t k = nearest(power[i]);
    const std::size_t w = idx[i];
    r.levels[k].windows += 1;
    r.levels[k].time_s += m.covered_s[w];
    r.levels[k].energy_j += m.energy_j[w];
    sq[k] += (power[i] - centre[k]) * (power[i] - centre[k]);
  }
  for (std::size_t k = 0; k < levels; ++k)
    r.levels[k].std_w = r.levels[k].windows > 1 ? std::sqrt(sq[k] / static_cast<double>(r.levels[k].windows - 1)) : 0;
  // Held out: each test window's energy predicted as its level's power x its covered time.
  std::vector<double> obs, pred;
  for (std::size_t i : test) {
    const std::size_t w = idx[i];
    obs.push_back(m.energy_j[w]);
    pred.push_back(centre[nearest(power[i])] * m.covered_s[w]);
  }
  r.test = metrics(obs, pred);
  std::tie(r.rel_lo, r.rel_hi) = relative_error_band90(obs, pred);
  r.train_windows = train.size();
  r.test_windows = test.size();
  return r;
}

Calibration idle_calibration(const hw::Platform& p, const std::string& device, const LevelsResult& r,
                             double instances) {
  const int di = p.find_device(device);
  if (di < 0)
    throw ConfigError({{"--device", 0, 0, {}},
                       "",
                       "a device of platform '" + p.name + "'",
                       "\"" + device + "\"",
                       core::did_you_mean(device, p.device_names())});
  Calibration c;
  c.platform = p.name;
  c.method = "idle level: factor on the device's idle powers so that " + core::format_number(instances) +
             " instance(s) draw the lowest measured level";
  SlotFactor f;
  double modelled = 0;
  for (const auto& s : eval::platform_slots(p)) {
    if (s.kind != eval::Slot::Kind::kIdle) continue;
    const auto& comp = p.components[static_cast<std::size_t>(s.component)];
    if (comp.device != di) continue;
    f.slots.push_back(comp.id + ".idle");
    f.prior.push_back(eval::slot_prior(p, s));
    f.units.push_back("W");
    modelled += eval::slot_prior(p, s) * instances;
  }
  if (modelled <= 0) throw core::ModelError("device '" + device + "' has no idle power to calibrate");
  const PowerLevel& idle = r.levels.front();
  f.factor = idle.power_w / modelled;
  f.std_error = idle.windows > 1 ? idle.std_w / std::sqrt(static_cast<double>(idle.windows)) / modelled : std::nan("");
  c.factors.push_back(std::move(f));
  c.test = r.test;
  c.rel_lo = r.rel_lo;
  c.rel_hi = r.rel_hi;
  c.train_windows = r.train_windows;
  c.test_windows = r.test_windows;
  c.power_min_w = r.levels.front().power_w;
  c.power_max_w = r.levels.back().power_w;
  return c;
}

}  // namespace jg::calib
