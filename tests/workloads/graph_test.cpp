#include "workloads/graph.hpp"

#include <gtest/gtest.h>

#include "engine/core/error.hpp"
#include "tests/test_support.hpp"

namespace jg::wl {
namespace {

TEST(Graph, DemoLoadsWithExpressionsAndBackward) {
  const Graph g = test::graph_from(test::library_workload("demo-cnn-pipeline"));
  ASSERT_EQ(g.stages.size(), 3u);
  EXPECT_EQ(g.stages[0].kind, StageKind::kPreprocessing);
  EXPECT_EQ(g.stages[1].kind, StageKind::kTraining);
  EXPECT_DOUBLE_EQ(g.stages[0].repeat, 100);
  // conv1: n = batch = 32.
  const Op& conv1 = g.stages[1].ops[0];
  EXPECT_EQ(conv1.type, OpType::kConv2d);
  EXPECT_DOUBLE_EQ(conv1.d[0], 32);
  EXPECT_EQ(conv1.dtype, core::DType::kFp16);
  // Training adds backward ops and one SGD update with every parameter:
  // conv1 64*3*49 + bn 2*64 + two 3x3 convs 2*64*64*9 + fc 64*1000.
  const Op& last = g.stages[1].ops.back();
  EXPECT_EQ(last.type, OpType::kOptimizer);
  EXPECT_DOUBLE_EQ(last.d[0], 64.0 * 3 * 49 + 128 + 2 * 64.0 * 64 * 9 + 64000);
  // Inference gets no backward ops.
  for (const auto& op : g.stages[2].ops) EXPECT_EQ(op.pass, Pass::kForward);
}

TEST(Graph, StagesAreOrderedByDependencies) {
  const Graph g = test::graph_from(R"(
schema_version = 1
name = "order"
[[stage]]
name = "b"
kind = "inference"
device = "x"
depends_on = ["a"]
  [[stage.op]]
  name = "o"
  type = "softmax"
  elements = 1
[[stage]]
name = "a"
kind = "inference"
device = "x"
  [[stage.op]]
  name = "o"
  type = "softmax"
  elements = 1
)");
  EXPECT_EQ(g.stages[0].name, "a");
  EXPECT_EQ(g.stages[1].name, "b");
}

TEST(Graph, OverridesChangeSizes) {
  const Graph g = test::graph_from(test::library_workload("demo-cnn-pipeline"), {"params.batch=8"});
  EXPECT_DOUBLE_EQ(g.stages[1].ops[0].d[0], 8);
}

}  // namespace
}  // namespace jg::wl

namespace jg::wl {
namespace {

// Regression: adding backward ops used a reference into the name list while growing it, which
// crashed on a training stage whose only op is a gemm.
TEST(Graph, TrainingStageWithOneGemmGetsItsGradients) {
  const Graph g = test::graph_from(R"(
schema_version = 1
name = "x"
[[stage]]
name = "t"
kind = "training"
device = "gpu"
  [[stage.op]]
  name = "a_rather_long_operator_name_that_defeats_small_string_storage"
  type = "gemm"
  m = 32
  n = 1000
  k = 64
)");
  ASSERT_EQ(g.stages[0].ops.size(), 4u);
  EXPECT_EQ(g.names[g.stages[0].ops[1].name], "a_rather_long_operator_name_that_defeats_small_string_storage.bwd_data");
  EXPECT_EQ(g.names[g.stages[0].ops[2].name],
            "a_rather_long_operator_name_that_defeats_small_string_storage.bwd_weight");
  EXPECT_EQ(g.names[g.stages[0].ops[3].name], "optimizer.sgd");
}

}  // namespace
}  // namespace jg::wl

namespace jg::wl {
namespace {

// Regression (found by ASan): the `matmul` alias was resolved through a dangling string_view.
TEST(Graph, MatmulIsAnAliasOfGemm) {
  const Graph g = test::graph_from(R"(
schema_version = 1
name = "x"
[[stage]]
name = "i"
kind = "inference"
device = "gpu"
  [[stage.op]]
  name = "mm"
  type = "matmul"
  m = 2
  n = 3
  k = 4
)");
  EXPECT_EQ(g.stages[0].ops[0].type, OpType::kGemm);
}

}  // namespace
}  // namespace jg::wl
