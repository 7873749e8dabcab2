// Forward builders of the convolutional zoo models: ResNet, VGG, MobileNetV2, EfficientNet-B0,
// 3D U-Net and the MLPerf detectors (RetinaNet, SSD-ResNet34); Stable Diffusion XL, on the same
// helpers (zoo.hpp, namespace detail), is in diffusion.cpp. Each follows its reference
// implementation layer by layer, so that the parameters and MACs of the graph match the figures
// in models/other.toml (derived there with models/count_torchvision.py).
//
// Weights applied more than once are counted once: RetinaNet's heads, the same on five pyramid
// levels, are emitted per level with the later uses `tied`.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "workloads/ops/estimate.hpp"
#include "workloads/zoo/net.hpp"

namespace jg::wl::zoo {

using detail::Fm;
using detail::kRelu;
using detail::kSigmoid;
using detail::kSilu;
using detail::Net;

namespace {

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
    case 18:
      return {{2, 2, 2, 2}, false};
    case 34:
      return {{3, 4, 6, 3}, false};
    case 50:
      return {{3, 4, 6, 3}, true};
    case 101:
      return {{3, 4, 23, 3}, true};
    case 152:
      return {{3, 8, 36, 3}, true};
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
  for (std::size_t s = 0; s < stages.size(); ++s)
    x = inverted_stage(net, x, static_cast<int>(s) + 1, stages[s], act, se);
  net.group("features." + std::to_string(stages.size() + 1));
  x = net.cba("conv", x, last, 1, 1, 1, act);
  classifier(net, x, classes);
}

}  // namespace

void mobilenetv2(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  // t, k, s, c, n of Sandler et al. Table 2 (ReLU6).
  const std::vector<InvertedResidual> stages = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2},  {6, 3, 2, 32, 3}, {6, 3, 2, 64, 4},
                                                {6, 3, 1, 96, 3}, {6, 3, 2, 160, 3}, {6, 3, 1, 320, 1}};
  inverted_net(net, input_image(m, a), stages, kRelu, false, 1280, hp(m, "classes", 1000));
}

void efficientnet_b0(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  // expand ratio, kernel, stride, channels, layers of Tan & Le Table 1 (SiLU, SE ratio 0.25).
  const std::vector<InvertedResidual> stages = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2},
                                                {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4},
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

}  // namespace jg::wl::zoo
