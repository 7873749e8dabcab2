// Private to the zoo's convolutional forward builders (vision.cpp, diffusion.cpp): field lists,
// activation costs and a small builder of NCHW feature maps. Not included anywhere else.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "workloads/zoo/zoo.hpp"

namespace jg::wl::zoo {

// ---------------------------------------------------------------------------------------------
// Helpers of the convolutional forward builders (vision.cpp, diffusion.cpp); not for other use.
namespace detail {

using Fields = std::initializer_list<std::pair<const char*, double>>;

// Arithmetic per element of the activation functions (elementwise flops_per_element).
inline constexpr double kRelu = 1, kSilu = 4, kSigmoid = 3, kGelu = 8;

/// A feature map of one sample: channels x height x width.
struct Fm {
  double c, h, w;
  [[nodiscard]] double size() const { return c * h * w; }
};

/// Adds the ops of one network to the current stage: names are "<group>.<name>", unique in the
/// graph; every op carries the pass's dtype. `n` is the batch of the ops added next.
class Net {
 public:
  double n;           ///< batch of the ops added next
  bool tied = false;  ///< the ops added next reuse weights that earlier ops own (counted once)

  Net(GraphBuilder& b, const ModelArgs& a) : n(a.batch), b_(b), dtype_(a.dtype) {}

  void group(const std::string& g) {
    group_ = g;
    b_.group(g);
  }
  Op& add(OpType t, const std::string& name, Fields f) {
    const std::string base = group_.empty() ? name : group_ + "." + name;
    std::string full = base;
    for (int i = 2; !names_.insert(full).second; ++i) full = base + "#" + std::to_string(i);
    Op& op = b_.add(t, full, f, dtype_);
    op.tied = tied;
    return op;
  }

  // Convolutions (NCHW). pad < 0: "same" padding (k-1)/2.
  Fm conv(const std::string& name, Fm x, double c_out, double k, double stride = 1, double groups = 1,
          bool bias = false, double pad = -1) {
    if (pad < 0) pad = std::floor((k - 1) / 2);
    add(OpType::kConv2d, name,
        {{"n", n},
         {"c_in", x.c},
         {"h", x.h},
         {"w", x.w},
         {"c_out", c_out},
         {"kh", k},
         {"kw", k},
         {"stride", stride},
         {"padding", pad},
         {"groups", groups},
         {"bias", bias ? 1.0 : 0.0}});
    return {c_out, conv_out(x.h, k, stride, pad, 1), conv_out(x.w, k, stride, pad, 1)};
  }
  Fm bn(const std::string& name, Fm x) {
    add(OpType::kBatchNorm, name, {{"elements", n * x.size()}, {"features", x.c}});
    return x;
  }
  Fm gn(const std::string& name, Fm x) {  // GroupNorm: 2 x C parameters, statistics per group
    add(OpType::kLayerNorm, name, {{"elements", n * x.size()}, {"features", x.c}});
    return x;
  }
  Fm act(const std::string& name, Fm x, double flops) {
    ew(name, n * x.size(), 1, flops);
    return x;
  }
  Fm residual(const std::string& name, Fm x) {  // y = a + b
    ew(name, n * x.size(), 2, 1);
    return x;
  }
  /// conv + batchnorm (+ activation of `flops` per element; 0: none), torchvision's
  /// Conv2dNormActivation; ops "<name>", "<name>.bn", "<name>.act".
  Fm cba(const std::string& name, Fm x, double c_out, double k, double stride, double groups, double flops) {
    x = bn(name + ".bn", conv(name, x, c_out, k, stride, groups));
    return flops > 0 ? act(name + ".act", x, flops) : x;
  }
  Fm pool(const std::string& name, Fm x, double k, double stride, double pad = 0) {
    add(OpType::kPool, name,
        {{"n", n}, {"c", x.c}, {"h", x.h}, {"w", x.w}, {"kernel", k}, {"stride", stride}, {"padding", pad}});
    return {x.c, conv_out(x.h, k, stride, pad, 1), conv_out(x.w, k, stride, pad, 1)};
  }
  Fm global_pool(const std::string& name, Fm x) {  // global average pool (square maps)
    pool(name, x, x.h, x.h);
    return {x.c, 1, 1};
  }

  // Elementwise and matrix ops (rows: batch x tokens).
  void ew(const std::string& name, double elements, double operands, double flops) {
    add(OpType::kElementwise, name, {{"elements", elements}, {"operands", operands}, {"flops_per_element", flops}});
  }
  void linear(const std::string& name, double rows, double in, double out, bool bias = true) {
    add(OpType::kGemm, name, {{"m", rows}, {"n", out}, {"k", in}, {"weights", 1}, {"bias", bias ? 1.0 : 0.0}});
  }
  void matmul(const std::string& name, double m, double n_, double k, double count) {  // activation x activation
    add(OpType::kGemm, name, {{"m", m}, {"n", n_}, {"k", k}, {"count", count}, {"weights", 0}});
  }
  void layernorm(const std::string& name, double rows, double features) {
    add(OpType::kLayerNorm, name, {{"elements", rows * features}, {"features", features}});
  }
  /// Scaled dot-product attention of `q_tokens` queries over `kv_tokens` keys per sequence.
  void attention(const std::string& name, double q_tokens, double kv_tokens, double heads, double head_dim) {
    matmul(name + ".scores", q_tokens, kv_tokens, head_dim, n * heads);
    add(OpType::kSoftmax, name + ".softmax", {{"elements", n * heads * q_tokens * kv_tokens}});
    matmul(name + ".context", q_tokens, head_dim, kv_tokens, n * heads);
  }
  /// A fully connected classifier layer: batch rows, with bias.
  void fc(const std::string& name, double in, double out) { linear(name, n, in, out); }

 private:
  GraphBuilder& b_;
  core::DType dtype_;
  std::string group_;
  std::set<std::string> names_;
};

}  // namespace detail

}  // namespace jg::wl::zoo
