// Power modes (Jetson nvpmodel presets and the custom knob space): presets resolve to NVIDIA's
// documented clocks, power is ordered by budget on the same workload, single knobs can be set
// and move power and time the right way, and impossible settings are errors listing the valid
// values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <sstream>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/library.hpp"
#include "tests/test_support.hpp"

namespace jg::test {
namespace {

hw::Platform load(const std::string& name, const std::vector<std::string>& sets = {}) {
  return load_library_platform(name, sets);
}

double knob(const hw::Platform& p, const std::string& name) {
  const auto& m = p.power_modes;
  for (std::size_t k = 0; k < m.knobs.size(); ++k)
    if (m.knobs[k].name == name) return m.active_values[k];
  ADD_FAILURE() << "no knob " << name << " on " << p.name;
  return 0;
}

// NVIDIA's published nvpmodel settings, transcribed independently of the platform files from the
// NVIDIA Jetson Linux Developer Guide, "Power Management" (Supported Modes and Power Efficiency
// tables) for AGX Orin (r35), AGX Xavier and Nano (r32). GPU clocks there are the nvpmodel caps;
// the platform files round a cap to the nearest entry of the board's frequency table, hence the
// 1.5 % tolerance on clocks.
struct Documented {
  std::string platform, preset;
  std::map<std::string, double> knobs;  // cores as counts, clocks in MHz
};

const std::vector<Documented>& documented() {
  static const std::vector<Documented> table = {
      {"jetson-agx-orin-64gb",
       "MAXN",
       {{"cpu_cores", 12}, {"cpu_freq", 2201.6}, {"gpu_freq", 1300.5}, {"emc_freq", 3199}}},
      {"jetson-agx-orin-64gb",
       "15W",
       {{"cpu_cores", 4}, {"cpu_freq", 1113.6}, {"gpu_freq", 420.75}, {"emc_freq", 2133}}},
      {"jetson-agx-orin-64gb", "30W", {{"cpu_cores", 8}, {"cpu_freq", 1728}, {"gpu_freq", 624.75}, {"emc_freq", 3199}}},
      {"jetson-agx-orin-64gb",
       "50W",
       {{"cpu_cores", 12}, {"cpu_freq", 1497.6}, {"gpu_freq", 828.75}, {"emc_freq", 3199}}},
      {"jetson-agx-xavier", "MAXN", {{"cpu_cores", 8}, {"cpu_freq", 2265.6}, {"gpu_freq", 1377}, {"emc_freq", 2133}}},
      {"jetson-agx-xavier", "10W", {{"cpu_cores", 2}, {"cpu_freq", 1200}, {"gpu_freq", 520}, {"emc_freq", 1066}}},
      {"jetson-agx-xavier", "15W", {{"cpu_cores", 4}, {"cpu_freq", 1200}, {"gpu_freq", 670}, {"emc_freq", 1333}}},
      {"jetson-nano", "MAXN", {{"cpu_cores", 4}, {"cpu_freq", 1479}, {"gpu_freq", 921.6}}},
      {"jetson-nano", "5W", {{"cpu_cores", 2}, {"cpu_freq", 918}, {"gpu_freq", 640}}},
  };
  return table;
}

TEST(PowerModes, PresetsResolveToDocumentedClocks) {
  for (const auto& doc : documented()) {
    SCOPED_TRACE(doc.platform + " " + doc.preset);
    const hw::Platform p = load(doc.platform, {"power_mode=" + doc.preset});
    EXPECT_EQ(p.power_modes.active, doc.preset);
    for (const auto& [k, v] : doc.knobs) {
      const double got = knob(p, k);
      if (k == "cpu_cores") {
        EXPECT_EQ(got, v) << k;
        continue;
      }
      // The documented cap rounded to the board's frequency table: no table entry lies
      // strictly between the cap and the preset's value.
      const double cap = v * 1e6;
      const auto& values = [&]() -> const std::vector<double>& {
        for (const auto& kn : p.power_modes.knobs)
          if (kn.name == k) return kn.values;
        throw std::runtime_error("no knob " + k);
      }();
      const double lo = std::min(cap, got), hi = std::max(cap, got);
      for (double x : values)
        EXPECT_FALSE(x > lo * (1 + 1e-9) && x < hi * (1 - 1e-9))
            << k << ": preset " << core::format(core::Frequency(got)) << " is not the documented cap "
            << core::format(core::Frequency(cap)) << " rounded to the table (" << core::format(core::Frequency(x))
            << " lies between)";
      EXPECT_NEAR(got / cap, 1.0, 0.1) << k;
    }
    // The knobs reach the devices: operating clocks and online cores.
    const auto& gpu = p.devices[static_cast<std::size_t>(p.find_device("gpu"))];
    EXPECT_DOUBLE_EQ(gpu.clock_hz, knob(p, "gpu_freq"));
    const auto& cpu = p.devices[static_cast<std::size_t>(p.find_device("cpu"))];
    EXPECT_DOUBLE_EQ(cpu.clock_hz, knob(p, "cpu_freq"));
    EXPECT_DOUBLE_EQ(cpu.active_units, knob(p, "cpu_cores"));
  }
}

/// Platform power (node boundary) with the GPU at full tensor load in a preset.
double gpu_load_power(const std::string& platform, const std::string& preset) {
  const hw::Platform p = load(platform, {"power_mode=" + preset});
  const eval::Ledger led = eval::evaluate(p, graph_from(gemm_workload("gpu", core::DType::kFp16, 4096)));
  return led.avg_power_w();
}

std::vector<std::string> platforms_with_modes() {
  std::vector<std::string> out;
  for (const auto& e : hw::library_index())
    if (!load(e.name).power_modes.empty()) out.push_back(e.name);
  return out;
}

// MAXN >= 50 W >= 30 W >= 15 W on the same workload: the presets of a higher budget (MAXN: no
// budget, the highest) never draw less on a GPU-bound GEMM than those of a lower one (compared
// per budget level, as modes of one budget differ in core counts), and every budgeted preset
// keeps full GPU load within 1.1 x its budget.
TEST(PowerModes, PowerIsOrderedByBudgetOnTheSameWorkload) {
  const auto names = platforms_with_modes();
  ASSERT_GE(names.size(), 8u) << "the eight Jetson modules have power modes";
  for (const auto& name : names) {
    const hw::Platform p = load(name);
    std::map<double, double> max_power;  // budget level -> highest power among its presets
    for (const auto& pr : p.power_modes.presets) {
      const double budget = pr.budget_w > 0 ? pr.budget_w : 1e9;
      const double w = gpu_load_power(name, pr.name);
      SCOPED_TRACE(name + " " + pr.name + " at " + core::format(core::Power(w)));
      if (pr.budget_w > 0) {
        EXPECT_LE(w, 1.1 * pr.budget_w);
      }
      max_power[budget] = std::max(max_power[budget], w);
    }
    if (!p.power_modes.caveat.empty()) {
      std::cout << "[ ordering not checked ] " << name << ": " << p.power_modes.caveat << "\n";
      continue;
    }
    double below = 0;
    for (const auto& [budget, w] : max_power) {
      EXPECT_GE(w * 1.001, below) << name << ": budget " << budget << " W draws less than a lower budget";
      below = w;
    }
  }
}

TEST(PowerModes, SingleKnobsOverrideThePresetAndScaleMonotonically) {
  const hw::Platform base = load("jetson-agx-orin-64gb", {"power_mode=30W"});
  const auto& m = base.power_modes;
  const hw::Knob* gpu_freq = nullptr;
  for (const auto& k : m.knobs)
    if (k.name == "gpu_freq") gpu_freq = &k;
  ASSERT_NE(gpu_freq, nullptr);
  ASSERT_GE(gpu_freq->values.size(), 4u);
  const wl::Graph g = graph_from(gemm_workload("gpu", core::DType::kFp16, 4096));
  double last_power = 0, last_time = 1e30;
  for (double f : gpu_freq->values) {
    const std::string mhz = core::format_number(f / 1e6) + "MHz";
    const hw::Platform p = load("jetson-agx-orin-64gb", {"power_mode=30W", "gpu_freq=" + mhz});
    EXPECT_EQ(p.power_modes.active, f == knob(base, "gpu_freq") ? "30W" : "30W+gpu_freq");
    EXPECT_EQ(knob(p, "cpu_cores"), knob(base, "cpu_cores"));  // the rest of the preset stays
    const eval::Ledger led = eval::evaluate(p, g);
    EXPECT_GT(led.avg_power_w(), last_power) << mhz;
    EXPECT_LT(led.time_s, last_time) << mhz;
    last_power = led.avg_power_w();
    last_time = led.time_s;
  }
}

TEST(PowerModes, CpuCoresScaleCpuThroughput) {
  const wl::Graph g = graph_from(gemm_workload("cpu", core::DType::kFp32, 2048));
  const hw::Platform four = load("jetson-agx-orin-64gb", {"power_mode=MAXN", "cpu_cores=4"});
  const hw::Platform eight = load("jetson-agx-orin-64gb", {"power_mode=MAXN", "cpu_cores=8"});
  const double t4 = eval::evaluate(four, g).time_s, t8 = eval::evaluate(eight, g).time_s;
  EXPECT_NEAR(t4 / t8, 2.0, 0.05);
  EXPECT_LT(four.idle_power_w(), eight.idle_power_w());
}

TEST(PowerModes, EmcFrequencyScalesMemoryBandwidth) {
  const std::string stream =
      "schema_version = 1\nname = \"s\"\n[[stage]]\nname = \"s\"\nkind = \"inference\"\ndevice = \"gpu\"\n"
      "[[stage.op]]\nname = \"add\"\ntype = \"elementwise\"\nelements = 268435456\noperands = 2\ndtype = \"fp16\"\n";
  const hw::Platform p = load("jetson-agx-orin-64gb");
  const auto& emc = [&]() -> const hw::Knob& {
    for (const auto& k : p.power_modes.knobs)
      if (k.name == "emc_freq") return k;
    throw std::runtime_error("no emc_freq");
  }();
  const double lo = emc.values.front(), hi = emc.values.back();
  const auto at = [&](double f) {
    return eval::evaluate(load("jetson-agx-orin-64gb", {"emc_freq=" + core::format_number(f / 1e6) + "MHz"}),
                          graph_from(stream))
        .time_s;
  };
  EXPECT_NEAR(at(lo) / at(hi), hi / lo, 0.02 * hi / lo);
}

TEST(PowerModes, AgxOrinHasThousandsOfCustomModes) {
  EXPECT_GT(load("jetson-agx-orin-64gb").power_modes.combinations(), 1000.0);
}

std::string config_error(const std::string& platform, const std::vector<std::string>& sets) {
  try {
    load(platform, sets);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(PowerModes, ImpossibleSettingsListTheValidValues) {
  const std::string mode = config_error("jetson-agx-orin-64gb", {"power_mode=99W"});
  EXPECT_NE(mode.find("MAXN"), std::string::npos) << mode;
  EXPECT_NE(mode.find("15W"), std::string::npos) << mode;
  EXPECT_NE(mode.find("99W"), std::string::npos) << mode;

  const std::string cores = config_error("jetson-agx-orin-64gb", {"cpu_cores=13"});
  EXPECT_NE(cores.find("one of 1, 2, 3"), std::string::npos) << cores;
  EXPECT_NE(cores.find("12"), std::string::npos) << cores;

  const std::string freq = config_error("jetson-agx-orin-64gb", {"gpu_freq=999MHz"});
  EXPECT_NE(freq.find("one of "), std::string::npos) << freq;
  EXPECT_NE(freq.find("\"999MHz\""), std::string::npos) << freq;

  const std::string none = config_error("a100-sxm4-40gb", {"power_mode=15W"});
  EXPECT_NE(none.find("has no power modes"), std::string::npos) << none;
}

TEST(PowerModes, ModeNamesMatchCaseInsensitively) {
  EXPECT_EQ(load("jetson-agx-orin-64gb", {"power_mode=maxn"}).power_modes.active, "MAXN");
}

}  // namespace
}  // namespace jg::test
