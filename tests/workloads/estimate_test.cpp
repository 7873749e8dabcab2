#include "workloads/ops/estimate.hpp"

#include <gtest/gtest.h>

#include "workloads/builder.hpp"

namespace jg::wl {
namespace {

core::HierarchyView view(double reg, std::initializer_list<double> caps) {
  core::HierarchyView v;
  v.register_bytes = reg;
  for (double c : caps) v.capacity_bytes[v.levels++] = c;
  return v;
}

Op conv(double n, double ci, double h, double w, double co, double k, double s, double p, double g) {
  Op op;
  op.type = OpType::kConv2d;
  op.dtype = core::DType::kFp16;
  op.d = {n, ci, h, w, co, k, k, s, p, 1, g};
  return op;
}

TEST(Estimate, ConvMacsHandComputed) {
  // ResNet-50 stem: 1 x 3 x 224 x 224 -> 64 x 112 x 112 with 7x7/2 pad 3:
  // 112 x 112 x 64 x 3 x 7 x 7 = 118,013,952 MACs (the well-known 118M of conv1).
  const auto a = estimate(conv(1, 3, 224, 224, 64, 7, 2, 3, 1), view(0, {1e6, 1e9}));
  EXPECT_DOUBLE_EQ(a.macs, 118013952.0);
  // Depthwise 3x3 on 32 x 112 x 112 (MobileNetV2 first block): 112 x 112 x 32 x 9 = 3,612,672.
  EXPECT_DOUBLE_EQ(estimate(conv(1, 32, 112, 112, 32, 3, 1, 1, 32), view(0, {1e9})).macs, 3612672.0);
}

TEST(Estimate, OutputSize) {
  EXPECT_DOUBLE_EQ(conv_out(224, 7, 2, 3, 1), 112);
  EXPECT_DOUBLE_EQ(conv_out(56, 3, 1, 1, 1), 56);
  EXPECT_DOUBLE_EQ(conv_out(56, 3, 1, 1, 2), 54);  // dilation 2: effective kernel 5
  EXPECT_DOUBLE_EQ(conv_out(112, 3, 2, 1, 1), 56);
}

TEST(Estimate, GemmBackwardHasTheForwardMacs) {
  Op op;
  op.type = OpType::kGemm;
  op.dtype = core::DType::kBf16;
  op.d = {512, 1024, 768, 4, 1};
  const auto v = view(1e5, {1e6, 1e12});
  const double fwd = estimate(op, v).macs;
  EXPECT_DOUBLE_EQ(fwd, 512.0 * 1024 * 768 * 4);
  op.pass = Pass::kBackwardData;
  EXPECT_DOUBLE_EQ(estimate(op, v).macs, fwd);
  op.pass = Pass::kBackwardWeight;
  EXPECT_DOUBLE_EQ(estimate(op, v).macs, fwd);
}

TEST(Estimate, ReuseModelHandComputed) {
  // 1000^3 gemm, 2-byte elements, A = B = C = 2e6 B. With 6e6 B or more below, each operand
  // moves once: reads 4e6. With 3e5 B: t = floor(sqrt(3e5 / 6)) = 223, ceil(1000/223) = 5,
  // reads = 2e6 x 5 + 2e6 x 5 = 2e7.
  EXPECT_DOUBLE_EQ(matrix_read_bytes(1000, 1000, 1000, 2, 2e6, 2e6, 2e6, 6e6), 4e6);
  EXPECT_DOUBLE_EQ(matrix_read_bytes(1000, 1000, 1000, 2, 2e6, 2e6, 2e6, 3e5), 2e7);
}

// Fused attention: the score product's output and the context product's A operand stay in
// registers and the first level; beyond it only Q, K, V and the context output move.
TEST(Estimate, FusedAttentionKeepsScoresOnChip) {
  GraphBuilder b("attn", "");
  b.stage("s", StageKind::kInference, "gpu");
  const double m = 128, keys = 128, hd = 64, heads = 4;  // fp16: 2 bytes
  b.add(OpType::kGemm, "scores", {{"m", m}, {"n", keys}, {"k", hd}, {"count", heads}, {"weights", 0}},
        core::DType::kFp16);
  b.add(OpType::kSoftmax, "softmax", {{"elements", heads * m * keys}}, core::DType::kFp16);
  b.add(OpType::kGemm, "context", {{"m", m}, {"n", hd}, {"k", keys}, {"count", heads}, {"weights", 0}},
        core::DType::kFp16);
  Graph g = b.finish();
  Stage& st = g.stages[0];
  const Stage eager = st;
  EXPECT_EQ(fuse_epilogues(st), 2u);  // the chain, and the softmax in the score product's epilogue
  EXPECT_EQ(st.ops[0].on_chip, kOnChipOutput);
  EXPECT_EQ(st.ops[2].on_chip, kOnChipInputA);
  const auto v = view(0, {1e9, 1e12});  // everything fits: each operand read once per level
  const auto s0 = estimate(eager.ops[0], v), s1 = estimate(st.ops[0], v);
  const auto c0 = estimate(eager.ops[2], v), c1 = estimate(st.ops[2], v);
  const double q = heads * m * hd * 2, scores = heads * m * keys * 2;
  EXPECT_DOUBLE_EQ(s1.macs, s0.macs);
  EXPECT_DOUBLE_EQ(s0.write_bytes[1], scores);
  EXPECT_DOUBLE_EQ(s1.write_bytes[0], scores);  // first level: as before
  EXPECT_DOUBLE_EQ(s1.write_bytes[1], 0.0);     // DRAM: nothing
  EXPECT_DOUBLE_EQ(s1.read_bytes[1], 2 * q);    // Q and K (same size here)
  EXPECT_DOUBLE_EQ(c0.read_bytes[1], scores + q);
  EXPECT_DOUBLE_EQ(c1.read_bytes[1], q);  // V only
  EXPECT_DOUBLE_EQ(c1.write_bytes[1], q);
  // A weighted product after a softmax is no attention chain.
  Stage other = eager;
  other.ops[2].d[4] = 1;
  fuse_epilogues(other);
  EXPECT_EQ(other.ops[0].on_chip, 0);
  EXPECT_EQ(other.ops[2].on_chip, 0);
}

TEST(Estimate, StreamingAndDataOps) {
  Op ew;
  ew.type = OpType::kElementwise;
  ew.dtype = core::DType::kFp32;
  ew.d = {1000, 2, 3};
  const auto v = view(0, {1e6, 1e9});
  auto a = estimate(ew, v);
  EXPECT_DOUBLE_EQ(a.vector_flops, 3000);
  EXPECT_DOUBLE_EQ(a.read_bytes[1], 8000);
  EXPECT_DOUBLE_EQ(a.write_bytes[1], 4000);
  Op load;
  load.type = OpType::kDataLoad;
  load.d = {5e6};
  a = estimate(load, v);
  EXPECT_DOUBLE_EQ(a.storage_read_bytes, 5e6);
  EXPECT_DOUBLE_EQ(a.write_bytes[1], 5e6);  // lands in DRAM (the last level)
  EXPECT_DOUBLE_EQ(a.write_bytes[0], 0);
  Op h2d;
  h2d.type = OpType::kH2D;
  h2d.d = {1e6};
  a = estimate(h2d, v);
  EXPECT_DOUBLE_EQ(a.link_bytes, 1e6);
  EXPECT_DOUBLE_EQ(a.peer_dram_write_bytes, 1e6);
  EXPECT_DOUBLE_EQ(a.read_bytes[1], 1e6);
}

TEST(Estimate, ParameterCounts) {
  Op c = conv(8, 64, 56, 56, 128, 3, 1, 1, 1);
  EXPECT_DOUBLE_EQ(op_parameters(c), 128.0 * 64 * 9);
  Op e;
  e.type = OpType::kEmbedding;
  e.d = {128, 768, 30522};
  EXPECT_DOUBLE_EQ(op_parameters(e), 768.0 * 30522);
}

}  // namespace
}  // namespace jg::wl
