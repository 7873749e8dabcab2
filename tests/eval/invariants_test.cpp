// Properties of the evaluator on the shipped demo platform and pipeline: parts add up,
// scaling with batch, monotonicity in cache size and frequency, idle energy with duration,
// and parallel == serial bit for bit.
#include <gtest/gtest.h>

#include <numeric>

#include "engine/eval/evaluator.hpp"
#include "tests/test_support.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::eval {
namespace {

using test::graph_from;
using test::library_platform;
using test::library_workload;
using test::platform_from;

Ledger demo(const std::vector<std::string>& hw_sets = {}, const std::vector<std::string>& wl_sets = {},
            EvalOptions opt = {}) {
  return evaluate(platform_from(library_platform("demo-a100-node"), hw_sets),
                  graph_from(library_workload("demo-cnn-pipeline"), wl_sets), opt);
}

double total_macs(const Ledger& L) {
  double m = 0;
  for (const auto& s : L.stages)
    for (const auto& o : s.ops) m += o.macs;
  return m;
}

const StageResult& stage(const Ledger& L, const std::string& name) {
  for (const auto& s : L.stages)
    if (s.name == name) return s;
  throw std::runtime_error("no stage " + name);
}

TEST(Invariants, PartsAddUpToTotals) {
  const Ledger L = demo();
  double stages = 0, comps = 0;
  for (const auto& s : L.stages) {
    stages += s.energy_j;
    const auto ce = L.component_energy(s);
    const double c = std::accumulate(ce.begin(), ce.end(), 0.0);
    EXPECT_NEAR(c, s.energy_j, 1e-9 * s.energy_j);
    comps += c;
    double ops = 0;
    for (const auto& o : s.ops) ops += o.energy_j;
    EXPECT_NEAR(ops, s.energy_j, 1e-9 * s.energy_j);
  }
  EXPECT_NEAR(stages, L.energy_j, 1e-9 * L.energy_j);
  EXPECT_NEAR(comps, L.energy_j, 1e-9 * L.energy_j);
  EXPECT_NO_THROW(L.check_invariants());
}

TEST(Invariants, DoublingTheBatchDoublesMacs) {
  const double m32 = total_macs(demo({}, {"params.batch=32"}));
  const double m64 = total_macs(demo({}, {"params.batch=64"}));
  ASSERT_GT(m32, 0);
  EXPECT_NEAR(m64 / m32, 2.0, 1e-12);
}

TEST(Invariants, TrainingBackwardDoublesTheMatrixWork) {
  const Ledger L = demo();
  // Every conv and gemm gets a data and a weight gradient with the forward MAC count.
  double fwd = 0, all = 0;
  const auto g = graph_from(library_workload("demo-cnn-pipeline"));
  const auto& st = g.stages[1];
  const auto& res = stage(L, "train");
  for (std::size_t i = 0; i < st.ops.size(); ++i) {
    all += res.ops[i].macs;
    if (st.ops[i].pass == wl::Pass::kForward) fwd += res.ops[i].macs;
  }
  EXPECT_NEAR(all / fwd, 3.0, 1e-12);
}

const char* kBigOps = R"(
schema_version = 1
name = "g"
[[stage]]
name = "s"
kind = "training"
device = "gpu"
  [[stage.op]]
  name = "mm"
  type = "gemm"
  dtype = "fp16"
  m = 8192
  n = 8192
  k = 8192
  [[stage.op]]
  name = "conv"
  type = "conv2d"
  dtype = "fp16"
  n = 64
  c_in = 256
  h = 56
  w = 56
  c_out = 256
)";

TEST(Invariants, BiggerCacheNeverIncreasesDramBytes) {
  // Sweep the GPU L2 capacity and check DRAM bytes of every op, a gemm much larger than L2.
  double prev_total = std::numeric_limits<double>::infinity();
  std::vector<double> prev_ops;
  for (const char* cap : {"1 MiB", "4 MiB", "16 MiB", "40 MB", "128 MiB", "1 GiB"}) {
    const Ledger L = evaluate(
        platform_from(library_platform("demo-a100-node"), {std::string("devices.gpu.cache[1].capacity=") + cap}),
        graph_from(kBigOps));
    double total = 0;
    std::vector<double> ops;
    for (const auto& o : L.stages[0].ops) {
      ops.push_back(o.dram_bytes);
      total += o.dram_bytes;
    }
    EXPECT_LE(total, prev_total) << cap;
    for (std::size_t i = 0; i < prev_ops.size(); ++i) EXPECT_LE(ops[i], prev_ops[i]) << cap << " op " << i;
    prev_total = total;
    prev_ops = ops;
  }
}

TEST(Invariants, ReuseModelIsMonotoneInCapacity) {
  double prev = std::numeric_limits<double>::infinity();
  for (double s = 1; s < 1e10; s *= 1.7) {
    const double r =
        wl::matrix_read_bytes(4096, 4096, 4096, 2, 4096.0 * 4096 * 2, 4096.0 * 4096 * 2, 4096.0 * 4096 * 2, s);
    EXPECT_LE(r, prev) << s;
    EXPECT_GE(r, 2 * 4096.0 * 4096 * 2);  // never below compulsory traffic
    prev = r;
  }
}

TEST(Invariants, HigherClockLowersComputeBoundTimeAndRaisesPower) {
  double prev_time = std::numeric_limits<double>::infinity(), prev_power = 0;
  for (const char* f : {"300 MHz", "600 MHz", "900 MHz", "1200 MHz", "1410 MHz"}) {
    const Ledger L = evaluate(platform_from(library_platform("demo-a100-node"),
                                            {std::string("devices.gpu.clock=") + f, "devices.gpu.power_cap=1000 W"}),
                              graph_from(kBigOps));
    const StageResult& s = L.stages[0];
    const double power = s.device_energy_j / s.time_s;
    EXPECT_LT(s.time_s, prev_time) << f;
    EXPECT_GT(power, prev_power) << f;
    prev_time = s.time_s;
    prev_power = power;
  }
}

TEST(Invariants, IdleEnergyGrowsWithDuration) {
  // The CPU idles while the GPU trains; more steps mean more CPU idle energy.
  double prev = 0;
  for (int steps : {10, 20, 40}) {
    const Ledger L = demo({}, {"params.steps=" + std::to_string(steps)});
    const StageResult& s = stage(L, "train");
    double cpu_idle = 0;
    for (std::size_t k = 0; k < L.slots.size(); ++k)
      if (L.slots[k].kind == Slot::Kind::kIdle &&
          L.component_ids[static_cast<std::size_t>(L.slots[k].component)].rfind("cpu.", 0) == 0)
        cpu_idle += s.slot_energy_j[k];
    EXPECT_GT(cpu_idle, prev) << steps;
    prev = cpu_idle;
  }
}

TEST(Invariants, ParallelEqualsSerialBitForBit) {
  // Small chunks force many work items; results must not depend on the thread count.
  auto with = [](int threads) {
    EvalOptions o;
    o.threads = threads;
    o.chunk = 3;
    return o;
  };
  const EvalOptions serial = with(1), parallel = with(2), deflt = with(0);
  const Ledger a = demo({}, {}, serial), b = demo({}, {}, parallel), c = demo({}, {}, deflt);
  EXPECT_EQ(a.energy_j, b.energy_j);
  EXPECT_EQ(a.energy_j, c.energy_j);
  for (std::size_t i = 0; i < a.stages.size(); ++i) {
    EXPECT_EQ(a.stages[i].slot_energy_j, b.stages[i].slot_energy_j);
    EXPECT_EQ(a.stages[i].slot_energy_j, c.stages[i].slot_energy_j);
    for (std::size_t j = 0; j < a.stages[i].ops.size(); ++j)
      EXPECT_EQ(a.stages[i].ops[j].energy_j, b.stages[i].ops[j].energy_j);
  }
}

TEST(Invariants, NothingNegative) {
  const Ledger L = demo();
  for (const auto& s : L.stages) {
    for (double e : s.slot_energy_j) EXPECT_GE(e, 0.0);
    for (const auto& o : s.ops) {
      EXPECT_GE(o.energy_j, 0.0);
      EXPECT_GT(o.time_s, 0.0);
    }
  }
}

// One linear form for estimating and calibrating: the energy of every stage is the activity of
// each slot (activity mode) times that slot's base value, on a platform with a V-f curve
// and a power cap (demo-a100-node) and on a zoo training run over a node with overlap.
TEST(Invariants, EnergyIsActivityTimesBaseValues) {
  auto check = [](const hw::Platform& p, const wl::Graph& g) {
    EvalOptions act;
    act.activity = true;
    const Ledger e = evaluate(p, g), a = evaluate(p, g, act);
    ASSERT_EQ(e.stages.size(), a.stages.size());
    for (std::size_t st = 0; st < e.stages.size(); ++st) {
      // Overlap credits are taken in proportion to the charge, so they scale too; compare
      // before the credit by adding it back on both sides.
      double sum = 0;
      for (std::size_t s = 0; s < a.slots.size(); ++s) sum += a.stages[st].slot_energy_j[s] * slot_prior(p, a.slots[s]);
      EXPECT_NEAR(sum, e.stages[st].energy_j, 1e-9 * e.stages[st].energy_j) << e.stages[st].name;
    }
  };
  check(platform_from(library_platform("demo-a100-node")), graph_from(library_workload("demo-cnn-pipeline")));
  const hw::Platform dgx = test::load_library_platform("dgx-a100");
  check(dgx, graph_from(library_workload("demo-cnn-pipeline"), {}));
}

// An override replaces a slot's base value: +1 W of static power on the golden device's PE
// for the 1 s GEMM adds 1 J.
TEST(Invariants, OverridesReplaceBaseValues) {
  const auto p = platform_from(test::kGoldenPlatform);
  const auto g = graph_from(test::kOneOp);
  EvalOptions o;
  o.overrides["acc.pe.static"] = 2.0;  // was 1 W
  EXPECT_NEAR(evaluate(p, g, o).energy_j - evaluate(p, g).energy_j, 1.0, 1e-12);
  EXPECT_EQ(slot_id(evaluate(p, g), 0).rfind("acc.pe.", 0), 0u);
}

}  // namespace
}  // namespace jg::eval
