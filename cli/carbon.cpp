#include "cli/carbon.hpp"

#include <fmt/format.h>

#include "calib/carbon.hpp"
#include "calib/trace_internal.hpp"
#include "engine/core/error.hpp"

namespace jg::cli {

namespace {

using core::ConfigError;

double utc_option(const std::string& key, const std::string& text) {
  const auto t = calib::detail::parse_timestamp(text);
  if (!t || text.find_first_of("-/") == std::string::npos)
    throw ConfigError({{}, key, "a UTC date and time such as 2025-06-01T00:00Z", "\"" + text + "\"", ""});
  return *t;
}

}  // namespace

std::optional<report::ReportInput::Carbon> carbon_for(const CarbonArgs& a, const eval::Ledger& L,
                                                      const std::string& boundary, double pue) {
  const int given = (a.intensity.empty() ? 0 : 1) + (a.region.empty() ? 0 : 1) + (a.series.empty() ? 0 : 1);
  if (given == 0) {
    if (!a.start.empty() || !a.window.empty())
      throw ConfigError({{},
                         a.start.empty() ? "--window" : "--start",
                         "--intensity-series with it",
                         "no intensity series",
                         "a start time or window lines a job up against a series"});
    return std::nullopt;
  }
  if (given > 1)
    throw ConfigError({{}, "--intensity", "one of --intensity, --region and --intensity-series", "more than one", ""});
  if (a.series.empty() && (!a.start.empty() || !a.window.empty()))
    throw ConfigError({{},
                       a.start.empty() ? "--window" : "--start",
                       "--intensity-series with it",
                       a.region.empty() ? "--intensity" : "--region",
                       "a constant intensity has no time of day"});
  report::ReportInput::Carbon c;
  c.pue = boundary == "facility" ? 1.0 : pue;
  const double e_j = report::boundary_energy(L.boundary, boundary) * c.pue;
  std::vector<double> stage_j;
  double stage_sum_j = 0, stage_sum_s = 0;
  for (const auto& s : L.stages) {
    stage_j.push_back(report::boundary_energy(s.boundary, boundary) * c.pue);
    stage_sum_j += stage_j.back();
    stage_sum_s += s.time_s;
  }
  // Stage shares of the total: overlap credits make the stages add up to more than the ledger.
  const double e_scale = stage_sum_j > 0 ? e_j / stage_sum_j : 0,
               t_scale = stage_sum_s > 0 ? L.time_s / stage_sum_s : 0;
  for (double& j : stage_j) j *= e_scale;
  if (a.series.empty()) {
    double g_per_kwh = 0;
    if (!a.intensity.empty()) {
      const auto v = calib::parse_intensity(a.intensity);
      if (!v)
        throw ConfigError({{},
                           "--intensity",
                           "an intensity such as 420g/kWh (g/kWh, kg/kWh, kg/MWh, lb/MWh)",
                           "\"" + a.intensity + "\"",
                           ""});
      g_per_kwh = *v;
      c.intensity_source = "--intensity " + a.intensity;
    } else {
      const calib::GridRegion& r = calib::find_grid_region(a.region);
      g_per_kwh = r.g_per_kwh;
      c.intensity_source = fmt::format("region {} ({}), {} annual average: {}", r.code, r.name, r.year, r.source);
    }
    c.grid_g_per_kwh = g_per_kwh;
    c.co2e_g = e_j / calib::kJoulesPerKwh * g_per_kwh;
    for (const double j : stage_j) c.stage_co2e_g.push_back(j / calib::kJoulesPerKwh * g_per_kwh);
    return c;
  }
  const calib::IntensitySeries s = calib::read_intensity_series(a.series);
  std::vector<calib::PowerSegment> profile;
  for (std::size_t i = 0; i < L.stages.size(); ++i) profile.push_back({L.stages[i].time_s * t_scale, stage_j[i]});
  double start = 0;
  if (!a.window.empty()) {
    const auto slash = a.window.find('/');
    if (slash == std::string::npos)
      throw ConfigError(
          {{}, "--window", "BEGIN/END, e.g. 2025-06-01T00:00Z/2025-06-03T00:00Z", "\"" + a.window + "\"", ""});
    const double begin = utc_option("--window", a.window.substr(0, slash));
    const double end = utc_option("--window", a.window.substr(slash + 1));
    const calib::BestStart b = calib::best_start(s, profile, begin, end);
    c.window = report::ReportInput::Carbon::Window{calib::format_utc(begin), calib::format_utc(end),
                                                   calib::format_utc(b.start_s), b.best.direct_g, b.at_begin.direct_g};
    start = a.start.empty() ? begin : utc_option("--start", a.start);
  } else {
    if (a.start.empty())
      throw ConfigError(
          {{}, "--start", "a start time with --intensity-series (e.g. --start 2025-06-01T00:00Z)", "none", ""});
    start = utc_option("--start", a.start);
  }
  const calib::SeriesCarbon total = calib::integrate(s, profile, start);
  c.co2e_g = total.direct_g;
  c.co2e_lca_g = total.lca_g;
  c.grid_g_per_kwh = calib::SeriesCarbon::avg(total.direct_g, e_j);
  if (total.lca_g && !s.direct.empty()) c.grid_lca_g_per_kwh = calib::SeriesCarbon::avg(*total.lca_g, e_j);
  if (s.direct.empty()) c.co2e_lca_g.reset();  // the only column is the headline
  double t = start;
  for (const auto& seg : profile) {
    c.stage_co2e_g.push_back(calib::integrate(s, {seg}, t).direct_g);
    t += seg.duration_s;
  }
  c.intensity_source =
      fmt::format("series {}{} ({} intensity) from {}", s.path, s.zone.empty() ? "" : ", zone " + s.zone,
                  s.direct.empty() ? "life-cycle" : "direct", calib::format_utc(start));
  return c;
}

std::optional<report::ReportInput::Embodied> embodied_for(const hw::Platform& p, const eval::Ledger& L) {
  report::ReportInput::Embodied e;
  e.lifetime_s = p.node.lifetime_s;
  const double share = L.time_s / p.node.lifetime_s;
  auto add = [&](const std::string& name, double count, double kg, const std::string& source) {
    const double g = kg * 1000 * count * share;
    e.rows.push_back({name, count, kg, count * L.time_s / 3600, g, source});
    e.co2e_g += g;
  };
  for (const auto& d : p.devices) {
    if (d.embodied.present)
      add(d.name, d.count * L.nodes, d.embodied.total_kg(), d.embodied.source);
    else
      e.not_covered.push_back(d.name);
  }
  if (p.node.embodied_kg > 0) add("node", L.nodes, p.node.embodied_kg, p.node.embodied_source);
  if (e.rows.empty()) return std::nullopt;
  // Stages by their share of the wall time (overlapping stages share the hardware).
  double stage_s = 0;
  for (const auto& s : L.stages) stage_s += s.time_s;
  for (const auto& s : L.stages) e.stage_co2e_g.push_back(stage_s > 0 ? e.co2e_g * s.time_s / stage_s : 0.0);
  return e;
}

}  // namespace jg::cli
