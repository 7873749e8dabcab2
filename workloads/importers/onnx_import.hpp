// ONNX importer: an ONNX model (weights optional) -> a workload graph of one stage.
//
// The model's symbolic dims (dim_param, e.g. "batch") take the values of OnnxOptions::dims,
// ONNX shape inference runs (with shape arithmetic such as Shape -> Gather -> Concat -> Reshape
// folded to constants between rounds, so that torch exports with dynamic axes get static
// shapes), and every node becomes zero or more ops:
//   Conv -> conv2d (1-D and 3-D convolutions as an equivalent conv2d with the same MACs and
//     weights); ConvTranspose -> conv2d with the roles of input and output swapped;
//   Gemm, MatMul -> gemm (weights = 1 when B, or A, is a learned tensor; two activations:
//     weights = 0, count = product of the batch dims); a bias Add right after a MatMul is fused;
//   arithmetic and activations -> elementwise; pools -> pool; BatchNormalization -> batchnorm;
//   LayerNormalization, InstanceNormalization -> layernorm; Softmax -> softmax; Gather on a
//   learned table -> embedding; copies (Transpose, Concat, Slice, ...) -> elementwise with
//   0 flops; metadata ops (Reshape, Flatten, Shape, Identity, ...) -> nothing ("free").
// Learned tensors are initializers and the graph inputs after the first that have no symbolic
// dim (torch.onnx.export(export_params=False) lists the parameters as graph inputs); a learned
// tensor that no op with weights reads (a ViT's class token and position embedding) becomes an
// embedding op, so that the graph's parameter count is the model's.
// The ONNX and protobuf headers are included by the importer's own files only (onnx_import.cpp,
// onnx_fold.cpp, onnx_internal.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/core/dtype.hpp"
#include "workloads/graph.hpp"

namespace jg::wl {

struct OnnxOptions {
  /// Values of symbolic dims (dim_param), e.g. {"batch", 32}; a dynamic dim of a model input
  /// without a value is a ConfigError naming it.
  std::map<std::string, double> dims;
  /// Compute dtype of every op; default: from the model's float type (float -> fp32,
  /// float16 -> fp16, bfloat16 -> bf16, double -> fp64, int8/uint8 -> int8).
  std::optional<core::DType> dtype;
  bool strict = false;  ///< an unsupported node is a ConfigError instead of a warning
  std::string device = "gpu";
  /// Kind of the one stage. The importer adds forward ops only: for training, the caller
  /// appends the backward pass (GraphBuilder::add_backward / append_backward).
  StageKind kind = StageKind::kInference;
  double repeat = 1;
};

/// What became of the model's nodes, by ONNX op type.
struct OnnxSummary {
  std::size_t nodes = 0;                           ///< nodes of the main graph
  std::size_t ops = 0;                             ///< ops added to the stage
  std::map<std::string, std::size_t> mapped;       ///< nodes that became ops
  std::map<std::string, std::size_t> free;         ///< metadata, shape arithmetic, ops over weights only
  std::map<std::string, std::size_t> fused;        ///< nodes folded into a neighbour (bias Add after MatMul)
  std::map<std::string, std::size_t> unsupported;  ///< nodes counted as elementwise over their output
  std::size_t unattached_parameters = 0;           ///< learned tensors read by ops without weights (embedding ops)
  std::int64_t opset = 0;                          ///< of the default domain
  std::string producer;                            ///< producer name and version
};

/// One line: "65 nodes -> 46 ops; free: Flatten 1, Identity 16; unsupported: none".
std::string describe(const OnnxSummary& s);

/// Reads an ONNX model (protobuf), substitutes dims, runs ONNX shape inference, maps every node
/// to ops of one stage named after options.kind ("inference", "training", "preprocessing").
/// Ops are grouped by the node-name scope of torch exports: the group is the shallowest scope
/// component that ends in a block index (".N" or "_N": "/layer1/layer1.0/conv1/Conv" ->
/// "layer1.0", "/encoder/layers/encoder_layer_0/mlp/mlp.0/MatMul" -> "encoder_layer_0"), else
/// the first scope component ("/fc/Gemm" -> "fc"), else none.
/// Throws core::ConfigError (loc.file = path) for a missing or unreadable file, bytes that are
/// not an ONNX model, a shape inference failure, a symbolic dim without a value, a node output
/// without an inferred shape, and (strict) an unsupported node.
Graph import_onnx(const std::string& path, const OnnxOptions& options, OnnxSummary* summary = nullptr);

}  // namespace jg::wl
