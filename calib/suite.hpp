// Validation suites: published measurements as cases (schema_version 1), each naming a platform,
// a workload, a boundary and the metrics to predict. `joulegraph validate-suite` runs them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"

namespace jg::calib {

enum class CaseKind : std::uint8_t { kTrainingRun, kInferenceThroughput, kLlmServing, kServerPower };
inline constexpr std::size_t kCaseKindCount = 4;
std::string_view case_kind_name(CaseKind k);  ///< "training_run", ...

/// `platform = { accelerator = ..., accelerators_per_node = 8, host_cpu = ..., host_cpus_per_node = 2 }`
struct InlineNode {
  std::string accelerator;
  double accelerators_per_node = 0;
  std::string host_cpu;
  double host_cpus_per_node = 0;
  /// The node as a composed platform spec: "8xh100-pcie-80gb+2xepyc-7763".
  [[nodiscard]] std::string spec() const;
};

struct Case {
  std::string id;
  CaseKind kind = CaseKind::kTrainingRun;
  std::string platform;  ///< a shipped platform, or InlineNode::spec() of an inline node
  bool inline_node = false;
  double count = 1;  ///< devices, or nodes for node platforms
  std::string workload;
  std::string boundary = "node";
  double pue = 0;                                   ///< facility boundary: the case's PUE (0: the platform's)
  std::string operating_point = "max_performance";  ///< or "max_efficiency"
  std::vector<std::string> sets;                    ///< from the `set` table, as --set "k=v"
  std::string dtype;                                ///< empty: the workload's default
  // training_run
  double tokens = 0, steps = 0, batch = 0, seq_len = 0, duration_s = 0, grid_g_per_kwh = 0;
  /// Accounting-path energy: the publication multiplied device-hours by this power per device
  /// (and by `pue`); the case predicts the device-hours and applies the same formula (0: the
  /// engine's own energy at `boundary`).
  double accounting_power_w = 0;
  // inference_throughput
  std::string scenario;  ///< "offline" | "single_stream"
  // llm_serving
  double tensor_parallel = 1, max_num_seqs = 0, input_len = 0, output_len = 0;
  // server_power
  double utilization = 0;
  std::vector<std::pair<std::string, double>> metrics;  ///< published values, in file order
  std::string source;
  bool calibration = false;  ///< the shipped platforms were tuned on it: excluded from the held-out summary
  core::SourceLoc loc;
  std::vector<core::SourceLoc> metric_locs;
};

/// The metrics each kind may name.
const std::vector<std::string>& case_metrics(CaseKind k);

/// Reads a suite; ConfigError naming file, line and key for an unknown kind, metric or key, a
/// missing required key, or a value out of range.
std::vector<Case> read_suite(const std::string& path);

}  // namespace jg::calib
