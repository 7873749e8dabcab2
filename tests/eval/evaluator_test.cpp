#include "engine/eval/evaluator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/test_support.hpp"

namespace jg::eval {
namespace {

using test::graph_from;
using test::kGoldenPlatform;
using test::kOneOp;
using test::platform_from;

// gemm 1000^3 fp16: 1e9 MACs at 1e9 MAC/s -> t_compute = 1 s.
// The problem (A, B, C = 2 MB each) fits the 24 MB register level, so DRAM moves each operand
// once: reads 4e6 B, writes 2e6 B -> 6e6 B / 8e9 B/s = 0.75 ms < 1 s: compute-bound, t = 1 s.
// Energy: pe 2e9 ops x 1 pJ = 2 mJ; DRAM (4e6 + 2e6) B x 8 b x 10 pJ = 0.48 mJ;
// static (1 + 2 + 3) W x 1 s = 6 J. Total 6.00248 J.
TEST(EvaluatorGolden, ComputeBoundGemm) {
  const auto p = platform_from(kGoldenPlatform);
  const auto g = graph_from(kOneOp);
  const Ledger L = evaluate(p, g);
  ASSERT_EQ(L.stages.size(), 1u);
  EXPECT_DOUBLE_EQ(L.time_s, 1.0);
  EXPECT_NEAR(L.energy_j, 6.00248, 1e-12);
  const auto ce = L.component_energy(L.stages[0]);
  EXPECT_NEAR(ce[0], 2e-3 + 1.0, 1e-12);     // acc.pe: dynamic + static
  EXPECT_NEAR(ce[1], 0.48e-3 + 2.0, 1e-12);  // acc.dram
  EXPECT_NEAR(ce[2], 3.0, 1e-12);            // acc.board
  EXPECT_DOUBLE_EQ(L.stages[0].ops[0].macs, 1e9);
  EXPECT_DOUBLE_EQ(L.stages[0].ops[0].dram_bytes, 6e6);
}

// elementwise over 1e9 fp16 elements: reads 2e9 B, writes 2e9 B at DRAM: 4e9 / 8e9 = 0.5 s;
// 1e9 flops at 4e9/s = 0.25 s: memory-bound, t = 0.5 s.
// Energy: vector 1e9 x 1 pJ = 1 mJ; DRAM 4e9 x 8 x 10 pJ = 0.32 J; static 6 W x 0.5 s = 3 J.
TEST(EvaluatorGolden, MemoryBoundElementwise) {
  const auto p = platform_from(kGoldenPlatform);
  const auto g = graph_from(R"(
schema_version = 1
name = "ew"
[[stage]]
name = "s"
kind = "inference"
device = "acc"
repeat = 3
  [[stage.op]]
  name = "relu"
  type = "elementwise"
  dtype = "fp16"
  elements = 1e9
)");
  const Ledger L = evaluate(p, g);
  // Three repeats: 1.5 s and 3 x 3.321 J.
  EXPECT_DOUBLE_EQ(L.time_s, 1.5);
  EXPECT_NEAR(L.energy_j, 3 * 3.321, 1e-9);
  EXPECT_NEAR(L.stages[0].ops[0].flops, 3e9, 1e-3);
}

TEST(EvaluatorGolden, IdleDevicesAreCharged) {
  // A second device that stays idle adds its idle power for the whole stage:
  // pe 5 W + dram 1 W (idle) + no board.
  std::string text = std::string(kGoldenPlatform) + R"(
[devices.host]
kind = "cpu"
[devices.host.pe]
model = "pe.array"
clock = "1 GHz"
vector_ops_per_cycle = 1
static_power = "9 W"
idle_power = "5 W"
[devices.host.dram]
model = "dram.ddr4"
capacity = "1 GiB"
bandwidth = "10 GB/s"
static_power = "4 W"
idle_power = "1 W"
)";
  const Ledger L = evaluate(platform_from(text), graph_from(kOneOp));
  EXPECT_NEAR(L.energy_j, 6.00248 + 6.0, 1e-12);
  const auto ce = L.component_energy(L.stages[0]);
  EXPECT_NEAR(ce[3], 5.0, 1e-12);  // host.pe idle for 1 s
  EXPECT_NEAR(ce[4], 1.0, 1e-12);  // host.dram idle for 1 s
}

TEST(EvaluatorGolden, VoltageScalingWithTheVfCurve) {
  // At half the clock on a curve from (0.5 GHz, 0.5 V) to (1 GHz, 1 V): V/Vnom = 0.5, so
  // dynamic PE energy x 0.25 and PE static power x 0.5; time doubles to 2 s.
  // Energy: pe 2 mJ x 0.25 = 0.5 mJ; DRAM 0.48 mJ; static: pe 1 W x 0.5 x 2 s = 1 J,
  // dram 2 W x 2 s = 4 J, board 3 W x 2 s = 6 J. Total 11.00098 J.
  std::string text = std::string(kGoldenPlatform);
  text.insert(text.find("[devices.acc.pe]"),
              "vf_curve = [[\"0.5 GHz\", \"0.5 V\"], [\"1 GHz\", \"1.0 V\"]]\nclock = \"0.5 GHz\"\n");
  const Ledger L = evaluate(platform_from(text), graph_from(kOneOp));
  EXPECT_DOUBLE_EQ(L.time_s, 2.0);
  EXPECT_NEAR(L.energy_j, 11.00098, 1e-12);
  EXPECT_DOUBLE_EQ(L.stages[0].voltage_ratio, 0.5);
}

TEST(EvaluatorGolden, PowerCapThrottles) {
  // The gemm draws 6.00248 W at 1 GHz. With a cap of 5 W the clock drops until the device's
  // average power meets the cap; without a V-f curve power = 2.48 mJ/t + 6 W static, which
  // never goes under 6 W, so the cap is reported as unattainable at the lowest clock.
  std::string text = std::string(kGoldenPlatform);
  text.insert(text.find("[devices.acc.pe]"), "power_cap = \"5 W\"\n");
  Ledger L = evaluate(platform_from(text), graph_from(kOneOp));
  EXPECT_TRUE(L.stages[0].throttled);
  EXPECT_TRUE(L.stages[0].cap_unattainable);
  EXPECT_DOUBLE_EQ(L.stages[0].clock_hz, 0.1e9);
  // With a curve the dynamic and static PE power fall with V: a cap of 6.0015 W is met at a
  // clock below 1 GHz, and the device's average power then sits at (or just under) the cap.
  std::string curve = std::string(kGoldenPlatform);
  curve.insert(curve.find("[devices.acc.pe]"),
               "power_cap = \"5.5 W\"\nvf_curve = [[\"0.2 GHz\", \"0.2 V\"], [\"1 GHz\", \"1.0 V\"]]\n");
  L = evaluate(platform_from(curve), graph_from(kOneOp));
  const auto& s = L.stages[0];
  EXPECT_TRUE(s.throttled);
  EXPECT_FALSE(s.cap_unattainable);
  EXPECT_LT(s.clock_hz, 1e9);
  EXPECT_LE(s.device_energy_j / s.time_s, 5.5 + 1e-9);
  EXPECT_GT(s.device_energy_j / s.time_s, 5.5 * 0.999);
}

// A gradient all-reduce of 1 GB (fp16) among 4 ranks on 2 nodes of 2 instances each, done
// hierarchically. Per rank (L = 2 per node): reduce-scatter + all-gather inside the node
// 2 x 1/2 x 1 GB = 1 GB; ring all-reduce of the 0.5 GB shard across 2 nodes 2 x 1/2 x 0.5 GB
// = 0.5 GB. Two instances: 2 GB over the fabric (20 GB/s NVLink 1, one link, efficiency 1):
// 0.1 s, then 1 GB over the network (2 ports x 8 Gb/s = 2 GB/s): 0.5 s; the phases follow
// each other: 0.6 s. DRAM reads and writes what is sent and received, 3 GB each: 6 GB at
// 16 GB/s = 0.375 s; the reduction adds 3/4 x 5e8 x 2 = 7.5e8 flops at 8e9/s = 0.094 s.
// Latency: 2 steps inside + 2 across = 4 x 5 us. t = 0.60002 s.
// Energy per node: vector 0.75 mJ; DRAM 6e9 x 8 x 10 pJ = 0.48 J; NVLink 2e9 x 8 x 1 pJ =
// 16 mJ; network 1e9 x 8 x 10 pJ = 80 mJ; static 2 x 6 W x 0.60002 s = 7.20024 J; 7.77699 J.
// Two identical nodes: 15.55398 J.
TEST(EvaluatorGolden, HierarchicalAllReduceAcrossNodes) {
  std::string text = std::string(kGoldenPlatform);
  text.insert(text.find("[devices.acc.pe]"), "count = 2\n");
  text += R"(
[links.nv]
model = "link.nvlink"
version = 1
links = 1
efficiency = 1.0
e_bit = "1 pJ/b"
connects = ["acc", "acc"]
[links.ib]
model = "link.network"
bandwidth = "8 Gb/s"
efficiency = 1.0
e_bit = "10 pJ/b"
count = 2
connects = ["acc"]
)";
  const auto p = platform_from(text);
  const auto g = graph_from(R"(
schema_version = 1
name = "ar"
nodes = 2
[[stage]]
name = "update"
kind = "training"
device = "acc"
  [[stage.op]]
  name = "all_reduce"
  type = "collective"
  dtype = "fp16"
  bytes = 1e9
  ranks = 4
  nodes = 2
)");
  const Ledger L = evaluate(p, g);
  EXPECT_DOUBLE_EQ(L.nodes, 2);
  EXPECT_NEAR(L.time_s, 0.60002, 1e-12);
  EXPECT_NEAR(L.energy_j, 15.55398, 1e-9);
  EXPECT_NEAR(L.stages[0].ops[0].energy_j, L.energy_j, 1e-9);
  const auto ce = L.component_energy(L.stages[0]);
  std::map<std::string, double> by_id;
  for (std::size_t c = 0; c < ce.size(); ++c) by_id[L.component_ids[c]] = ce[c];
  EXPECT_NEAR(by_id["ib"], 2 * 0.08, 1e-12);
  EXPECT_NEAR(by_id["nv"], 2 * 0.016, 1e-12);
  // One node, the same collective among its two instances: NVLink only, ring 2 x 1/2 x 1 GB.
  const auto one = evaluate(p, graph_from(R"(
schema_version = 1
name = "ar1"
[[stage]]
name = "update"
kind = "training"
device = "acc"
  [[stage.op]]
  name = "all_reduce"
  type = "collective"
  dtype = "fp16"
  bytes = 1e9
  ranks = 2
)"));
  const auto ce1 = one.component_energy(one.stages[0]);
  for (std::size_t c = 0; c < ce1.size(); ++c)
    if (one.component_ids[c] == "ib") {
      EXPECT_EQ(ce1[c], 0.0);  // the network carries nothing
    }
  EXPECT_DOUBLE_EQ(one.nodes, 1);
}

// Host waits: per repetition the device waits, at busy static power (pe 1 W + dram 2 W + board
// 3 W = 6 W), for host work. The golden GEMM takes 1 s; 3 repetitions with 0.25 s waits take
// 3.75 s and draw 6 W x 0.75 s = 4.5 J more than without.
TEST(EvaluatorGolden, HostWaitsAddTimeAtStaticPower) {
  auto with = [](const std::string& wait) {
    std::string w = kOneOp;
    w.replace(w.find("device = \"acc\""), 14, "device = \"acc\"\nrepeat = 3\nhost_wait = \"" + wait + "\"");
    return evaluate(platform_from(kGoldenPlatform), graph_from(w));
  };
  const Ledger none = with("0 s"), waits = with("250 ms");
  EXPECT_DOUBLE_EQ(none.time_s, 3.0);
  EXPECT_DOUBLE_EQ(waits.time_s, 3.75);
  EXPECT_DOUBLE_EQ(waits.stages[0].host_wait_s, 0.75);
  EXPECT_NEAR(waits.stages[0].host_wait_j, 4.5, 1e-12);
  EXPECT_NEAR(waits.energy_j - none.energy_j, 4.5, 1e-12);
  EXPECT_EQ(none.stages[0].host_wait_s, 0.0);
}

// A stage limited to `workers` of its device's units computes at that share: the golden
// elementwise op (compute 0.25 s with all units, memory 0.5 s) becomes compute-bound at 1/4.
TEST(EvaluatorGolden, WorkersLimitTheUnitsAStageUses) {
  std::string text = std::string(kGoldenPlatform);
  text.replace(text.find("units = 1"), 9, "units = 4");
  const char* w = R"(
schema_version = 1
name = "ew"
[[stage]]
name = "s"
kind = "preprocessing"
device = "acc"
workers = %W
  [[stage.op]]
  name = "relu"
  type = "elementwise"
  dtype = "fp16"
  elements = 1e9
)";
  auto with = [&](const std::string& n) {
    std::string s = w;
    s.replace(s.find("%W"), 2, n);
    return evaluate(platform_from(text), graph_from(s)).time_s;
  };
  // 4 units: 1e9 flops at 16e9/s = 0.0625 s < 0.5 s memory; 1 unit: 0.25 s; all: as 4.
  EXPECT_DOUBLE_EQ(with("0"), 0.5);
  EXPECT_DOUBLE_EQ(with("4"), 0.5);
  EXPECT_DOUBLE_EQ(with("1"), 0.5);
  std::string slow = text;
  slow.replace(slow.find("vector_ops_per_cycle = 4"), 24, "vector_ops_per_cycle = 1");
  auto with_slow = [&](const std::string& n) {
    std::string s = w;
    s.replace(s.find("%W"), 2, n);
    return evaluate(platform_from(slow), graph_from(s)).time_s;
  };
  // 1 op/cycle/unit: all 4 units 4e9/s = 0.25 s (memory 0.5 s wins); 1 unit 1e9/s = 1 s;
  // 2 units 0.5 s.
  EXPECT_DOUBLE_EQ(with_slow("0"), 0.5);
  EXPECT_DOUBLE_EQ(with_slow("1"), 1.0);
  EXPECT_DOUBLE_EQ(with_slow("2"), 0.5);
  EXPECT_DOUBLE_EQ(with_slow("8"), 0.5);  // more workers than units: all units
}

}  // namespace
}  // namespace jg::eval
