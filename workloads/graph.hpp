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
  kCollective,
};
inline constexpr std::size_t kOpTypeCount = 15;
std::string_view op_type_name(OpType t);

/// Which computation of a layer an op is: its forward pass, or a gradient, or the update.
enum class Pass : std::uint8_t { kForward, kBackwardData, kBackwardWeight, kUpdate };
std::string_view pass_name(Pass p);

/// Number of size slots an op carries; their meaning per type is listed by op_fields().
inline constexpr std::size_t kOpDims = 12;

struct Op {
  OpType type = OpType::kElementwise;
  Pass pass = Pass::kForward;
  core::DType dtype = core::DType::kFp32;
  std::int32_t peer = -1;  ///< h2d/d2h: index into Graph::peers
  bool tied = false;       ///< its weights are another op's (tied embeddings): trained, not counted twice
  /// Fused into the epilogue of the matrix op before it (compiled inference: TensorRT, vLLM
  /// kernels): elementwise and softmax keep their arithmetic but not their own DRAM round trip
  /// or launch; batchnorm is folded into the convolution's weights and costs nothing.
  bool fused = false;
  /// Fused attention (FlashAttention, TensorRT fMHA): the score product keeps its output, and the
  /// context product its A operand (the probabilities), in on-chip memory (registers and the
  /// first cache level); neither crosses L2 or DRAM, and the context product is no kernel of its
  /// own. Set by fuse_epilogues() on a weightless gemm, softmax, weightless gemm chain.
  std::uint8_t on_chip = 0;
  std::uint32_t name = 0;   ///< index into Graph::names
  std::uint32_t group = 0;  ///< index into Graph::groups (layer or block; 0 = none)
  std::array<double, kOpDims> d{};
};

/// Op::on_chip bits.
inline constexpr std::uint8_t kOnChipOutput = 1;
inline constexpr std::uint8_t kOnChipInputA = 2;

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
  /// Name of a stage this one runs concurrently with (dataloader workers under training):
  /// the wall time counts only the longer of the two, and components charged twice while both
  /// run are credited back to this stage (see Ledger).
  std::string overlaps;
  /// Share of the stage's wall time its device waits idle in a pipeline-parallel schedule
  /// (the bubble, (p-1)/(m+p-1) for p stages and m micro-batches); charged at busy static power.
  double bubble = 0;
  /// PE units (CPU cores: dataloader workers) the stage may use; 0: all of them.
  double workers = 0;
  /// Seconds per repetition the device waits, powered, for host work it cannot overlap (a
  /// serving engine's scheduling, sampling and detokenization between decode steps); charged
  /// like the bubble, at busy static power.
  double host_wait_s = 0;
};

/// Memory a workload needs on one instance of a device, by kind, in bytes.
struct Footprint {
  std::string device;
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;  ///< optimizer states and fp32 master weights
  double activations_bytes = 0;
  double kv_cache_bytes = 0;
  [[nodiscard]] double total_bytes() const {
    return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes + kv_cache_bytes;
  }
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
  std::vector<std::string> groups{""};   ///< layer/block labels of ops (index 0: none)
  std::vector<std::string> warnings;     ///< what an importer or builder approximated
  std::map<std::string, double> params;  ///< numeric parameters after overrides
  std::vector<Footprint> footprints;     ///< memory needs per device (zoo and imported models)
  /// Identical nodes the workload runs on (data or pipeline parallel across a cluster). The
  /// stages describe one node's share; every energy is multiplied by `nodes`, times are not.
  double nodes = 1;
  /// Wall time the workload spans at least (requests arriving at a rate): when the stages take
  /// less, the platform idles for the rest, charged at idle power to the last stage. 0: none.
  double min_time_s = 0;
  [[nodiscard]] std::size_t op_count() const;
};

/// Activation recomputation (checkpointing) in training: none (every activation kept); selective
/// (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
/// arXiv:2205.05198: only the attention core, the weightless score and context products and their
/// softmax, runs again: little compute for its large activations); full (the whole forward pass
/// runs again, only each layer's input kept).
enum class Recompute : std::uint8_t { kNone, kSelective, kFull };
extern const std::vector<std::string> kRecomputeNames;  ///< "none", "selective", "full"

/// The forward ops of `st` that form attention cores: weightless scores GEMM (Q·K^T), softmax,
/// weightless context GEMM (P·V), consecutive; true at each of the three.
std::vector<bool> attention_core(const Stage& st);

/// How a training stage's backward pass and update are generated.
struct TrainOptions {
  std::string optimizer = "sgd";           ///< one of kOptimizers
  bool mixed_precision = false;            ///< low-precision weights and gradients with fp32 master weights
  Recompute recompute = Recompute::kNone;  ///< forward ops run again before the backward pass
};
extern const std::vector<std::string> kOptimizers;  ///< "sgd", "momentum", "adam", "adamw", "none"

/// Appends to a training stage the backward ops of its forward ops, in reverse order: data and
/// weight gradients of GEMMs and convolutions, data gradients of the rest, then one optimizer
/// update over all parameters.
void append_backward(Graph& g, Stage& st, const TrainOptions& t);

/// Appends one optimizer update over `params` parameters (nothing for optimizer "none").
void append_update(Graph& g, Stage& st, const TrainOptions& t, double params, core::DType weight_dtype);

/// Marks the forward elementwise, softmax and batchnorm ops that directly follow a GEMM or
/// convolution (or another op so marked) as fused into its epilogue, and attention chains
/// (weightless gemm, softmax, weightless gemm) as one fused kernel (Op::on_chip). For inference
/// stages of a compiled runtime; returns the number of ops and chains marked.
std::size_t fuse_epilogues(Stage& st);

/// Elements an op writes as its output (what training keeps for the backward pass).
double op_output_elements(const Op& op);

/// Builds a graph from a parsed workload document. Throws ConfigError on bad input, including
/// unknown names and cycles among stages (depends_on) or ops (inputs).
Graph load_workload(const core::ConfigNode& root);

/// Parameter count of an op's weights (0 for ops without weights or with tied weights).
double op_parameters(const Op& op);

/// Collective kinds (the `kind` field of a collective op).
enum class Collective : std::uint8_t { kAllReduce, kAllGather, kReduceScatter, kAllToAll, kSendRecv };
inline constexpr std::size_t kCollectiveCount = 5;
std::string_view collective_name(Collective c);
/// Bytes each rank sends over its link for a collective of `bytes` (the full tensor) among
/// `ranks`: ring all-reduce 2(N-1)/N, tree all-reduce 2 (double binary tree, bandwidth term),
/// all-gather / reduce-scatter / all-to-all (N-1)/N, send/recv 1 (Thakur et al. 2005; NCCL docs).
double collective_wire_bytes(Collective c, bool tree, double bytes, double ranks);
/// Latency steps of a collective: ring 2(N-1) (all-reduce) or N-1; tree 2 log2 N; send/recv 1.
double collective_steps(Collective c, bool tree, double ranks);

/// Per-rank traffic of a collective among `ranks` spread evenly over `nodes` nodes
/// (L = ranks/nodes per node), done hierarchically as NCCL does across nodes:
/// - all-reduce: reduce-scatter inside the node ((L-1)/L of the tensor), all-reduce of the
///   1/L shard across nodes (ring or tree over `nodes`), all-gather inside the node;
/// - all-gather / reduce-scatter: (n-1)/n of the 1/L shard across nodes, (L-1)/L inside;
/// - all-to-all: 1/ranks of the tensor to every other rank, (ranks-L)/ranks across nodes;
/// - send/recv: across a node boundary.
/// With one node it is collective_wire_bytes and collective_steps among `ranks`.
struct CollectiveTraffic {
  double fabric_bytes = 0;   ///< per rank, over the links inside the node
  double network_bytes = 0;  ///< per rank, over the network to other nodes
  double steps = 0;          ///< latency steps, both phases
};
CollectiveTraffic collective_traffic(Collective c, bool tree, double bytes, double ranks, double nodes);

/// Workloads shipped in workloads/library, embedded at build time.
const std::vector<core::EmbeddedText>& workload_library();

}  // namespace jg::wl
