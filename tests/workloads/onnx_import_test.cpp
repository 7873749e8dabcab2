// ONNX importer: torch-exported models against the torch oracle of tests/data/onnx/make_models.py
// (parameters, and conv/linear/attention MACs counted with forward hooks), batch scaling,
// grouping, unsupported ops (warning, strict mode) and malformed files (tests/data/bad/onnx/).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "engine/core/activity.hpp"
#include "engine/core/error.hpp"
#include "workloads/importers/onnx_import.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::wl {
namespace {

const std::string kOnnxDir = std::string(JG_SOURCE_DIR) + "/tests/data/onnx/";
const std::string kBadDir = std::string(JG_SOURCE_DIR) + "/tests/data/bad/onnx/";

struct Totals {
  double macs = 0;
  double params = 0;
};

// MACs as the estimator counts them, parameters as op_parameters counts them.
Totals totals(const Graph& g) {
  Totals t;
  for (const auto& st : g.stages)
    for (const auto& op : st.ops) {
      t.macs += estimate(op, core::HierarchyView{}).macs;
      t.params += op_parameters(op);
    }
  return t;
}

Graph import(const std::string& file, double batch, OnnxSummary* summary = nullptr, bool strict = false) {
  OnnxOptions o;
  o.dims["batch"] = batch;
  o.strict = strict;
  return import_onnx(kOnnxDir + file, o, summary);
}

// Figures printed by make_models.py (torch 1.13, torchvision 0.14, batch 1, 224x224).
struct Oracle {
  std::string model;
  double params;
  double macs;  // conv + linear (+ attention products Q.K^T and A.V for the ViT)
};

// Parameters: torch's export folds each BatchNorm into the convolution before it (weights
// rescaled, a bias of c_out values added), so the graph holds c_out parameters per BatchNorm
// where torch holds 2·c_out: resnet18 4,800 fewer (0.04%), mobilenet_v2 17,056 fewer (0.49%).
// MACs are exact: the same products, BatchNorm or not.
const std::vector<Oracle>& oracles() {
  static const std::vector<Oracle> k = {
      {"resnet18", 11'689'512, 1'814'073'344},
      {"mobilenet_v2", 3'504'872, 300'774'272},
      {"vit_small", 7'854'952, 1'571'751'936},
  };
  return k;
}

class OnnxModel : public testing::TestWithParam<Oracle> {};

TEST_P(OnnxModel, MacsMatchTheTorchOracleAtBatchOne) {
  const Oracle& o = GetParam();
  OnnxSummary s;
  const Graph g = import(o.model + ".onnx", 1, &s);
  EXPECT_NEAR(totals(g).macs, o.macs, 0.01 * o.macs);
  EXPECT_TRUE(g.warnings.empty()) << g.warnings.front();
  EXPECT_TRUE(s.unsupported.empty()) << describe(s);
}

TEST_P(OnnxModel, MacsScaleLinearlyWithBatch) {
  const Oracle& o = GetParam();
  const double one = totals(import(o.model + ".onnx", 1)).macs;
  const double eight = totals(import(o.model + ".onnx", 8)).macs;
  EXPECT_NEAR(eight, 8 * one, 1e-9 * eight);
  EXPECT_NEAR(eight, 8 * o.macs, 0.08 * o.macs);
}

TEST_P(OnnxModel, ParametersMatchTheTorchOracleAtAnyBatch) {
  const Oracle& o = GetParam();
  const double one = totals(import(o.model + ".onnx", 1)).params;
  EXPECT_NEAR(one, o.params, 0.01 * o.params);
  EXPECT_DOUBLE_EQ(totals(import(o.model + ".onnx", 8)).params, one);
}

INSTANTIATE_TEST_SUITE_P(torch, OnnxModel, testing::ValuesIn(oracles()),
                         [](const testing::TestParamInfo<Oracle>& info) { return info.param.model; });

TEST(OnnxImport, ViTCountsAttentionAsActivationProductsAndFusesLinearBiases) {
  OnnxSummary s;
  const Graph g = import("vit_small.onnx", 2, &s);
  // Q.K^T per layer: 6 heads x batch 2 products of [197 x 64]·[64 x 197].
  bool found = false;
  for (const auto& op : g.stages[0].ops)
    if (g.names[op.name] == "/encoder/layers/encoder_layer_0/self_attention/MatMul_1") {
      found = true;
      EXPECT_EQ(op.type, OpType::kGemm);
      EXPECT_EQ(op.d[0], 197);  // m
      EXPECT_EQ(op.d[1], 197);  // n
      EXPECT_EQ(op.d[2], 64);   // k
      EXPECT_EQ(op.d[3], 12);   // count
      EXPECT_EQ(op.d[4], 0);    // weights: both operands are activations
    }
  EXPECT_TRUE(found);
  // Linear layers on 3-D input export as MatMul + Add: the Add is the bias (in_proj, mlp.0, mlp.3).
  EXPECT_EQ(s.fused.at("Add"), 12u);
  // The class token and the position embedding are learned tensors read without weights.
  EXPECT_EQ(s.unattached_parameters, 2u);
}

TEST(OnnxImport, StageDtypeAndDimsComeFromTheOptions) {
  OnnxOptions o;
  o.dims["batch"] = 4;
  o.device = "npu";
  o.kind = StageKind::kTraining;
  o.repeat = 100;
  Graph g = import_onnx(kOnnxDir + "resnet18.onnx", o);
  ASSERT_EQ(g.stages.size(), 1u);
  EXPECT_EQ(g.name, "resnet18");
  EXPECT_EQ(g.stages[0].device, "npu");
  EXPECT_EQ(g.stages[0].kind, StageKind::kTraining);
  EXPECT_EQ(g.stages[0].repeat, 100);
  EXPECT_EQ(g.params.at("batch"), 4);
  for (const auto& op : g.stages[0].ops) EXPECT_EQ(op.dtype, core::DType::kFp32);  // float model
  o.dtype = core::DType::kFp16;
  g = import_onnx(kOnnxDir + "resnet18.onnx", o);
  for (const auto& op : g.stages[0].ops) EXPECT_EQ(op.dtype, core::DType::kFp16);
}

TEST(OnnxImport, GroupsFollowTheTorchModuleScope) {
  const Graph g = import("resnet18.onnx", 1);
  auto group_of = [&](const std::string& op_name) {
    for (const auto& op : g.stages[0].ops)
      if (g.names[op.name] == op_name) return g.groups[op.group];
    return std::string("<no op " + op_name + ">");
  };
  EXPECT_EQ(group_of("/conv1/Conv"), "conv1");
  EXPECT_EQ(group_of("/layer1/layer1.0/conv1/Conv"), "layer1.0");
  EXPECT_EQ(group_of("/layer2/layer2.0/downsample/downsample.0/Conv"), "layer2.0");
  EXPECT_EQ(group_of("/fc/Gemm"), "fc");
  const Graph v = import("vit_small.onnx", 1);
  std::set<std::string> groups(v.groups.begin(), v.groups.end());
  for (const char* layer : {"encoder_layer_0", "encoder_layer_3", "conv_proj", "heads"})
    EXPECT_TRUE(groups.count(layer)) << layer;
}

TEST(OnnxImport, MetadataOpsAreFreeNotUnsupported) {
  OnnxSummary s;
  const Graph g = import("resnet18.onnx", 1, &s);
  EXPECT_EQ(s.nodes, 65u);
  EXPECT_EQ(s.free.at("Identity"), 16u);
  EXPECT_EQ(s.free.at("Flatten"), 1u);
  EXPECT_EQ(s.mapped.at("Conv"), 20u);
  EXPECT_TRUE(s.unsupported.empty());
  EXPECT_EQ(s.ops, g.op_count());
  EXPECT_NE(g.description.find("unsupported: none"), std::string::npos) << g.description;
}

TEST(OnnxImport, UnsupportedNodeIsAWarningAndCountedAsElementwise) {
  OnnxSummary s;
  const Graph g = import("cumsum_tiny.onnx", 4, &s);
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_NE(g.warnings[0].find("unsupported ONNX node '/CumSum' (CumSum) at node index 2"), std::string::npos)
      << g.warnings[0];
  EXPECT_NE(g.warnings[0].find("counted as elementwise over its output"), std::string::npos);
  EXPECT_EQ(s.unsupported.at("CumSum"), 1u);
  bool found = false;
  for (const auto& op : g.stages[0].ops)
    if (g.names[op.name] == "/CumSum") {
      found = true;
      EXPECT_EQ(op.type, OpType::kElementwise);
      EXPECT_EQ(op.d[0], 4 * 16);  // elements: its output [batch, 16]
    }
  EXPECT_TRUE(found);
  // The Linear(16, 16) around it: 16·16 + 16 parameters, batch·16·16 MACs.
  const Totals t = totals(g);
  EXPECT_EQ(t.params, 272);
  EXPECT_EQ(t.macs, 4 * 256);
}

TEST(OnnxImport, StrictModeRejectsAnUnsupportedNodeByName) {
  try {
    import("cumsum_tiny.onnx", 1, nullptr, true);
    FAIL() << "no ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.detail().loc.file, kOnnxDir + "cumsum_tiny.onnx");
    EXPECT_EQ(e.detail().key_path, "graph.node[2]");
    const std::string what = e.what();
    EXPECT_NE(what.find("'/CumSum' (CumSum)"), std::string::npos) << what;
    EXPECT_NE(what.find("strict"), std::string::npos) << what;
  }
}

// Runs the import and returns the ConfigError it must throw.
core::ConfigError import_error(const std::string& path, const OnnxOptions& o) {
  try {
    import_onnx(path, o);
  } catch (const core::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << path << ": no ConfigError";
  return core::ConfigError({});
}

TEST(OnnxImport, SymbolicDimWithoutAValueIsNamed) {
  const std::string path = kOnnxDir + "resnet18.onnx";
  const core::ConfigError e = import_error(path, OnnxOptions{});
  EXPECT_EQ(e.detail().loc.file, path);
  EXPECT_EQ(e.detail().key_path, "graph.input[0].shape.dim[0]");
  EXPECT_EQ(e.detail().expected, "a value for dim 'batch' (set it with --set batch=N)");
  EXPECT_NE(e.detail().found.find("'batch'"), std::string::npos);
  OnnxOptions zero;
  zero.dims["batch"] = 0;
  EXPECT_NE(std::string(import_error(path, zero).what()).find("a positive whole number for dim 'batch'"),
            std::string::npos);
}

TEST(OnnxImport, MissingFileIsNamed) {
  const std::string path = kOnnxDir + "no_such_model.onnx";
  const core::ConfigError e = import_error(path, OnnxOptions{});
  EXPECT_EQ(e.detail().loc.file, path);
  EXPECT_EQ(e.detail().found, "no such file");
}

struct BadOnnx {
  std::string fixture;
  std::string key;                 // key path, empty for file-level errors
  std::vector<std::string> words;  // distinctive words of expected / found
};

const std::vector<BadOnnx>& bad_cases() {
  static const std::vector<BadOnnx> k = {
      {"not_protobuf.onnx",
       "",
       {"expected: an ONNX model (a binary protobuf ModelProto", "do not parse", "the file is text"}},
      {"truncated.onnx", "", {"expected: an ONNX model", "100 bytes that do not parse as a ModelProto", "cut short"}},
      {"shape_mismatch.onnx",
       "",
       {"expected: a model whose tensor shapes ONNX shape inference can infer", "ONNX shape inference failed",
        "/fc/MatMul", "Incompatible dimensions"}},
      {"unknown_shape.onnx",
       "graph.node[0]",
       {"node '/fancy/Fancy' (com.example.Fancy)", "no inferred shape for its tensor 'fancy'"}},
  };
  return k;
}

class BadOnnxFile : public testing::TestWithParam<BadOnnx> {};

TEST_P(BadOnnxFile, IsAConfigErrorNamingTheFileAndTheExpectation) {
  const BadOnnx& c = GetParam();
  const std::string path = kBadDir + c.fixture;
  ASSERT_TRUE(std::filesystem::is_regular_file(path)) << path;
  OnnxOptions o;
  o.dims["batch"] = 2;
  const core::ConfigError e = import_error(path, o);
  EXPECT_EQ(e.detail().loc.file, path);
  EXPECT_EQ(e.detail().key_path, c.key);
  const std::string what = e.what();
  EXPECT_NE(what.find(path), std::string::npos) << what;
  for (const auto& w : c.words) EXPECT_NE(what.find(w), std::string::npos) << "missing: " << w << "\n" << what;
}

INSTANTIATE_TEST_SUITE_P(fixtures, BadOnnxFile, testing::ValuesIn(bad_cases()),
                         [](const testing::TestParamInfo<BadOnnx>& info) {
                           std::string n = info.param.fixture.substr(0, info.param.fixture.find('.'));
                           return n;
                         });

TEST(BadOnnxFixtures, EveryFixtureHasACase) {
  std::set<std::string> covered;
  for (const auto& c : bad_cases()) covered.insert(c.fixture);
  for (const auto& entry : std::filesystem::directory_iterator(kBadDir))
    EXPECT_EQ(covered.count(entry.path().filename().string()), 1u) << entry.path() << " has no case";
}

}  // namespace
}  // namespace jg::wl
