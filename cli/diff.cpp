// `joulegraph diff BASE.json NEW.json`: what changed between two reports, per total, stage,
// component and op, sorted by impact; a rise of a total or stage figure beyond the tolerance is
// a regression (exit 1). Writes its JSON form with nlohmann-json.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "cli/budget.hpp"
#include "cli/report_reader.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/report/report.hpp"

namespace jg::cli {

namespace {

enum class Section { kTotal, kStage, kComponent, kOp };
const char* section_name(Section s) {
  switch (s) {
    case Section::kTotal:
      return "total";
    case Section::kStage:
      return "stage";
    case Section::kComponent:
      return "component";
    case Section::kOp:
      return "op";
  }
  return "";
}

struct Change {
  Section section = Section::kTotal;
  std::string item;    ///< "training", "training / gpu.pe", "training / conv1"
  std::string metric;  ///< energy | time | co2e | co2e_embodied
  std::optional<double> base, now;
  double impact = 0;  ///< |change| / the base run's total of the metric
  bool regression = false;
  [[nodiscard]] double delta() const { return now.value_or(0) - base.value_or(0); }
  [[nodiscard]] std::optional<double> rel() const {
    if (!base || !now || *base == 0) return std::nullopt;
    return delta() / *base;
  }
};

std::string signed_show(const std::string& metric, double v) {
  return (v >= 0 ? "+" : "-") + show_figure(metric, std::fabs(v));
}

class Differ {
 public:
  Differ(const ReportData& b, double tol) : m_base(b), m_tol(tol) {}

  void add(Section s, const std::string& item, const std::string& metric, std::optional<double> base,
           std::optional<double> now, bool gated) {
    if (base && now && std::fabs(*now - *base) <= 1e-12 * std::max(std::fabs(*base), std::fabs(*now))) return;
    if (!base && !now) return;
    Change c{s, item, metric, base, now, 0, false};
    const double total = metric == "energy" ? m_base.total.energy_j
                         : metric == "time" ? m_base.total.time_s
                         : metric == "co2e" ? m_base.total.co2e_g.value_or(0)
                                            : m_base.total.co2e_embodied_g.value_or(0);
    c.impact = total > 0 ? std::fabs(c.delta()) / total : std::fabs(c.delta());
    if (gated && base && now) c.regression = *base > 0 ? c.delta() / *base > m_tol : *now > 0;
    m_changes.push_back(c);
  }
  /// By section; within one, items by their largest impact, each item's metrics together in the
  /// order they were added (energy, time, co2e, co2e_embodied).
  std::vector<Change> sorted() {
    std::map<std::pair<Section, std::string>, double> item_impact;
    for (const auto& c : m_changes) {
      double& v = item_impact[{c.section, c.item}];
      v = std::max(v, c.impact);
    }
    std::stable_sort(m_changes.begin(), m_changes.end(), [&](const Change& a, const Change& b) {
      if (a.section != b.section) return a.section < b.section;
      const double ia = item_impact[{a.section, a.item}], ib = item_impact[{b.section, b.item}];
      if (ia != ib) return ia > ib;
      return a.item < b.item;
    });
    return m_changes;
  }

 private:
  const ReportData& m_base;
  double m_tol;
  std::vector<Change> m_changes;
};

void add_figures(Differ& d, Section s, const std::string& item, const RunFigures* b, const RunFigures* n) {
  d.add(s, item, "energy", b ? std::optional(b->energy_j) : std::nullopt, n ? std::optional(n->energy_j) : std::nullopt,
        true);
  d.add(s, item, "time", b ? std::optional(b->time_s) : std::nullopt, n ? std::optional(n->time_s) : std::nullopt,
        true);
  // Carbon on one side only (an intensity option given to one estimate) is listed, never gated.
  const auto co2e = [](const RunFigures* f) { return f ? f->co2e_g : std::nullopt; };
  const auto emb = [](const RunFigures* f) { return f ? f->co2e_embodied_g : std::nullopt; };
  d.add(s, item, "co2e", co2e(b), co2e(n), co2e(b) && co2e(n));
  d.add(s, item, "co2e_embodied", emb(b), emb(n), emb(b) && emb(n));
}

/// Pairs named rows, the k-th of a name with the k-th of the same name.
template <class Fn>
void pair_named(const std::vector<ReportData::Named>& b, const std::vector<ReportData::Named>& n, Fn&& fn) {
  std::map<std::string, std::vector<const ReportData::Named*>> nb, nn;
  std::vector<std::string> order;
  for (const auto& x : b) {
    if (!nb.count(x.name) && !nn.count(x.name)) order.push_back(x.name);
    nb[x.name].push_back(&x);
  }
  for (const auto& x : n) {
    if (!nb.count(x.name) && !nn.count(x.name)) order.push_back(x.name);
    nn[x.name].push_back(&x);
  }
  for (const auto& name : order) {
    const auto& vb = nb[name];
    const auto& vn = nn[name];
    for (std::size_t k = 0; k < std::max(vb.size(), vn.size()); ++k)
      fn(k == 0 ? name : name + " #" + std::to_string(k + 1), k < vb.size() ? vb[k] : nullptr,
         k < vn.size() ? vn[k] : nullptr);
  }
}

std::vector<Change> compare(const ReportData& b, const ReportData& n, double tol) {
  Differ d(b, tol);
  add_figures(d, Section::kTotal, "total", &b.total, &n.total);
  std::vector<std::string> names;
  for (const auto& s : b.stages) names.push_back(s.name);
  for (const auto& s : n.stages)
    if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);
  for (const auto& name : names) {
    const auto find = [&](const ReportData& r) -> const ReportData::Stage* {
      for (const auto& s : r.stages)
        if (s.name == name) return &s;
      return nullptr;
    };
    const auto* sb = find(b);
    const auto* sn = find(n);
    add_figures(d, Section::kStage, name, sb ? &sb->figures : nullptr, sn ? &sn->figures : nullptr);
    static const std::vector<ReportData::Named> kNone;
    pair_named(sb ? sb->components : kNone, sn ? sn->components : kNone,
               [&](const std::string& id, const ReportData::Named* x, const ReportData::Named* y) {
                 d.add(Section::kComponent, name + " / " + id, "energy", x ? std::optional(x->energy_j) : std::nullopt,
                       y ? std::optional(y->energy_j) : std::nullopt, false);
               });
    pair_named(sb ? sb->ops : kNone, sn ? sn->ops : kNone,
               [&](const std::string& op, const ReportData::Named* x, const ReportData::Named* y) {
                 d.add(Section::kOp, name + " / " + op, "energy", x ? std::optional(x->energy_j) : std::nullopt,
                       y ? std::optional(y->energy_j) : std::nullopt, false);
                 d.add(Section::kOp, name + " / " + op, "time", x ? std::optional(x->time_s) : std::nullopt,
                       y ? std::optional(y->time_s) : std::nullopt, false);
               });
  }
  return d.sorted();
}

/// "total energy", "stage train time", "op train / conv1 energy".
std::string label(const Change& c) {
  return c.section == Section::kTotal ? "total " + c.metric
                                      : std::string(section_name(c.section)) + " " + c.item + " " + c.metric;
}

std::string change_text(const Change& c) {
  if (!c.base) return fmt::format("added, {}", show_figure(c.metric, *c.now));
  if (!c.now) return fmt::format("removed, was {}", show_figure(c.metric, *c.base));
  const auto r = c.rel();
  return fmt::format("{} -> {} ({}{})", show_figure(c.metric, *c.base), show_figure(c.metric, *c.now),
                     signed_show(c.metric, c.delta()), r ? fmt::format(", {:+.1f} %", 100 * *r) : std::string());
}

/// "5%" (any percentage), or a bare fraction up to 1 ("0.05").
double parse_tolerance(const std::string& text) {
  double v = -1;
  try {
    const core::ParsedQuantity q = core::parse_quantity(text);
    if (q.dim == core::dims::kNone) v = q.si;
  } catch (const core::QuantitySyntaxError&) {
  }
  const bool percent = text.find('%') != std::string::npos;
  if (!(v >= 0) || !std::isfinite(v) || (!percent && v > 1))
    throw core::ConfigError({{},
                             "--tolerance",
                             "a relative tolerance: a percentage such as 5% or a fraction up to 1 such as 0.05",
                             "\"" + text + "\"",
                             !percent && v > 1 ? "did you mean " + text + "%?" : ""});
  return v;
}

}  // namespace

int cmd_diff(const DiffArgs& a, std::ostream& out, std::ostream& err) {
  const double tol = parse_tolerance(a.tolerance);
  const ReportData b = read_report(a.base);
  const ReportData n = read_report(a.now);
  if (b.boundary != n.boundary)
    throw core::ConfigError({n.boundary_loc, "boundary", "the base report's boundary, " + b.boundary, n.boundary,
                             "estimate both with the same --boundary"});
  const std::vector<Change> changes = compare(b, n, tol);
  const auto regressions = std::count_if(changes.begin(), changes.end(), [](const Change& c) { return c.regression; });
  std::map<Section, std::size_t> shown;
  const auto visible = [&](const Change& c) {
    return c.section == Section::kTotal || c.section == Section::kStage || shown[c.section]++ < a.top;
  };
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["base"] = a.base;
    j["new"] = a.now;
    j["tolerance"] = tol;
    j["regressions"] = regressions;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& c : changes) {
      nlohmann::ordered_json r{{"section", section_name(c.section)}, {"item", c.item}, {"metric", c.metric}};
      r["base"] = c.base ? nlohmann::ordered_json(*c.base) : nlohmann::ordered_json(nullptr);
      r["new"] = c.now ? nlohmann::ordered_json(*c.now) : nlohmann::ordered_json(nullptr);
      r["change"] = c.delta();
      r["change_pct"] = c.rel() ? nlohmann::ordered_json(100 * *c.rel()) : nlohmann::ordered_json(nullptr);
      r["regression"] = c.regression;
      rows.push_back(r);
    }
    j["changes"] = rows;
    out << j.dump(2) << "\n";
  } else {
    out << fmt::format("diff {} -> {} ({} boundary; a total or stage rising more than {:.3g} % is a regression)\n",
                       a.base, a.now, n.boundary, 100 * tol);
    if (b.platform != n.platform || b.workload != n.workload)
      out << fmt::format("  note: base is '{}' on '{}', new is '{}' on '{}'\n", b.workload, b.platform, n.workload,
                         n.platform);
    if (changes.empty()) out << "no differences\n";
    for (const auto& c : changes)
      if (visible(c))
        out << fmt::format("  {:<9} {:<40} {:<13} {}{}\n", section_name(c.section), c.item, c.metric, change_text(c),
                           c.regression ? "  REGRESSION" : "");
    if (!changes.empty())
      out << (regressions == 0 ? std::string("no regression\n")
                               : fmt::format("{} regression(s) beyond {:.3g} %\n", regressions, 100 * tol));
  }
  if (a.github)
    for (const auto& c : changes)
      if (c.regression)
        err << fmt::format("::error title={}::{}\n", github_escape(c.metric + " regression", true),
                           github_escape(label(c) + ": " + change_text(c), false));
  if (!a.markdown.empty()) {
    std::string m = regressions == 0 ? "### ✅ joulegraph diff: no regression\n\n"
                                     : fmt::format("### ❌ joulegraph diff: {} regression(s) beyond {:.3g} %\n\n",
                                                   regressions, 100 * tol);
    m += fmt::format("{} → {}, {} boundary.\n\n", markdown_cell(a.base), markdown_cell(a.now), n.boundary);
    if (changes.empty())
      m += "No differences.\n";
    else {
      m += "| | Section | Item | Metric | Change |\n|---|---|---|---|---|\n";
      shown.clear();
      for (const auto& c : changes)
        if (visible(c))
          m += fmt::format("| {} | {} | {} | {} | {} |\n", c.regression ? "❌" : "", section_name(c.section),
                           markdown_cell(c.item), c.metric, markdown_cell(change_text(c)));
    }
    report::write_file_atomic(a.markdown, m, "--markdown");
  }
  return regressions == 0 ? 0 : 1;
}

}  // namespace jg::cli
