#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <ostream>

#include <fmt/format.h>

#include "calib/calibration.hpp"
#include "calib/carbon.hpp"
#include "cli/budget.hpp"
#include "cli/calibrate.hpp"
#include "cli/carbon.hpp"
#include "cli/inputs.hpp"
#include "cli/sweep.hpp"
#include "cli/transfer.hpp"
#include "cli/validate.hpp"
#include "engine/core/error.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"
#include "hwmodels/platform/library.hpp"
#include "workloads/ops/estimate.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::cli {

using namespace jg::core;

namespace {

constexpr const char* kDefaultPlatform = "demo-a100-node";
constexpr const char* kDefaultWorkload = "demo-cnn-pipeline";

struct EstimateArgs {
  std::string hw = kDefaultPlatform;
  std::string workload = kDefaultWorkload;
  std::vector<std::string> sets;
  std::string format = "table";
  std::string out;
  int threads = 0;
  std::size_t top = 10;
  std::string boundary = "node";
  std::string by = "stage";
  bool strict = false;
  std::string calibration;
  CarbonArgs carbon;
  double pue = 0;        ///< 0: the platform's node.pue
  std::string lifetime;  ///< sets node.lifetime (embodied carbon's amortization period)
};

int cmd_estimate(EstimateArgs a, std::ostream& out) {
  if (a.pue > 0) a.sets.push_back("node.pue=" + fmt::format("{}", a.pue));
  if (!a.lifetime.empty()) a.sets.push_back("node.lifetime=" + a.lifetime);
  LoadedInput hw_in = load_input("platform", a.hw);
  // Zoo and ONNX workloads take their defaults (device, host, data type) from the platform as
  // shipped; --set then applies to both.
  LoadedInput wl_in = load_workload_input(a.workload, hw::load_platform(hw_in.root, hw::builtin_registry()), a.sets);
  apply_overrides(hw_in.root, wl_in.root, a.sets);
  const hw::Platform platform = hw::load_platform(hw_in.root, hw::builtin_registry());
  const wl::Graph graph = build_graph(wl_in.root, a.strict);
  eval::EvalOptions opt;
  opt.threads = a.threads;
  std::optional<report::ReportInput::Calibrated> calibrated;
  if (!a.calibration.empty()) {
    const calib::Calibration c = calib::read_calibration(a.calibration);
    opt.overrides = calib::calibration_overrides(c, platform, a.calibration);
    opt.time_factors = calib::calibration_time_factors(c, a.calibration);
    calibrated = report::ReportInput::Calibrated{a.calibration, file_sha256(a.calibration), c.rel_lo, c.rel_hi};
  }
  const eval::Ledger ledger = eval::evaluate(platform, graph, opt);
  report::ReportInput in{platform,    graph,
                         ledger,      {{hw_in.record, wl_in.record}, a.sets},
                         a.boundary,  eval::check_memory(platform, graph),
                         calibrated,  std::nullopt,
                         std::nullopt};
  in.carbon = carbon_for(a.carbon, ledger, a.boundary, platform.node.pue);
  in.embodied = embodied_for(platform, ledger);
  std::string text;
  if (a.format == "json")
    text = report::render_json(in);
  else if (a.format == "csv")
    text = report::render_csv(in);
  else
    text = report::render_table(in, a.top, a.by);
  if (a.out.empty())
    out << text;
  else
    report::write_file_atomic(a.out, text);
  return 0;
}

int cmd_list(const std::string& what, std::ostream& out) {
  if (what.empty() || what == "platforms") {
    out << "platforms:\n";
    for (const auto& e : hw::library_index()) out << fmt::format("  {:<24} {}\n", e.name, e.description);
  }
  if (what.empty() || what == "workloads") {
    out << "workloads:\n";
    for (const auto& e : wl::workload_library()) {
      wl::Graph g = wl::load_workload(parse_toml_text(e.text, std::string("builtin:") + e.name));
      out << fmt::format("  {:<24} {}\n", e.name, g.description);
    }
    out << "model zoo (--workload NAME; parameters: joulegraph describe NAME):\n";
    for (const auto& m : wl::zoo::models()) out << fmt::format("  {:<24} {}\n", m.name, m.description);
  }
  if (what.empty() || what == "models") {
    out << "component models:\n";
    for (const auto& m : hw::builtin_registry().all()) out << fmt::format("  {:<24} {}\n", m.kind, m.summary);
  }
  if (what == "regions") {
    out << "grid carbon intensity, annual average (estimate --region CODE):\n";
    for (const auto& r : calib::grid_regions())
      out << fmt::format("  {:<28} {:>7.1f} gCO2e/kWh  {}  {}\n", r.code, r.g_per_kwh, r.year, r.name);
  }
  return 0;
}

std::string describe_platform(const hw::Platform& p) {
  std::string out = "platform " + p.name + ": " + p.description + "\n";
  if (!p.aliases.empty()) {
    out += "  aliases:";
    for (const auto& a : p.aliases) out += " \"" + a + "\"";
    out += "\n";
  }
  if (p.datasheet.present)
    out += "  datasheet: TDP " + format(Power(p.datasheet.tdp_w)) +
           (p.datasheet.idle_w > 0 ? ", idle " + format(Power(p.datasheet.idle_w)) : std::string()) + "\n";
  out += "  idle power (model): " + format(Power(p.idle_power_w())) + "\n";
  for (const auto& d : p.devices) {
    const ComputeCaps& pe = p.pe_caps(static_cast<int>(&d - p.devices.data()));
    out += fmt::format("  device {} ({}){}: {} units{}, clock {} (nominal {}, min {})", d.name, d.kind,
                       d.count > 1 ? " x" + std::to_string(d.count) : std::string(), format_number(pe.units),
                       d.active_units < pe.units ? " (" + format_number(d.active_units) + " online)" : std::string(),
                       format(Frequency(d.clock_hz)), format(Frequency(d.nominal_clock_hz)),
                       format(Frequency(d.min_clock_hz)));
    if (d.power_cap_w > 0) out += ", power cap " + format(Power(d.power_cap_w));
    if (d.power_limit_max_w > 0)
      out += " (accepts " + format(Power(d.power_limit_min_w)) + " to " + format(Power(d.power_limit_max_w)) + ")";
    out += d.count > 1 ? "\n    peak at this clock, all instances:" : "\n    peak at this clock:";
    const double online = d.count * d.active_units * d.clock_hz;
    for (std::size_t t = 0; t < kDTypeCount; ++t)
      if (pe.peak_ops_per_cycle[t] > 0)
        out += fmt::format(" {} {}", kDTypeNames[t], format(OpsRate(online * pe.peak_ops_per_cycle[t])));
    out += "\n";
    if (!d.vf_curve.empty()) {
      out += "    V-f curve:";
      for (const auto& v : d.vf_curve) out += " " + format(Frequency(v.freq_hz)) + "@" + format(Voltage(v.volt_v));
      out += "\n";
    }
    if (d.datasheet.present) {
      out += "    datasheet:";
      if (d.datasheet.tdp_w > 0) out += " TDP " + format(Power(d.datasheet.tdp_w));
      if (d.datasheet.idle_w > 0) out += ", idle " + format(Power(d.datasheet.idle_w));
      if (d.datasheet.dram_bandwidth_bytes_per_s > 0)
        out += ", memory " + format(Bandwidth(d.datasheet.dram_bandwidth_bytes_per_s * kBitsPerByte));
      for (std::size_t t = 0; t < kDTypeCount; ++t)
        if (d.datasheet.peak_ops_per_s[t] > 0)
          out += fmt::format(", {} {}", kDTypeNames[t], format(OpsRate(d.datasheet.peak_ops_per_s[t])));
      out += "\n";
    }
    std::vector<int> parts = d.members;
    if (d.shares_dram) parts.push_back(d.dram);
    for (int m : parts) {
      const auto& c = p.components[static_cast<std::size_t>(m)];
      out += fmt::format("    {:<16} {:<14} static {:>9}  idle {:>9}{}\n", c.id, c.model->kind(),
                         format(c.model->static_power()), format(c.model->idle_power()),
                         c.device != static_cast<int>(&d - p.devices.data()) ? "  (shared)" : "");
    }
  }
  for (const auto& l : p.links) {
    const auto& c = p.components[static_cast<std::size_t>(l.component)];
    out += fmt::format("  link {} ({}{}) {} <-> {}, {}/direction each\n", c.id, c.model->kind(),
                       c.count > 1 ? " x" + std::to_string(c.count) : std::string(),
                       p.devices[static_cast<std::size_t>(l.a)].name,
                       l.inter_node ? std::string("other nodes") : p.devices[static_cast<std::size_t>(l.b)].name,
                       format(Bandwidth(c.model->transfer()->bandwidth_bytes_per_s * kBitsPerByte)));
  }
  for (int part : p.node.parts) {
    const auto& c = p.components[static_cast<std::size_t>(part)];
    out += fmt::format("  node part {} x{}: {} each\n", c.id, c.count, format(c.model->static_power()));
  }
  std::string bdev;
  for (std::size_t i = 0; i < p.devices.size(); ++i)
    if (p.node.in_device_boundary[i]) bdev += (bdev.empty() ? "" : ", ") + p.devices[i].name;
  out += fmt::format(
      "  boundaries: device = {}; node = all components; wall = node / {} (PSU); facility = wall x {} (PUE)\n", bdev,
      format_number(p.node.psu_efficiency), format_number(p.node.pue));
  std::string emb;
  for (const auto& d : p.devices)
    if (d.embodied.present)
      emb += fmt::format("    {} x{}: {} each{}\n", d.name, d.count, report::format_co2e(d.embodied.total_kg() * 1000),
                         d.embodied.given_kg > 0 ? std::string(" (given)")
                                                 : fmt::format(" (dies {}, packages {}, memory {})",
                                                               report::format_co2e(d.embodied.logic_kg * 1000),
                                                               report::format_co2e(d.embodied.packaging_kg * 1000),
                                                               report::format_co2e(d.embodied.memory_kg * 1000)));
  if (p.node.embodied_kg > 0) emb += fmt::format("    node: {}\n", report::format_co2e(p.node.embodied_kg * 1000));
  if (!emb.empty())
    out += fmt::format("  embodied carbon (ACT model; amortized over {:.3g} years):\n{}",
                       p.node.lifetime_s / core::kSecondsPerYear, emb);
  const auto& m = p.power_modes;
  if (!m.empty()) {
    out += fmt::format("  power modes (active: {}, default: {}; {} custom combinations):\n", m.active, m.default_preset,
                       format_number(m.combinations()));
    std::string head = fmt::format("    {:<12} {:>8}", "preset", "budget");
    for (const auto& k : m.knobs) head += fmt::format(" {:>12}", k.name);
    out += head + "\n";
    for (const auto& pr : m.presets) {
      std::string row = fmt::format("    {:<12} {:>8}", pr.name, pr.budget_w > 0 ? format(Power(pr.budget_w)) : "-");
      for (std::size_t k = 0; k < m.knobs.size(); ++k) row += fmt::format(" {:>12}", m.format_value(k, pr.setting[k]));
      out += row + "\n";
    }
    for (std::size_t k = 0; k < m.knobs.size(); ++k)
      out += fmt::format("    knob {} ({} of device {}): {} values, {} to {}\n", m.knobs[k].name,
                         m.knobs[k].sets == hw::Knob::Sets::kClock   ? "clock"
                         : m.knobs[k].sets == hw::Knob::Sets::kCores ? "online units"
                                                                     : "memory clock",
                         p.devices[static_cast<std::size_t>(m.knobs[k].device)].name, m.knobs[k].values.size(),
                         m.format_value(k, m.knobs[k].values.front()), m.format_value(k, m.knobs[k].values.back()));
    if (!m.caveat.empty()) out += "    caveat: " + m.caveat + "\n";
    out += "    select with --set power_mode=NAME, or single knobs: --set gpu_freq=...,cpu_cores=...\n";
  }
  return out;
}

int cmd_describe(const std::string& name, std::ostream& out) {
  if (const ModelInfo* m = hw::builtin_registry().find(name)) {
    out << m->kind << " (" << role_name(m->role) << "): " << m->summary << "\n\nparameters:\n"
        << describe_params(m->params) << "\nexample:\n"
        << m->example;
    return 0;
  }
  if (const hw::LibraryEntry* e = hw::find_library_platform(name)) {
    out << describe_platform(hw::load_platform(hw::library_tree(*e), hw::builtin_registry()));
    return 0;
  }
  if (auto text = hw::compose_node_text(name)) {
    out << describe_platform(hw::load_platform(parse_toml_text(*text, "<" + name + ">"), hw::builtin_registry()));
    return 0;
  }
  if (const char* text = find_embedded(wl::workload_library(), name)) {
    wl::Graph g = wl::load_workload(parse_toml_text(text, "builtin:" + name));
    out << "workload " << g.name << ": " << g.description << "\nparameters:";
    for (const auto& [k, v] : g.params) out << " " << k << "=" << v;
    out << "\n";
    for (const auto& s : g.stages)
      out << fmt::format("  stage {} ({}) on {}, repeat {}, {} ops\n", s.name, wl::stage_kind_name(s.kind), s.device,
                         s.repeat, s.ops.size());
    return 0;
  }
  if (const wl::zoo::Model* m = wl::zoo::find_model(name)) {
    out << "zoo model " << m->name << ": " << m->description << "\n";
    if (!m->aliases.empty()) {
      out << "  aliases:";
      for (const auto& a : m->aliases) out << " \"" << a << "\"";
      out << "\n";
    }
    out << "  architecture: " << m->source << "\n";
    out << "  published: " << format_number(m->published.params / 1e6) << " M parameters";
    if (m->published.active_params > 0)
      out << " (" << format_number(m->published.active_params / 1e6) << " M active per token)";
    if (m->published.macs_per_sample > 0)
      out << ", " << format_number(m->published.macs_per_sample / 1e9) << " GMACs per sample at " << m->published.at;
    out << " (" << m->published.source << ")\n";
    wl::zoo::ModelArgs args;
    const wl::Graph g = wl::zoo::forward_graph(*m, args);
    double macs = 0;
    for (const auto& op : g.stages.front().ops) {
      if (op.type != wl::OpType::kGemm && op.type != wl::OpType::kConv2d) continue;
      macs += wl::estimate(op, core::HierarchyView{}).macs;
    }
    out << "  this graph: " << format_number(wl::zoo::forward_parameters(g) / 1e6) << " M parameters, "
        << format_number(macs / 1e9) << " GMACs per sample (default input), " << g.stages.front().ops.size()
        << " forward ops\n\n";
    out << "workload document with its defaults (for a GPU platform with a CPU host; --set any of them):\n"
        << wl::zoo::spec_text(*m, wl::zoo::Target{});
    return 0;
  }
  std::vector<std::string> names = hw::builtin_registry().kinds();
  for (const auto& n : hw::library_names_and_aliases()) names.push_back(n);
  for (const auto& e : wl::workload_library()) names.emplace_back(e.name);
  for (const auto& m : wl::zoo::models()) names.push_back(m.name);
  throw ConfigError({SourceLoc{"describe", 0, 0, {}}, "", "a model kind, platform or workload name", "'" + name + "'",
                     did_you_mean(name, names)});
}

int cmd_check(const std::vector<std::string>& files, std::ostream& out) {
  for (const auto& f : files) {
    ConfigNode root = parse_toml_file(f);
    if (root.find("devices") || root.find("extends")) {
      hw::Platform p = hw::load_platform(root, hw::builtin_registry());
      out << fmt::format("ok: {}: platform '{}' with {} devices, {} components\n", f, p.name, p.devices.size(),
                         p.components.size());
    } else if (root.find("stage") || root.find("zoo")) {
      wl::Graph g = wl::load_workload(root);
      out << fmt::format("ok: {}: workload '{}' with {} stages, {} ops\n", f, g.name, g.stages.size(), g.op_count());
    } else {
      throw ConfigError({SourceLoc{f, 1, 1, {}}, "", "a platform ([devices.*]) or a workload ([[stage]] or zoo = NAME)",
                         "neither a 'devices' table, a 'stage' array nor a 'zoo' key", ""});
    }
  }
  return 0;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "joulegraph: analytical energy, time and power estimates for deep-learning workloads.\n"
      "Without a subcommand it estimates the built-in demo pipeline (" +
          std::string(kDefaultWorkload) + " on " + kDefaultPlatform + ").",
      "joulegraph"};
  app.require_subcommand(0, 1);
  EstimateArgs est;
  auto* c_est = app.add_subcommand("estimate", "estimate energy, time and power of a workload on a platform");
  c_est
      ->add_option("--hw", est.hw,
                   "platform file, shipped platform name or alias, or a composed node such as "
                   "8xa100-sxm4-80gb+2xepyc-7742")
      ->capture_default_str();
  c_est
      ->add_option("--workload", est.workload,
                   "workload file (.toml), ONNX model (.onnx), shipped workload or zoo model name "
                   "(joulegraph list workloads)")
      ->capture_default_str();
  c_est->add_option("--set", est.sets,
                    "override: a workload parameter (batch=64), a power mode (power_mode=15W) or knob "
                    "(gpu_freq=816MHz,cpu_cores=8), or a hardware key (devices.gpu.clock=1.2GHz, "
                    "node.pue=1.2); prefix hw. or workload. for any other key");
  c_est->add_option("--format", est.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  c_est->add_option("--out", est.out, "write the report to FILE (via a temporary file and a rename)");
  c_est->add_option("--threads", est.threads, "worker threads (0: all cores, 1: serial)")->check(CLI::Range(0, 1024));
  c_est->add_option("--top", est.top, "ops listed in the table report")->capture_default_str();
  c_est
      ->add_option("--boundary", est.boundary,
                   "headline total at: device (NVML/RAPL package), node (all components, DC), wall (after PSU), "
                   "facility (x PUE)")
      ->check(CLI::IsMember({"device", "node", "wall", "facility"}))
      ->capture_default_str();
  c_est
      ->add_option("--by", est.by,
                   "table detail: stage (stages, components, top ops), op (every op of every stage, per run), "
                   "group (ops summed by block kind and by layer/block)")
      ->check(CLI::IsMember({"stage", "op", "group"}))
      ->capture_default_str();
  c_est->add_flag("--strict", est.strict, "an ONNX node joulegraph does not model is an error, not a warning");
  c_est->add_option("--calibration", est.calibration,
                    "apply a calibration file written by `joulegraph calibrate` (JSON gains energy_j_lo/hi)");
  c_est->add_option("--intensity", est.carbon.intensity,
                    "grid carbon intensity for operational carbon, e.g. 420g/kWh (also kg/kWh, kg/MWh, lb/MWh)");
  c_est->add_option("--region", est.carbon.region,
                    "grid intensity of a country (ISO code, e.g. DEU) or cloud region (e.g. gcp:europe-west3), annual "
                    "average (joulegraph list regions)");
  c_est->add_option("--intensity-series", est.carbon.series,
                    "grid intensity series: Electricity Maps CSV export or timestamp,g_per_kwh");
  c_est->add_option("--start", est.carbon.start, "job start on the series, UTC, e.g. 2025-06-01T00:00Z");
  c_est->add_option("--window", est.carbon.window,
                    "find the least-emitting start in BEGIN/END (UTC, e.g. 2025-06-01T00:00Z/2025-06-03T00:00Z) and "
                    "the saving against starting at BEGIN");
  c_est->add_option("--pue", est.pue, "facility PUE (sets node.pue): carbon = boundary energy x PUE x intensity")
      ->check(CLI::Range(1.0, 10.0));
  c_est->add_option("--lifetime", est.lifetime,
                    "service life over which embodied carbon is amortized, e.g. \"4 years\" (sets node.lifetime; "
                    "default 5 years)");
  CalibrateArgs cal;
  auto* c_cal = app.add_subcommand("calibrate", "fit a platform's energies and powers to a measured power trace");
  c_cal->add_option("--hw", cal.hw, "the platform the trace was measured on");
  c_cal->add_option("--trace", cal.trace, "power trace file");
  c_cal->add_option("--groundtruth", cal.groundtruth,
                    "print the fitters' held-out error tables on a ground-truth folder (calib/data/groundtruth)");
  c_cal->add_option("--format", cal.format, "trace format")
      ->check(CLI::IsMember({"auto", "nvidia-smi", "tegrastats", "rapl", "perf", "kepler", "torch-profiler", "csv"}))
      ->capture_default_str();
  c_cal->add_option("--markers", cal.markers, "phase markers: CSV start,end,name (a stage name with --workload)");
  c_cal->add_option("--workload", cal.workload,
                    "what ran: fit per-action energies and static powers (NNLS) to the marker windows");
  c_cal->add_option("--set", cal.sets, "workload or hardware override, as for estimate");
  c_cal->add_option("--channel", cal.channels, "power channels to sum (default: every power channel)");
  c_cal->add_option("--device", cal.device, "without --workload: the device the meter measures (default: a gpu)");
  c_cal->add_option(
      "--instances", cal.instances,
      "without --workload: instances the meter covers (default: the channels summed if several, else all)");
  c_cal->add_option("--levels", cal.levels, "without --workload: power levels to find")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  c_cal->add_option("--window", cal.window_s, "without markers: window length in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c_cal->add_option("--method", cal.method, "fitter for --workload")
      ->check(CLI::IsMember({"nnls", "ols", "ridge"}))
      ->capture_default_str();
  c_cal->add_option("--ridge", cal.ridge, "ridge penalty (--method ridge)");
  c_cal->add_option("--out", cal.out, "write the calibration file (via a temporary file and a rename)");
  std::vector<std::string> suite_files;
  std::string suite_format = "table";
  auto* c_val = app.add_subcommand("validate-suite",
                                   "predict the metrics of published-measurement cases and print the error table");
  c_val->add_option("files", suite_files, "suite files (schema_version 1, [[case]] tables)")->required();
  c_val->add_option("--format", suite_format, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  std::string list_what;
  auto* c_list = app.add_subcommand("list", "list shipped platforms, workloads and component models");
  c_list->add_option("what", list_what, "platforms | workloads | models | regions (default: all but regions)")
      ->check(CLI::IsMember({"platforms", "workloads", "models", "regions"}));
  std::string describe_name;
  auto* c_desc = app.add_subcommand(
      "describe", "describe a component model (parameters, units, defaults), a platform or a workload");
  c_desc->add_option("name", describe_name, "model kind (e.g. dram.hbm2), platform or workload name")->required();
  std::vector<std::string> check_files;
  auto* c_check = app.add_subcommand("check", "validate platform and workload files without evaluating them");
  c_check->add_option("files", check_files, "TOML files")->required();
  BudgetArgs budget;
  auto* c_budget = app.add_subcommand(
      "check-budget", "check a JSON report against a budget file (exit 0 within budget, 1 over it, 2 bad input)");
  c_budget
      ->add_option("--budget", budget.budget,
                   "budget TOML: [total] and [stage.NAME_OR_KIND] limits on energy, "
                   "time, avg_power, co2e, co2e_embodied")
      ->required();
  c_budget->add_option("report", budget.report, "report of `estimate --format json`")->required();
  c_budget->add_option("--junit", budget.junit, "also write JUnit XML, one test case per budget line");
  c_budget->add_option("--markdown", budget.markdown, "also write a Markdown summary (for a pull-request comment)");
  DiffArgs diff;
  auto* c_diff = app.add_subcommand(
      "diff", "compare two JSON reports per total, stage, component and op (exit 1 on a regression)");
  c_diff->add_option("base", diff.base, "the reference report")->required();
  c_diff->add_option("new", diff.now, "the report to compare with it")->required();
  c_diff
      ->add_option("--tolerance", diff.tolerance,
                   "a total or stage figure (energy, time, carbon) rising by more than this is a regression")
      ->capture_default_str();
  c_diff->add_option("--format", diff.format, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  c_diff->add_option("--top", diff.top, "component and op rows shown (the largest changes)")->capture_default_str();
  c_diff->add_option("--markdown", diff.markdown, "also write a Markdown summary (for a pull-request comment)");
  SweepArgs sweep;
  auto* c_sweep =
      app.add_subcommand("sweep", "evaluate every point of a design space (a sweep file) and stream one row per point");
  c_sweep->add_option("file", sweep.file, "sweep file (TOML: platform, workload, [set], [axes], [sample])")->required();
  c_sweep->add_option("--format", sweep.format, "output format: CSV or JSON Lines")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  c_sweep->add_option("--out", sweep.out,
                      "write to FILE (via a temporary file and a rename; Ctrl-C keeps the rows so far)");
  c_sweep->add_option("--threads", sweep.threads, "worker threads (0: all cores, 1: serial)")
      ->check(CLI::Range(0, 1024));
  OptimizeArgs opt;
  auto* c_opt = app.add_subcommand(
      "optimize",
      "find the best point of a sweep file's space under a power budget or deadline, and its Pareto fronts");
  c_opt->add_option("file", opt.file, "sweep file, as for sweep")->required();
  c_opt->add_option("--objective", opt.objective, "what to minimize: time, energy or energy-delay product")
      ->check(CLI::IsMember({"time", "energy", "edp"}))
      ->capture_default_str();
  c_opt->add_option("--max-power", opt.max_power, "average power limit, e.g. 30W");
  c_opt->add_option("--deadline", opt.deadline, "time limit, e.g. 90s or 2h");
  c_opt->add_option("--format", opt.format, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  c_opt->add_option("--threads", opt.threads, "worker threads (0: all cores, 1: serial)")->check(CLI::Range(0, 1024));
  TransferArgs tr;
  auto* c_tr = app.add_subcommand(
      "transfer",
      "fit a new workload's power-mode corrections from a few measured modes (PowerTrain) and report held-out MAPE");
  c_tr->add_option("file", tr.file,
                   "transfer file (TOML: platform, [reference] and [target] workloads with measured-mode CSVs)")
      ->required();
  c_tr->add_option("--fit", tr.fit, "measured modes of the target to fit on")->capture_default_str();
  c_tr->add_option("--strategy", tr.strategy, "how the modes to fit on are chosen")
      ->check(CLI::IsMember({"random", "maximin", "uncertainty"}))
      ->capture_default_str();
  c_tr->add_flag("--study", tr.study, "compare the three strategies for 0 ... --max-modes measured modes");
  c_tr->add_option("--max-modes", tr.max_modes, "largest number of measured modes in --study")->capture_default_str();
  c_tr->add_option("--seed", tr.seed, "seed of the random strategy")->capture_default_str();
  c_tr->add_option("--out", tr.out, "write predictions with 90 % intervals at every measured mode (CSV)");

  try {
    std::vector<std::string> rev(args.rbegin(), args.rend());
    app.parse(rev);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? 0 : 2;
  }
  try {
    if (c_list->parsed()) return cmd_list(list_what, out);
    if (c_desc->parsed()) return cmd_describe(describe_name, out);
    if (c_check->parsed()) return cmd_check(check_files, out);
    if (c_budget->parsed() || c_diff->parsed()) {
      const char* gh = std::getenv("GITHUB_ACTIONS");
      budget.github = diff.github = gh && std::string(gh) == "true";
      return c_budget->parsed() ? cmd_check_budget(budget, out, err) : cmd_diff(diff, out, err);
    }
    if (c_cal->parsed()) return cmd_calibrate(cal, out);
    if (c_sweep->parsed()) return cmd_sweep(sweep, out, err);
    if (c_opt->parsed()) return cmd_optimize(opt, out, err);
    if (c_tr->parsed()) return cmd_transfer(tr, out);
    if (c_val->parsed()) return cmd_validate_suite(suite_files, suite_format, out);
    return cmd_estimate(est, out);
  } catch (const ConfigError& e) {
    err << e.what();
    return 2;
  } catch (const ModelError& e) {
    err << "error: " << e.what() << "\n";
    return 3;
  } catch (const InternalError& e) {
    err << "internal error (a joulegraph bug, please report it): " << e.what() << "\n";
    return 70;
  } catch (const std::exception& e) {
    err << "internal error (a joulegraph bug, please report it): " << e.what() << "\n";
    return 70;
  }
}

}  // namespace jg::cli
