// Sweeps and optimization over a design space (sweep.hpp).
//
// A sweep file names a platform, a workload and axes. An axis is a power-mode axis (power_mode,
// or a knob of the platform's [power_modes] such as gpu_freq: a "fast" axis, set on a copy of a
// built platform and evaluated through an eval::Plan without rebuilding anything) or any other
// key --set accepts (batch, dtype, devices.gpu.power_cap, ...: a "slow" axis, which rebuilds the
// platform and the graph once per combination of slow-axis values). Points are the Cartesian
// product, slow axes outermost, or a seeded sample of it; they are evaluated in parallel blocks
// and written in order, so the output is the same whatever the thread count.
#include "cli/sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "cli/study.hpp"
#include "engine/core/error.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/quantity.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/eval/pareto.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"

namespace jg::cli {

using namespace jg::core;

namespace {

/// A built combination of slow-axis values: platform, graph, plan, the stages compared.
struct Combo {
  hw::Platform platform;
  wl::Graph graph;
  std::optional<eval::Plan> plan;
  std::vector<std::size_t> selected;  ///< stages whose figures are compared
  std::vector<double> base_values;    ///< the power-mode knob values before fast axes
  std::vector<int> column;            ///< per stage: its per-stage column (CSV), -1 none
};

/// Runs the sweep: builds combinations as blocks need them, evaluates points in parallel and
/// hands each block's results to the caller in order.
class Runner {
 public:
  Runner(const SweepSpec& spec, int threads) : spec_(spec), threads_(threads) {
    hw_ = load_input("platform", spec.platform);
    base_ = std::make_unique<hw::Platform>(hw::load_platform(hw_.root, hw::builtin_registry()));
    space_ = make_space(resolve_axes(spec, *base_), spec);
    fast_axes_ =
        std::any_of(space_.axes.begin(), space_.axes.end(), [](const Axis& a) { return a.kind != Axis::Kind::kSlow; });
    if (space_.points() > 0) build(space_.index(0) / space_.fast);
  }
  [[nodiscard]] const Space& space() const { return space_; }
  [[nodiscard]] const Combo& first() const { return *combos_.begin()->second; }
  [[nodiscard]] const hw::Platform& base() const { return *base_; }

  /// Per point (in a worker; `text` is its chunk's buffer) and per block (serially, in order;
  /// returns false to stop).
  using PointFn = std::function<void(std::uint64_t ordinal, const std::vector<std::size_t>& values, const Combo&,
                                     const eval::Ledger&, const Figures&, std::string& text)>;
  using BlockFn = std::function<bool(const std::string& text, std::uint64_t done)>;
  void run(const PointFn& per_point, const BlockFn& per_block) {
    const std::uint64_t n = space_.points();
    constexpr std::uint64_t kBlock = 1 << 15;
    constexpr std::size_t kChunk = 1024;
    for (std::uint64_t start = 0; start < n; start += kBlock) {
      const std::uint64_t end = std::min(n, start + kBlock);
      const std::uint64_t c0 = space_.index(start) / space_.fast;
      for (auto it = combos_.begin(); it != combos_.end();)  // passed combinations are never needed again
        it = it->first < c0 ? combos_.erase(it) : std::next(it);
      std::vector<std::uint64_t> missing;  // combination indices do not decrease along the points
      for (std::uint64_t o = start; o < end; ++o) {
        const std::uint64_t c = space_.index(o) / space_.fast;
        if ((missing.empty() || missing.back() != c) && !combos_.count(c)) missing.push_back(c);
      }
      build_all(missing);
      const std::size_t len = static_cast<std::size_t>(end - start);
      std::vector<std::string> texts(chunk_count(len, kChunk));
      for_each_chunk(len, kChunk, threads_, [&](std::size_t ci, std::size_t b, std::size_t e) {
        Worker& w = worker();
        std::vector<std::size_t> vi;
        std::vector<double> knobs;
        for (std::size_t i = b; i < e; ++i) {
          const std::uint64_t ordinal = start + i;
          const std::uint64_t index = space_.index(ordinal);
          const std::uint64_t ck = index / space_.fast;
          const Combo& combo = *combos_.at(ck);
          if (w.combo != ck || !w.platform) {
            w.platform = std::make_unique<hw::Platform>(combo.platform);
            w.plan = std::make_unique<eval::Plan>(*combo.plan);
            w.combo = ck;
          }
          space_.values_of(index, vi);
          if (fast_axes_) {
            knobs = combo.base_values;
            for (std::size_t a = 0; a < space_.axes.size(); ++a) {
              const Axis& ax = space_.axes[a];
              if (ax.kind == Axis::Kind::kPreset)
                knobs = combo.platform.power_modes.presets[ax.values[vi[a]].preset].setting;
            }
            for (std::size_t a = 0; a < space_.axes.size(); ++a)
              if (space_.axes[a].kind == Axis::Kind::kKnob)
                knobs[space_.axes[a].knob] = space_.axes[a].values[vi[a]].si;
            if (!knobs.empty()) set_mode(*w.platform, combo.platform, knobs);
          }
          const eval::Ledger led = w.plan->evaluate(*w.platform);
          const Figures f = figures_of(led, combo.selected);
          per_point(ordinal, vi, combo, led, f, texts[ci]);
        }
      });
      std::string text;
      for (auto& t : texts) text += t;
      if (!per_block(text, end)) return;
    }
  }

  /// Labels of a point's axis values (output order).
  void labels(std::uint64_t ordinal, std::vector<const AxisValue*>& out) const {
    std::vector<std::size_t> vi;
    space_.values_of(space_.index(ordinal), vi);
    out.clear();
    for (std::size_t a = 0; a < space_.axes.size(); ++a) out.push_back(&space_.axes[a].values[vi[a]]);
  }

  /// Per-stage CSV columns: the first combination's stage names.
  std::vector<std::string> stage_columns;
  /// Called (serially) for every combination built after the first.
  std::function<void(const Combo&)> on_build;

 private:
  struct Worker {
    std::uint64_t combo = 0;
    std::unique_ptr<hw::Platform> platform;
    std::unique_ptr<eval::Plan> plan;
  };

  Worker& worker() {
    std::lock_guard<std::mutex> lock(mu_);
    return workers_[std::this_thread::get_id()];
  }

  void build_all(const std::vector<std::uint64_t>& missing) {
    if (missing.empty()) return;
    std::vector<std::unique_ptr<Combo>> built(missing.size());
    for_each_chunk(missing.size(), 1, threads_,
                   [&](std::size_t i, std::size_t, std::size_t) { built[i] = make_combo(missing[i]); });
    for (std::size_t i = 0; i < missing.size(); ++i) {
      place_columns(*built[i]);
      if (on_build) on_build(*built[i]);
      combos_[missing[i]] = std::move(built[i]);
    }
  }

  void build(std::uint64_t c) {
    auto combo = make_combo(c);
    for (const auto& st : combo->graph.stages) stage_columns.push_back(st.name);
    place_columns(*combo);
    combos_[c] = std::move(combo);
  }

  void place_columns(Combo& c) const {
    c.column.clear();
    for (const auto& st : c.graph.stages) {
      auto it = std::find(stage_columns.begin(), stage_columns.end(), st.name);
      c.column.push_back(it == stage_columns.end() ? -1 : static_cast<int>(it - stage_columns.begin()));
    }
  }

  /// Builds the combination with slow-axis values of combination index c. A ConfigError raised
  /// by one of its assignments is reported where the sweep file writes that value.
  std::unique_ptr<Combo> make_combo(std::uint64_t c) const {
    std::vector<std::string> sets = spec_.sets;
    std::vector<const ConfigNode*> nodes = spec_.set_nodes;
    std::vector<std::size_t> vi;
    space_.values_of(c * space_.fast, vi);
    for (std::size_t a = 0; a < space_.axes.size(); ++a) {
      const Axis& ax = space_.axes[a];
      if (ax.kind != Axis::Kind::kSlow) continue;
      sets.push_back(ax.key + "=" + ax.values[vi[a]].text);
      const ConfigNode* n = ax.node;
      if (n->is_array()) n = &n->items()[vi[a]];
      nodes.push_back(n);
    }
    auto combo = std::make_unique<Combo>();
    try {
      Built b = build_combination(hw_, *base_, spec_.workload, sets, spec_.stage, spec_.stage_node);
      combo->platform = std::move(b.platform);
      combo->graph = std::move(b.graph);
      combo->selected = std::move(b.selected);
    } catch (const ConfigError& e) {
      const auto& d = e.detail();
      for (std::size_t i = 0; i < sets.size(); ++i)
        if (d.loc.file.rfind("<--set ", 0) == 0 && d.loc.file.size() >= sets[i].size() + 1 &&
            d.loc.file.compare(d.loc.file.size() - sets[i].size() - 1, std::string::npos, sets[i] + ">") == 0) {
          const std::string key = sets[i].substr(0, sets[i].find('='));
          throw ConfigError({nodes[i]->loc(), key, d.expected, d.found,
                             d.hint.empty() ? "(as --set " + sets[i] + ")" : d.hint + " (as --set " + sets[i] + ")"});
        }
      throw;
    }
    combo->plan.emplace(combo->platform, combo->graph);
    combo->base_values = combo->platform.power_modes.active_values;
    return combo;
  }

  const SweepSpec& spec_;
  int threads_;
  bool fast_axes_ = false;
  LoadedInput hw_;
  std::unique_ptr<hw::Platform> base_;
  Space space_;
  std::map<std::uint64_t, std::unique_ptr<Combo>> combos_;
  std::mutex mu_;
  std::map<std::thread::id, Worker> workers_;
};

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

/// Ctrl-C sets a flag the runner checks between blocks; the previous handler is restored.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    previous_ = std::signal(SIGINT, on_sigint);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  [[nodiscard]] static bool interrupted() { return g_interrupted != 0; }

 private:
  void (*previous_)(int) = nullptr;
};

/// A progress line with rate and ETA on standard error when it is a terminal.
class Progress {
 public:
  Progress(std::ostream& err, std::uint64_t total)
      : err_(err), total_(total), on_(&err == &std::cerr && ::isatty(STDERR_FILENO)), t0_(clock::now()) {}
  void update(std::uint64_t done) {
    if (!on_) return;
    const double s = std::chrono::duration<double>(clock::now() - t0_).count();
    const double rate = s > 0 ? static_cast<double>(done) / s : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int width = 30;
    const int fill = total_ ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total_)) : width;
    err_ << fmt::format("\r[{:<{}}] {}/{} points  {:.3g} points/s  ETA {:.1f} s ",
                        std::string(static_cast<std::size_t>(fill), '#'), width, done, total_, rate, eta)
         << std::flush;
  }
  void done() {
    if (on_) err_ << "\n";
  }

 private:
  using clock = std::chrono::steady_clock;
  std::ostream& err_;
  std::uint64_t total_;
  bool on_;
  clock::time_point t0_;
};

std::string num(double v) { return fmt::format("{}", v); }

}  // namespace

int cmd_sweep(const SweepArgs& a, std::ostream& out, std::ostream& err) {
  InterruptGuard guard;  // from the start: Ctrl-C while loading stops after the first block
  const SweepSpec spec = read_spec(a.file);
  Runner runner(spec, a.threads);
  const Space& sp = runner.space();
  const bool csv = a.format == "csv";
  const bool selected = !spec.stage.empty();
  std::string header;
  if (csv) {
    for (const auto& ax : sp.axes) header += report::csv_field(ax.key) + ",";
    header += "energy_j,time_s,avg_power_w";
    if (selected) header += ",total_energy_j,total_time_s";
    for (const auto& s : runner.stage_columns) header += "," + report::csv_field("energy_j." + s);
    header += "\n";
  }
  const std::size_t stage_cols = runner.stage_columns.size();
  Runner::PointFn per_point = [&](std::uint64_t, const std::vector<std::size_t>& vi, const Combo& combo,
                                  const eval::Ledger& led, const Figures& f, std::string& text) {
    auto to = std::back_inserter(text);
    const double power = f.time_s > 0 ? f.energy_j / f.time_s : 0.0;
    if (csv) {
      for (std::size_t i = 0; i < vi.size(); ++i) text += sp.axes[i].values[vi[i]].csv;
      fmt::format_to(to, "{},{},{}", f.energy_j, f.time_s, power);
      if (selected) fmt::format_to(to, ",{},{}", f.total_energy_j, f.total_time_s);
      std::array<double, 16> small{};
      std::vector<double> big;
      double* cols = stage_cols <= small.size() ? small.data() : (big.assign(stage_cols, 0.0), big.data());
      for (std::size_t s = 0; s < led.stages.size(); ++s)
        if (combo.column[s] >= 0) cols[combo.column[s]] += led.stages[s].energy_j;
      for (std::size_t c = 0; c < stage_cols; ++c) fmt::format_to(to, ",{}", cols[c]);
      text += '\n';
    } else {
      text += '{';
      for (std::size_t i = 0; i < vi.size(); ++i) text += sp.axes[i].values[vi[i]].json;
      fmt::format_to(to, "\"energy_j\":{},\"time_s\":{},\"avg_power_w\":{}", f.energy_j, f.time_s, power);
      if (selected) fmt::format_to(to, ",\"total_energy_j\":{},\"total_time_s\":{}", f.total_energy_j, f.total_time_s);
      text += ",\"stages\":{";
      for (std::size_t s = 0; s < led.stages.size(); ++s)
        fmt::format_to(to, "{}{}:{{\"energy_j\":{},\"time_s\":{}}}", s ? "," : "",
                       report::json_string(led.stages[s].name), led.stages[s].energy_j, led.stages[s].time_s);
      text += "}}\n";
    }
  };
  // Stage names that fit no CSV column would be lost: refuse rather than drop them.
  auto check_columns = [&](const Combo& c) {
    if (!csv) return;
    for (std::size_t s = 0; s < c.column.size(); ++s)
      if (c.column[s] < 0)
        throw ConfigError({spec.root.loc(), "axes", "the same stages at every point (CSV has one column per stage)",
                           "stage '" + c.graph.stages[s].name + "' not among " +
                               [&] {
                                 std::string l;
                                 for (const auto& n : runner.stage_columns) l += (l.empty() ? "" : ", ") + n;
                                 return l;
                               }(),
                           "use --format jsonl"});
  };
  check_columns(runner.first());
  runner.on_build = check_columns;
  std::unique_ptr<report::AtomicFile> file;
  if (!a.out.empty()) file = std::make_unique<report::AtomicFile>(a.out);
  std::ostream& os = file ? file->stream() : out;
  os << header;
  Progress progress(err, sp.points());
  std::uint64_t written = 0;
  runner.run(per_point, [&](const std::string& text, std::uint64_t done) {
    os << text;
    os.flush();
    written = done;
    progress.update(done);
    return !InterruptGuard::interrupted();
  });
  progress.done();
  if (file) file->commit();
  if (written < sp.points()) {
    err << fmt::format("joulegraph sweep: interrupted after {} of {} points; {} holds complete rows for them\n",
                       written, sp.points(), a.out.empty() ? "standard output" : a.out);
    return 130;
  }
  return 0;
}

namespace {

std::string axis_text(const Runner& r, std::uint64_t ordinal) {
  std::vector<const AxisValue*> labels;
  r.labels(ordinal, labels);
  std::string s;
  for (std::size_t i = 0; i < labels.size(); ++i) s += (i ? " " : "") + r.space().axes[i].key + "=" + labels[i]->label;
  return s;
}

std::string point_json(const Runner& r, std::uint64_t ordinal, const eval::Figures& f) {
  std::vector<const AxisValue*> labels;
  r.labels(ordinal, labels);
  std::string s = "{";
  for (std::size_t i = 0; i < labels.size(); ++i)
    s += report::json_string(r.space().axes[i].key) + ": " +
         (labels[i]->number ? labels[i]->label : report::json_string(labels[i]->label)) + ", ";
  return s + fmt::format("\"time_s\": {}, \"energy_j\": {}, \"avg_power_w\": {}, \"edp_js\": {}}}", f.time_s,
                         f.energy_j, f.avg_power_w(), f.edp_js());
}

template <class Q>
double parse_limit(const std::string& text, const std::string& option) {
  try {
    const double v = parse_as<Q>(text).si();
    if (!(v > 0)) throw QuantitySyntaxError("not positive");
    return v;
  } catch (const QuantitySyntaxError&) {
    throw ConfigError({SourceLoc{option, 0, 0, {}}, option,
                       "a positive " + dim_noun(Q::dim()) + " such as " + example_for(Q::dim()), "'" + text + "'", ""});
  }
}

}  // namespace

int cmd_optimize(const OptimizeArgs& a, std::ostream& out, std::ostream& err) {
  eval::Limits limits;
  if (!a.max_power.empty()) limits.max_power_w = parse_limit<Power>(a.max_power, "--max-power");
  if (!a.deadline.empty()) limits.deadline_s = parse_limit<Time>(a.deadline, "--deadline");
  const eval::Objective obj = a.objective == "energy" ? eval::Objective::kEnergy
                              : a.objective == "edp"  ? eval::Objective::kEdp
                                                      : eval::Objective::kTime;
  InterruptGuard guard;
  const SweepSpec spec = read_spec(a.file);
  Runner runner(spec, a.threads);
  const Space& sp = runner.space();
  std::vector<eval::Figures> pts(static_cast<std::size_t>(sp.points()));
  Progress progress(err, sp.points());
  std::uint64_t evaluated = 0;
  runner.run(
      [&](std::uint64_t o, const std::vector<std::size_t>&, const Combo&, const eval::Ledger&, const Figures& f,
          std::string&) {
        pts[static_cast<std::size_t>(o)] = {f.time_s, f.energy_j};
      },
      [&](const std::string&, std::uint64_t done) {
        evaluated = done;
        progress.update(done);
        return !InterruptGuard::interrupted();
      });
  progress.done();
  if (evaluated < sp.points()) {
    err << fmt::format("joulegraph optimize: interrupted after {} of {} points; nothing chosen\n", evaluated,
                       sp.points());
    return 130;
  }
  std::vector<double> t, e, p;
  for (const auto& f : pts) {
    t.push_back(f.time_s);
    e.push_back(f.energy_j);
    p.push_back(f.avg_power_w());
  }
  const std::vector<std::size_t> front = eval::pareto_front(t, e);
  const std::vector<std::size_t> front_p = eval::pareto_front(t, p);
  const eval::Choice ch = eval::choose(pts, obj, limits);
  std::string limit_text;
  if (limits.max_power_w > 0) limit_text += "average power <= " + format(Power(limits.max_power_w));
  if (limits.deadline_s > 0)
    limit_text += (limit_text.empty() ? "" : ", ") + ("time <= " + format(Time(limits.deadline_s)));
  const std::string what = spec.stage.empty() ? "the whole workload" : "stage " + spec.stage;
  if (!ch.best) {
    // Nothing meets the limits: say how close the space comes.
    const auto lowest_p = std::min_element(p.begin(), p.end()) - p.begin();
    const auto fastest = std::min_element(t.begin(), t.end()) - t.begin();
    err << "joulegraph optimize: no point of " << sp.points() << " meets " << limit_text << " (" << what << ").\n";
    if (limits.max_power_w > 0)
      err << "  the lowest average power is " << format(Power(p[static_cast<std::size_t>(lowest_p)])) << " at "
          << axis_text(runner, static_cast<std::uint64_t>(lowest_p)) << "\n";
    if (limits.deadline_s > 0)
      err << "  the shortest time is " << format(Time(t[static_cast<std::size_t>(fastest)])) << " at "
          << axis_text(runner, static_cast<std::uint64_t>(fastest)) << "\n";
    return 1;
  }
  const eval::Figures& best = pts[*ch.best];
  const double bv = eval::objective_value(best, obj);
  if (a.format == "json") {
    out << "{\n  \"objective\": " << report::json_string(a.objective) << ",\n";
    out << "  \"limits\": {\"max_power_w\": " << (limits.max_power_w > 0 ? num(limits.max_power_w) : "null")
        << ", \"deadline_s\": " << (limits.deadline_s > 0 ? num(limits.deadline_s) : "null") << "},\n";
    out << "  \"stage\": " << (spec.stage.empty() ? "null" : report::json_string(spec.stage)) << ",\n";
    out << "  \"points_evaluated\": " << sp.points() << ",\n  \"feasible\": " << ch.feasible << ",\n";
    out << "  \"best\": " << point_json(runner, *ch.best, best) << ",\n";
    out << "  \"ties\": " << ch.ties << ",\n";
    if (ch.next) {
      const double nv = eval::objective_value(pts[*ch.next], obj);
      out << "  \"next_best\": " << point_json(runner, *ch.next, pts[*ch.next]) << ",\n";
      out << "  \"next_best_gap\": " << num(bv > 0 ? nv / bv - 1 : 0.0) << ",\n";
    } else {
      out << "  \"next_best\": null,\n  \"next_best_gap\": null,\n";
    }
    for (int k = 0; k < 2; ++k) {
      const auto& f = k == 0 ? front : front_p;
      out << (k == 0 ? "  \"pareto\": [\n" : "  \"pareto_power\": [\n");
      for (std::size_t i = 0; i < f.size(); ++i)
        out << "    " << point_json(runner, f[i], pts[f[i]]) << (i + 1 < f.size() ? ",\n" : "\n");
      out << (k == 0 ? "  ],\n" : "  ]\n");
    }
    out << "}\n";
    return 0;
  }
  const char* obj_name = obj == eval::Objective::kTime ? "time" : obj == eval::Objective::kEnergy ? "energy" : "EDP";
  out << fmt::format("joulegraph optimize: {} points of {} x {} ({}), minimizing {}{}\n", sp.points(),
                     runner.base().name, spec.workload, what, obj_name,
                     limit_text.empty() ? "" : " with " + limit_text);
  out << fmt::format("feasible: {} of {} points\n\n", ch.feasible, sp.points());
  auto show = [&](const eval::Figures& f) {
    return fmt::format("time {}, energy {}, average power {}, EDP {} J·s", format(Time(f.time_s)),
                       format(Energy(f.energy_j)), format(Power(f.avg_power_w())), fmt::format("{:.4g}", f.edp_js()));
  };
  out << "best:      " << axis_text(runner, *ch.best) << "\n           " << show(best) << "\n";
  if (ch.ties > 1)
    out << fmt::format(
        "           {} points tie with it (they differ only in settings that leave the figures unchanged)\n", ch.ties);
  if (ch.next) {
    const double nv = eval::objective_value(pts[*ch.next], obj);
    out << "next best: " << axis_text(runner, *ch.next) << "\n           " << show(pts[*ch.next])
        << fmt::format("\n           {} {:.2f} % worse\n", obj_name, 100.0 * (bv > 0 ? nv / bv - 1 : 0.0));
  } else {
    out << "next best: none (every feasible point ties with the best)\n";
  }
  out << fmt::format("\nPareto front, time vs energy: {} points (time vs average power: {} points)\n", front.size(),
                     front_p.size());
  const std::size_t shown = std::min<std::size_t>(front.size(), 40);
  out << fmt::format("  {:>12} {:>12} {:>12}  settings\n", "time", "energy", "avg power");
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& f = pts[front[i]];
    out << fmt::format("  {:>12} {:>12} {:>12}  {}\n", format(Time(f.time_s)), format(Energy(f.energy_j)),
                       format(Power(f.avg_power_w())), axis_text(runner, front[i]));
  }
  if (shown < front.size()) out << fmt::format("  ... {} more (--format json lists them all)\n", front.size() - shown);
  return 0;
}

}  // namespace jg::cli
