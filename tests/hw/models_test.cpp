#include <gtest/gtest.h>

#include "engine/core/config.hpp"
#include "hwmodels/models.hpp"
#include "tests/test_support.hpp"

namespace jg::hw {
namespace {

std::unique_ptr<core::ComponentModel> make(const std::string& kind, const std::string& body) {
  const auto* info = builtin_registry().find(kind);
  EXPECT_NE(info, nullptr);
  return info->create(core::read_params(core::parse_toml_text(body, kind), info->params, {"model", "name"}));
}

TEST(Models, DramLinearForm) {
  // 1e9 bits read and 5e8 bits written at 3.9 pJ/b, 10 W background for 2 s, 4 W idle for 1 s:
  // 3.9e-12 x 1.5e9 = 5.85 mJ; 10 x 2 = 20 J; 4 x 1 = 4 J. Off-chip: no voltage scaling.
  auto m = make("dram.hbm2",
                "capacity = \"80 GiB\"\nbandwidth = \"2 TB/s\"\nstatic_power = \"10 W\"\nidle_power = \"4 W\"\n");
  std::vector<double> counts = {1e9, 5e8};
  EXPECT_NEAR(m->evaluate(counts, core::Time(2), core::Time(1), 0.5).si(), 5.85e-3 + 20 + 4, 1e-12);
  EXPECT_NEAR(m->memory()->bandwidth_bytes_per_s, 2e12, 1);
}

TEST(Models, OnChipEnergyScalesWithVoltageSquared) {
  // cache: 1e9 bits read at 0.5 pJ/b = 0.5 mJ at nominal; at V/Vnom = 0.8: x 0.64 = 0.32 mJ;
  // static 2 W x 0.8 x 1 s = 1.6 J.
  auto m = make("cache.sram", "capacity = \"40 MiB\"\ne_read = \"0.5 pJ/b\"\nstatic_power = \"2 W\"\n");
  std::vector<double> counts = {1e9, 0};
  EXPECT_NEAR(m->evaluate(counts, core::Time(1), core::Time(0), 0.8).si(), 0.32e-3 + 1.6, 1e-12);
  EXPECT_NEAR(m->idle_power().si(), 2.0, 0);  // idle defaults to static
}

TEST(Models, PcieBandwidthFromGenerationAndLanes) {
  // gen4: 16 GT/s x 128/130 / 8 = 1.969 GB/s per lane; x16 = 31.5 GB/s.
  auto m = make("link.pcie", "gen = 4\nlanes = 16\n");
  EXPECT_NEAR(m->transfer()->bandwidth_bytes_per_s, 16e9 / 8 * 128 / 130 * 16, 1);
  auto g5 = make("link.pcie", "gen = 5\nlanes = 8\n");
  EXPECT_NEAR(g5->transfer()->bandwidth_bytes_per_s, m->transfer()->bandwidth_bytes_per_s, 1);
  // NVLink3 x 12 links: 300 GB/s per direction (600 GB/s total, A100 whitepaper).
  auto nv = make("link.nvlink", "version = 3\nlinks = 12\n");
  EXPECT_NEAR(nv->transfer()->bandwidth_bytes_per_s, 300e9, 1);
}

TEST(Models, PeArrayRatesAndActions) {
  auto m =
      make("pe.array",
           "units = 108\nclock = \"1.41 GHz\"\n[dtypes.fp16]\npeak_ops_per_cycle = 2048\nenergy_per_op = \"0.5 pJ\"\n"
           "[dtypes.int8]\npeak_ops_per_cycle = 4096\nenergy_per_op = \"0.25 pJ\"\n");
  const auto* c = m->compute();
  ASSERT_NE(c, nullptr);
  // 108 x 2048 x 1.41e9 = 311.9e12 op/s: the A100's 312 TFLOPS fp16 within 0.1%.
  EXPECT_NEAR(c->units * c->peak_ops_per_cycle[core::index_of(core::DType::kFp16)] * c->nominal_clock.si(), 312e12,
              312e12 * 1e-3);
  EXPECT_EQ(c->op_action[core::index_of(core::DType::kFp8)], -1);
  EXPECT_EQ(m->actions()[0].name, "op_fp16");
  EXPECT_EQ(m->actions()[1].name, "op_int8");
  EXPECT_TRUE(m->voltage_scaled());
}

TEST(Platform, DemoLoadsWithItsDevicesLinksAndStorage) {
  Platform p = test::platform_from(test::library_platform("demo-a100-node"));
  EXPECT_EQ(p.devices.size(), 2u);
  EXPECT_GE(p.find_device("gpu"), 0);
  EXPECT_GE(p.link_between(p.find_device("cpu"), p.find_device("gpu")), 0);
  EXPECT_EQ(p.devices[static_cast<std::size_t>(p.find_device("cpu"))].storage.size(), 1u);
  const Device& gpu = p.devices[static_cast<std::size_t>(p.find_device("gpu"))];
  EXPECT_DOUBLE_EQ(gpu.power_cap_w, 250.0);
  EXPECT_NEAR(gpu.voltage_at(810e6, 0.9), 0.72, 1e-12);
  EXPECT_NEAR(gpu.voltage_at(1110e6, 0.9), 0.81, 1e-12);  // halfway between 810 and 1410 MHz
}

}  // namespace
}  // namespace jg::hw
