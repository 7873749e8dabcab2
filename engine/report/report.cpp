#include "engine/report/report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"

namespace jg::report {

using namespace jg::core;

const char* tool_version() { return "0.1.0"; }

namespace {

std::string e_str(double j) { return format(Energy(j)); }
std::string t_str(double s) { return format(Time(s)); }
std::string p_str(double w) { return format(Power(w)); }
std::string pct(double part, double whole) { return whole > 0 ? fmt::format("{:.1f}%", 100.0 * part / whole) : "-"; }

std::string repeat_str(double r) {
  return r == std::floor(r) && r < 1e15 ? fmt::format("{}", static_cast<long long>(r)) : fmt::format("{:.4g}", r);
}

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string block_kind(const wl::Graph& g, const wl::Op& op) {
  if (op.type == wl::OpType::kLayerNorm) return "norm";
  if (op.type == wl::OpType::kOptimizer) return "optimizer";
  std::string label = g.groups[op.group];
  if (label.empty()) return std::string(wl::op_type_name(op.type));
  // Drop "layers.N." / "encoder.layers.N." prefixes: keep what follows the last number.
  std::size_t cut = 0;
  for (std::size_t i = 0; i < label.size(); ++i)
    if (label[i] == '.' && i + 1 < label.size() && std::isdigit(static_cast<unsigned char>(label[i + 1]))) {
      const std::size_t next = label.find('.', i + 1);
      if (next != std::string::npos) cut = next + 1;
    }
  std::string kind = label.substr(cut);
  const std::size_t dot = kind.rfind('.');
  return dot == std::string::npos ? kind : kind.substr(dot + 1);
}

std::vector<GroupRow> group_rows(const ReportInput& in, std::size_t stage, bool by_kind) {
  const auto& s = in.ledger.stages[stage];
  const auto& ops = in.graph.stages[stage].ops;
  std::vector<GroupRow> rows;
  std::map<std::string, std::size_t> index;
  for (const auto& o : s.ops) {
    const wl::Op& op = ops[o.op];
    std::string key = by_kind ? block_kind(in.graph, op) : in.graph.groups[op.group];
    if (key.empty()) key = "(ungrouped)";
    auto [it, added] = index.emplace(key, rows.size());
    if (added) rows.push_back({key});
    GroupRow& r = rows[it->second];
    ++r.ops;
    r.energy_j += o.energy_j;
    r.time_s += o.time_s;
    r.macs += o.macs;
    r.flops += o.flops;
    r.dram_bytes += o.dram_bytes;
  }
  return rows;
}

std::string format_co2e(double g) {
  const double a = std::abs(g);
  if (a >= 1e6) return fmt::format("{:.3g} tCO2e", g / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g} kgCO2e", g / 1e3);
  return fmt::format("{:.3g} gCO2e", g);
}

double boundary_energy(const eval::BoundaryEnergy& b, const std::string& boundary) {
  if (boundary == "device") return b.device_j;
  if (boundary == "wall") return b.wall_j;
  if (boundary == "facility") return b.facility_j;
  return b.node_j;
}

std::string render_table(const ReportInput& in, std::size_t top_ops, const std::string& by) {
  const auto& L = in.ledger;
  std::string out;
  out +=
      fmt::format("joulegraph {}: workload '{}' on platform '{}'\n", tool_version(), in.graph.name, in.platform.name);
  if (!in.platform.power_modes.empty()) {
    const auto& m = in.platform.power_modes;
    std::string knobs;
    for (std::size_t k = 0; k < m.knobs.size(); ++k)
      knobs += (knobs.empty() ? "" : ", ") + m.knobs[k].name + "=" + m.format_value(k, m.active_values[k]);
    out += fmt::format("power mode: {} ({})\n", m.active, knobs);
  }
  const double headline = boundary_energy(L.boundary, in.boundary);
  out += fmt::format("total ({} boundary): {} in {}, average {}\n", in.boundary, e_str(headline), t_str(L.time_s),
                     p_str(L.time_s > 0 ? headline / L.time_s : 0.0));
  if (in.calibration)
    out += fmt::format("calibrated by {}: 90 % interval {} to {} (held-out error band {:+.1f} % to {:+.1f} %)\n",
                       in.calibration->path, e_str(in.energy_lo(headline)), e_str(in.energy_hi(headline)),
                       100 * in.calibration->rel_lo, 100 * in.calibration->rel_hi);
  if (in.carbon) {
    const auto& c = *in.carbon;
    out +=
        fmt::format("carbon: {} operational ({} boundary x PUE {} x {} gCO2e/kWh average; {})\n", format_co2e(c.co2e_g),
                    in.boundary, core::format_number(c.pue), core::format_number(c.grid_g_per_kwh), c.intensity_source);
    if (c.co2e_lca_g)
      out += fmt::format("carbon, life-cycle intensity: {} ({} gCO2e/kWh average)\n", format_co2e(*c.co2e_lca_g),
                         core::format_number(c.grid_lca_g_per_kwh.value_or(0)));
    if (c.window)
      out += fmt::format(
          "carbon-aware start in {} .. {}: {} emits {} against {} at the window's beginning ({:.1f} % less)\n",
          c.window->begin, c.window->end, c.window->best_start, format_co2e(c.window->best_g),
          format_co2e(c.window->at_begin_g),
          c.window->at_begin_g > 0 ? 100 * (c.window->at_begin_g - c.window->best_g) / c.window->at_begin_g : 0.0);
  }
  if (in.embodied) {
    const auto& e = *in.embodied;
    std::string parts;
    for (const auto& r : e.rows)
      parts += fmt::format("{}{} {} x {}", parts.empty() ? "" : ", ", r.name, core::format_number(r.count),
                           format_co2e(r.footprint_kg * 1000));
    out += fmt::format(
        "carbon, embodied: {} ({} of a {:.3g}-year life of {}{})\n", format_co2e(e.co2e_g), t_str(L.time_s),
        e.lifetime_s / core::kSecondsPerYear, parts, e.not_covered.empty() ? "" : "; no data for " + [&] {
          std::string n;
          for (const auto& d : e.not_covered) n += (n.empty() ? "" : ", ") + d;
          return n;
        }());
  }
  if (L.nodes > 1)
    out += fmt::format("nodes: {} identical {} nodes; energies cover all of them, times are per node\n",
                       core::format_number(L.nodes), in.platform.name);
  out += fmt::format("boundaries: device {}, node {}, wall {} (PSU efficiency {}), facility {} (PUE {})\n\n",
                     e_str(L.boundary.device_j), e_str(L.boundary.node_j), e_str(L.boundary.wall_j),
                     core::format_number(in.platform.node.psu_efficiency), e_str(L.boundary.facility_j),
                     core::format_number(in.platform.node.pue));
  for (const auto& m : in.memory)
    out += fmt::format("memory on {}: needs {} per instance, has {}: {}\n", m.device,
                       format(DataSize(m.need_bytes * kBitsPerByte)), format(DataSize(m.capacity_bytes * kBitsPerByte)),
                       m.fits() ? "fits" : "DOES NOT FIT (the estimate assumes it would)");
  for (const auto& s : L.stages) {
    if (s.overlap_s > 0)
      out += fmt::format("stage {} runs under {}: {} of it hidden, {} charged twice taken back\n", s.name, s.overlaps,
                         t_str(s.overlap_s), e_str(s.overlap_credit_j));
    if (s.bubble_s > 0)
      out += fmt::format("stage {}: pipeline bubble {} ({} at static power)\n", s.name, t_str(s.bubble_s),
                         e_str(s.bubble_j));
    if (s.host_wait_s > 0)
      out += fmt::format("stage {}: waiting for the host between repetitions {} ({} at static power)\n", s.name,
                         t_str(s.host_wait_s), e_str(s.host_wait_j));
    if (s.wait_s > 0)
      out += fmt::format("stage {}: then waiting for work {} ({} at idle power)\n", s.name, t_str(s.wait_s),
                         e_str(s.wait_j));
  }
  for (const auto& wmsg : in.graph.warnings) out += "warning: " + wmsg + "\n";
  if (!in.memory.empty() || !in.graph.warnings.empty()) out += "\n";
  std::size_t w = 5;
  for (const auto& s : L.stages) w = std::max(w, s.name.size());
  out += fmt::format("{:<{}}  {:<13}  {:<8}  {:>8}  {:>10}  {:>10}  {:>10}  {:>6}  {}\n", "stage", w, "kind", "device",
                     "repeat", "time", "energy", "avg power", "share", "clock");
  for (const auto& s : L.stages) {
    std::string clock = format(Frequency(s.clock_hz));
    if (s.cap_unattainable)
      clock += " (power cap not met even at the lowest clock)";
    else if (s.throttled)
      clock += " (throttled by power cap)";
    out += fmt::format("{:<{}}  {:<13}  {:<8}  {:>8}  {:>10}  {:>10}  {:>10}  {:>6}  {}\n", s.name, w,
                       wl::stage_kind_name(s.kind), s.device, repeat_str(s.repeat), t_str(s.time_s), e_str(s.energy_j),
                       p_str(s.avg_power_w()), pct(s.energy_j, L.energy_j), clock);
  }
  out += "\nenergy by component\n";
  std::size_t cw = 9;
  for (const auto& c : L.component_ids) cw = std::max(cw, c.size());
  std::string head = fmt::format("{:<{}}", "component", cw);
  for (const auto& s : L.stages) head += fmt::format("  {:>12}", s.name.substr(0, 12));
  head += fmt::format("  {:>12}  {:>6}\n", "total", "share");
  out += head;
  std::vector<std::vector<double>> per_stage;
  for (const auto& s : L.stages) per_stage.push_back(L.component_energy(s));
  for (std::size_t c = 0; c < L.component_ids.size(); ++c) {
    double total = 0;
    std::string row = fmt::format("{:<{}}", L.component_ids[c], cw);
    for (const auto& ps : per_stage) {
      row += fmt::format("  {:>12}", e_str(ps[c]));
      total += ps[c];
    }
    out += row + fmt::format("  {:>12}  {:>6}\n", e_str(total), pct(total, L.energy_j));
  }
  if (top_ops > 0) {
    struct Row {
      const eval::StageResult* s;
      const eval::OpRecord* o;
    };
    std::vector<Row> rows;
    for (const auto& s : L.stages)
      for (const auto& o : s.ops) rows.push_back({&s, &o});
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.o->energy_j > b.o->energy_j; });
    rows.resize(std::min(rows.size(), top_ops));
    out += fmt::format("\ntop {} ops by energy\n", rows.size());
    out += fmt::format("{:<14}  {:<28}  {:<12}  {:>10}  {:>10}  {:>10}  {:>10}\n", "stage", "op", "type", "energy",
                       "time", "MACs", "DRAM");
    for (const auto& r : rows) {
      const std::size_t si = static_cast<std::size_t>(r.s - L.stages.data());
      const wl::Op& op = in.graph.stages[si].ops[r.o->op];
      out += fmt::format("{:<14}  {:<28}  {:<12}  {:>10}  {:>10}  {:>10.4g}  {:>10}\n", r.s->name.substr(0, 14),
                         in.graph.names[op.name].substr(0, 28), wl::op_type_name(op.type), e_str(r.o->energy_j),
                         t_str(r.o->time_s), r.o->macs, format(DataSize(r.o->dram_bytes * kBitsPerByte)));
    }
  }
  if (by == "op") {
    for (std::size_t si = 0; si < L.stages.size(); ++si) {
      const auto& s = L.stages[si];
      out += fmt::format("\nops of stage {} (per run of the stage: x{})\n", s.name, repeat_str(s.repeat));
      out += fmt::format("{:<40}  {:<24}  {:<12}  {:<15}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}\n", "op", "group",
                         "type", "pass", "energy", "time", "MACs", "FLOPs", "DRAM");
      for (const auto& o : s.ops) {
        const wl::Op& op = in.graph.stages[si].ops[o.op];
        out += fmt::format("{:<40}  {:<24}  {:<12}  {:<15}  {:>10}  {:>10}  {:>10.4g}  {:>10.4g}  {:>10}\n",
                           in.graph.names[op.name].substr(0, 40), in.graph.groups[op.group].substr(0, 24),
                           wl::op_type_name(op.type), wl::pass_name(op.pass), e_str(o.energy_j / s.repeat),
                           t_str(o.time_s / s.repeat), o.macs / s.repeat, o.flops / s.repeat,
                           format(DataSize(o.dram_bytes / s.repeat * kBitsPerByte)));
      }
    }
  } else if (by == "group") {
    for (std::size_t si = 0; si < L.stages.size(); ++si) {
      const auto& s = L.stages[si];
      for (bool kind : {true, false}) {
        const auto rows = group_rows(in, si, kind);
        out += fmt::format("\nstage {} by {}\n", s.name, kind ? "block kind" : "layer/block");
        out += fmt::format("{:<32}  {:>6}  {:>10}  {:>6}  {:>10}  {:>10}  {:>10}\n", kind ? "kind" : "group", "ops",
                           "energy", "share", "time", "MACs", "DRAM");
        for (const auto& r : rows)
          out += fmt::format("{:<32}  {:>6}  {:>10}  {:>6}  {:>10}  {:>10.4g}  {:>10}\n", r.name.substr(0, 32), r.ops,
                             e_str(r.energy_j), pct(r.energy_j, s.energy_j), t_str(r.time_s), r.macs,
                             format(DataSize(r.dram_bytes * kBitsPerByte)));
      }
    }
  }
  return out;
}

std::string render_csv(const ReportInput& in) {
  const auto& L = in.ledger;
  std::string out = "level,stage,name,type,component,energy_j,time_s,avg_power_w,macs,flops,dram_bytes\n";
  auto num = [](double v) { return fmt::format("{:.17g}", v); };
  out += fmt::format("total,,{},,,{},{},{},,,\n", csv_field(in.graph.name), num(L.energy_j), num(L.time_s),
                     num(L.avg_power_w()));
  for (const auto& s : L.stages) {
    out += fmt::format("stage,{},{},{},,{},{},{},,,\n", csv_field(s.name), csv_field(s.name),
                       wl::stage_kind_name(s.kind), num(s.energy_j), num(s.time_s), num(s.avg_power_w()));
    const auto ce = L.component_energy(s);
    for (std::size_t c = 0; c < ce.size(); ++c)
      out += fmt::format("component,{},{},,{},{},,,,,\n", csv_field(s.name), csv_field(L.component_ids[c]),
                         csv_field(L.component_ids[c]), num(ce[c]));
    const std::size_t si = static_cast<std::size_t>(&s - L.stages.data());
    for (const auto& o : s.ops) {
      const wl::Op& op = in.graph.stages[si].ops[o.op];
      out += fmt::format("op,{},{},{},,{},{},{},{},{},{}\n", csv_field(s.name), csv_field(in.graph.names[op.name]),
                         wl::op_type_name(op.type), num(o.energy_j), num(o.time_s),
                         num(o.time_s > 0 ? o.energy_j / o.time_s : 0.0), num(o.macs), num(o.flops), num(o.dram_bytes));
    }
  }
  return out;
}

AtomicFile::AtomicFile(std::string path, std::string option) : path_(std::move(path)), option_(std::move(option)) {
  namespace fs = std::filesystem;
  const fs::path target(path_);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  tmp_ = (dir / ("." + target.filename().string() + ".tmp" + std::to_string(::getpid()))).string();
  file_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!file_)
    throw ConfigError({SourceLoc{path_, 0, 0, {}}, option_, "a writable output path", "cannot create " + tmp_,
                       "check that the folder exists"});
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  file_.close();
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

void AtomicFile::commit() {
  namespace fs = std::filesystem;
  file_.flush();
  const bool ok = static_cast<bool>(file_);
  file_.close();
  std::error_code ec;
  if (!ok) {
    fs::remove(tmp_, ec);
    committed_ = true;
    throw ConfigError({SourceLoc{path_, 0, 0, {}}, option_, "a writable output path", "write failed", ""});
  }
  fs::rename(tmp_, path_, ec);
  committed_ = true;
  if (ec) {
    fs::remove(tmp_, ec);
    throw ConfigError({SourceLoc{path_, 0, 0, {}}, option_, "a path that can be replaced", ec.message(), ""});
  }
}

void write_file_atomic(const std::string& path, const std::string& text, const std::string& option) {
  AtomicFile f(path, option);
  f.stream() << text;
  f.commit();
}

}  // namespace jg::report
