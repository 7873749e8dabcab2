// Programmatic construction of a workload graph, for the model zoo and the importers (ONNX).
// Ops are added to the current stage under the current group label (a layer or block such as
// "layer3.attention"); sizes are given by the field names of op_fields() ("m", "n", "k", ...),
// unnamed fields take their defaults. A builder-made op has no source position: binding errors
// name the op and its stage instead.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "workloads/graph.hpp"

namespace jg::wl {

class GraphBuilder {
 public:
  GraphBuilder(std::string name, std::string description);

  /// Starts a new stage; the ops added next go into it.
  Stage& stage(const std::string& name, StageKind kind, const std::string& device, double repeat = 1);
  /// The current stage (InternalError if none was started).
  Stage& current();

  /// Group label of the ops added next ("" for none). Groups are reported as layers/blocks.
  void group(const std::string& label);

  /// Adds an op of `type` named `name` with the given fields (names from op_fields(type));
  /// throws InternalError on an unknown field name or a missing required field.
  Op& add(OpType type, const std::string& name, std::initializer_list<std::pair<const char*, double>> fields,
          core::DType dtype);
  /// Adds a copy op (h2d/d2h) to or from `peer`.
  Op& copy(OpType type, const std::string& name, const std::string& peer, double bytes);

  /// Appends the backward pass of the current (training) stage's forward ops in reverse order,
  /// then one optimizer update (optimizer "sgd", "adam" or "none"; mixed: fp32 master weights
  /// kept beside low-precision ones). With `recompute`, forward ops are run again before the
  /// backward pass (all of them, or the attention cores: see Recompute).
  void add_backward(const std::string& optimizer, bool mixed_precision = false, Recompute recompute = Recompute::kNone);

  /// Appends a record of something the builder could not represent exactly (shown as a warning).
  void warn(const std::string& message);

  Graph& graph() { return g_; }
  Graph finish();

 private:
  Graph g_;
  std::uint32_t group_ = 0;
  std::uint32_t site_ = 0;
};

}  // namespace jg::wl
