// Calibrations: fitted factors on the platform's own per-action energies and powers, with the
// error they showed on windows the fit did not see, written to and read from a TOML file that
// `estimate --calibration` applies.
//
// The fit uses the evaluator's linear form (DESIGN.md §2): a window's energy is
// sum over slots of activity x base value; activity comes from evaluating the workload in
// activity mode. Each column of the design is one slot's modelled energy (activity x prior);
// its fitted coefficient is a dimensionless factor on that prior. Slots whose columns are
// exactly proportional in every window (the static powers of one device: all instance-seconds)
// are merged into one group and get one factor. A factor's calibrated value is factor x prior.
#pragma once

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "calib/fit.hpp"
#include "calib/trace.hpp"
#include "engine/core/error.hpp"
#include "engine/eval/evaluator.hpp"

namespace jg::calib {

struct SlotFactor {
  std::vector<std::string> slots;  ///< slot ids ("gpu.pe.op_fp16", "gpu.board.static")
  std::vector<double> prior;       ///< the model's values, SI (J per unit, W per instance)
  std::vector<std::string> units;  ///< "J", "W"
  double factor = 1;
  double std_error = std::numeric_limits<double>::quiet_NaN();
  std::vector<core::SourceLoc> slot_locs;  ///< where each slot was read (read_calibration), for errors
  std::vector<std::string> slot_paths;     ///< their key paths
};

/// A factor on the modelled time of ops of some types (measured / roofline), fitted on the
/// durations of the marker windows.
struct TimeFactor {
  std::vector<std::string> op_types;  ///< "gemm", "elementwise", ...: one factor when always in proportion
  double factor = 1;
  double std_error = std::numeric_limits<double>::quiet_NaN();
  std::vector<core::SourceLoc> locs;  ///< where each type was read (read_calibration), for errors
  std::vector<std::string> paths;
};

struct CalibrationInput {
  std::string role;  ///< "trace", "markers", "workload"
  std::string path;
  std::string sha256;
};

struct Calibration {
  std::string platform;
  core::SourceLoc platform_loc;  ///< where `platform` was read (read_calibration)
  std::string method;            ///< "nnls on slot factors", "idle level", ...
  std::string measured;          ///< the channels summed into the target, e.g. "gpu0.power+gpu1.power"
  std::vector<SlotFactor> factors;
  std::vector<TimeFactor> time_factors;
  Metrics time_test;  ///< held-out window durations (seconds)
  Metrics train, test;
  std::size_t train_windows = 0, test_windows = 0;
  double rel_lo = 0, rel_hi = 0;              ///< empirical 90 % band of relative error on held-out windows
  double window_min_s = 0, window_max_s = 0;  ///< validity: window durations fitted on
  double power_min_w = 0, power_max_w = 0;    ///< validity: mean window powers fitted on
  std::vector<CalibrationInput> inputs;
  std::vector<std::string> notes;
};

/// The calibration as a TOML document (units in key names, SI values).
std::string calibration_toml(const Calibration& c);
/// Reads a calibration file; ConfigError naming file, line and key on bad input.
Calibration read_calibration(const std::string& path);

/// Slot values to pass as EvalOptions::overrides. ConfigError if the calibration was made for
/// another platform or names a slot the platform does not have.
std::map<std::string, double> calibration_overrides(const Calibration& c, const hw::Platform& p,
                                                    const std::string& path);

/// Op-type time factors to pass as EvalOptions::time_factors. ConfigError naming an unknown type.
std::map<std::string, double> calibration_time_factors(const Calibration& c, const std::string& path);

/// Measured energy of each window: the sum of the chosen power (or energy) channels.
struct MeasuredWindows {
  std::vector<Marker> windows;
  std::vector<double> energy_j;
  std::vector<double> covered_s;  ///< seconds covered by samples (the least over the channels)
  std::string channels;           ///< names joined by '+'
};
/// `channels`: names to sum; empty: every power channel (or every energy channel if none).
MeasuredWindows measure_windows(const std::string& trace_path, TraceFormat f, const std::vector<Marker>& windows,
                                const std::vector<std::string>& channels, TraceIssues* issues = nullptr);

struct MarkerFitOptions {
  LinearOptions linear;        ///< NNLS by default
  std::size_t test_every = 4;  ///< every 4th window is held out
  std::size_t min_windows = 8;
  bool fit_time = true;  ///< fit op-type time factors to the window durations first
};

/// Fits slot factors so that the workload's stages, evaluated on `p`, match the measured
/// energy of the marker windows named after them (a window named S is one run of stage S:
/// all its repeats). ConfigError for a marker naming no stage; ModelError from the fit.
Calibration fit_markers(const hw::Platform& p, const wl::Graph& g, const MeasuredWindows& m,
                        const MarkerFitOptions& o = {});

/// Power levels of a trace without a workload: windows of `window_s`, their mean power
/// clustered into `levels` (1-D k-means, deterministic start at quantiles), lowest first.
struct PowerLevel {
  double power_w = 0, std_w = 0;
  std::size_t windows = 0;
  double time_s = 0, energy_j = 0;
};
struct LevelsResult {
  std::vector<PowerLevel> levels;
  Metrics test;  ///< held-out windows predicted by their level's mean (levels from the others)
  std::size_t train_windows = 0, test_windows = 0;
  double rel_lo = 0, rel_hi = 0;  ///< 5th and 95th percentiles of held-out relative error
};
LevelsResult power_levels(const MeasuredWindows& m, std::size_t levels, std::size_t test_every = 4);

/// A calibration of the idle power of `device` from the lowest level: one factor on the idle
/// slots of the device's components, so that `instances` (the meter's boundary) of them draw it.
Calibration idle_calibration(const hw::Platform& p, const std::string& device, const LevelsResult& r, double instances);

}  // namespace jg::calib
