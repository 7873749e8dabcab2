#include "cli/budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <ostream>

#include "cli/report_reader.hpp"
#include "engine/core/config.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/report/report.hpp"

namespace jg::cli {

namespace {

using core::ConfigError;
using core::ConfigNode;

enum class Metric { kEnergy, kTime, kAvgPower, kCo2e, kCo2eEmbodied };
const std::vector<std::string> kMetricNames = {"energy", "time", "avg_power", "co2e", "co2e_embodied"};

/// A budget limit in SI (grams for carbon, as reports give it).
double limit_of(Metric m, const ConfigNode& v) {
  double x = 0;
  switch (m) {
    case Metric::kEnergy:
      x = v.as<core::Energy>().si();
      break;
    case Metric::kTime:
      x = v.as<core::Time>().si();
      break;
    case Metric::kAvgPower:
      x = v.as<core::Power>().si();
      break;
    case Metric::kCo2e:
    case Metric::kCo2eEmbodied:
      x = v.as<core::Mass>().si() * 1000;
      break;
  }
  if (!(x >= 0) || !std::isfinite(x)) v.fail("a limit of zero or more", v.describe());
  return x;
}

struct Line {
  std::string scope;  ///< "total", "stage training"
  Metric metric = Metric::kEnergy;
  double value = 0, limit = 0;
  core::SourceLoc loc;
  /// Carbon limits are read in kg and compared in g, which may round the limit by an ulp or two:
  /// they pass within 4 ulps. Energy, time and power compare exactly.
  [[nodiscard]] bool pass() const {
    const bool carbon = metric == Metric::kCo2e || metric == Metric::kCo2eEmbodied;
    return value <= (carbon ? limit * (1 + 4 * std::numeric_limits<double>::epsilon()) : limit);
  }
  [[nodiscard]] std::string name() const { return kMetricNames[static_cast<std::size_t>(metric)]; }
  [[nodiscard]] double used_pct() const { return limit > 0 ? 100 * value / limit : (value > 0 ? INFINITY : 0.0); }
  [[nodiscard]] std::string summary() const {
    return fmt::format("{} {} {} {} the {} budget ({:.1f} % of it)", scope, name(), show_figure(name(), value),
                       pass() ? "is within" : "exceeds", show_figure(name(), limit), used_pct());
  }
};

/// The figure a budget line checks; ConfigError at the line when the report has none.
double figure(const RunFigures& f, Metric m, const ConfigNode& where, const std::string& report_path) {
  const auto need = [&](const std::optional<double>& v, const char* key, const char* how) {
    if (!v)
      where.fail(std::string("a report with ") + key, "none in " + report_path,
                 std::string("run estimate with ") + how);
    return *v;
  };
  switch (m) {
    case Metric::kEnergy:
      return f.energy_j;
    case Metric::kTime:
      return f.time_s;
    case Metric::kAvgPower:  // energy in no time: no finite power meets a limit
      return f.time_s > 0 ? f.avg_power_w() : (f.energy_j > 0 ? INFINITY : 0.0);
    case Metric::kCo2e:
      return need(f.co2e_g, "co2e_g (operational carbon)", "--intensity, --region or --intensity-series");
    case Metric::kCo2eEmbodied:
      return need(f.co2e_embodied_g, "co2e_embodied_g", "a platform whose devices carry [devices.NAME.embodied]");
  }
  return 0;
}

/// Stages named `sel`, else every stage of kind `sel`, summed.
RunFigures stage_figures(const ReportData& r, const std::string& sel, const ConfigNode& where) {
  std::vector<const ReportData::Stage*> chosen;
  for (const auto& s : r.stages)
    if (s.name == sel) chosen.push_back(&s);
  if (chosen.empty())
    for (const auto& s : r.stages)
      if (s.kind == sel) chosen.push_back(&s);
  if (chosen.empty()) {
    std::vector<std::string> names;
    for (const auto& s : r.stages) {
      names.push_back(s.name);
      if (std::find(names.begin(), names.end(), s.kind) == names.end()) names.push_back(s.kind);
    }
    where.fail("a stage name or kind of " + r.path, "'" + sel + "'",
               names.empty() ? "the report has no stages" : core::did_you_mean(sel, names));
  }
  RunFigures f;
  bool all_co2e = true, all_emb = true;
  double co2e = 0, emb = 0;
  for (const auto* s : chosen) {
    f.energy_j += s->figures.energy_j;
    f.time_s += s->figures.time_s;
    all_co2e = all_co2e && s->figures.co2e_g;
    all_emb = all_emb && s->figures.co2e_embodied_g;
    co2e += s->figures.co2e_g.value_or(0);
    emb += s->figures.co2e_embodied_g.value_or(0);
  }
  if (all_co2e) f.co2e_g = co2e;
  if (all_emb) f.co2e_embodied_g = emb;
  return f;
}

void read_limits(std::vector<Line>& lines, const ConfigNode& t, const std::string& scope, const RunFigures& f,
                 const std::string& report_path) {
  t.check_keys(kMetricNames, "a budget metric");
  if (t.entries().empty()) t.fail("at least one limit (energy, time, avg_power, co2e, co2e_embodied)", "none");
  for (const auto& [k, v] : t.entries()) {
    const auto m = static_cast<Metric>(std::find(kMetricNames.begin(), kMetricNames.end(), k) - kMetricNames.begin());
    const double limit = limit_of(m, v);
    lines.push_back({scope, m, figure(f, m, v, report_path), limit, v.loc()});
  }
}

/// `s` with each character that has a replacement in `table` replaced.
std::string escape(const std::string& s, std::initializer_list<std::pair<char, const char*>> table) {
  std::string o;
  for (char c : s) {
    const auto* r = std::find_if(table.begin(), table.end(), [c](const auto& e) { return e.first == c; });
    if (r == table.end())
      o += c;
    else
      o += r->second;
  }
  return o;
}

std::string xml_escape(const std::string& s) {
  return escape(s, {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}});
}

std::string junit(const std::vector<Line>& lines, const BudgetArgs& a) {
  const auto failures = std::count_if(lines.begin(), lines.end(), [](const Line& l) { return !l.pass(); });
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"joulegraph check-budget\" tests=\"{}\" failures=\"{}\">\n", lines.size(),
                   failures);
  x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                   xml_escape(a.budget), lines.size(), failures);
  for (const auto& l : lines) {
    x += fmt::format("    <testcase classname=\"budget.{}\" name=\"{}\" file=\"{}\" line=\"{}\"", xml_escape(l.scope),
                     l.name(), xml_escape(a.budget), l.loc.line);
    if (l.pass()) {
      x += "/>\n";
      continue;
    }
    x += fmt::format(">\n      <failure type=\"over-budget\" message=\"{}\">{} in {}</failure>\n    </testcase>\n",
                     xml_escape(l.summary()), xml_escape(l.summary()), xml_escape(a.report));
  }
  return x + "  </testsuite>\n</testsuites>\n";
}

std::string markdown(const std::vector<Line>& lines, const BudgetArgs& a, const ReportData& r) {
  const auto failures = std::count_if(lines.begin(), lines.end(), [](const Line& l) { return !l.pass(); });
  std::string m = failures == 0 ? fmt::format("### ✅ joulegraph energy budget: all {} limits met\n\n", lines.size())
                                : fmt::format("### ❌ joulegraph energy budget: {} of {} limits exceeded\n\n", failures,
                                              lines.size());
  m += fmt::format("{} (workload {} on {}, {} boundary) against {}.\n\n", markdown_cell(r.path),
                   markdown_cell(r.workload), markdown_cell(r.platform), r.boundary, markdown_cell(a.budget));
  m += "| | Scope | Metric | Estimate | Budget | Used |\n|---|---|---|---:|---:|---:|\n";
  for (const auto& l : lines)
    m += fmt::format("| {} | {} | {} | {} | {} | {:.1f} % |\n", l.pass() ? "✅" : "❌", markdown_cell(l.scope), l.name(),
                     show_figure(l.name(), l.value), show_figure(l.name(), l.limit), l.used_pct());
  return m;
}

}  // namespace

std::string show_figure(const std::string& metric, double v) {
  if (metric == "energy") return core::format(core::Energy(v));
  if (metric == "time") return core::format(core::Time(v));
  if (metric == "avg_power") return core::format(core::Power(v));
  return report::format_co2e(v);
}

std::string markdown_cell(const std::string& s) {
  return escape(s, {{'|', "\\|"}, {'<', "&lt;"}, {'>', "&gt;"}, {'&', "&amp;"}});
}

std::string github_escape(const std::string& s, bool property) {
  return property ? escape(s, {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}, {':', "%3A"}, {',', "%2C"}})
                  : escape(s, {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}});
}

int cmd_check_budget(const BudgetArgs& a, std::ostream& out, std::ostream& err) {
  const ReportData r = read_report(a.report);
  const ConfigNode root = core::parse_toml_file(a.budget);
  root.check_keys({"schema_version", "total", "stage"}, "a budget key");
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  std::vector<Line> lines;
  if (const ConfigNode* t = root.find("total")) read_limits(lines, *t, "total", r.total, r.path);
  if (const ConfigNode* st = root.find("stage")) {
    if (!st->is_table() || st->entries().empty())
      st->fail("tables [stage.NAME] (a stage name or kind) of limits", st->is_table() ? "none" : st->describe());
    for (const auto& [sel, t] : st->entries()) read_limits(lines, t, "stage " + sel, stage_figures(r, sel, t), r.path);
  }
  if (lines.empty()) root.fail("a [total] or [stage.NAME] table of limits", "no limits");

  const auto failures = std::count_if(lines.begin(), lines.end(), [](const Line& l) { return !l.pass(); });
  out << fmt::format("budget {} against {} (workload '{}' on '{}', {} boundary):\n", a.budget, r.path, r.workload,
                     r.platform, r.boundary);
  for (const auto& l : lines)
    out << fmt::format("  {}  {:<22} {:<14} {:>14} of {:>14}  {:6.1f} %\n", l.pass() ? "ok  " : "OVER", l.scope,
                       l.name(), show_figure(l.name(), l.value), show_figure(l.name(), l.limit), l.used_pct());
  out << (failures == 0 ? fmt::format("within budget: {} limits met\n", lines.size())
                        : fmt::format("over budget: {} of {} limits exceeded\n", failures, lines.size()));
  if (a.github)
    for (const auto& l : lines)
      if (!l.pass())
        err << fmt::format("::error file={},line={},col={},title={}::{}\n", github_escape(a.budget, true), l.loc.line,
                           l.loc.column, github_escape(l.name() + " budget exceeded", true),
                           github_escape(l.summary(), false));
  if (!a.junit.empty()) report::write_file_atomic(a.junit, junit(lines, a), "--junit");
  if (!a.markdown.empty()) report::write_file_atomic(a.markdown, markdown(lines, a, r), "--markdown");
  return failures == 0 ? 0 : 1;
}

}  // namespace jg::cli
