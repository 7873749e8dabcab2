#include "calib/carbon.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "calib/csv.hpp"
#include "calib/trace_internal.hpp"
#include "engine/core/config.hpp"
#include "engine/core/embedded.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {

const std::vector<core::EmbeddedText>& grid_intensity_files();  // generated (cmake/embed.cmake)

namespace {

using core::ConfigError;

std::vector<GridRegion> load_regions() {
  const char* text = core::find_embedded(grid_intensity_files(), "grid_intensity");
  if (text == nullptr) throw core::InternalError("grid_intensity.toml is not embedded");
  const core::ConfigNode root = core::parse_toml_text(text, "builtin:grid_intensity.toml");
  const core::ConfigNode& sources = root.at("sources");
  std::vector<GridRegion> out;
  for (const core::ConfigNode& r : root.at("region").items()) {
    GridRegion g;
    g.code = r.at("code").as_string();
    g.name = r.at("name").as_string();
    g.g_per_kwh = r.at("g_per_kwh").as_number();
    g.year = static_cast<int>(r.at("year").as_int());
    g.source = sources.at(r.at("source").as_string()).as_string();
    if (const core::ConfigNode* n = r.find("note")) g.source += "; " + n->as_string();
    out.push_back(std::move(g));
  }
  return out;
}

/// Intensity at sample i of the column used for the optimization.
const std::vector<double>& main_column(const IntensitySeries& s) { return s.direct.empty() ? s.lca : s.direct; }

/// Energy-weighted sum of column `c` over the profile started at `start_s`. Times are offsets
/// from the start: a second-long job keeps its precision against Unix times of ~1.7e9 s.
double integrate_column(const IntensitySeries& s, const std::vector<double>& c,
                        const std::vector<PowerSegment>& profile, double start_s) {
  const std::size_t n = s.t_s.size();
  auto begin_of = [&](std::size_t k) { return s.t_s[k] - start_s; };
  auto end_of = [&](std::size_t k) { return (k + 1 < n ? s.t_s[k + 1] : s.end_s()) - start_s; };
  std::size_t i = static_cast<std::size_t>(std::upper_bound(s.t_s.begin(), s.t_s.end(), start_s) - s.t_s.begin());
  i = i > 0 ? i - 1 : 0;  // the sample holding at the start
  double g = 0, t = 0;
  for (const PowerSegment& seg : profile) {
    if (seg.duration_s <= 0) {  // an instantaneous segment: its energy at the sample it falls in
      g += seg.energy_j / kJoulesPerKwh * c[i];
      continue;
    }
    const double p_w = seg.energy_j / seg.duration_s, end = t + seg.duration_s;
    while (t < end) {
      while (i + 1 < n && begin_of(i + 1) <= t) ++i;
      const double until = std::min(end, end_of(i));
      if (until <= t) break;  // past the series: the callers check coverage first
      g += p_w * (until - t) / kJoulesPerKwh * c[i];
      t = until;
    }
    t = end;
  }
  return g;
}

double total_duration(const std::vector<PowerSegment>& profile) {
  double d = 0;
  for (const auto& p : profile) d += p.duration_s;
  return d;
}

}  // namespace

const std::vector<GridRegion>& grid_regions() {
  static const std::vector<GridRegion> kRegions = load_regions();
  return kRegions;
}

const GridRegion& find_grid_region(const std::string& code) {
  const std::string want = core::to_lower(code);
  std::vector<std::string> codes;
  for (const GridRegion& g : grid_regions()) {
    if (core::to_lower(g.code) == want) return g;
    codes.push_back(g.code);
  }
  std::string hint = "closest: ";
  for (const auto& c : core::nearest_names(code, codes, 3)) hint += (hint.size() > 9 ? ", " : "") + c;
  hint += "; `joulegraph list regions` lists all " + std::to_string(grid_regions().size());
  throw ConfigError({{},
                     "region",
                     "a country (ISO 3166 alpha-3, e.g. DEU) or cloud region (e.g. gcp:europe-west3)",
                     "\"" + code + "\"",
                     hint});
}

std::optional<double> parse_intensity(std::string_view text) {
  text = csv::trim(text);
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' || text[i] == 'e' ||
                             text[i] == 'E' || text[i] == '+' || text[i] == '-'))
    ++i;
  const auto v = csv::to_number(text.substr(0, i));
  if (!v || *v < 0) return std::nullopt;
  const std::string unit = core::to_lower(csv::trim(text.substr(i)));
  static const std::array<std::pair<const char*, double>, 10> kUnits{{{"g/kwh", 1.0},
                                                                      {"gco2e/kwh", 1.0},
                                                                      {"gco2eq/kwh", 1.0},
                                                                      {"gco2/kwh", 1.0},
                                                                      {"kg/kwh", 1e3},
                                                                      {"kgco2e/kwh", 1e3},
                                                                      {"kg/mwh", 1.0},
                                                                      {"kgco2e/mwh", 1.0},
                                                                      {"t/mwh", 1e3},
                                                                      {"lb/mwh", 0.45359237}}};
  for (const auto& [name, scale] : kUnits)
    if (unit == name) return *v * scale;
  return std::nullopt;
}

IntensitySeries read_intensity_series(const std::string& path) {
  const csv::Table t = csv::read_table(path);
  IntensitySeries s;
  s.path = path;
  auto find = [&](auto pred) -> std::optional<std::size_t> {
    for (std::size_t c = 0; c < t.header.size(); ++c)
      if (pred(core::to_lower(t.header[c]))) return c;
    return std::nullopt;
  };
  const auto time_col = find([](const std::string& h) { return h == "datetime (utc)" || h == "timestamp"; });
  const auto direct_col = find([](const std::string& h) {
    return (h.rfind("carbon intensity", 0) == 0 && h.find("(direct)") != std::string::npos) || h == "g_per_kwh";
  });
  const auto lca_col = find([](const std::string& h) {
    return h.rfind("carbon intensity", 0) == 0 &&
           (h.find("(lca)") != std::string::npos || h.find("(life cycle)") != std::string::npos);
  });
  auto zone_col = find([](const std::string& h) { return h == "zone id"; });
  if (!zone_col) zone_col = find([](const std::string& h) { return h == "zone" || h == "zone name"; });
  std::string header;
  for (const auto& h : t.header) header += (header.empty() ? "" : ",") + h;
  if (!time_col || (!direct_col && !lca_col))
    throw ConfigError({{path, 1, 1, header},
                       "",
                       "a header with `Datetime (UTC)` and `Carbon Intensity gCO2eq/kWh (direct)` and/or `(LCA)` "
                       "(Electricity Maps CSV), or `timestamp,g_per_kwh`",
                       "the header \"" + header + "\"",
                       ""});
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& when = t.text(r, *time_col);
    const auto ts = detail::parse_timestamp(when);
    if (!ts)
      throw ConfigError({{path, t.lines[r], 0, {}},
                         t.header[*time_col],
                         "a UTC date and time such as 2025-06-01T00:00Z or 2025-06-01 00:00:00, or Unix seconds",
                         "\"" + when + "\"",
                         ""});
    if (!s.t_s.empty() && *ts <= s.t_s.back())
      throw ConfigError({{path, t.lines[r], 0, {}},
                         t.header[*time_col],
                         "times in increasing order",
                         "\"" + when + "\" at or before the previous row's " + format_utc(s.t_s.back()),
                         ""});
    s.t_s.push_back(*ts);
    auto value = [&](std::size_t col) {
      const double v = t.number(r, col);
      if (v < 0)
        throw ConfigError(
            {{path, t.lines[r], 0, {}}, t.header[col], "an intensity of 0 g/kWh or more", fmt::format("{}", v), ""});
      return v;
    };
    if (direct_col) s.direct.push_back(value(*direct_col));
    if (lca_col) s.lca.push_back(value(*lca_col));
    if (zone_col && s.zone.empty()) s.zone = t.text(r, *zone_col);
  }
  std::vector<double> gaps;
  for (std::size_t i = 1; i < s.t_s.size(); ++i) gaps.push_back(s.t_s[i] - s.t_s[i - 1]);
  if (gaps.empty()) {
    s.step_s = 3600;  // one sample: an hour, the export's default granularity
  } else {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    s.step_s = gaps[gaps.size() / 2];
  }
  return s;
}

namespace {

/// ConfigError naming the series file when [start_s, end] is not inside it.
void check_covers(const IntensitySeries& s, double start_s, double end) {
  if (start_s < s.t_s.front() || end > s.end_s())
    throw ConfigError({{s.path, 0, 0, {}},
                       "",
                       fmt::format("a series that covers the job, {} to {}", format_utc(start_s), format_utc(end)),
                       fmt::format("samples from {} to {}", format_utc(s.t_s.front()), format_utc(s.end_s())),
                       "choose --start inside the series, or a longer series"});
}

}  // namespace

SeriesCarbon integrate(const IntensitySeries& s, const std::vector<PowerSegment>& profile, double start_s) {
  check_covers(s, start_s, start_s + total_duration(profile));
  SeriesCarbon out;
  if (!s.direct.empty()) out.direct_g = integrate_column(s, s.direct, profile, start_s);
  if (!s.lca.empty()) out.lca_g = integrate_column(s, s.lca, profile, start_s);
  if (s.direct.empty()) out.direct_g = *out.lca_g;
  return out;
}

BestStart best_start(const IntensitySeries& s, const std::vector<PowerSegment>& profile, double begin_s, double end_s) {
  const double d = total_duration(profile), last = end_s - d;
  if (last < begin_s)
    throw ConfigError({{},
                       "window",
                       fmt::format("a window of at least the job's {:.0f} s", d),
                       fmt::format("{} to {} ({:.0f} s)", format_utc(begin_s), format_utc(end_s), end_s - begin_s),
                       ""});
  std::vector<double> offsets = {0};
  for (const auto& p : profile) offsets.push_back(offsets.back() + p.duration_s);
  std::vector<double> starts = {begin_s, last};
  for (const double t : s.t_s)
    for (const double o : offsets)
      if (t - o > begin_s && t - o < last) starts.push_back(t - o);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  const std::vector<double>& c = main_column(s);
  BestStart b;
  check_covers(s, begin_s, end_s);
  b.at_begin = integrate(s, profile, begin_s);
  double best = std::numeric_limits<double>::infinity();
  for (const double t : starts) {
    const double g = integrate_column(s, c, profile, t);
    if (std::isinf(best) || g < best - 1e-12 * best) {  // the earliest of equal starts
      best = g;
      b.start_s = t;
    }
  }
  b.best = integrate(s, profile, b.start_s);
  return b;
}

std::string format_utc(double t_s) {
  const double whole = std::floor(t_s);
  auto days = static_cast<long long>(std::floor(whole / 86400));
  const auto sod = static_cast<long long>(whole - static_cast<double>(days) * 86400);
  // civil from days (Howard Hinnant's algorithm, public domain description)
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const long long doe = days - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long d = doy - (153 * mp + 2) / 5 + 1;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  const long long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const long long hh = sod / 3600, mm = sod % 3600 / 60, ss = sod % 60;
  if (ss == 0 && whole == t_s) return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}Z", y, m, d, hh, mm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", y, m, d, hh, mm, ss);
}

}  // namespace jg::calib
