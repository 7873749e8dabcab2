// `joulegraph transfer`: PowerTrain-style transfer of the power-mode model to a new workload
// (calib/transfer.hpp) from a spec file naming the platform, an optional reference workload with
// its measured modes, and the target workload with its measured modes (CSV: one column per
// power-mode knob, then time_s and avg_power_w or power_w, as `joulegraph sweep` writes them).
#include "cli/transfer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>

#include <fmt/format.h>

#include "calib/csv.hpp"
#include "calib/transfer.hpp"
#include "cli/inputs.hpp"
#include "cli/study.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"

namespace jg::cli {

using namespace jg::core;

namespace {

/// A workload on the platform with its measured modes, the model's figures at each.
struct Side {
  std::string workload;
  std::vector<calib::ModePoint> points;
  std::vector<std::vector<double>> modes;  ///< knob values (SI) per point
};

double normalized(const hw::Knob& k, double v) {
  const double lo = k.values.front(), hi = k.values.back();
  return hi > lo ? (v - lo) / (hi - lo) : 0.0;
}

/// The model's (time, power) at a mode, for the compared stages or the whole workload.
std::pair<double, double> model_at(hw::Platform& w, const hw::Platform& base, const eval::Plan& plan,
                                   const std::vector<double>& mode, const std::vector<std::size_t>& selected) {
  set_mode(w, base, mode);
  const Figures f = figures_of(plan.evaluate(w), selected);
  return {f.time_s, f.time_s > 0 ? f.energy_j / f.time_s : 0.0};
}

/// Reads a measured-modes CSV and evaluates the model at each of its modes.
Side read_side(const LoadedInput& hw_in, const hw::Platform& base, const ConfigNode& t, const std::string& dir,
               const std::string& stage, const ConfigNode* stage_node) {
  t.check_keys({"workload", "set", "measured"}, "a workload table key");
  Side side;
  side.workload = t.at("workload").as_string();
  std::vector<std::string> sets;
  if (const ConfigNode* set = t.find("set")) {
    if (!set->is_table()) set->fail("a table of overrides", set->describe());
    for (const auto& [k, v] : set->entries()) sets.push_back(k + "=" + scalar_value(v, k).text);
  }
  Built b = build_combination(hw_in, base, side.workload, sets, stage, stage_node);
  const eval::Plan plan(b.platform, b.graph);
  hw::Platform w = b.platform;
  std::string path = t.at("measured").as_string();
  if (std::filesystem::path(path).is_relative()) path = (std::filesystem::path(dir) / path).string();
  const calib::csv::Table tab = calib::csv::read_table(path);
  const auto& knobs = b.platform.power_modes.knobs;
  std::vector<std::size_t> col;
  for (const auto& k : knobs) col.push_back(tab.column(k.name));
  const std::size_t tcol = tab.column("time_s");
  const bool has_avg = std::find(tab.header.begin(), tab.header.end(), "avg_power_w") != tab.header.end();
  const std::size_t pcol = tab.column(has_avg ? "avg_power_w" : "power_w");
  for (std::size_t r = 0; r < tab.rows.size(); ++r) {
    std::vector<double> mode;
    calib::ModePoint p;
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      const std::string& cell = tab.text(r, col[k]);
      double v = 0;
      try {
        v = knobs[k].is_count ? tab.number(r, col[k]) : parse_as<Frequency>(cell).si();
      } catch (const QuantitySyntaxError& e) {
        throw ConfigError({SourceLoc{path, tab.lines[r], 0, {}}, knobs[k].name, "a frequency such as 1300.5 MHz",
                           "'" + cell + "'", ""});
      }
      const int at = hw::find_knob_value(knobs[k], v);
      if (at < 0)
        throw ConfigError({SourceLoc{path, tab.lines[r], 0, {}}, knobs[k].name,
                           "a value of " + knobs[k].name + " that platform '" + base.name + "' has", "'" + cell + "'",
                           ""});
      mode.push_back(knobs[k].values[static_cast<std::size_t>(at)]);
      p.x.push_back(normalized(knobs[k], mode.back()));
    }
    p.time_s = tab.number(r, tcol);
    p.power_w = tab.number(r, pcol);
    if (!(p.time_s > 0) || !(p.power_w > 0))
      throw ConfigError(
          {SourceLoc{path, tab.lines[r], 0, {}}, "time_s", "a positive time and power", "zero or less", ""});
    std::tie(p.model_time_s, p.model_power_w) = model_at(w, b.platform, plan, mode, b.selected);
    side.points.push_back(p);
    side.modes.push_back(mode);
  }
  return side;
}

std::string pct(double f) { return fmt::format("{:.1f} %", 100.0 * f); }

}  // namespace

int cmd_transfer(const TransferArgs& a, std::ostream& out) {
  const ConfigNode root = parse_toml_text(read_text_file(a.file), a.file);
  root.check_keys({"schema_version", "platform", "stage", "reference", "target"}, "a transfer file key");
  const ConfigNode& ver = root.at("schema_version");
  if (ver.kind() != ConfigNode::Kind::Integer || ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  const LoadedInput hw_in = load_input("platform", root.at("platform").as_string());
  const hw::Platform base = hw::load_platform(hw_in.root, hw::builtin_registry());
  if (base.power_modes.empty())
    root.at("platform").fail("a platform with power modes", "platform '" + base.name + "', which has none");
  const ConfigNode* stage_node = root.find("stage");
  const std::string stage = stage_node ? stage_node->as_string() : "";
  const std::string dir = std::filesystem::path(a.file).parent_path().string();
  Side ref;
  if (const ConfigNode* r = root.find("reference")) ref = read_side(hw_in, base, *r, dir, stage, stage_node);
  const Side target = read_side(hw_in, base, root.at("target"), dir, stage, stage_node);
  if (target.points.size() < 2)
    root.at("target").fail("a measured-modes file with at least 2 modes", std::to_string(target.points.size()));
  const calib::TransferError raw = [&] {
    calib::TransferError e;
    for (const auto& p : target.points) {
      e.time_mape += std::fabs(p.model_time_s - p.time_s) / p.time_s / static_cast<double>(target.points.size());
      e.power_mape += std::fabs(p.model_power_w - p.power_w) / p.power_w / static_cast<double>(target.points.size());
    }
    e.held_out = target.points.size();
    return e;
  }();
  out << fmt::format("joulegraph transfer: {} on {}{}\n", target.workload, base.name,
                     stage.empty() ? "" : " (stage " + stage + ")");
  out << fmt::format("reference: {}\n", ref.points.empty()
                                            ? std::string("none (the correction's prior mean is zero)")
                                            : fmt::format("{}, {} measured modes", ref.workload, ref.points.size()));
  out << fmt::format("target: {} measured modes; the uncorrected model's MAPE on them: time {}, power {}\n\n",
                     target.points.size(), pct(raw.time_mape), pct(raw.power_mape));
  const std::size_t max_n = std::min<std::size_t>(a.max_modes, target.points.size() - 1);
  if (a.study) {
    // Held-out error after measuring N modes chosen by each strategy; random averaged over seeds.
    const calib::Strategy all[] = {calib::Strategy::kRandom, calib::Strategy::kMaximin, calib::Strategy::kUncertainty};
    const int seeds = 20;
    std::vector<std::vector<calib::TransferError>> err(3, std::vector<calib::TransferError>(max_n + 1));
    for (int si = 0; si < 3; ++si) {
      const int runs = all[si] == calib::Strategy::kRandom ? seeds : 1;
      for (int run = 0; run < runs; ++run) {
        const auto order =
            calib::choose_modes(all[si], ref.points, target.points, max_n, static_cast<std::uint64_t>(a.seed + run));
        for (std::size_t n = 0; n <= max_n; ++n) {
          const std::vector<std::size_t> fit(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
          std::vector<calib::ModePoint> pts;
          for (std::size_t i : fit) pts.push_back(target.points[i]);
          const calib::TransferError e = calib::held_out_error(
              calib::TransferModel(target.points.front().x.size(), ref.points, pts), target.points, fit);
          err[si][n].time_mape += e.time_mape / runs;
          err[si][n].power_mape += e.power_mape / runs;
        }
      }
    }
    out << "held-out MAPE (time / power) after measuring N modes of the target (random: mean of " << seeds
        << " seeds)\n";
    out << fmt::format("{:>4}  {:>19}  {:>19}  {:>19}\n", "N", "random", "maximin", "uncertainty");
    for (std::size_t n = 0; n <= max_n; ++n) {
      out << fmt::format("{:>4}", n);
      for (int si = 0; si < 3; ++si)
        out << fmt::format("  {:>19}", pct(err[si][n].time_mape) + " / " + pct(err[si][n].power_mape));
      out << "\n";
    }
    out << "\nmodes to measure for 10 % MAPE of both time and power:";
    for (int si = 0; si < 3; ++si) {
      std::size_t need = max_n + 1;
      for (std::size_t n = 0; n <= max_n && need > max_n; ++n)
        if (err[si][n].time_mape <= 0.10 && err[si][n].power_mape <= 0.10) need = n;
      out << " " << calib::strategy_name(all[si]) << " "
          << (need <= max_n ? std::to_string(need) : "more than " + std::to_string(max_n)) << (si < 2 ? "," : "\n");
    }
    return 0;
  }
  const calib::Strategy strategy = a.strategy == "random"    ? calib::Strategy::kRandom
                                   : a.strategy == "maximin" ? calib::Strategy::kMaximin
                                                             : calib::Strategy::kUncertainty;
  const std::size_t n = std::min(a.fit, target.points.size() - 1);
  const auto fit = calib::choose_modes(strategy, ref.points, target.points, n, static_cast<std::uint64_t>(a.seed));
  std::vector<calib::ModePoint> pts;
  for (std::size_t i : fit) pts.push_back(target.points[i]);
  const calib::TransferModel model(target.points.front().x.size(), ref.points, pts);
  const calib::TransferError e = calib::held_out_error(model, target.points, fit);
  const auto& knobs = base.power_modes.knobs;
  auto mode_text = [&](const std::vector<double>& m) {
    std::string s;
    for (std::size_t k = 0; k < knobs.size(); ++k)
      s += (k ? " " : "") + knobs[k].name + "=" + base.power_modes.format_value(k, m[k]);
    return s;
  };
  out << fmt::format("fitted on {} modes chosen by {}:\n", n, calib::strategy_name(strategy));
  for (std::size_t i : fit) out << "  " << mode_text(target.modes[i]) << "\n";
  out << "correction log(measured / model) = w0 + sum w_k x_k (x_k: knob k normalized to [0, 1])\n";
  out << fmt::format("  {:<10} {:>9} {:>9}\n", "", "time", "power");
  for (std::size_t k = 0; k <= knobs.size(); ++k)
    out << fmt::format("  {:<10} {:>9.4f} {:>9.4f}\n", k == 0 ? "w0" : knobs[k - 1].name, model.w_time[k],
                       model.w_power[k]);
  out << fmt::format("held-out MAPE on the other {} measured modes: time {}, power {}\n", e.held_out, pct(e.time_mape),
                     pct(e.power_mape));
  if (!a.out.empty()) {
    // Predictions at every measured mode of the target, with 90 % intervals.
    std::string text = "";
    for (const auto& k : knobs) text += k.name + ",";
    text += "fitted,time_s,time_lo_s,time_hi_s,power_w,power_lo_w,power_hi_w,measured_time_s,measured_power_w\n";
    std::vector<char> in_fit(target.points.size(), 0);
    for (std::size_t i : fit) in_fit[i] = 1;
    for (std::size_t i = 0; i < target.points.size(); ++i) {
      const auto p = model.predict(target.points[i]);
      for (std::size_t k = 0; k < knobs.size(); ++k) text += base.power_modes.format_value(k, target.modes[i][k]) + ",";
      text += fmt::format("{},{},{},{},{},{},{},{},{}\n", in_fit[i] ? 1 : 0, p.time_s, p.time_lo, p.time_hi, p.power_w,
                          p.power_lo, p.power_hi, target.points[i].time_s, target.points[i].power_w);
    }
    report::write_file_atomic(a.out, text);
  }
  return 0;
}

}  // namespace jg::cli
