#include "cli/budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
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

std::string show(Metric m, double v) {
  switch (m) {
    case Metric::kEnergy:
      return core::format(core::Energy(v));
    case Metric::kTime:
      return core::format(core::Time(v));
    case Metric::kAvgPower:
      return core::format(core::Power(v));
    case Metric::kCo2e:
    case Metric::kCo2eEmbodied:
      return report::format_co2e(v);
  }
  return {};
}

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
  [[nodiscard]] bool pass() const { return value <= limit; }
  [[nodiscard]] std::string name() const { return kMetricNames[static_cast<std::size_t>(metric)]; }
  [[nodiscard]] double used_pct() const { return limit > 0 ? 100 * value / limit : (value > 0 ? INFINITY : 0.0); }
  [[nodiscard]] std::string summary() const {
    return fmt::format("{} {} {} {} the {} budget ({:.1f} % of it)", scope, name(), show(metric, value),
                       pass() ? "is within" : "exceeds", show(metric, limit), used_pct());
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
    case Metric::kAvgPower:
      return f.avg_power_w();
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
    where.fail("a stage name or kind of " + r.path, "'" + sel + "'", core::did_you_mean(sel, names));
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
  if (!t.is_table()) t.fail("a table of limits such as energy = \"5 kJ\"", t.describe());
  if (t.entries().empty()) t.fail("at least one limit (energy, time, avg_power, co2e, co2e_embodied)", "none");
  for (const auto& [k, v] : t.entries()) {
    const auto it = std::find(kMetricNames.begin(), kMetricNames.end(), k);
    if (it == kMetricNames.end()) v.fail_unknown_key("a budget metric", k, kMetricNames);
    const auto m = static_cast<Metric>(it - kMetricNames.begin());
    const double limit = limit_of(m, v);
    lines.push_back({scope, m, figure(f, m, v, report_path), limit, v.loc()});
  }
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
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
  m += fmt::format("`{}` (workload `{}` on `{}`, {} boundary) against `{}`.\n\n", r.path, r.workload, r.platform,
                   r.boundary, a.budget);
  m += "| | Scope | Metric | Estimate | Budget | Used |\n|---|---|---|---:|---:|---:|\n";
  for (const auto& l : lines)
    m += fmt::format("| {} | {} | {} | {} | {} | {:.1f} % |\n", l.pass() ? "✅" : "❌", l.scope, l.name(),
                     show(l.metric, l.value), show(l.metric, l.limit), l.used_pct());
  return m;
}

}  // namespace

std::string github_escape(const std::string& s, bool property) {
  std::string o;
  for (char c : s) {
    if (c == '%')
      o += "%25";
    else if (c == '\r')
      o += "%0D";
    else if (c == '\n')
      o += "%0A";
    else if (property && c == ':')
      o += "%3A";
    else if (property && c == ',')
      o += "%2C";
    else
      o += c;
  }
  return o;
}

int cmd_check_budget(const BudgetArgs& a, std::ostream& out) {
  const ReportData r = read_report(a.report);
  const ConfigNode root = core::parse_toml_file(a.budget);
  for (const auto& [k, v] : root.entries())
    if (k != "schema_version" && k != "total" && k != "stage")
      v.fail_unknown_key("a budget key", k, {"schema_version", "total", "stage"});
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  std::vector<Line> lines;
  if (const ConfigNode* t = root.find("total")) read_limits(lines, *t, "total", r.total, r.path);
  if (const ConfigNode* st = root.find("stage")) {
    if (!st->is_table()) st->fail("tables [stage.NAME] (a stage name or kind)", st->describe());
    for (const auto& [sel, t] : st->entries()) read_limits(lines, t, "stage " + sel, stage_figures(r, sel, t), r.path);
  }
  if (lines.empty()) root.fail("a [total] or [stage.NAME] table of limits", "no limits");

  const auto failures = std::count_if(lines.begin(), lines.end(), [](const Line& l) { return !l.pass(); });
  out << fmt::format("budget {} against {} (workload '{}' on '{}', {} boundary):\n", a.budget, r.path, r.workload,
                     r.platform, r.boundary);
  for (const auto& l : lines)
    out << fmt::format("  {}  {:<22} {:<14} {:>14} of {:>14}  {:6.1f} %\n", l.pass() ? "ok  " : "OVER", l.scope,
                       l.name(), show(l.metric, l.value), show(l.metric, l.limit), l.used_pct());
  out << (failures == 0 ? fmt::format("within budget: {} limits met\n", lines.size())
                        : fmt::format("over budget: {} of {} limits exceeded\n", failures, lines.size()));
  if (a.github)
    for (const auto& l : lines)
      if (!l.pass())
        out << fmt::format("::error file={},line={},col={},title={}::{}\n", github_escape(a.budget, true), l.loc.line,
                           l.loc.column, github_escape("energy budget exceeded", true),
                           github_escape(l.summary(), false));
  if (!a.junit.empty()) report::write_file_atomic(a.junit, junit(lines, a));
  if (!a.markdown.empty()) report::write_file_atomic(a.markdown, markdown(lines, a, r));
  return failures == 0 ? 0 : 1;
}

}  // namespace jg::cli
