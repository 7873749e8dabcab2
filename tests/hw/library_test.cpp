// The shipped hardware library (hwmodels/library/README.md): every platform loads, cites its
// numbers, matches its datasheet (peak rates within 1 %, idle power), runs a compute-bound and a
// memory-bound workload with a plausible power, and names resolve (canonical, aliases, MLPerf
// host CPUs and accelerators).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/library.hpp"
#include "tests/test_support.hpp"

namespace jg::test {
namespace {

using core::ConfigNode;

// The embedded file names (no parsing: this runs at start-up of every test process).
std::vector<std::string> library_names() {
  std::vector<std::string> out;
  for (const auto& e : hw::platform_library()) out.emplace_back(e.name);
  return out;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

ConfigNode expanded(const std::string& name) {
  ConfigNode root = hw::library_tree(*hw::find_library_platform(name));
  hw::expand_platform(root);
  return root;
}

hw::Platform load(const std::string& name) { return load_library_platform(name); }

/// The data type with the highest matrix rate on a device (its tensor path).
core::DType fastest_dtype(const core::ComputeCaps& pe) {
  std::size_t best = 0;
  for (std::size_t t = 0; t < core::kDTypeCount; ++t)
    if (pe.peak_ops_per_cycle[t] > pe.peak_ops_per_cycle[best]) best = t;
  return static_cast<core::DType>(best);
}

/// One stage streaming 2^30 elements through an elementwise add (memory-bound everywhere).
std::string stream_workload(const std::string& device, core::DType dt) {
  std::ostringstream w;
  w << "schema_version = 1\nname = \"stream\"\n[[stage]]\nname = \"s\"\nkind = \"inference\"\ndevice = \"" << device
    << "\"\n[[stage.op]]\nname = \"add\"\ntype = \"elementwise\"\nelements = 1073741824\noperands = 2\n"
    << "dtype = \"" << core::dtype_name(dt) << "\"\n";
  return w.str();
}

/// Per-instance power of a device while the stage runs. [W]
double device_power_w(const hw::Platform& p, const eval::StageResult& s) {
  const auto& d = p.devices[static_cast<std::size_t>(p.find_device(s.device))];
  return s.device_energy_j / s.time_s / d.count;
}

class LibraryPlatform : public ::testing::TestWithParam<std::string> {};

TEST_P(LibraryPlatform, LoadsWithCanonicalNameAndDescription) {
  const hw::Platform p = load(GetParam());
  EXPECT_EQ(p.name, GetParam()) << "name must equal the file name";
  std::string lower = p.name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower, p.name) << "canonical names are lower case";
  EXPECT_FALSE(p.description.empty());
}

// Every component table (anything with `model`), datasheet, node and power-mode table cites a
// source, and every "[sources].key" reference names an entry of [sources].
TEST_P(LibraryPlatform, EveryNumberIsCited) {
  const ConfigNode root = expanded(GetParam());
  std::set<std::string> keys;
  if (const ConfigNode* s = root.find("sources"))
    for (const auto& [k, v] : s->entries()) keys.insert(k);
  const std::regex ref(R"(\[sources\]\.([A-Za-z0-9_]+))");
  std::vector<std::string> missing;
  std::function<void(const ConfigNode&)> walk = [&](const ConfigNode& n) {
    if (n.is_string()) {
      for (std::sregex_iterator it(n.m_str.begin(), n.m_str.end(), ref), end; it != end; ++it)
        if (!keys.count((*it)[1].str())) missing.push_back(n.path() + " -> [sources]." + (*it)[1].str());
      return;
    }
    if (n.is_array()) {
      for (const auto& i : n.items()) walk(i);
      return;
    }
    if (!n.is_table()) return;
    const std::string key = n.key();
    const bool needs = n.find("model") || key == "datasheet" || key == "node" || key == "power_modes";
    const ConfigNode* s = n.find("source");
    if (needs && !(s && s->is_string() && !s->m_str.empty()) && !n.find("sources"))
      missing.push_back(n.path() + " has no source");
    for (const auto& [k, v] : n.entries()) walk(v);
  };
  walk(root);
  EXPECT_TRUE(missing.empty()) << [&] {
    std::string m;
    for (const auto& s : missing) m += "  " + s + "\n";
    return m;
  }();
}

TEST_P(LibraryPlatform, PeakRatesAndBandwidthMatchTheDatasheetWithinOnePercent) {
  const hw::Platform p = load(GetParam());
  int compared = 0;
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    const auto& d = p.devices[i];
    const auto& pe = p.pe_caps(static_cast<int>(i));
    for (std::size_t t = 0; t < core::kDTypeCount; ++t) {
      const double sheet = d.datasheet.peak_ops_per_s[t];
      if (sheet <= 0) continue;
      const double model = pe.units * pe.peak_ops_per_cycle[t] * pe.nominal_clock.si();
      EXPECT_NEAR(model / sheet, 1.0, 0.01)
          << d.name << " " << core::kDTypeNames[t] << ": model " << core::format(core::OpsRate(model))
          << " vs datasheet " << core::format(core::OpsRate(sheet));
      ++compared;
    }
    if (d.datasheet.dram_bandwidth_bytes_per_s > 0 && !d.shares_dram) {
      const auto* mem = p.components[static_cast<std::size_t>(d.dram)].model->memory();
      EXPECT_NEAR(mem->bandwidth_bytes_per_s / d.datasheet.dram_bandwidth_bytes_per_s, 1.0, 0.01) << d.name;
    }
  }
  // Every GPU states its vendor peak rates (CPU and FPGA vendors do not always publish them).
  for (const auto& d : p.devices) {
    if (d.kind != "gpu") continue;
    int n = 0;
    for (double r : d.datasheet.peak_ops_per_s) n += r > 0;
    EXPECT_GT(n, 0) << d.name << ": a GPU without datasheet peak rates";
  }
  (void)compared;
}

TEST_P(LibraryPlatform, IdlePowerMatchesTheCitedIdle) {
  const hw::Platform p = load(GetParam());
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    const auto& d = p.devices[i];
    if (d.datasheet.idle_w <= 0) continue;
    EXPECT_NEAR(p.device_idle_power_w(static_cast<int>(i)) / d.datasheet.idle_w, 1.0, 0.02)
        << d.name << ": components idle at " << core::format(core::Power(p.device_idle_power_w(static_cast<int>(i))))
        << ", datasheet idle " << core::format(core::Power(d.datasheet.idle_w));
  }
  if (p.datasheet.idle_w > 0) {
    EXPECT_NEAR(p.idle_power_w() / p.datasheet.idle_w, 1.0, 0.02)
        << "platform idle " << core::format(core::Power(p.idle_power_w())) << " vs datasheet "
        << core::format(core::Power(p.datasheet.idle_w));
  }
}

// A large GEMM on every compute device: it runs compute-bound, and the device's power lies above
// its idle power and at most 1.05 x its power limit (power cap, else TDP). Unthrottled, the
// energies alone must already give a power of the right order (0.25 .. 1.6 x TDP), so the cap
// is not what makes the check pass.
TEST_P(LibraryPlatform, FullComputeLoadPowerLiesBetweenIdleAndTdp) {
  const hw::Platform p = load(GetParam());
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    const auto& d = p.devices[i];
    const auto& pe = p.pe_caps(static_cast<int>(i));
    const core::DType dt = fastest_dtype(pe);
    const wl::Graph g = graph_from(gemm_workload(d.name, dt, 8192));
    const eval::Ledger led = eval::evaluate(p, g);
    const auto& s = led.stages.front();
    const double power = device_power_w(p, s);
    const double limit = d.power_cap_w > 0 ? d.power_cap_w : d.datasheet.tdp_w;
    SCOPED_TRACE(d.name + " " + std::string(core::dtype_name(dt)) + " at " + core::format(core::Power(power)));
    EXPECT_FALSE(s.cap_unattainable);
    EXPECT_GT(power, p.device_idle_power_w(static_cast<int>(i)));
    if (limit > 0) {
      EXPECT_LE(power, 1.05 * limit);
    }
    // Compute-bound: achieved MAC rate near the derated peak at the clock it ran at.
    const double peak_mac = d.count * d.active_units * pe.peak_ops_per_cycle[core::index_of(dt)] * s.clock_hz / 2;
    EXPECT_GT(s.ops.front().macs / s.time_s, 0.5 * pe.efficiency * peak_mac);
    if (d.datasheet.tdp_w > 0) {
      hw::Platform free = load(GetParam());
      free.devices[i].power_cap_w = 0;
      const double p_free = device_power_w(free, eval::evaluate(free, g).stages.front());
      EXPECT_GT(p_free, 0.25 * d.datasheet.tdp_w) << "unthrottled " << core::format(core::Power(p_free));
      EXPECT_LT(p_free, 1.6 * d.datasheet.tdp_w) << "unthrottled " << core::format(core::Power(p_free));
    }
  }
  if (p.datasheet.tdp_w > 0) {
    // Whole platform (module, node): the busiest device at full load stays within the rating.
    for (std::size_t i = 0; i < p.devices.size(); ++i) {
      const auto& d = p.devices[i];
      const wl::Graph g = graph_from(gemm_workload(d.name, fastest_dtype(p.pe_caps(static_cast<int>(i))), 8192));
      const eval::Ledger led = eval::evaluate(p, g);
      EXPECT_LE(led.avg_power_w(), 1.05 * p.datasheet.tdp_w) << "platform power with " << d.name << " at full load";
      EXPECT_GT(led.avg_power_w(), p.idle_power_w());
    }
  }
}

// A streaming add on every device: memory-bound, achieving the DRAM's derated bandwidth.
TEST_P(LibraryPlatform, MemoryBoundWorkloadRunsAtDramBandwidth) {
  const hw::Platform p = load(GetParam());
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    const auto& d = p.devices[i];
    const auto& pe = p.pe_caps(static_cast<int>(i));
    if (pe.vector_ops_per_cycle <= 0) continue;  // DLA-style engines without a vector path
    const core::DType dt =
        pe.peak_ops_per_cycle[core::index_of(core::DType::kFp16)] > 0 ? core::DType::kFp16 : core::DType::kFp32;
    const wl::Graph g = graph_from(stream_workload(d.name, dt));
    const eval::Ledger led = eval::evaluate(p, g);
    const auto& s = led.stages.front();
    const auto* mem = p.components[static_cast<std::size_t>(d.dram)].model->memory();
    const double bw = p.components[static_cast<std::size_t>(d.dram)].count * mem->bandwidth_bytes_per_s *
                      mem->efficiency * d.memory_clock_ratio;
    const double achieved = s.ops.front().dram_bytes / s.time_s;
    SCOPED_TRACE(d.name);
    EXPECT_GT(s.ops.front().dram_bytes, 0.0);
    EXPECT_LE(achieved, bw * 1.0001);
    EXPECT_GT(achieved, 0.5 * bw) << "not memory-bound: " << core::format(core::Bandwidth(achieved * 8));
    EXPECT_GT(device_power_w(p, s), p.device_idle_power_w(static_cast<int>(i)));
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, LibraryPlatform, ::testing::ValuesIn(library_names()), test_name);

TEST(Library, ShipsTheIssuePlatforms) {
  const std::vector<std::string> required = {"xeon-e5-2667v3",
                                             "xeon-8380",
                                             "xeon-8462y+",
                                             "xeon-8470",
                                             "xeon-8480",
                                             "xeon-6433n",
                                             "epyc-7742",
                                             "epyc-7763",
                                             "epyc-9654",
                                             "v100-sxm2-16gb",
                                             "v100-sxm2-32gb",
                                             "a100-sxm4-40gb",
                                             "a100-sxm4-80gb",
                                             "a100-pcie-40gb",
                                             "a100-pcie-80gb",
                                             "h100-sxm5-80gb",
                                             "h100-pcie-80gb",
                                             "a2",
                                             "a10",
                                             "a30",
                                             "a40",
                                             "l4",
                                             "l40s",
                                             "t4",
                                             "b200",
                                             "alveo-u250",
                                             "alveo-u280",
                                             "zcu102",
                                             "jetson-agx-orin-64gb",
                                             "jetson-agx-orin-32gb",
                                             "jetson-orin-nx-16gb",
                                             "jetson-orin-nano-8gb",
                                             "jetson-agx-xavier",
                                             "jetson-xavier-nx",
                                             "jetson-tx2",
                                             "jetson-nano",
                                             "dgx-a100",
                                             "dgx-h100"};
  for (const auto& n : required) {
    const hw::LibraryEntry* e = hw::find_library_platform(n);
    EXPECT_TRUE(e && e->name == n) << n;
  }
}

TEST(Library, NamesAndAliasesAreUnique) {
  std::map<std::string, std::string> owner;
  for (const auto& e : hw::library_index()) {
    std::vector<std::string> all = e.aliases;
    all.push_back(e.name);
    for (auto n : all) {
      for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, fresh] = owner.emplace(n, e.name);
      EXPECT_TRUE(fresh || it->second == e.name) << "'" << n << "' names both " << it->second << " and " << e.name;
    }
  }
}

TEST(Library, AliasesResolveCaseInsensitively) {
  const hw::LibraryEntry* a = hw::find_library_platform("EPYC-7742");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "epyc-7742");
  EXPECT_EQ(hw::find_library_platform("no-such-gpu"), nullptr);
}

// Every host CPU and accelerator named in the MLPerf Power results resolves to a platform (the
// list is copied from ../shared/data/groundtruth/mlperf_power, see tests/data/mlperf_hardware_names.txt).
TEST(Library, MlperfHardwareNamesResolve) {
  std::ifstream in(JG_SOURCE_DIR "/tests/data/mlperf_hardware_names.txt");
  ASSERT_TRUE(in) << "tests/data/mlperf_hardware_names.txt";
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    const std::string kind = line.substr(0, tab), name = line.substr(tab + 1);
    if (kind == "unmodelled") continue;
    EXPECT_NE(hw::find_library_platform(name), nullptr) << kind << ": " << name;
    ++n;
  }
  EXPECT_GT(n, 20);
}

}  // namespace
}  // namespace jg::test
