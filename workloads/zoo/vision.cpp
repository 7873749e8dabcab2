// Forward builders of the convolutional zoo models: ResNet, VGG, MobileNetV2, EfficientNet-B0,
// 3D U-Net, the MLPerf detectors (RetinaNet, SSD-ResNet34) and Stable Diffusion XL. Each follows
// its reference implementation layer by layer, so that the parameters and MACs of the graph
// match the figures in models/other.toml (derived there with models/count_torchvision.py).
//
// Weights applied more than once are counted once: RetinaNet's heads, the same on five pyramid
// levels, are emitted per level with the later uses `tied`; the SDXL UNet's denoising steps are
// emitted as one pass over steps x latents (exact MACs and activations in ~1/steps of the ops).
#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "workloads/ops/estimate.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::wl::zoo {
namespace {

using Fields = std::initializer_list<std::pair<const char*, double>>;

// Arithmetic per element of the activation functions (elementwise flops_per_element).
constexpr double kRelu = 1, kSilu = 4, kSigmoid = 3, kGelu = 8;

double hp(const Model& m, const char* key, double fallback) {
  auto it = m.hp.find(key);
  return it == m.hp.end() ? fallback : it->second;
}

/// A feature map of one sample: channels x height x width.
struct Fm {
  double c, h, w;
  [[nodiscard]] double size() const { return c * h * w; }
};

/// Adds the ops of one network to the current stage: names are "<group>.<name>", unique in the
/// graph; every op carries the pass's dtype. `n` is the batch of the ops added next.
class Net {
 public:
  double n;            ///< batch of the ops added next
  bool tied = false;   ///< the ops added next reuse weights that earlier ops own (counted once)

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
        {{"n", n}, {"c_in", x.c}, {"h", x.h}, {"w", x.w}, {"c_out", c_out}, {"kh", k}, {"kw", k},
         {"stride", stride}, {"padding", pad}, {"groups", groups}, {"bias", bias ? 1.0 : 0.0}});
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

Fm input_image(const Model& m, const ModelArgs& a) {
  const double side = a.image > 0 ? a.image : m.default_image;
  return {3, side, side};
}

// ---------------------------------------------------------------------------------------------
// ResNet family (torchvision layout, v1.5: the stride of a bottleneck sits on its 3x3 conv).

struct ResNetSpec {
  std::array<int, 4> blocks;
  bool bottleneck;
  double groups = 1, width_per_group = 64;  ///< ResNeXt: 32 groups of 4
};

ResNetSpec resnet_spec(double depth) {
  switch (static_cast<int>(depth)) {
    case 18: return {{2, 2, 2, 2}, false};
    case 34: return {{3, 4, 6, 3}, false};
    case 50: return {{3, 4, 6, 3}, true};
    case 101: return {{3, 4, 23, 3}, true};
    case 152: return {{3, 8, 36, 3}, true};
    default:
      throw core::ModelError("resnet: hp depth must be 18, 34, 50, 101 or 152, not " + std::to_string(depth));
  }
}

/// conv1 7x7/2 + bn + relu + maxpool 3x3/2.
Fm resnet_stem(Net& net, Fm x) {
  net.group("stem");
  x = net.cba("conv1", x, 64, 7, 2, 1, kRelu);
  return net.pool("maxpool", x, 3, 2, 1);
}

/// Stage `layer` (1-4) of `blocks` residual blocks of `planes`; the first has `stride`.
Fm resnet_stage(Net& net, Fm x, int layer, int blocks, double planes, double stride, const ResNetSpec& s) {
  const double expansion = s.bottleneck ? 4 : 1;
  const double width = s.bottleneck ? planes * (s.width_per_group / 64) * s.groups : planes;
  for (int i = 0; i < blocks; ++i) {
    net.group("layer" + std::to_string(layer) + "." + std::to_string(i));
    const double st = i == 0 ? stride : 1;
    const Fm in = x;
    if (s.bottleneck) {
      x = net.cba("conv1", x, width, 1, 1, 1, kRelu);
      x = net.cba("conv2", x, width, 3, st, s.groups, kRelu);
      x = net.cba("conv3", x, planes * expansion, 1, 1, 1, 0);
    } else {
      x = net.cba("conv1", x, planes, 3, st, 1, kRelu);
      x = net.cba("conv2", x, planes, 3, 1, 1, 0);
    }
    if (st != 1 || in.c != planes * expansion) net.cba("downsample", in, planes * expansion, 1, st, 1, 0);
    x = net.act("relu", net.residual("add", x), kRelu);
  }
  return x;
}

/// Global average pool + fully connected classifier.
void classifier(Net& net, Fm x, double classes) {
  net.group("head");
  x = net.global_pool("avgpool", x);
  net.fc("fc", x.c, classes);
}

}  // namespace

void resnet(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const ResNetSpec s = resnet_spec(hp(m, "depth", 50));
  Fm x = resnet_stem(net, input_image(m, a));
  for (int l = 0; l < 4; ++l) x = resnet_stage(net, x, l + 1, s.blocks[l], 64 << l, l == 0 ? 1 : 2, s);
  classifier(net, x, hp(m, "classes", 1000));
}

// ---------------------------------------------------------------------------------------------
// VGG (Simonyan & Zisserman 2015, configuration D = VGG-16; E = VGG-19), torchvision layout.

void vgg(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const int depth = static_cast<int>(hp(m, "depth", 16));
  if (depth != 11 && depth != 13 && depth != 16 && depth != 19)
    throw core::ModelError("vgg: hp depth must be 11, 13, 16 or 19, not " + std::to_string(depth));
  // Convolutions per block: A (11), B (13), D (16), E (19).
  const std::array<int, 5> convs = depth == 11   ? std::array<int, 5>{1, 1, 2, 2, 2}
                                   : depth == 13 ? std::array<int, 5>{2, 2, 2, 2, 2}
                                   : depth == 16 ? std::array<int, 5>{2, 2, 3, 3, 3}
                                                 : std::array<int, 5>{2, 2, 4, 4, 4};
  Fm x = input_image(m, a);
  for (int blk = 0; blk < 5; ++blk) {
    net.group("features." + std::to_string(blk));
    for (int i = 0; i < convs[blk]; ++i) {
      const std::string id = "conv" + std::to_string(i + 1);
      x = net.act(id + ".relu", net.conv(id, x, std::min(64 << blk, 512), 3, 1, 1, true), kRelu);
    }
    x = net.pool("maxpool", x, 2, 2);
  }
  net.group("classifier");
  if (x.h > 7) x = net.pool("avgpool", x, x.h / 7, x.h / 7);  // adaptive average pool to 7x7
  const double classes = hp(m, "classes", 1000);
  net.fc("fc1", 512 * 7 * 7, 4096);
  net.ew("fc1.relu", net.n * 4096, 1, kRelu);
  net.fc("fc2", 4096, 4096);
  net.ew("fc2.relu", net.n * 4096, 1, kRelu);
  net.fc("fc3", 4096, classes);
}

// ---------------------------------------------------------------------------------------------
// MobileNetV2 (Sandler et al. 2018, Table 2) and EfficientNet-B0 (Tan & Le 2019, Table 1), as in
// torchvision: inverted residual blocks (1x1 expand, depthwise kxk, [squeeze-excitation], 1x1
// project), the residual when the stride is 1 and the width is kept.

namespace {

struct InvertedResidual {
  double expand, kernel, stride, out;
  int repeats;
};

/// One stage of inverted residual blocks; `se`: squeeze-excitation with squeeze = in/4 (SiLU).
Fm inverted_stage(Net& net, Fm x, int stage, const InvertedResidual& r, double act, bool se) {
  for (int i = 0; i < r.repeats; ++i) {
    net.group("features." + std::to_string(stage) + "." + std::to_string(i));
    const Fm in = x;
    const double hidden = in.c * r.expand, stride = i == 0 ? r.stride : 1;
    if (r.expand != 1) x = net.cba("expand", x, hidden, 1, 1, 1, act);
    x = net.cba("depthwise", x, hidden, r.kernel, stride, hidden, act);
    if (se) {
      const double squeeze = std::max(1.0, std::floor(in.c / 4));
      Fm s = net.global_pool("se.avgpool", x);
      s = net.act("se.fc1.act", net.conv("se.fc1", s, squeeze, 1, 1, 1, true), kSilu);
      net.act("se.fc2.sigmoid", net.conv("se.fc2", s, hidden, 1, 1, 1, true), kSigmoid);
      net.ew("se.scale", net.n * x.size(), 2, 1);
    }
    x = net.cba("project", x, r.out, 1, 1, 1, 0);
    if (stride == 1 && in.c == r.out) net.residual("add", x);
  }
  return x;
}

/// stem conv 3x3/2 -> stages -> 1x1 conv to `last` -> pool -> classifier.
void inverted_net(Net& net, Fm x, const std::vector<InvertedResidual>& stages, double act, bool se, double last,
                  double classes) {
  net.group("features.0");
  x = net.cba("stem", x, 32, 3, 2, 1, act);
  for (std::size_t s = 0; s < stages.size(); ++s) x = inverted_stage(net, x, static_cast<int>(s) + 1, stages[s], act, se);
  net.group("features." + std::to_string(stages.size() + 1));
  x = net.cba("conv", x, last, 1, 1, 1, act);
  classifier(net, x, classes);
}

}  // namespace

void mobilenetv2(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  // t, k, s, c, n of Sandler et al. Table 2 (ReLU6).
  const std::vector<InvertedResidual> stages = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2}, {6, 3, 2, 32, 3},
                                                {6, 3, 2, 64, 4},  {6, 3, 1, 96, 3}, {6, 3, 2, 160, 3},
                                                {6, 3, 1, 320, 1}};
  inverted_net(net, input_image(m, a), stages, kRelu, false, 1280, hp(m, "classes", 1000));
}

void efficientnet_b0(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  // expand ratio, kernel, stride, channels, layers of Tan & Le Table 1 (SiLU, SE ratio 0.25).
  const std::vector<InvertedResidual> stages = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2},
                                                {6, 3, 2, 80, 3},  {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4},
                                                {6, 3, 1, 320, 1}};
  inverted_net(net, input_image(m, a), stages, kSilu, true, 1280, hp(m, "classes", 1000));
}

// ---------------------------------------------------------------------------------------------
// 3D U-Net of MLPerf (KiTS19; mlcommons/training image_segmentation/pytorch/model): filters
// 32-64-128-256-320, two 3x3x3 conv + instance norm + leaky ReLU per level, stride-2 convs down,
// 2x2x2 transposed convs up. One sample is one cubic patch (default 128^3) of 1 channel.

namespace {

/// A volume of one sample: channels x depth x height x width.
struct Vol {
  double c, d, h, w;
  [[nodiscard]] double voxels() const { return d * h * w; }
};

/// There is no conv3d op: a 3D convolution is its implicit GEMM, m = output voxels, n = c_out,
/// k = c_in x kernel^3 (the MACs and weights of the convolution; the input is read as the
/// im2col matrix, an overestimate of its traffic).
Vol conv3d(Net& net, const std::string& name, Vol x, double c_out, double k, double stride, double pad, bool bias) {
  const Vol y{c_out, conv_out(x.d, k, stride, pad, 1), conv_out(x.h, k, stride, pad, 1),
              conv_out(x.w, k, stride, pad, 1)};
  net.linear(name, net.n * y.voxels(), x.c * k * k * k, c_out, bias);
  return y;
}

/// conv3d (no bias) + instance norm (affine) + leaky ReLU.
Vol conv3d_block(Net& net, const std::string& name, Vol x, double c_out, double stride) {
  x = conv3d(net, name, x, c_out, 3, stride, 1, false);
  const double e = net.n * x.c * x.voxels();
  net.add(OpType::kBatchNorm, name + ".norm", {{"elements", e}, {"features", x.c}});  // instance norm
  net.ew(name + ".act", e, 1, kRelu);
  return x;
}

}  // namespace

void unet3d(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const double side = a.image > 0 ? a.image : m.default_image;
  const std::array<double, 5> filters = {32, 64, 128, 256, 320};
  Vol x{hp(m, "in_channels", 1), side, side, side};
  std::vector<Vol> skips;
  auto level = [&](const std::string& g, double c, double stride) {
    net.group(g);
    x = conv3d_block(net, "conv1", x, c, stride);
    x = conv3d_block(net, "conv2", x, c, 1);
  };
  level("input_block", filters[0], 1);
  for (int i = 1; i < 5; ++i) {
    skips.push_back(x);
    level("downsample." + std::to_string(i - 1), filters[i], 2);
  }
  skips.push_back(x);
  level("bottleneck", filters[4], 2);
  for (int i = 0; i < 5; ++i) {
    const Vol skip = skips[skips.size() - 1 - i];
    net.group("upsample." + std::to_string(i));
    // Transposed conv 2x2x2/2: every input voxel feeds 8 output voxels, one kernel tap each: 8
    // products of [voxels x c_in] . [c_in x c_out]. (Its c_out biases are left out: 0.003 %.)
    net.add(OpType::kGemm, "upsample_conv",
            {{"m", net.n * x.voxels()}, {"n", skip.c}, {"k", x.c}, {"count", 8}, {"weights", 1}});
    x = {2 * skip.c, skip.d, skip.h, skip.w};
    net.ew("concat", net.n * x.c * x.voxels(), 1, 0);
    x = conv3d_block(net, "conv1", x, skip.c, 1);
    x = conv3d_block(net, "conv2", x, skip.c, 1);
  }
  net.group("output");
  conv3d(net, "conv", x, hp(m, "classes", 3), 1, 1, 0, true);
}

// ---------------------------------------------------------------------------------------------
// RetinaNet of MLPerf (mlcommons/inference vision/classification_and_detection/python/models/
// resnext50): ResNeXt50-32x4d, FPN on C3-C5 with P6/P7 by stride-2 convs, class and box heads of
// four 3x3 convs shared by all levels, 9 anchors per position, 264 OpenImages classes, 800x800.
// Post-processing (box decoding, NMS) is not modeled.

void retinanet(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const ResNetSpec s{{3, 4, 6, 3}, true, 32, 4};
  Fm x = resnet_stem(net, input_image(m, a));
  std::vector<Fm> c;  // C3, C4, C5
  for (int l = 0; l < 4; ++l) {
    x = resnet_stage(net, x, l + 1, s.blocks[l], 64 << l, l == 0 ? 1 : 2, s);
    if (l > 0) c.push_back(x);
  }
  // FPN: lateral 1x1 convs, top-down nearest upsampling + add, 3x3 output convs.
  const double f = 256;
  std::vector<Fm> p(3);
  for (int i = 2; i >= 0; --i) {
    net.group("fpn.p" + std::to_string(i + 3));
    p[i] = net.conv("inner", c[i], f, 1, 1, 1, true);
    if (i < 2) net.residual("topdown_add", p[i]);
  }
  for (int i = 0; i < 3; ++i) {
    net.group("fpn.p" + std::to_string(i + 3));
    p[i] = net.conv("layer", p[i], f, 3, 1, 1, true);
  }
  net.group("fpn.p6");
  p.push_back(net.conv("conv", p[2], f, 3, 2, 1, true));
  net.group("fpn.p7");
  p.push_back(net.conv("conv", net.act("relu", p[3], kRelu), f, 3, 2, 1, true));
  // Heads: four 3x3 convs + ReLU and an output conv, the same weights on every level.
  const double anchors = 9, classes = hp(m, "classes", 264);
  for (std::size_t l = 0; l < p.size(); ++l) {
    net.tied = l > 0;
    for (const bool cls : {true, false}) {
      net.group(std::string(cls ? "head.classification.p" : "head.regression.p") + std::to_string(l + 3));
      Fm h = p[l];
      for (int i = 0; i < 4; ++i) {
        const std::string id = "conv" + std::to_string(i);
        h = net.act(id + ".relu", net.conv(id, h, f, 3, 1, 1, true), kRelu);
      }
      h = net.conv("out", h, anchors * (cls ? classes : 4), 3, 1, 1, true);
      if (cls) net.act("sigmoid", h, kSigmoid);
    }
  }
  net.tied = false;
}

// ---------------------------------------------------------------------------------------------
// SSD-ResNet34 of MLPerf inference (…/python/models/ssd_r34.py, 1200x1200, COCO 81 classes):
// ResNet-34 up to layer3 with layer3's stride set to 1 (150x150x256), five extra blocks (1x1 +
// 3x3 conv with bias, ReLU), and per-level loc/conf heads: 3x3 convs of stride 3 giving 50, 25,
// 13, 7, 3, 3 positions a side with 4, 6, 6, 6, 4, 4 default boxes. NMS is not modeled.

void ssd_resnet34(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const ResNetSpec s = resnet_spec(34);
  Fm x = resnet_stem(net, input_image(m, a));
  for (int l = 0; l < 3; ++l) x = resnet_stage(net, x, l + 1, s.blocks[l], 64 << l, l == 1 ? 2 : 1, s);
  std::vector<Fm> src = {x};
  const std::array<double, 5> mid = {256, 256, 128, 128, 128}, out = {512, 512, 256, 256, 256};
  const std::array<double, 5> stride = {2, 2, 2, 2, 1}, pad = {1, 1, 1, 0, 0};
  for (int i = 0; i < 5; ++i) {
    net.group("additional_blocks." + std::to_string(i));
    x = net.act("relu1", net.conv("conv1", x, mid[i], 1, 1, 1, true), kRelu);
    x = net.act("relu2", net.conv("conv2", x, out[i], 3, stride[i], 1, true, pad[i]), kRelu);
    src.push_back(x);
  }
  const double classes = hp(m, "classes", 81);
  const std::array<double, 6> boxes = {4, 6, 6, 6, 4, 4};
  double total = 0;
  for (int i = 0; i < 6; ++i) {
    net.group("head." + std::to_string(i));
    const Fm l = net.conv("loc", src[i], boxes[i] * 4, 3, 3, 1, true, 1);
    net.conv("conf", src[i], boxes[i] * classes, 3, 3, 1, true, 1);
    total += boxes[i] * l.h * l.w;
  }
  net.group("head");
  net.add(OpType::kSoftmax, "softmax", {{"elements", net.n * total * classes}});
}

// ---------------------------------------------------------------------------------------------
// Stable Diffusion XL base 1.0 (Podell et al. 2023; diffusers configs of stabilityai/stable-
// diffusion-xl-base-1.0), as MLPerf inference runs it (text_to_image/backend_pytorch.py): per
// image, both text encoders (CLIP ViT-L/14 and OpenCLIP ViT-bigG/14 text towers, 77 tokens) on the
// prompt and on the negative prompt, the UNet `steps` times on 2 latents (classifier-free
// guidance), the VAE decoder once.

namespace {

/// A pre-LayerNorm CLIP text transformer (GELU MLP of 4x width, final LayerNorm).
void clip_text(Net& net, const std::string& g, double width, int layers, bool projection) {
  constexpr double kVocab = 49408, kCtx = 77;
  const double heads = width / 64, rows = net.n * kCtx;
  net.group(g);
  net.add(OpType::kEmbedding, "token_embedding", {{"tokens", rows}, {"dim", width}, {"vocab", kVocab}});
  net.add(OpType::kEmbedding, "position_embedding", {{"tokens", rows}, {"dim", width}, {"vocab", kCtx}});
  for (int i = 0; i < layers; ++i) {
    const std::string l = "layers." + std::to_string(i) + ".";
    net.layernorm(l + "layer_norm1", rows, width);
    net.linear(l + "qkv", rows, width, 3 * width);
    net.attention(l + "attn", kCtx, kCtx, heads, 64);
    net.linear(l + "out_proj", rows, width, width);
    net.ew(l + "residual1", rows * width, 2, 1);
    net.layernorm(l + "layer_norm2", rows, width);
    net.linear(l + "fc1", rows, width, 4 * width);
    net.ew(l + "gelu", rows * 4 * width, 1, kGelu);
    net.linear(l + "fc2", rows, 4 * width, width);
    net.ew(l + "residual2", rows * width, 2, 1);
  }
  net.layernorm("final_layer_norm", rows, width);
  if (projection) net.linear("text_projection", net.n, width, width, false);
}

/// diffusers ResnetBlock2D: GN, SiLU, conv3x3, [+ time embedding projection], GN, SiLU, conv3x3,
/// 1x1 shortcut when the width changes. temb: time embedding width (0: none, the VAE's).
Fm resnet_block(Net& net, const std::string& name, Fm x, double c_out, double temb) {
  const Fm in = x;
  x = net.act(name + ".silu1", net.gn(name + ".norm1", x), kSilu);
  x = net.conv(name + ".conv1", x, c_out, 3, 1, 1, true);
  if (temb > 0) {
    net.linear(name + ".time_emb_proj", net.n, temb, c_out);
    net.residual(name + ".add_temb", x);
  }
  x = net.act(name + ".silu2", net.gn(name + ".norm2", x), kSilu);
  x = net.conv(name + ".conv2", x, c_out, 3, 1, 1, true);
  if (in.c != c_out) net.conv(name + ".conv_shortcut", in, c_out, 1, 1, 1, true);
  return net.residual(name + ".add", x);
}

/// diffusers Transformer2DModel (linear projections): GN, proj_in, `depth` blocks of self-
/// attention, cross-attention on the text (77 tokens of 2048) and a GEGLU feed-forward, proj_out.
void transformer_2d(Net& net, const std::string& name, Fm x, int depth) {
  constexpr double kCtx = 77, kCross = 2048, kHeadDim = 64;
  const double c = x.c, tokens = x.h * x.w, rows = net.n * tokens, heads = c / kHeadDim;
  net.gn(name + ".norm", x);
  net.linear(name + ".proj_in", rows, c, c);
  for (int i = 0; i < depth; ++i) {
    const std::string t = name + ".transformer_blocks." + std::to_string(i) + ".";
    net.layernorm(t + "norm1", rows, c);
    net.linear(t + "attn1.to_qkv", rows, c, 3 * c, false);
    net.attention(t + "attn1", tokens, tokens, heads, kHeadDim);
    net.linear(t + "attn1.to_out", rows, c, c);
    net.ew(t + "residual1", rows * c, 2, 1);
    net.layernorm(t + "norm2", rows, c);
    net.linear(t + "attn2.to_q", rows, c, c, false);
    net.linear(t + "attn2.to_kv", net.n * kCtx, kCross, 2 * c, false);
    net.attention(t + "attn2", tokens, kCtx, heads, kHeadDim);
    net.linear(t + "attn2.to_out", rows, c, c);
    net.ew(t + "residual2", rows * c, 2, 1);
    net.layernorm(t + "norm3", rows, c);
    net.linear(t + "ff.proj", rows, c, 8 * c);
    net.ew(t + "ff.geglu", rows * 4 * c, 2, kGelu + 1);
    net.linear(t + "ff.out", rows, 4 * c, c);
    net.ew(t + "residual3", rows * c, 2, 1);
  }
  net.linear(name + ".proj_out", rows, c, c);
  net.residual(name + ".add", x);
}

/// Nearest 2x upsampling (a copy) + 3x3 conv.
Fm upsample(Net& net, const std::string& name, Fm x) {
  x = {x.c, 2 * x.h, 2 * x.w};
  net.ew(name + ".interpolate", net.n * x.size(), 1, 0);
  return net.conv(name + ".conv", x, x.c, 3, 1, 1, true);
}

/// SDXL UNet on latents of side `side`: blocks of 320, 640, 1280 channels with 0, 2, 10
/// transformer blocks per attention, 2 resnets per down block and 3 per up block.
void sdxl_unet(Net& net, double side) {
  constexpr double kTemb = 1280;
  const std::array<double, 3> ch = {320, 640, 1280};
  const std::array<int, 3> depth = {0, 2, 10};
  net.group("unet.time_embedding");
  net.ew("time_proj", net.n * 320, 1, 4);
  net.linear("linear_1", net.n, 320, kTemb);
  net.ew("silu", net.n * kTemb, 1, kSilu);
  net.linear("linear_2", net.n, kTemb, kTemb);
  net.group("unet.add_embedding");  // pooled text (1280) + 6 size/crop ids x 256
  net.linear("linear_1", net.n, 2816, kTemb);
  net.ew("silu", net.n * kTemb, 1, kSilu);
  net.linear("linear_2", net.n, kTemb, kTemb);
  net.ew("add", net.n * kTemb, 2, 1);
  net.ew("silu_out", net.n * kTemb, 1, kSilu);  // the resnets' SiLU on the embedding
  net.group("unet.conv_in");
  Fm x = net.conv("conv", {4, side, side}, ch[0], 3, 1, 1, true);
  std::vector<double> skips = {x.c};
  for (int i = 0; i < 3; ++i) {
    net.group("unet.down." + std::to_string(i));
    for (int j = 0; j < 2; ++j) {
      const std::string r = std::to_string(j);
      x = resnet_block(net, "resnets." + r, x, ch[i], kTemb);
      if (depth[i] > 0) transformer_2d(net, "attentions." + r, x, depth[i]);
      skips.push_back(x.c);
    }
    if (i < 2) {
      x = net.conv("downsample", x, x.c, 3, 2, 1, true);
      skips.push_back(x.c);
    }
  }
  net.group("unet.mid");
  x = resnet_block(net, "resnets.0", x, x.c, kTemb);
  transformer_2d(net, "attentions.0", x, depth[2]);
  x = resnet_block(net, "resnets.1", x, x.c, kTemb);
  for (int i = 2; i >= 0; --i) {
    net.group("unet.up." + std::to_string(2 - i));
    for (int j = 0; j < 3; ++j) {
      const std::string r = std::to_string(j);
      x.c += skips.back();
      skips.pop_back();
      net.ew("resnets." + r + ".concat", net.n * x.size(), 1, 0);
      x = resnet_block(net, "resnets." + r, x, ch[i], kTemb);
      if (depth[i] > 0) transformer_2d(net, "attentions." + r, x, depth[i]);
    }
    if (i > 0) x = upsample(net, "upsample", x);
  }
  net.group("unet.out");
  x = net.act("silu", net.gn("norm", x), kSilu);
  net.conv("conv_out", x, 4, 3, 1, 1, true);
}

/// SDXL VAE decoder (AutoencoderKL, 4 latent channels, blocks 512-512-256-128, 3 resnets each,
/// single-head attention in the middle) from latents of side `side` to an image 8x larger.
void vae_decoder(Net& net, double side) {
  net.group("vae_decoder.conv_in");
  Fm x = net.conv("post_quant_conv", {4, side, side}, 4, 1, 1, 1, true);
  x = net.conv("conv_in", x, 512, 3, 1, 1, true);
  net.group("vae_decoder.mid");
  x = resnet_block(net, "resnets.0", x, 512, 0);
  const double tokens = x.h * x.w;
  net.gn("attentions.0.group_norm", x);
  net.linear("attentions.0.to_qkv", net.n * tokens, 512, 3 * 512);
  net.attention("attentions.0", tokens, tokens, 1, 512);
  net.linear("attentions.0.to_out", net.n * tokens, 512, 512);
  net.residual("attentions.0.add", x);
  x = resnet_block(net, "resnets.1", x, 512, 0);
  const std::array<double, 4> ch = {512, 512, 256, 128};
  for (int i = 0; i < 4; ++i) {
    net.group("vae_decoder.up." + std::to_string(i));
    for (int j = 0; j < 3; ++j) x = resnet_block(net, "resnets." + std::to_string(j), x, ch[i], 0);
    if (i < 3) x = upsample(net, "upsample", x);
  }
  net.group("vae_decoder.out");
  x = net.act("silu", net.gn("norm", x), kSilu);
  net.conv("conv_out", x, 3, 3, 1, 1, true);
}

}  // namespace

void stable_diffusion_xl(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const double side = (a.image > 0 ? a.image : m.default_image) / 8;  // VAE: 8x downsampling
  const double steps = hp(m, "steps", 20), guidance = hp(m, "cfg", 1) != 0 ? 2 : 1;
  net.n = a.batch * guidance;  // prompt + negative prompt
  clip_text(net, "text_encoder", 768, 12, false);
  clip_text(net, "text_encoder_2", 1280, 32, true);
  // All denoising steps as one pass of steps x 2 x batch latents (see the top of this file):
  // exact MACs and activations, the UNet's 2.6 B weights counted once.
  net.n = a.batch * guidance * steps;
  sdxl_unet(net, side);
  net.group("scheduler");
  net.ew("guidance", a.batch * steps * 4 * side * side, guidance, 3);  // uncond + s (cond - uncond), Euler step
  net.n = a.batch;
  vae_decoder(net, side);
}

}  // namespace jg::wl::zoo
