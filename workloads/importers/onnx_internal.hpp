// Internals of the ONNX importer (see onnx_import.hpp) shared by its two translation units:
//   onnx_import.cpp: reading the model, the entry point, and the mapping of nodes to ops;
//   onnx_fold.cpp: tensor shapes, small constant values, folding of shape arithmetic and the
//     call into ONNX shape inference.
// Private to workloads/importers: this header and those two files are the only ones that include
// ONNX headers (tests/layering_test.cpp keeps it so).
#pragma once

// The Debian ONNX package is built with ONNX_ML and the namespace "onnx" (its CMake targets
// export these definitions; they are repeated here so the file also compiles without them).
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#ifndef ONNX_ML
#define ONNX_ML 1
#endif

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/core/error.hpp"

namespace jg::wl::onnx_detail {

namespace ox = ::ONNX_NAMESPACE;

// ---------------------------------------------------------------------------------------------
// Errors

[[noreturn]] inline void fail(const std::string& path, const std::string& key, const std::string& expected,
                              const std::string& found, const std::string& hint = "") {
  core::SourceLoc loc;
  loc.file = path;
  throw core::ConfigError({loc, key, expected, found, hint});
}

// ---------------------------------------------------------------------------------------------
// Shapes and small constant values

struct Shape {
  std::vector<std::int64_t> dims;  ///< -1 where unknown
  bool known = false;              ///< a shape with every dim known
  std::int32_t elem = 0;           ///< TensorProto::DataType
  std::string unknown_dim;         ///< the first symbolic dim's name, if any
};
using Shapes = std::unordered_map<std::string, Shape>;

inline double numel(const std::vector<std::int64_t>& dims) {
  double n = 1;
  for (auto d : dims) n *= static_cast<double>(d);
  return n;
}

/// Shapes of the graph's inputs, value_info (as inferred), outputs and initializers (onnx_fold.cpp).
Shapes collect_shapes(const ox::GraphProto& g);

inline bool is_float_type(std::int32_t t) {
  return t == ox::TensorProto::FLOAT || t == ox::TensorProto::FLOAT16 || t == ox::TensorProto::BFLOAT16 ||
         t == ox::TensorProto::DOUBLE;
}

/// A small tensor with known values (shape arithmetic), values held as doubles.
struct Value {
  std::vector<std::int64_t> dims;
  std::vector<double> v;
  std::int32_t type = ox::TensorProto::INT64;
};

// ---------------------------------------------------------------------------------------------
// Attributes and nodes

inline const ox::AttributeProto* attr(const ox::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
inline std::int64_t attr_i(const ox::NodeProto& n, const char* name, std::int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}
inline std::vector<std::int64_t> attr_ints(const ox::NodeProto& n, const char* name) {
  const auto* a = attr(n, name);
  std::vector<std::int64_t> r;
  if (a)
    for (auto x : a->ints()) r.push_back(x);
  return r;
}
inline std::string attr_s(const ox::NodeProto& n, const char* name, const std::string& def) {
  const auto* a = attr(n, name);
  return a ? a->s() : def;
}

inline std::int64_t norm_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

inline bool default_domain(const ox::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

// ---------------------------------------------------------------------------------------------
// Folding of shape arithmetic and shape inference (onnx_fold.cpp)

/// One folding round over the graph (in topological order); returns whether a node was folded.
/// `consts` receives every known constant value (Constant nodes, integer and scalar initializers).
bool fold_round(ox::GraphProto& g, const Shapes& shapes, std::unordered_map<std::string, Value>& consts);

/// Runs ONNX shape inference on `model` in place; a failure is a ConfigError for `path`.
void infer_shapes(ox::ModelProto& model, const std::string& path);

}  // namespace jg::wl::onnx_detail
