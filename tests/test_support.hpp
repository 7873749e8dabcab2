// Helpers shared by the tests: build platforms and graphs from TOML text.
#pragma once

#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cli/app.hpp"
#include "engine/core/config.hpp"
#include "engine/core/error.hpp"
#include "engine/eval/evaluator.hpp"
#include "hwmodels/models.hpp"
#include "hwmodels/platform/library.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/graph.hpp"

namespace jg::test {

/// The command line run in-process: exit code, standard output and standard error.
struct CliResult {
  int code;
  std::string out, err;
};
/// Runs fn and expects a ConfigError whose message holds every part.
inline void expect_config_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no ConfigError";
  } catch (const core::ConfigError& e) {
    const std::string what = e.what();
    for (const auto& p : parts) EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in:\n" << what;
  }
}

inline CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = cli::run(args, out, err);
  return {code, out.str(), err.str()};
}

inline hw::Platform platform_from(const std::string& text, const std::vector<std::string>& sets = {}) {
  core::ConfigNode root = core::parse_toml_text(text, "test-platform.toml");
  for (const auto& s : sets) core::apply_override(root, s);
  return hw::load_platform(root, hw::builtin_registry());
}

inline wl::Graph graph_from(const std::string& text, const std::vector<std::string>& sets = {}) {
  core::ConfigNode root = core::parse_toml_text(text, "test-workload.toml");
  for (const auto& s : sets) core::apply_override(root, s);
  return wl::load_workload(root);
}

inline std::string library_platform(const std::string& name) {
  const char* text = core::find_embedded(hw::platform_library(), name);
  return text ? text : "";
}

/// A shipped platform by name or alias, `extends`/`from` expanded, with --set style overrides.
inline hw::Platform load_library_platform(const std::string& name, const std::vector<std::string>& sets = {}) {
  core::ConfigNode root = hw::library_tree(*hw::find_library_platform(name));
  hw::expand_platform(root);
  for (const auto& s : sets) core::apply_override(root, s);
  return hw::load_platform(root, hw::builtin_registry());
}

/// One inference stage on `device` with one n x n x n GEMM in `dt`.
inline std::string gemm_workload(const std::string& device, core::DType dt, int n) {
  std::ostringstream w;
  w << "schema_version = 1\nname = \"gemm\"\n[[stage]]\nname = \"s\"\nkind = \"inference\"\ndevice = \"" << device
    << "\"\n[[stage.op]]\nname = \"g\"\ntype = \"gemm\"\nm = " << n << "\nn = " << n << "\nk = " << n << "\ndtype = \""
    << core::dtype_name(dt) << "\"\n";
  return w.str();
}

inline std::string library_workload(const std::string& name) {
  const char* text = core::find_embedded(wl::workload_library(), name);
  return text ? text : "";
}

/// A one-device platform with round numbers, for hand-computed cases:
/// 1 unit at 1 GHz, fp16 2 ops/cycle (1e9 MAC/s), 1 pJ/op, 4 vector ops/cycle at 1 pJ,
/// efficiency 1; HBM2 8 GB/s at 10 pJ/b; static 1 W (pe) + 2 W (dram) + 3 W (board).
inline const char* kGoldenPlatform = R"(
schema_version = 1
name = "golden"
[devices.acc]
kind = "accelerator"
[devices.acc.pe]
model = "pe.array"
units = 1
clock = "1 GHz"
vector_ops_per_cycle = 4
e_vector_op = "1 pJ"
register_file = "24 MB"
efficiency = 1.0
static_power = "1 W"
idle_power = "0.5 W"
[devices.acc.pe.dtypes.fp16]
peak_ops_per_cycle = 2
energy_per_op = "1 pJ"
[devices.acc.dram]
model = "dram.hbm2"
capacity = "1 GiB"
bandwidth = "8 GB/s"
e_read = "10 pJ/b"
efficiency = 1.0
static_power = "2 W"
idle_power = "1 W"
[devices.acc.board]
model = "board.static"
static_power = "3 W"
idle_power = "3 W"
)";

/// One fp16 GEMM of size^3 (size = 1000: 1e9 MACs) on the golden platform's device "acc".
inline const char* kOneOp = R"(
schema_version = 1
name = "one"
[params]
size = 1000
[[stage]]
name = "s"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "mm"
  type = "gemm"
  dtype = "fp16"
  m = "size"
  n = "size"
  k = "size"
)";

}  // namespace jg::test
