// Embodied carbon: the ACT footprint of a device worked out by hand (dies, chiplets, packages,
// own DRAM), a given whole-device figure, shared memory counted once, the amortization over the
// service life by device-hours, and what estimate reports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/carbon.hpp"
#include "tests/test_support.hpp"

namespace jg {
namespace {

using test::platform_from;
using test::run_cli;

// ACT (hwmodels/embodied/act.toml): CPA = (583 g/kWh x EPA + (GPA95 + GPA99) / 2 + MPA) / 0.875.
constexpr double kCpa7nmKgPerCm2 = (583 * 2.150 + (350 + 200) / 2.0 + 500) / 0.875 / 1000;   // 2.3182...
constexpr double kCpa14nmKgPerCm2 = (583 * 1.200 + (200 + 125) / 2.0 + 500) / 0.875 / 1000;  // 1.5567...
constexpr double kYear = core::kSecondsPerYear;

std::string gpu_platform(const std::string& embodied, const std::string& extra = "") {
  return R"(schema_version = 1
name = "emb"
[devices.gpu]
kind = "gpu"
count = 4
[devices.gpu.pe]
model = "pe.array"
units = 10
clock = "1 GHz"
[devices.gpu.pe.dtypes.fp16]
peak_ops_per_cycle = 1024
energy_per_op = "0.5 pJ"
[devices.gpu.dram]
model = "dram.hbm2"
capacity = "10 GB"
bandwidth = "1000 GB/s"
[devices.gpu.embodied]
)" + embodied +
         "source = \"test\"\n" + extra;
}

TEST(Embodied, OneDieByHand) {
  const hw::Platform p = platform_from(gpu_platform("die_area_mm2 = 100\nprocess = \"7nm\"\n"));
  const hw::Embodied& e = p.devices[0].embodied;
  ASSERT_TRUE(e.present);
  EXPECT_NEAR(kCpa7nmKgPerCm2, 2.3182286, 1e-6);
  EXPECT_NEAR(e.logic_kg, 1.0 * kCpa7nmKgPerCm2, 1e-12);  // 100 mm2 = 1 cm2
  EXPECT_NEAR(e.packaging_kg, 0.150, 1e-12);              // one package at 150 g
  EXPECT_NEAR(e.memory_kg, 10 * 0.065, 1e-12);            // 10 GB of HBM2 at 65 g/GB
  EXPECT_NEAR(e.total_kg(), kCpa7nmKgPerCm2 + 0.15 + 0.65, 1e-12);
  EXPECT_NE(e.source.find("memory: assumption"), std::string::npos) << e.source;
}

TEST(Embodied, ChipletsPackagesAndNoMemory) {
  const hw::Platform p = platform_from(
      gpu_platform("die = [{ area_mm2 = 74, process = \"7nm\", count = 8 }, { area_mm2 = 416, process = \"14nm\" }]\n"
                   "packages = 2\nmemory = false\n"));
  const hw::Embodied& e = p.devices[0].embodied;
  EXPECT_NEAR(e.logic_kg, 8 * 0.74 * kCpa7nmKgPerCm2 + 4.16 * kCpa14nmKgPerCm2, 1e-12);
  EXPECT_NEAR(e.packaging_kg, 0.300, 1e-12);
  EXPECT_EQ(e.memory_kg, 0);
}

TEST(Embodied, AGivenFigureReplacesTheModel) {
  const hw::Platform p = platform_from(gpu_platform("co2e = \"150 kg\"\n"));
  EXPECT_DOUBLE_EQ(p.devices[0].embodied.total_kg(), 150);
  EXPECT_EQ(p.devices[0].embodied.logic_kg, 0);
}

TEST(Embodied, SharedMemoryIsCountedOnceByItsOwner) {
  const hw::Platform p = test::load_library_platform(
      "jetson-agx-orin-64gb",
      {"devices.gpu.embodied.die_area_mm2=100", "devices.gpu.embodied.process=8nm", "devices.gpu.embodied.source=t",
       "devices.cpu.embodied.die_area_mm2=50", "devices.cpu.embodied.process=8nm", "devices.cpu.embodied.source=t"});
  const int gpu = p.find_device("gpu"), cpu = p.find_device("cpu");
  ASSERT_GE(gpu, 0);
  ASSERT_GE(cpu, 0);
  const auto& g = p.devices[static_cast<std::size_t>(gpu)];
  const auto& c = p.devices[static_cast<std::size_t>(cpu)];
  EXPECT_EQ(g.shares_dram || c.shares_dram, true);
  EXPECT_EQ((g.shares_dram ? g : c).embodied.memory_kg, 0);
  EXPECT_GT((g.shares_dram ? c : g).embodied.memory_kg, 0);
}

TEST(Embodied, AmortizedByDeviceHoursOverTheLifetime) {
  const hw::Platform p = platform_from(gpu_platform("die_area_mm2 = 100\nprocess = \"7nm\"\n",
                                                    "[node]\nlifetime = \"4 years\"\n[node.embodied]\n"
                                                    "co2e = \"20 kg\"\nssd = \"2 TB\"\nsource = \"test\"\n"));
  EXPECT_DOUBLE_EQ(p.node.lifetime_s, 4 * kYear);
  EXPECT_NEAR(p.node.embodied_kg, 20 + 2000 * 0.0107, 1e-12);  // SSD: 10.7 g/GB
  eval::Ledger L;
  L.time_s = 3600;
  L.nodes = 2;
  L.stages.resize(2);
  L.stages[0].time_s = 1000;
  L.stages[1].time_s = 3000;
  const auto e = cli::embodied_for(p, L);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->rows.size(), 2u);
  const double device_kg = kCpa7nmKgPerCm2 + 0.15 + 0.65;
  EXPECT_EQ(e->rows[0].name, "gpu");
  EXPECT_DOUBLE_EQ(e->rows[0].count, 8);  // 4 per node x 2 nodes
  EXPECT_DOUBLE_EQ(e->rows[0].device_hours, 8);
  EXPECT_NEAR(e->rows[0].co2e_g, device_kg * 1000 * 8 * 3600 / (4 * kYear), 1e-12);
  EXPECT_EQ(e->rows[1].name, "node");
  EXPECT_NEAR(e->rows[1].co2e_g, (20 + 21.4) * 1000 * 2 * 3600 / (4 * kYear), 1e-12);
  EXPECT_NEAR(e->co2e_g, e->rows[0].co2e_g + e->rows[1].co2e_g, 1e-12);
  // Stages by their share of the time, adding up to the total.
  EXPECT_NEAR(e->stage_co2e_g[0], e->co2e_g / 4, 1e-12);
  EXPECT_NEAR(e->stage_co2e_g[0] + e->stage_co2e_g[1], e->co2e_g, 1e-12);
  // Linear in the job's time.
  L.time_s *= 2;
  EXPECT_NEAR(cli::embodied_for(p, L)->co2e_g, 2 * e->co2e_g, 1e-9);
}

TEST(Embodied, NothingWithoutData) {
  const hw::Platform p = test::load_library_platform("jetson-agx-orin-64gb");
  eval::Ledger L;
  L.time_s = 1;
  EXPECT_FALSE(cli::embodied_for(p, L));
}

TEST(Embodied, ShippedFootprintsAreCitedAndInherited) {
  int with_data = 0;
  for (const auto& entry : hw::library_index()) {
    const hw::Platform p = test::load_library_platform(entry.name);
    for (const auto& d : p.devices) {
      if (!d.embodied.present) continue;
      ++with_data;
      EXPECT_GT(d.embodied.total_kg(), 1) << entry.name << " " << d.name;
      EXPECT_LT(d.embodied.total_kg(), 500) << entry.name << " " << d.name;
      EXPECT_FALSE(d.embodied.source.empty()) << entry.name;
    }
  }
  EXPECT_GE(with_data, 15);
  // DGX A100: its GPUs and CPUs come `from` the single-device files and keep their data.
  const hw::Platform dgx = test::load_library_platform("dgx-a100");
  for (const auto& d : dgx.devices) EXPECT_TRUE(d.embodied.present) << d.name;
  EXPECT_GT(dgx.node.embodied_kg, 300);  // 33.84 TB of flash at 10.7 g/GB
}

TEST(Embodied, EstimateReportsItApartAndLifetimeScalesIt) {
  const auto five = run_cli({"estimate", "--hw", "h100-sxm5-80gb", "--workload", "resnet50", "--format", "json"});
  ASSERT_EQ(five.code, 0) << five.err;
  const auto j5 = nlohmann::json::parse(five.out);
  const double g5 = j5["totals"]["co2e_embodied_g"];
  EXPECT_GT(g5, 0);
  EXPECT_FALSE(j5["totals"].contains("co2e_g"));  // no intensity given: no operational figure
  double stages = 0;
  for (const auto& s : j5["stages"]) stages += s["co2e_embodied_g"].get<double>();
  EXPECT_NEAR(stages, g5, 1e-9 * g5);
  const double time_s = j5["totals"]["time_s"];
  const double kg = j5["embodied"]["parts"][0]["footprint_kg"];
  EXPECT_NEAR(g5, kg * 1000 * time_s / (5 * kYear), 1e-9 * g5);
  const auto ten = run_cli(
      {"estimate", "--hw", "h100-sxm5-80gb", "--workload", "resnet50", "--format", "json", "--lifetime", "10 years"});
  ASSERT_EQ(ten.code, 0) << ten.err;
  EXPECT_NEAR(nlohmann::json::parse(ten.out)["totals"]["co2e_embodied_g"].get<double>(), g5 / 2, 1e-9 * g5);
}

}  // namespace
}  // namespace jg
