// The command line in-process: exit codes, formats, --out through a rename, --help.
#include "cli/app.hpp"
#include "hwmodels/platform/library.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace jg::cli {
namespace {

using Result = test::CliResult;
using test::run_cli;

TEST(Cli, DefaultRunsTheDemo) {
  Result r = run_cli({});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("demo-cnn-pipeline"), std::string::npos);
  EXPECT_NE(r.out.find("energy by component"), std::string::npos);
}

TEST(Cli, JsonHasTheDocumentedKeys) {
  Result r = run_cli({"estimate", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["platform"], "demo-a100-node");
  EXPECT_EQ(j["workload"], "demo-cnn-pipeline");
  for (const char* k : {"energy_j", "time_s", "avg_power_w"}) EXPECT_TRUE(j["totals"].contains(k)) << k;
  ASSERT_EQ(j["stages"].size(), 3u);
  double sum = 0;
  for (const auto& s : j["stages"]) {
    for (const char* k : {"name", "kind", "energy_j", "time_s", "avg_power_w", "components", "ops"})
      EXPECT_TRUE(s.contains(k)) << k;
    for (const auto& o : s["ops"])
      for (const char* k : {"name", "type", "energy_j", "time_s", "macs", "dram_bytes"})
        EXPECT_TRUE(o.contains(k)) << k;
    double comps = 0;
    for (const auto& [id, c] : s["components"].items()) comps += c["energy_j"].get<double>();
    EXPECT_NEAR(comps, s["energy_j"].get<double>(), 1e-9 * comps);
    sum += s["energy_j"].get<double>();
  }
  EXPECT_NEAR(sum, j["totals"]["energy_j"].get<double>(), 1e-9 * sum);
  EXPECT_EQ(j["provenance"]["inputs"].size(), 2u);
  EXPECT_EQ(j["provenance"]["inputs"][0]["sha256"].get<std::string>().size(), 64u);
}

TEST(Cli, SetChangesTheEstimateAndIsRecorded) {
  auto j32 = nlohmann::json::parse(run_cli({"estimate", "--format", "json"}).out);
  Result r = run_cli({"estimate", "--format", "json", "--set", "batch=64", "--set", "devices.gpu.clock=1.0 GHz"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j64 = nlohmann::json::parse(r.out);
  EXPECT_GT(j64["totals"]["energy_j"].get<double>(), j32["totals"]["energy_j"].get<double>());
  EXPECT_EQ(j64["provenance"]["overrides"][0], "batch=64");
  EXPECT_DOUBLE_EQ(j64["stages"][1]["clock_hz"].get<double>(), 1.0e9);
}

TEST(Cli, CsvAndOutWriteThroughARename) {
  const auto dir = std::filesystem::temp_directory_path() / "jg_cli_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "report.csv").string();
  Result r = run_cli({"estimate", "--format", "csv", "--out", path});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream f(path);
  std::string header;
  std::getline(f, header);
  EXPECT_EQ(header, "level,stage,name,type,component,energy_j,time_s,avg_power_w,macs,flops,dram_bytes");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "temporary file left behind";
  // A folder that does not exist is bad input, and nothing is written.
  Result bad = run_cli({"estimate", "--out", (dir / "missing" / "r.txt").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("writable"), std::string::npos) << bad.err;
}

TEST(Cli, ListDescribeCheckAndHelp) {
  Result l = run_cli({"list"});
  EXPECT_EQ(l.code, 0);
  EXPECT_NE(l.out.find("demo-a100-node"), std::string::npos);
  EXPECT_NE(l.out.find("dram.hbm3"), std::string::npos);
  Result d = run_cli({"describe", "dram.hbm2"});
  EXPECT_EQ(d.code, 0);
  EXPECT_NE(d.out.find("e_read : energy per bit [J/bit], default 3.9 pJ/b"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("O'Connor"), std::string::npos);
  Result dp = run_cli({"describe", "demo-a100-node"});
  EXPECT_EQ(dp.code, 0);
  EXPECT_NE(dp.out.find("gpu.dram"), std::string::npos);
  Result c = run_cli({"check", std::string(JG_SOURCE_DIR) + "/hwmodels/library/demo-a100-node.toml",
                      std::string(JG_SOURCE_DIR) + "/workloads/library/demo-cnn-pipeline.toml"});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("ok:"), std::string::npos);
  for (const char* sub : {"estimate", "list", "describe", "check"}) {
    Result h = run_cli({sub, "--help"});
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << sub;
  }
  EXPECT_EQ(run_cli({"describe", "dram.hbm9"}).code, 2);
  EXPECT_EQ(run_cli({"estimate", "--bogus"}).code, 2);
  EXPECT_EQ(run_cli({"estimate", "--format", "xml"}).code, 2);
}

}  // namespace
}  // namespace jg::cli

namespace jg::cli {
namespace {

TEST(CliHardware, ListPlatformsPrintsEveryShippedPlatformOnce) {
  const std::string out = run_cli({"list", "platforms"}).out;
  for (const auto& e : hw::library_index()) {
    const std::string line = "  " + e.name + " ";
    EXPECT_NE(out.find(line), std::string::npos) << e.name;
  }
}

TEST(CliHardware, DescribeShowsPowerModesBoundariesAndResolvesAliases) {
  const std::string jet = run_cli({"describe", "jetson-agx-orin-64gb"}).out;
  for (const char* w :
       {"power modes (active: MAXN", "15W", "knob gpu_freq (clock of device gpu)", "(shared)", "boundaries: device ="})
    EXPECT_NE(jet.find(w), std::string::npos) << w << "\n" << jet;
  const Result alias = run_cli({"describe", "NVIDIA A100-SXM-80GB"});
  EXPECT_EQ(alias.code, 0);
  EXPECT_NE(alias.out.find("platform a100-sxm4-80gb"), std::string::npos) << alias.out;
}

TEST(CliHardware, BoundaryChoosesTheHeadlineAndJsonCarriesAllFour) {
  auto j = nlohmann::json::parse(
      run_cli({"estimate", "--hw", "dgx-a100", "--format", "json", "--boundary", "wall", "--set", "node.pue=1.5"}).out);
  const auto& b = j["totals"]["boundaries"];
  EXPECT_EQ(j["boundary"], "wall");
  EXPECT_DOUBLE_EQ(j["totals"]["boundary_energy_j"].get<double>(), b["wall_j"].get<double>());
  EXPECT_NEAR(b["wall_j"].get<double>(), b["node_j"].get<double>() / 0.94, 1e-9);
  EXPECT_NEAR(b["facility_j"].get<double>(), 1.5 * b["wall_j"].get<double>(), 1e-9);
  EXPECT_LT(b["device_j"].get<double>(), b["node_j"].get<double>());
  auto jet = nlohmann::json::parse(run_cli({"estimate", "--hw", "jetson-agx-orin-64gb", "--workload",
                                            std::string(JG_SOURCE_DIR) + "/examples/edge_detector.toml", "--format",
                                            "json", "--set", "power_mode=30W,gpu_freq=816MHz"})
                                       .out);
  EXPECT_EQ(jet["power_mode"]["name"], "30W+gpu_freq");
  EXPECT_DOUBLE_EQ(jet["power_mode"]["knobs_si"]["gpu_freq"].get<double>(), 816e6);
}

}  // namespace
}  // namespace jg::cli

namespace jg::cli {
namespace {

TEST(CliWorkloads, ZooModelRunsWithPlatformDefaultsAndReportsBlocks) {
  Result r = run_cli({"estimate", "--hw", "h100-sxm5-80gb", "--workload", "llama2-7b", "--set",
                      "requests=16,batch=8,output_tokens=32", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "ok");
  ASSERT_EQ(j["stages"].size(), 2u);  // prefill, decode (no host on a bare GPU)
  const auto& op = j["stages"][0]["ops"][0];
  for (const char* k : {"name", "group", "block", "type", "energy_j", "time_s", "macs", "flops", "dram_bytes"})
    EXPECT_TRUE(op.contains(k)) << k;
  std::set<std::string> kinds;
  for (const auto& b : j["stages"][1]["blocks"]) kinds.insert(b["name"].get<std::string>());
  for (const char* k : {"attention", "mlp", "norm", "embedding", "lm_head"}) EXPECT_TRUE(kinds.count(k)) << k;
}

TEST(CliWorkloads, ByOpAndByGroupTables) {
  Result ops = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", "resnet18", "--by", "op"});
  ASSERT_EQ(ops.code, 0) << ops.err;
  EXPECT_NE(ops.out.find("ops of stage infer"), std::string::npos);
  EXPECT_NE(ops.out.find("layer4.1.conv2"), std::string::npos);
  Result groups = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", "bert-base", "--by", "group"});
  ASSERT_EQ(groups.code, 0) << groups.err;
  EXPECT_NE(groups.out.find("by block kind"), std::string::npos);
  EXPECT_NE(groups.out.find("layers.11.mlp"), std::string::npos);
}

TEST(CliWorkloads, ModelThatDoesNotFitIsAStatusNotAnError) {
  Result r = run_cli({"estimate", "--hw", "l4", "--workload", "gpt3-175b", "--set", "requests=1,batch=1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("DOES NOT FIT"), std::string::npos);
}

TEST(CliWorkloads, OnnxModelImportsAndStrictRejectsUnsupportedNodes) {
  const std::string dir = std::string(JG_SOURCE_DIR) + "/tests/data/onnx/";
  Result r = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", dir + "resnet18.onnx", "--set", "batch=32",
                      "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  double macs = 0;
  for (const auto& s : j["stages"])
    for (const auto& o : s["ops"]) macs += o["macs"].get<double>();
  // 1000 requests of ResNet-18 at 1.814 GMACs each.
  EXPECT_NEAR(macs / (1000 * 1.814e9), 1.0, 0.01);
  Result warn = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", dir + "cumsum_tiny.onnx"});
  ASSERT_EQ(warn.code, 0) << warn.err;
  EXPECT_NE(warn.out.find("warning: unsupported ONNX node"), std::string::npos);
  Result strict = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", dir + "cumsum_tiny.onnx", "--strict"});
  EXPECT_EQ(strict.code, 2);
  EXPECT_NE(strict.err.find("CumSum"), std::string::npos);
}

// The imported torchvision models and the zoo's builders agree on MACs within 1 %.
TEST(CliWorkloads, ImportedMacsMatchTheZoo) {
  const std::string dir = std::string(JG_SOURCE_DIR) + "/tests/data/onnx/";
  for (auto [file, zoo] : {std::pair{"resnet18.onnx", "resnet18"}, std::pair{"mobilenet_v2.onnx", "mobilenetv2"}}) {
    auto total = [](const std::string& out) {
      double macs = 0;
      const auto j = nlohmann::json::parse(out);  // kept alive: the loop ranges over a part of it
      for (const auto& s : j["stages"])
        if (s["kind"] != "preprocessing")
          for (const auto& o : s["ops"]) macs += o["macs"].get<double>();
      return macs;
    };
    Result a = run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", dir + file, "--set", "batch=4,requests=8",
                        "--format", "json"});
    Result b = run_cli(
        {"estimate", "--hw", "a100-sxm4-80gb", "--workload", zoo, "--set", "batch=4,requests=8", "--format", "json"});
    ASSERT_EQ(a.code, 0) << a.err;
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_NEAR(total(a.out) / total(b.out), 1.0, 0.01) << file;
  }
}

}  // namespace
}  // namespace jg::cli
