// Platform composition: `extends` and `from` expansion, device counts, shared memory, node parts
// and the four reporting boundaries, power_at_peak, power-limit ranges and the node composer.
// Hand-computed against the round-number golden platform where possible.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/library.hpp"
#include "tests/test_support.hpp"

namespace jg::test {
namespace {

namespace fs = std::filesystem;

/// A scratch folder with platform files, removed at the end of the test.
class Scratch {
 public:
  Scratch() : m_dir(fs::temp_directory_path() / ("jg_compose_" + std::to_string(::getpid()) + "_" + next())) {
    fs::create_directories(m_dir);
  }
  ~Scratch() { fs::remove_all(m_dir); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = m_dir / name;
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  static std::string next() {
    static int n = 0;
    return std::to_string(++n);
  }
  fs::path m_dir;
};

hw::Platform load_file(const std::string& path, const std::vector<std::string>& sets = {}) {
  core::ConfigNode root = core::parse_toml_file(path);
  hw::expand_platform(root);
  for (const auto& s : sets) core::apply_override(root, s);
  return hw::load_platform(root, hw::builtin_registry());
}

TEST(Compose, ExtendsMergesTablesAndDoesNotInheritAliases) {
  Scratch dir;
  std::string base = kGoldenPlatform;
  base += "aliases = [\"golden-alias\"]\n";
  dir.write("golden.toml", std::string(kGoldenPlatform));
  const std::string child = dir.write("child.toml", R"(
schema_version = 1
name = "child"
extends = "golden.toml"
[devices.acc.pe]
clock = "2 GHz"
)");
  const hw::Platform p = load_file(child);
  EXPECT_EQ(p.name, "child");
  EXPECT_TRUE(p.aliases.empty());
  const auto& pe = p.pe_caps(0);
  EXPECT_DOUBLE_EQ(pe.nominal_clock.si(), 2e9);
  EXPECT_DOUBLE_EQ(pe.peak_ops_per_cycle[core::index_of(core::DType::kFp16)], 2);  // kept from the base
  ASSERT_GE(p.devices[0].dram, 0);                                                 // the base's DRAM is there
}

TEST(Compose, ReferenceCyclesAreErrors) {
  Scratch dir;
  dir.write("a.toml", "schema_version = 1\nname = \"a\"\nextends = \"b.toml\"\n");
  const std::string b = dir.write("b.toml", "schema_version = 1\nname = \"b\"\nextends = \"a.toml\"\n");
  try {
    load_file(b);
    FAIL() << "no error for a cycle";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
}

TEST(Compose, UnknownReferenceNamesTheNearestPlatforms) {
  Scratch dir;
  const std::string f = dir.write("x.toml", "schema_version = 1\nname = \"x\"\nextends = \"a100-sxm4-40g\"\n");
  try {
    load_file(f);
    FAIL();
  } catch (const core::ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("x.toml:3:"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'a100-sxm4-40gb'"), std::string::npos) << m;
  }
}

// Four instances of the golden device: rates x4 (GEMM time / 4), idle and static power x4,
// dynamic energy unchanged. Node parts: 2 fans x 5 W drawn all the time.
TEST(Compose, DeviceCountScalesRatesAndPowersAndNodePartsAreAlwaysOn) {
  Scratch dir;
  dir.write("golden.toml", std::string(kGoldenPlatform));
  const std::string node = dir.write("node.toml", R"(
schema_version = 1
name = "node"
[devices.acc]
from = "golden.toml"
count = 4
[node]
psu_efficiency = 0.8
pue = 1.5
[node.parts.fans]
model = "board.static"
count = 2
static_power = "5 W"
source = "test"
)");
  const hw::Platform one = platform_from(kGoldenPlatform);
  const hw::Platform four = load_file(node);
  const wl::Graph g = graph_from(kOneOp);
  const eval::Ledger l1 = eval::evaluate(one, g);
  const eval::Ledger l4 = eval::evaluate(four, g);
  EXPECT_NEAR(l4.time_s, l1.time_s / 4, 1e-12);
  // Golden: 1e9 MAC = 2e9 ops x 1 pJ = 2 mJ dynamic on the PE, whatever the count.
  const auto pe1 = l1.component_energy(l1.stages[0])[0], pe4 = l4.component_energy(l4.stages[0])[0];
  const double t1 = l1.time_s, t4 = l4.time_s;
  EXPECT_NEAR(pe1 - 1.0 * t1, 2e-3, 1e-12);      // static 1 W x t
  EXPECT_NEAR(pe4 - 4 * 1.0 * t4, 2e-3, 1e-12);  // 4 instances x 1 W x t/4
  // Node parts: 2 x 5 W over the stage.
  double fans = 0;
  for (std::size_t c = 0; c < four.components.size(); ++c)
    if (four.components[c].id == "node.fans") fans = l4.component_energy(l4.stages[0])[c];
  EXPECT_NEAR(fans, 10.0 * t4, 1e-12);
  // Boundaries: device = the accelerator's components; wall = node / 0.8; facility = wall x 1.5.
  const auto& b = l4.boundary;
  EXPECT_NEAR(b.node_j, l4.energy_j, 1e-15);
  EXPECT_NEAR(b.device_j, l4.energy_j - fans, 1e-12);
  EXPECT_NEAR(b.wall_j, b.node_j / 0.8, 1e-12);
  EXPECT_NEAR(b.facility_j, b.wall_j * 1.5, 1e-12);
  EXPECT_DOUBLE_EQ(four.idle_power_w(), 4 * one.idle_power_w() + 10.0);
}

TEST(Compose, PowerAtPeakGivesEnergyPerOp) {
  std::string text = kGoldenPlatform;
  const std::string from = "energy_per_op = \"1 pJ\"";
  text.replace(text.find(from), from.size(), "power_at_peak = \"4 mW\"");
  const hw::Platform p = platform_from(text);
  // Peak 1 unit x 2 ops/cycle x 1 GHz = 2e9 op/s; 4 mW / 2e9 op/s = 2 pJ.
  const auto& pe = *p.components[static_cast<std::size_t>(p.devices[0].pe)].model;
  EXPECT_NEAR(pe.actions()[0].energy_j, 2e-12, 1e-24);
  text.replace(text.find("power_at_peak"), 0, "energy_per_op = \"1 pJ\"\n");
  EXPECT_THROW(platform_from(text), core::ConfigError);
}

TEST(Compose, PowerCapMustLieInThePowerLimitRange) {
  std::string text = kGoldenPlatform;
  text.replace(text.find("kind = \"accelerator\""), 0, "power_limit_range = [\"10 W\", \"20 W\"]\n");
  EXPECT_NO_THROW(platform_from(text, {"devices.acc.power_cap=15W"}));
  try {
    platform_from(text, {"devices.acc.power_cap=25W"});
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a power limit the device accepts: 10 W to 20 W"), std::string::npos)
        << e.what();
  }
}

TEST(Compose, SharedDramIsOneComponentBusyForEitherDevice) {
  const hw::Platform p = load_library_platform("jetson-agx-orin-64gb");
  const auto& cpu = p.devices[static_cast<std::size_t>(p.find_device("cpu"))];
  const auto& gpu = p.devices[static_cast<std::size_t>(p.find_device("gpu"))];
  EXPECT_TRUE(cpu.shares_dram);
  EXPECT_EQ(cpu.dram, gpu.dram);
  int drams = 0;
  for (const auto& c : p.components) drams += c.model->role() == core::Role::kDram;
  EXPECT_EQ(drams, 1);
}

TEST(Compose, NodeComposerBuildsDevicesLinksAndStorage) {
  const auto text = hw::compose_node_text("2xa100-sxm4-80gb+epyc-7742");
  ASSERT_TRUE(text.has_value());
  core::ConfigNode root = core::parse_toml_text(*text, "<composed>");
  hw::expand_platform(root);
  const hw::Platform p = hw::load_platform(root, hw::builtin_registry());
  ASSERT_EQ(p.devices.size(), 2u);
  const auto& gpu = p.devices[static_cast<std::size_t>(p.find_device("gpu"))];
  EXPECT_EQ(gpu.count, 2);
  EXPECT_EQ(p.devices[static_cast<std::size_t>(p.find_device("cpu"))].count, 1);
  EXPECT_GE(p.link_between(p.find_device("cpu"), p.find_device("gpu")), 0);
  EXPECT_FALSE(p.devices[static_cast<std::size_t>(p.find_device("cpu"))].storage.empty());
  EXPECT_LT(p.node.psu_efficiency, 1.0);
  // One support part per accelerator (fitted power, see library.cpp), none for a CPU-only node.
  EXPECT_EQ(root.at("node").at("parts").at("accelerator_support").at("count").as_number(), 2);
  core::ConfigNode cpu_only = core::parse_toml_text(*hw::compose_node_text("2xepyc-7742"), "<cpu>");
  EXPECT_EQ(cpu_only.at("node").at("parts").find("accelerator_support"), nullptr);
  EXPECT_FALSE(hw::compose_node_text("a100-sxm4-80gb").has_value());  // a plain name is not a node
  EXPECT_THROW(hw::compose_node_text("2xa100-sxm4-80gb+4xh100-sxm5-80gb"), core::ConfigError);
  EXPECT_THROW(hw::compose_node_text("2xa100-sxm4-80gb+epyc-77"), core::ConfigError);
  EXPECT_THROW(hw::compose_node_text("2xjetson-agx-orin-64gb+epyc-7742"), core::ConfigError);  // 3 devices
}

}  // namespace
}  // namespace jg::test

namespace jg::test {
namespace {

// Unified memory (Jetson): a host-to-device copy between two devices that share one DRAM needs
// no link; it reads and writes every byte in that DRAM, so it takes 2 B / (derated bandwidth).
TEST(Compose, CopyBetweenDevicesSharingDramUsesTheDramNotALink) {
  const hw::Platform p = load_library_platform("jetson-agx-orin-64gb");
  ASSERT_LT(p.link_between(p.find_device("cpu"), p.find_device("gpu")), 0);
  const double bytes = 1e9;
  const eval::Ledger led = eval::evaluate(p, graph_from(R"(
schema_version = 1
name = "copy"
[[stage]]
name = "s"
kind = "preprocessing"
device = "cpu"
  [[stage.op]]
  name = "to_gpu"
  type = "h2d"
  to = "gpu"
  bytes = 1e9
)"));
  const auto& cpu = p.devices[static_cast<std::size_t>(p.find_device("cpu"))];
  const auto& dram = *p.components[static_cast<std::size_t>(cpu.dram)].model;
  const auto* mem = dram.memory();
  const double bw = mem->bandwidth_bytes_per_s * mem->efficiency * cpu.memory_clock_ratio;
  EXPECT_NEAR(led.time_s, 2 * bytes / bw + cpu.launch_overhead_s, 1e-9 * led.time_s);
  double read_j = 0, write_j = 0;
  for (std::size_t k = 0; k < led.slots.size(); ++k) {
    if (led.slots[k].component != cpu.dram) continue;
    if (led.slots[k].action == dram.actions()[static_cast<std::size_t>(mem->read_action)].name)
      read_j = led.stages[0].slot_energy_j[k];
    if (led.slots[k].action == dram.actions()[static_cast<std::size_t>(mem->write_action)].name)
      write_j = led.stages[0].slot_energy_j[k];
  }
  EXPECT_NEAR(read_j, 8 * bytes * dram.actions()[static_cast<std::size_t>(mem->read_action)].energy_j, 1e-12);
  EXPECT_NEAR(write_j, 8 * bytes * dram.actions()[static_cast<std::size_t>(mem->write_action)].energy_j, 1e-12);
}

}  // namespace
}  // namespace jg::test
