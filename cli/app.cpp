#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "engine/core/error.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/models.hpp"

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
};

int cmd_estimate(const EstimateArgs& a, std::ostream& out) {
  LoadedInput hw_in = load_input("platform", a.hw);
  LoadedInput wl_in = load_input("workload", a.workload);
  apply_overrides(hw_in.root, wl_in.root, a.sets);
  const hw::Platform platform = hw::load_platform(hw_in.root, hw::builtin_registry());
  const wl::Graph graph = wl::load_workload(wl_in.root);
  eval::EvalOptions opt;
  opt.threads = a.threads;
  const eval::Ledger ledger = eval::evaluate(platform, graph, opt);
  report::ReportInput in{platform, graph, ledger, {{hw_in.record, wl_in.record}, a.sets}};
  std::string text;
  if (a.format == "json")
    text = report::render_json(in);
  else if (a.format == "csv")
    text = report::render_csv(in);
  else
    text = report::render_table(in, a.top);
  if (a.out.empty())
    out << text;
  else
    report::write_file_atomic(a.out, text);
  return 0;
}

int cmd_list(const std::string& what, std::ostream& out) {
  if (what.empty() || what == "platforms") {
    out << "platforms:\n";
    for (const auto& e : hw::platform_library()) {
      hw::Platform p =
          hw::load_platform(parse_toml_text(e.text, std::string("builtin:") + e.name), hw::builtin_registry());
      out << fmt::format("  {:<24} {}\n", e.name, p.description);
    }
  }
  if (what.empty() || what == "workloads") {
    out << "workloads:\n";
    for (const auto& e : wl::workload_library()) {
      wl::Graph g = wl::load_workload(parse_toml_text(e.text, std::string("builtin:") + e.name));
      out << fmt::format("  {:<24} {}\n", e.name, g.description);
    }
  }
  if (what.empty() || what == "models") {
    out << "component models:\n";
    for (const auto& m : hw::builtin_registry().all()) out << fmt::format("  {:<24} {}\n", m.kind, m.summary);
  }
  return 0;
}

int cmd_describe(const std::string& name, std::ostream& out) {
  if (const ModelInfo* m = hw::builtin_registry().find(name)) {
    out << m->kind << " (" << role_name(m->role) << "): " << m->summary << "\n\nparameters:\n"
        << describe_params(m->params) << "\nexample:\n"
        << m->example;
    return 0;
  }
  if (const char* text = find_embedded(hw::platform_library(), name)) {
    hw::Platform p = hw::load_platform(parse_toml_text(text, "builtin:" + name), hw::builtin_registry());
    out << "platform " << p.name << ": " << p.description << "\n";
    for (const auto& d : p.devices) {
      out << fmt::format("  device {} ({}), clock {}{}\n", d.name, d.kind, format(Frequency(d.clock_hz)),
                         d.power_cap_w > 0 ? ", power cap " + format(Power(d.power_cap_w)) : std::string());
      for (int m : d.members) {
        const auto& c = p.components[static_cast<std::size_t>(m)];
        out << fmt::format("    {:<14} {:<14} static {:>9}  idle {:>9}\n", c.id, c.model->kind(),
                           format(c.model->static_power()), format(c.model->idle_power()));
      }
    }
    for (const auto& l : p.links) {
      const auto& c = p.components[static_cast<std::size_t>(l.component)];
      out << fmt::format("  link {} ({}) {} <-> {}, {}/direction\n", c.id, c.model->kind(),
                         p.devices[static_cast<std::size_t>(l.a)].name, p.devices[static_cast<std::size_t>(l.b)].name,
                         format(Bandwidth(c.model->transfer()->bandwidth_bytes_per_s * kBitsPerByte)));
    }
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
  std::vector<std::string> names = hw::builtin_registry().kinds();
  for (const auto& e : hw::platform_library()) names.emplace_back(e.name);
  for (const auto& e : wl::workload_library()) names.emplace_back(e.name);
  throw ConfigError({SourceLoc{"describe", 0, 0, {}}, "", "a model kind, platform or workload name", "'" + name + "'",
                     did_you_mean(name, names)});
}

int cmd_check(const std::vector<std::string>& files, std::ostream& out) {
  for (const auto& f : files) {
    ConfigNode root = parse_toml_file(f);
    if (root.find("devices")) {
      hw::Platform p = hw::load_platform(root, hw::builtin_registry());
      out << fmt::format("ok: {}: platform '{}' with {} devices, {} components\n", f, p.name, p.devices.size(),
                         p.components.size());
    } else if (root.find("stage")) {
      wl::Graph g = wl::load_workload(root);
      out << fmt::format("ok: {}: workload '{}' with {} stages, {} ops\n", f, g.name, g.stages.size(), g.op_count());
    } else {
      throw ConfigError({SourceLoc{f, 1, 1, {}}, "", "a platform ([devices.*]) or a workload ([[stage]])",
                         "neither a 'devices' table nor a 'stage' array", ""});
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
  c_est->add_option("--hw", est.hw, "platform file or shipped platform name")->capture_default_str();
  c_est->add_option("--workload", est.workload, "workload file or shipped workload name")->capture_default_str();
  c_est->add_option("--set", est.sets,
                    "override: a workload parameter (batch=64), or a hardware key "
                    "(devices.gpu.clock=1.2GHz); prefix hw. or workload. for any other key");
  c_est->add_option("--format", est.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  c_est->add_option("--out", est.out, "write the report to FILE (via a temporary file and a rename)");
  c_est->add_option("--threads", est.threads, "worker threads (0: all cores, 1: serial)")->check(CLI::Range(0, 1024));
  c_est->add_option("--top", est.top, "ops listed in the table report")->capture_default_str();
  std::string list_what;
  auto* c_list = app.add_subcommand("list", "list shipped platforms, workloads and component models");
  c_list->add_option("what", list_what, "platforms | workloads | models (default: all)")
      ->check(CLI::IsMember({"platforms", "workloads", "models"}));
  std::string describe_name;
  auto* c_desc = app.add_subcommand(
      "describe", "describe a component model (parameters, units, defaults), a platform or a workload");
  c_desc->add_option("name", describe_name, "model kind (e.g. dram.hbm2), platform or workload name")->required();
  std::vector<std::string> check_files;
  auto* c_check = app.add_subcommand("check", "validate platform and workload files without evaluating them");
  c_check->add_option("files", check_files, "TOML files")->required();

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
