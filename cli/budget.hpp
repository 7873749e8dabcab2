// The CI gate: `joulegraph check-budget` (a report against a budget file) and `joulegraph diff`
// (two reports), with outputs for pipelines: JUnit XML, a Markdown summary for a pull request,
// GitHub Actions annotations.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace jg::cli {

/// GitHub Actions workflow-command escaping of a message (`property`: of a property value, which
/// also escapes ':' and ',').
std::string github_escape(const std::string& s, bool property);

/// A figure for people: energy (J), time (s), avg_power (W) auto-scaled; co2e and co2e_embodied
/// (grams) as g/kg/t CO2e.
std::string show_figure(const std::string& metric, double v);

/// Markdown table-cell text: '|' escaped, HTML special characters as entities.
std::string markdown_cell(const std::string& s);

struct BudgetArgs {
  std::string budget;    ///< budget TOML
  std::string report;    ///< JSON report of `estimate --format json`
  std::string junit;     ///< write JUnit XML here ("" none)
  std::string markdown;  ///< write a Markdown summary here ("" none)
  bool github = false;   ///< print GitHub Actions annotations (GITHUB_ACTIONS=true)
};
/// 0 within budget, 1 over it; ConfigError (exit 2) on bad input.
/// Annotations (GitHub workflow commands) go to `err`.
int cmd_check_budget(const BudgetArgs& a, std::ostream& out, std::ostream& err);

struct DiffArgs {
  std::string base, now;  ///< JSON reports
  std::string tolerance = "5%";
  std::string format = "table";  ///< table | json
  std::string markdown;          ///< write a Markdown summary here ("" none)
  std::size_t top = 20;          ///< rows per section (components, ops)
  bool github = false;
};
/// 0 without regression, 1 when a total or stage figure rose by more than the tolerance
/// (`tolerance`: "5%", or a fraction up to 1 such as "0.05").
int cmd_diff(const DiffArgs& a, std::ostream& out, std::ostream& err);

}  // namespace jg::cli
