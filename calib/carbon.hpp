// Operational carbon: grid carbon intensity (a shipped table of annual averages, a constant, or
// a measured time series), integrated against a job's power profile, and the start time in a
// window that emits least. A grid-intensity series is read like a meter trace (calib/csv).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jg::calib {

/// Grams CO2e per joule from grams per kWh.
inline constexpr double kJoulesPerKwh = 3.6e6;

/// One row of the shipped table (calib/data/grid_intensity.toml).
struct GridRegion {
  std::string code;  ///< ISO 3166 alpha-3 ("DEU") or provider:region ("gcp:europe-west3")
  std::string name;
  double g_per_kwh = 0;
  int year = 0;
  std::string source;  ///< the citation itself, not its key
};
const std::vector<GridRegion>& grid_regions();
/// The region with this code (case-insensitive); ConfigError naming the closest codes otherwise.
const GridRegion& find_grid_region(const std::string& code);

/// "420g/kWh", "420 gCO2e/kWh", "0.42 kg/kWh", "420 kg/MWh", "926 lb/MWh" (eGRID's unit) in g/kWh;
/// nullopt for anything else or a negative value.
std::optional<double> parse_intensity(std::string_view text);

/// A grid-intensity series: sample i holds from t_s[i] until t_s[i+1]; the last one for the
/// series' typical step (the median spacing).
struct IntensitySeries {
  std::string path;
  std::string zone;            ///< Electricity Maps zone, when the file names one
  std::vector<double> t_s;     ///< Unix seconds, strictly increasing
  std::vector<double> direct;  ///< g/kWh, direct (or the only column)
  std::vector<double> lca;     ///< g/kWh, life-cycle; empty when the file has none
  double step_s = 0;
  [[nodiscard]] double end_s() const { return t_s.back() + step_s; }
};
/// Reads the CSV export of Electricity Maps (`Datetime (UTC)`, `Zone Id` or `Zone`, `Carbon
/// Intensity gCO₂eq/kWh (direct)` and/or `(LCA)` or `(Life cycle)`) or a plain `timestamp,g_per_kwh` file (times as
/// ISO 8601 UTC or Unix seconds). ConfigError with the file, line and column on anything else.
IntensitySeries read_intensity_series(const std::string& path);

/// A stretch of the job at constant power.
struct PowerSegment {
  double duration_s = 0;
  double energy_j = 0;
};
struct SeriesCarbon {
  double direct_g = 0;
  std::optional<double> lca_g;
  [[nodiscard]] static double avg(double g, double energy_j) {
    return energy_j > 0 ? g / (energy_j / kJoulesPerKwh) : 0;
  }
};
/// Emissions of the profile started at `start_s`: each segment's energy spread evenly over its
/// duration, times the intensity of the samples it overlaps. ConfigError naming the series file
/// when the job runs outside the series.
SeriesCarbon integrate(const IntensitySeries& s, const std::vector<PowerSegment>& profile, double start_s);

struct BestStart {
  double start_s = 0;
  SeriesCarbon best;      ///< started at start_s
  SeriesCarbon at_begin;  ///< started at the window's beginning ("now")
};
/// The start in [begin_s, end_s - duration] with the least direct emissions (life-cycle when the
/// series has only that). Emissions are piecewise linear in the start time, so the minimum lies
/// where a segment boundary meets a sample boundary: those starts (and begin_s) are all tried.
/// ConfigError when the job does not fit in the window or the window leaves the series.
BestStart best_start(const IntensitySeries& s, const std::vector<PowerSegment>& profile, double begin_s, double end_s);

/// "2025-06-01T00:00Z"-style text of Unix seconds (minutes; seconds when not whole minutes).
std::string format_utc(double t_s);

}  // namespace jg::calib
