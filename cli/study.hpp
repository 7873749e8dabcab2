// Design studies (sweep, optimize, transfer): the sweep file, its axes and the space of points,
// building one combination of settings, and a platform's figures at one power mode. Shared by
// cli/sweep.cpp and cli/transfer.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/inputs.hpp"
#include "engine/core/config.hpp"
#include "engine/eval/evaluator.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/graph.hpp"

namespace jg::cli {

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
  const core::ConfigNode* node = nullptr;  ///< where the sweep file defines it
};

struct SweepSpec {
  std::string path;
  core::ConfigNode root;
  std::string platform, workload, stage;
  const core::ConfigNode* stage_node = nullptr;
  std::vector<std::string> sets;                    ///< [set] as --set assignments
  std::vector<const core::ConfigNode*> set_nodes;   ///< where each is written
  std::vector<const core::ConfigNode*> axis_nodes;  ///< [axes] entries in file order
  std::vector<std::string> axis_keys;
  bool all_power_modes = false;  ///< axes = "all_power_modes"
  const core::ConfigNode* all_node = nullptr;
  std::uint64_t sample_n = 0, seed = 1;  ///< 0: the whole product
};

/// A scalar TOML value (number, string, boolean) as --set text and an output label; ConfigError
/// naming `key` otherwise.
AxisValue scalar_value(const core::ConfigNode& v, const std::string& key);

/// Reads and checks a sweep file (ConfigError with file, line and key on bad input).
SweepSpec read_spec(const std::string& path);

/// Resolves the spec's axes against the platform (its power modes): fast axes for power_mode and
/// knobs, slow axes for everything else. Output order: file order, power_mode = "all" expanded
/// into one column per knob.
std::vector<Axis> resolve_axes(const SweepSpec& s, const hw::Platform& base);

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

/// The space of the axes, sampled as the spec asks; ConfigError past 1e8 points.
Space make_space(std::vector<Axis> axes, const SweepSpec& s);

/// A platform and graph for one combination of settings, and the stages compared.
struct Built {
  hw::Platform platform;
  wl::Graph graph;
  std::vector<std::size_t> selected;  ///< empty: the whole workload
};
/// Builds `workload` on the platform `hw_in` with --set style assignments, as estimate does.
/// `stage` = "training" on a zoo model left in its default inference mode selects its training
/// pipeline (mode = "train"); an explicit mode is left alone. `stage_node`: where `stage` is
/// written (null: none), for select_stages' error.
Built build_combination(const LoadedInput& hw_in, const hw::Platform& base, const std::string& workload,
                        std::vector<std::string> sets, const std::string& stage, const core::ConfigNode* stage_node);

/// Figures of the compared stages (all when `selected` is empty) and of the whole workload.
struct Figures {
  double energy_j = 0, time_s = 0, total_energy_j = 0, total_time_s = 0;
};
Figures figures_of(const eval::Ledger& led, const std::vector<std::size_t>& selected);

/// Sets power-mode knob values on `w`, a copy of `base` (whose minimum clocks it restores first:
/// a knob clock below a device's minimum lowers it, see hw::set_power_mode).
void set_mode(hw::Platform& w, const hw::Platform& base, const std::vector<double>& knobs);

}  // namespace jg::cli
