// Report writers (DESIGN.md §3): a readable table with auto-scaled units, JSON and CSV in SI.
// Output order is deterministic; every report carries its provenance.
#pragma once

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval/evaluator.hpp"
#include "engine/eval/ledger.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/graph.hpp"

namespace jg::report {

inline constexpr int kSchemaVersion = 1;
const char* tool_version();

struct InputRecord {
  std::string role;    ///< "platform" or "workload"
  std::string name;    ///< path, or "builtin:NAME"
  std::string sha256;  ///< of the bytes read
};

struct Provenance {
  std::vector<InputRecord> inputs;
  std::vector<std::string> overrides;  ///< --set assignments in order
};

struct ReportInput {
  const hw::Platform& platform;
  const wl::Graph& graph;
  const eval::Ledger& ledger;
  Provenance provenance;
  std::string boundary = "node";          ///< headline boundary: device | node | wall | facility
  std::vector<eval::MemoryCheck> memory;  ///< footprint against device memory (zoo and imported models)
  /// A calibration applied to the estimate: its file and the 90 % band of its held-out relative
  /// error r = (predicted - measured) / measured, so that measured lies in [E/(1+r_hi), E/(1+r_lo)].
  struct Calibrated {
    std::string path, sha256;
    double rel_lo = 0, rel_hi = 0;
  };
  std::optional<Calibrated> calibration;
  /// Operational carbon (computed by the caller from a grid intensity: calib/carbon.hpp).
  struct Carbon {
    double pue = 1;                            ///< on top of the boundary energy (1 at the facility boundary)
    double grid_g_per_kwh = 0;                 ///< the average intensity used (direct, or the only one given)
    std::optional<double> grid_lca_g_per_kwh;  ///< life-cycle average, when a series gives both
    std::string intensity_source;              ///< where the intensity came from, in words
    double co2e_g = 0;
    std::optional<double> co2e_lca_g;
    std::vector<double> stage_co2e_g;  ///< per ledger stage
    /// Carbon-aware timing (--window): the least-emitting start and the one at the window's beginning.
    struct Window {
      std::string begin, end, best_start;
      double best_g = 0, at_begin_g = 0;
    };
    std::optional<Window> window;
  };
  std::optional<Carbon> carbon;
  /// Embodied (manufacturing) carbon amortized over the hardware's service life by the job's
  /// device-hours; reported apart from operational carbon.
  struct Embodied {
    double co2e_g = 0;
    double lifetime_s = 0;
    struct Row {
      std::string name;         ///< a device, or "node" for [node.embodied]
      double count = 0;         ///< instances over all nodes
      double footprint_kg = 0;  ///< per instance
      double device_hours = 0;  ///< count x wall time
      double co2e_g = 0;
      std::string source;
    };
    std::vector<Row> rows;
    std::vector<std::string> not_covered;  ///< devices with no embodied data
    std::vector<double> stage_co2e_g;      ///< per ledger stage, by its share of the wall time
  };
  std::optional<Embodied> embodied;
  [[nodiscard]] double energy_lo(double e) const { return calibration ? e / (1 + calibration->rel_hi) : e; }
  [[nodiscard]] double energy_hi(double e) const { return calibration ? e / (1 + calibration->rel_lo) : e; }
};

/// Ops of one stage summed by a key: their group (layer or block label, "layers.3.mlp") or
/// their block kind ("attention", "mlp", "norm", "embedding", "lm_head", ...).
struct GroupRow {
  std::string name;
  std::size_t ops = 0;
  double energy_j = 0, time_s = 0, macs = 0, flops = 0, dram_bytes = 0;
};
std::vector<GroupRow> group_rows(const ReportInput& in, std::size_t stage, bool by_kind);
/// The block kind of an op: "norm" for normalizations, else the last part of its group label
/// with any layer prefix removed ("layers.3.attention" -> "attention"), else its op type.
std::string block_kind(const wl::Graph& g, const wl::Op& op);

/// Carbon mass, auto-scaled: "12.3 gCO2e", "4.56 kgCO2e", "1.23 tCO2e".
std::string format_co2e(double g);

/// The ledger's total at a boundary name ("device", "node", "wall", "facility").
double boundary_energy(const eval::BoundaryEnergy& b, const std::string& boundary);

/// by: "stage" (stages, components, top ops), "op" (also every op of every stage) or "group"
/// (also ops summed by block kind and by layer/block).
std::string render_table(const ReportInput& in, std::size_t top_ops = 10, const std::string& by = "stage");
std::string render_json(const ReportInput& in);
std::string render_csv(const ReportInput& in);

/// A CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& s);
/// A JSON string literal, quotes included.
std::string json_string(const std::string& s);

/// A file written through a temporary file in the same folder and renamed onto `path` by
/// commit(), so a reader never sees a partial file; without commit() (an error) the temporary
/// file is removed. Throws ConfigError naming `option` if the folder is not writable.
class AtomicFile {
 public:
  AtomicFile(std::string path, std::string option = "--out");
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();
  std::ostream& stream() { return file_; }
  void commit();

 private:
  std::string path_, option_, tmp_;
  std::ofstream file_;
  bool committed_ = false;
};

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a partial file. Throws ConfigError if the folder is not writable.
void write_file_atomic(const std::string& path, const std::string& text, const std::string& option = "--out");

}  // namespace jg::report
