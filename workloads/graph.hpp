// Workload graph (DESIGN.md §3): stages of kind preprocessing, training or inference, each
// bound to a device with a repeat count and a list of ops. Op sizes are plain numbers here;
// the loader evaluates the expressions of the workload file ("batch * 196") beforehand.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/config.hpp"
#include "engine/core/dtype.hpp"
#include "engine/core/embedded.hpp"

namespace jg::wl {

enum class StageKind : std::uint8_t { kPreprocessing, kTraining, kInference };
std::string_view stage_kind_name(StageKind k);

enum class OpType : std::uint8_t {
  kGemm,
  kConv2d,
  kPool,
  kElementwise,
  kSoftmax,
  kLayerNorm,
  kBatchNorm,
  kEmbedding,
  kDataLoad,
  kDecode,
  kResize,
  kH2D,
  kD2H,
  kOptimizer,
};
inline constexpr std::size_t kOpTypeCount = 14;
std::string_view op_type_name(OpType t);

/// Which computation of a layer an op is: its forward pass, or a gradient, or the update.
enum class Pass : std::uint8_t { kForward, kBackwardData, kBackwardWeight, kUpdate };
std::string_view pass_name(Pass p);

/// Number of size slots an op carries; their meaning per type is listed by op_fields().
inline constexpr std::size_t kOpDims = 11;

struct Op {
  OpType type = OpType::kElementwise;
  Pass pass = Pass::kForward;
  core::DType dtype = core::DType::kFp32;
  std::int32_t peer = -1;  ///< h2d/d2h: index into Graph::peers
  std::uint32_t name = 0;  ///< index into Graph::names
  std::array<double, kOpDims> d{};
};

/// One size field of an op type: its slot in Op::d, whether required, its default.
struct OpField {
  const char* name;
  bool required;
  double default_value;
  const char* doc;
};
const std::vector<OpField>& op_fields(OpType t);

struct Stage {
  std::string name;
  StageKind kind = StageKind::kInference;
  std::string device;
  double repeat = 1;  ///< iterations, steps, requests
  std::vector<Op> ops;
  std::vector<std::string> depends_on;
  core::SourceLoc loc;                 ///< of the stage table
  core::SourceLoc device_loc;          ///< of the `device` key
  std::string device_path;             ///< key path of the `device` key
  std::vector<std::uint32_t> op_site;  ///< per op: index into Graph::sites (where it was written)
};

/// Where an op was written, so that binding errors can point at it.
struct KeySite {
  core::SourceLoc loc;
  std::string path;
};
struct OpSite {
  core::SourceLoc loc;  ///< of the op table
  std::string path;
  std::string name;  ///< the op's name as written
  KeySite dtype;     ///< of its `dtype` key, if written
  KeySite peer;      ///< of its `to` / `from` key (h2d, d2h)
};

struct Graph {
  std::string name;
  std::string description;
  std::vector<Stage> stages;       ///< in dependency order (stable with respect to the file)
  std::vector<std::string> names;  ///< op names
  std::vector<std::string> peers;  ///< device names that h2d/d2h ops refer to
  std::vector<OpSite> sites;
  std::map<std::string, double> params;  ///< numeric parameters after overrides
  [[nodiscard]] std::size_t op_count() const;
};

/// Builds a graph from a parsed workload document. Throws ConfigError on bad input, including
/// unknown names and cycles among stages (depends_on) or ops (inputs).
Graph load_workload(const core::ConfigNode& root);

/// Parameter count of an op's weights (0 for ops without weights).
double op_parameters(const Op& op);

/// Workloads shipped in workloads/library, embedded at build time.
const std::vector<core::EmbeddedText>& workload_library();

}  // namespace jg::wl
