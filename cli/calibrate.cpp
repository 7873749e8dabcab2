#include "cli/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "calib/calibration.hpp"
#include "calib/groundtruth.hpp"
#include "cli/inputs.hpp"
#include "engine/core/config.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"

namespace jg::cli {

using namespace jg::core;

namespace {

std::string pct(double v) { return std::isnan(v) ? "-" : fmt::format("{:.1f} %", 100 * v); }

std::string metrics_row(const char* what, const calib::Metrics& m, bool seconds = false) {
  if (m.n == 0) return {};
  return fmt::format("  {:<9} {:>7}  MAPE {:>8}  RMSPE {:>8}  RMSE {:>10}  R2 {:>7.4f}  90% PI coverage {}\n", what,
                     m.n, pct(m.mape), pct(m.rmspe), seconds ? format(Time(m.rmse)) : format(Energy(m.rmse)), m.r2,
                     pct(m.pi90_coverage));
}

}  // namespace

int cmd_calibrate(const CalibrateArgs& a, std::ostream& out) {
  if (!a.groundtruth.empty()) {
    const std::string table = calib::format_groundtruth(calib::groundtruth_tables(a.groundtruth));
    if (a.out.empty())
      out << table;
    else
      report::write_file_atomic(a.out, table);
    return 0;
  }
  if (a.hw.empty() || a.trace.empty())
    throw ConfigError({{"calibrate", 0, 0, {}},
                       a.hw.empty() ? "--hw" : "--trace",
                       "--hw PLATFORM and --trace FILE (or --groundtruth DIR)",
                       a.hw.empty() ? "no --hw" : "no --trace",
                       "joulegraph calibrate --help"});
  const calib::TraceFormat fmt_ = a.format == "auto" ? calib::detect_trace_format(a.trace) : [&] {
    auto f = calib::parse_trace_format(a.format);
    if (!f) {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < calib::kTraceFormatCount; ++i)
        names.emplace_back(calib::trace_format_name(static_cast<calib::TraceFormat>(i)));
      throw ConfigError(
          {{"--format", 0, 0, {}}, "", "a trace format", "\"" + a.format + "\"", did_you_mean(a.format, names)});
    }
    return *f;
  }();
  LoadedInput hw_in = load_input("platform", a.hw);
  hw::Platform platform = hw::load_platform(hw_in.root, hw::builtin_registry());
  calib::Calibration c;
  calib::TraceIssues issues;
  out << fmt::format("joulegraph calibrate: platform '{}', trace {} ({})\n", platform.name, a.trace,
                     calib::trace_format_name(fmt_));
  if (!a.workload.empty()) {
    if (a.markers.empty())
      throw ConfigError({{"--markers", 0, 0, {}},
                         "",
                         "a marker file naming the stage each window ran",
                         "--workload without --markers",
                         "record start,end,stage lines while the workload runs"});
    LoadedInput wl_in = load_workload_input(a.workload, platform, a.sets);
    apply_overrides(hw_in.root, wl_in.root, a.sets);
    platform = hw::load_platform(hw_in.root, hw::builtin_registry());
    const wl::Graph graph = build_graph(wl_in.root, false);
    const auto markers = calib::read_markers(a.markers);
    const auto m = calib::measure_windows(a.trace, fmt_, markers, a.channels, &issues);
    calib::MarkerFitOptions o;
    o.linear.method = a.method == "ols"     ? calib::LinearMethod::kOls
                      : a.method == "ridge" ? calib::LinearMethod::kRidge
                                            : calib::LinearMethod::kNnls;
    o.linear.ridge_lambda = a.ridge;
    c = calib::fit_markers(platform, graph, m, o);
    c.inputs.push_back({"workload", a.workload, wl_in.record.sha256});
    c.inputs.push_back({"markers", a.markers, file_sha256(a.markers)});
  } else {
    // No workload: power levels of the trace, and the idle power of the metered device.
    std::vector<calib::Marker> windows;
    if (!a.markers.empty()) {
      windows = calib::read_markers(a.markers);
    } else {
      const auto t = calib::collect_trace(a.trace, fmt_);
      double t0 = std::numeric_limits<double>::infinity(), t1 = -t0;
      for (const auto& ts : t.t_s)
        if (!ts.empty()) {
          t0 = std::min(t0, ts.front());
          t1 = std::max(t1, ts.back());
        }
      if (!(t1 > t0)) throw ModelError("the trace spans no time: nothing to find levels in");
      windows = calib::fixed_windows(t0, t1, a.window_s);
    }
    const auto m = calib::measure_windows(a.trace, fmt_, windows, a.channels, &issues);
    const auto r = calib::power_levels(m, a.levels);
    std::string device = a.device;
    if (device.empty()) {
      device = platform.devices.front().name;
      for (const auto& d : platform.devices)
        if (d.kind == "gpu") {
          device = d.name;
          break;
        }
    }
    const int di = platform.find_device(device);
    // The meter's boundary: as many instances as per-device channels were summed (nvidia-smi
    // rows by index), else one total over all of the device's instances.
    const auto summed = static_cast<double>(std::count(m.channels.begin(), m.channels.end(), '+') + 1);
    const double instances = a.instances > 0 ? a.instances
                             : summed > 1    ? summed
                             : di >= 0       ? platform.devices[static_cast<std::size_t>(di)].count
                                             : 1.0;
    c = calib::idle_calibration(platform, device, r, instances);
    c.measured = m.channels;
    out << fmt::format("power levels of {} ({} s windows; {} trained, {} held out):\n", m.channels,
                       format_number(a.window_s), r.train_windows, r.test_windows);
    out << fmt::format("  {:>5}  {:>10}  {:>10}  {:>10}  {:>8}  {:>10}\n", "level", "power", "per inst.", "std",
                       "windows", "time");
    for (std::size_t k = 0; k < r.levels.size(); ++k) {
      const auto& l = r.levels[k];
      out << fmt::format("  {:>5}  {:>10}  {:>10}  {:>10}  {:>8}  {:>10}\n", k, format(Power(l.power_w)),
                         format(Power(l.power_w / instances)), format(Power(l.std_w)), l.windows,
                         format(Time(l.time_s)));
    }
  }
  c.inputs.insert(c.inputs.begin(), {"trace", a.trace, file_sha256(a.trace)});
  out << fmt::format("trace: {} lines, {} samples, {} duplicates, {} gaps (longest {}), median interval {}\n",
                     issues.lines, issues.samples, issues.duplicates, issues.gaps, format(Time(issues.max_gap_s)),
                     format(Time(issues.median_interval_s)));
  for (const auto& n : issues.notes) out << "  note: " << n << "\n";
  out << "fit: " << c.method << "\n";
  out << metrics_row("train", c.train) << metrics_row("held out", c.test);
  out << fmt::format("  90 % band of held-out relative error: {} to {}\n", pct(c.rel_lo), pct(c.rel_hi));
  if (!c.time_factors.empty()) {
    out << "time factors (measured / modelled op time, fitted on window durations first):\n";
    out << metrics_row("held out", c.time_test, true);
    for (const auto& t : c.time_factors) {
      std::string types;
      for (std::size_t i = 0; i < t.op_types.size(); ++i) types += (i ? ", " : "") + t.op_types[i];
      out << fmt::format("  {:>9.4f} +- {:<9} {}\n", t.factor,
                         std::isnan(t.std_error) ? "-" : fmt::format("{:.4f}", t.std_error), types);
    }
  }
  out << "factors (calibrated value = factor x model value):\n";
  for (const auto& f : c.factors) {
    std::string slots;
    for (std::size_t i = 0; i < f.slots.size(); ++i) slots += (i ? ", " : "") + f.slots[i];
    out << fmt::format("  {:>9.4f} +- {:<9} {}\n", f.factor,
                       std::isnan(f.std_error) ? "-" : fmt::format("{:.4f}", f.std_error), slots);
  }
  for (const auto& n : c.notes) out << "  note: " << n << "\n";
  if (!a.out.empty()) {
    report::write_file_atomic(a.out, calib::calibration_toml(c));
    out << "wrote " << a.out << " (apply with: joulegraph estimate --hw " << a.hw << " --calibration " << a.out
        << ")\n";
  }
  return 0;
}

}  // namespace jg::cli
