// Trace readers: one fixture per format (tests/data/traces/) with hand-checked channels, units and
// values; issues (duplicates, gaps, counter wraps, [N/A]); WindowIntegrator golden cases worked
// out by hand; a 200k-line streaming read; malformed traces (tests/data/bad/traces/) raising
// ConfigErrors that name the file, the line and what was expected and found.
#include "calib/trace.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "tests/test_support.hpp"

namespace jg::calib {
namespace {

using test::expect_config_error;

const std::string kTraceDir = std::string(JG_SOURCE_DIR) + "/tests/data/traces/";
const std::string kBadDir = std::string(JG_SOURCE_DIR) + "/tests/data/bad/traces/";

// 2025-07-27 00:34:45 UTC and 2026-11-21 10:00:00 UTC as Unix seconds (Python calendar.timegm).
constexpr double kSmiT0 = 1753576485.0;
constexpr double kTegraT0 = 1795255200.0;

/// A file under a per-test temporary folder.
std::string write_temp(const std::string& name, const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("jg_trace_test_" + std::string(info->test_suite_name()) + "_" + info->name());
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path.string();
}

std::size_t channel_index(const CollectedTrace& tr, const std::string& name) {
  for (std::size_t i = 0; i < tr.channels.size(); ++i)
    if (tr.channels[i].name == name) return i;
  ADD_FAILURE() << "no channel " << name;
  return 0;
}

bool any_note_contains(const TraceIssues& issues, const std::string& part) {
  for (const auto& n : issues.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Formats

TEST(TraceFormat, NamesRoundTrip) {
  for (std::size_t i = 0; i < kTraceFormatCount; ++i) {
    const auto f = static_cast<TraceFormat>(i);
    ASSERT_TRUE(parse_trace_format(trace_format_name(f)).has_value());
    EXPECT_EQ(*parse_trace_format(trace_format_name(f)), f);
  }
  EXPECT_EQ(parse_trace_format("NVIDIA_SMI"), TraceFormat::kNvidiaSmi);
  EXPECT_FALSE(parse_trace_format("powertop").has_value());
}

TEST(TraceFormat, DetectedFromTheFirstLines) {
  EXPECT_EQ(detect_trace_format(kTraceDir + "nvidia_smi_units.csv"), TraceFormat::kNvidiaSmi);
  EXPECT_EQ(detect_trace_format(kTraceDir + "nvidia_smi_nounits.csv"), TraceFormat::kNvidiaSmi);
  EXPECT_EQ(detect_trace_format(kTraceDir + "tegrastats.log"), TraceFormat::kTegrastats);
  EXPECT_EQ(detect_trace_format(kTraceDir + "rapl.csv"), TraceFormat::kRapl);
  EXPECT_EQ(detect_trace_format(kTraceDir + "perf_interval.txt"), TraceFormat::kPerf);
  EXPECT_EQ(detect_trace_format(kTraceDir + "kepler.csv"), TraceFormat::kKepler);
  EXPECT_EQ(detect_trace_format(kTraceDir + "generic.csv"), TraceFormat::kCsv);
  EXPECT_EQ(detect_trace_format(kTraceDir + "torch_trace.json"), TraceFormat::kTorchProfiler);
  // perf -x, output without the "# time counts" header line
  EXPECT_EQ(detect_trace_format(write_temp("perf.csv", "1.000,1000,,cycles,1000,100.00,,\n")), TraceFormat::kPerf);
  // Zeus/NVML style
  EXPECT_EQ(detect_trace_format(write_temp("zeus.csv", "timestamp,gpu_index,power_mw\n0.0,0,150000\n")),
            TraceFormat::kNvidiaSmi);
}

TEST(TraceFormat, UndetectableFileListsTheFormats) {
  const std::string path = write_temp("odd.txt", "hello world\n1 2 3\n");
  expect_config_error([&] { detect_trace_format(path); }, {"odd.txt:1:", "nvidia-smi", "tegrastats", "rapl", "perf",
                                                           "kepler", "torch-profiler", "csv", "'hello world'"});
}

// ---------------------------------------------------------------------------------------------
// nvidia-smi

TEST(NvidiaSmi, UnitsInHeaderAndCellsTwoGpus) {
  const CollectedTrace tr = collect_trace(kTraceDir + "nvidia_smi_units.csv", TraceFormat::kNvidiaSmi);
  ASSERT_EQ(tr.channels.size(), 10u);  // 2 GPUs x power, clocks.sm, clocks.mem, utilization.gpu, temperature.gpu
  EXPECT_EQ(tr.channels[0].name, "gpu0.power");
  EXPECT_EQ(tr.channels[0].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.channels[0].unit, "W");
  EXPECT_EQ(tr.channels[1].name, "gpu0.clocks.sm");
  EXPECT_EQ(tr.channels[1].kind, ChannelKind::kCounter);
  EXPECT_EQ(tr.channels[1].unit, "Hz");
  EXPECT_EQ(tr.channels[3].name, "gpu0.utilization.gpu");
  EXPECT_EQ(tr.channels[3].unit, "%");
  EXPECT_EQ(tr.channels[4].name, "gpu0.temperature.gpu");
  EXPECT_EQ(tr.channels[5].name, "gpu1.power");

  const std::size_t p0 = channel_index(tr, "gpu0.power"), p1 = channel_index(tr, "gpu1.power");
  ASSERT_EQ(tr.value[p0].size(), 6u);
  EXPECT_DOUBLE_EQ(tr.value[p0][0], 72.36);
  EXPECT_DOUBLE_EQ(tr.value[p0][2], 90.50);
  // "2025/07/27 00:34:45.155" -> Unix seconds, UTC
  EXPECT_NEAR(tr.t_s[p0][0], kSmiT0 + 0.155, 1e-6);
  EXPECT_NEAR(tr.t_s[p0][5], kSmiT0 + 5.155, 1e-6);
  // gpu1's [N/A] at 00:34:46.155 (line 5) is skipped and noted, not an error
  ASSERT_EQ(tr.value[p1].size(), 5u);
  EXPECT_DOUBLE_EQ(tr.value[p1][0], 65.10);
  EXPECT_DOUBLE_EQ(tr.value[p1][1], 70.25);
  EXPECT_NEAR(tr.t_s[p1][1], kSmiT0 + 2.155, 1e-6);
  EXPECT_TRUE(any_note_contains(tr.issues, "line 5: gpu1.power is '[N/A]'"));
  // 1410 MHz -> Hz
  EXPECT_DOUBLE_EQ(tr.value[channel_index(tr, "gpu0.clocks.sm")][0], 1410e6);
  EXPECT_DOUBLE_EQ(tr.value[channel_index(tr, "gpu1.clocks.sm")][1], 1395e6);
  EXPECT_DOUBLE_EQ(tr.value[channel_index(tr, "gpu0.utilization.gpu")][2], 75.0);
  EXPECT_DOUBLE_EQ(tr.value[channel_index(tr, "gpu1.temperature.gpu")][5], 41.0);

  EXPECT_EQ(tr.issues.lines, 13u);
  EXPECT_EQ(tr.issues.samples, 59u);  // 12 rows x 5 metrics, less the [N/A]
  EXPECT_EQ(tr.issues.duplicates, 0u);
  EXPECT_EQ(tr.issues.gaps, 0u);
  EXPECT_NEAR(tr.issues.median_interval_s, 1.0, 1e-6);
}

TEST(NvidiaSmi, NoUnitsAnywhereOneGpuWithoutIndex) {
  const CollectedTrace tr = collect_trace(kTraceDir + "nvidia_smi_nounits.csv", TraceFormat::kNvidiaSmi);
  // "name" is not a metric
  ASSERT_EQ(tr.channels.size(), 3u);
  EXPECT_EQ(tr.channels[0].name, "gpu.power");
  EXPECT_EQ(tr.channels[1].name, "gpu.clocks.sm");
  EXPECT_EQ(tr.channels[1].unit, "Hz");  // MHz assumed for clocks
  EXPECT_EQ(tr.channels[2].name, "gpu.utilization.gpu");
  ASSERT_EQ(tr.value[0].size(), 5u);
  EXPECT_DOUBLE_EQ(tr.value[0][2], 80.5);
  EXPECT_DOUBLE_EQ(tr.value[1][2], 1395e6);
  EXPECT_DOUBLE_EQ(tr.value[2][4], 20.0);
  // "2025-07-27 00:34:45.155" too
  EXPECT_NEAR(tr.t_s[0][0], kSmiT0 + 0.155, 1e-6);
  EXPECT_NEAR(tr.t_s[0][1] - tr.t_s[0][0], 0.1, 1e-6);
}

TEST(NvidiaSmi, UnitsInHeaderOnlyAndZeusStyle) {
  // --format=csv,nounits: the header keeps "[W]", "[MHz]", the cells are plain numbers
  const CollectedTrace a = collect_trace(write_temp("nounits.csv",
                                                    "timestamp, index, power.draw [W], clocks.sm [MHz]\n"
                                                    "2025/07/27 00:34:45.155, 0, 72.36, 1410\n"
                                                    "2025/07/27 00:34:46.155, 0, 73.00, 1395\n"),
                                         TraceFormat::kNvidiaSmi);
  ASSERT_EQ(a.channels.size(), 2u);
  EXPECT_EQ(a.channels[0].name, "gpu0.power");
  EXPECT_DOUBLE_EQ(a.value[0][1], 73.0);
  EXPECT_DOUBLE_EQ(a.value[1][1], 1395e6);
  // Zeus/NVML: power in mW
  const CollectedTrace z =
      collect_trace(write_temp("zeus.csv",
                               "timestamp,gpu_index,power_mw\n1700000000.0,0,150000\n1700000000.0,1,90000\n"
                               "1700000000.1,0,160500\n1700000000.1,1,91000\n"),
                    TraceFormat::kNvidiaSmi);
  ASSERT_EQ(z.channels.size(), 2u);
  EXPECT_EQ(z.channels[0].name, "gpu0.power");
  EXPECT_EQ(z.channels[1].name, "gpu1.power");
  EXPECT_DOUBLE_EQ(z.value[0][1], 160.5);
  EXPECT_DOUBLE_EQ(z.value[1][0], 90.0);
  const CollectedTrace s =
      collect_trace(write_temp("zeus2.csv", "time_s,power_w\n0.0,100\n0.5,110\n"), TraceFormat::kNvidiaSmi);
  ASSERT_EQ(s.channels.size(), 1u);
  EXPECT_EQ(s.channels[0].name, "gpu.power");
  EXPECT_DOUBLE_EQ(s.value[0][1], 110.0);
}

TEST(NvidiaSmi, CellWithTheWrongUnitIsAnError) {
  const std::string path =
      write_temp("wrong_unit.csv",
                 "timestamp, power.draw [W]\n2025/07/27 00:34:45.155, 72.36 W\n2025/07/27 00:34:46.155, 1410 MHz\n");
  expect_config_error([&] { collect_trace(path, TraceFormat::kNvidiaSmi); },
                      {"wrong_unit.csv:3:", "power.draw [W]", "'1410 MHz'", "a number in W"});
}

// ---------------------------------------------------------------------------------------------
// tegrastats

TEST(Tegrastats, OrinRailsWithTimestamps) {
  const CollectedTrace tr = collect_trace(kTraceDir + "tegrastats.log", TraceFormat::kTegrastats);
  ASSERT_EQ(tr.channels.size(), 5u);
  EXPECT_EQ(tr.channels[0].name, "VDD_IN");
  EXPECT_EQ(tr.channels[0].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.channels[0].unit, "W");
  EXPECT_EQ(tr.channels[1].name, "VDD_CPU_GPU_CV");
  EXPECT_EQ(tr.channels[2].name, "VDD_SOC");
  EXPECT_EQ(tr.channels[3].name, "EMC_FREQ");
  EXPECT_EQ(tr.channels[4].name, "GR3D_FREQ");
  EXPECT_EQ(tr.channels[4].kind, ChannelKind::kCounter);
  EXPECT_EQ(tr.channels[4].unit, "%");
  ASSERT_EQ(tr.value[0].size(), 5u);
  // the instantaneous value (first of "now/average"), mW -> W
  EXPECT_DOUBLE_EQ(tr.value[0][0], 4.321);
  EXPECT_DOUBLE_EQ(tr.value[0][1], 7.5);
  EXPECT_DOUBLE_EQ(tr.value[1][2], 2.95);
  EXPECT_DOUBLE_EQ(tr.value[2][4], 1.25);
  EXPECT_DOUBLE_EQ(tr.value[4][0], 45.0);  // "GR3D_FREQ 45%@[624,0]"
  EXPECT_DOUBLE_EQ(tr.value[4][1], 99.0);
  // "11-21-2026 10:00:00" (MM-DD-YYYY)
  EXPECT_DOUBLE_EQ(tr.t_s[0][0], kTegraT0);
  EXPECT_DOUBLE_EQ(tr.t_s[0][4], kTegraT0 + 4);
  EXPECT_TRUE(tr.issues.notes.empty());
}

TEST(Tegrastats, OlderRailsWithoutTimestampsAreOneSecondApart) {
  const std::string line_a =
      "RAM 1234/3964MB (lfb 1x4MB) SWAP 0/1982MB (cached 0MB) CPU [1%@1479,off,off,off] EMC_FREQ 0%@1600 "
      "GR3D_FREQ 0%@76 APE 25 PLL@30C CPU@33C PMIC@100C GPU@31.5C AO@39.5C thermal@32.25C "
      "POM_5V_IN 2070/2070 POM_5V_GPU 40/40 POM_5V_CPU 331/331\r\n";
  const std::string line_b =
      "RAM 1234/3964MB (lfb 1x4MB) SWAP 0/1982MB (cached 0MB) CPU [50%@1479,off,off,off] EMC_FREQ 3%@1600 "
      "GR3D_FREQ 80%@921 APE 25 PLL@31C CPU@34C PMIC@100C GPU@32.5C AO@39.5C thermal@33.25C "
      "POM_5V_IN 4100/3085 POM_5V_GPU 1500/770 POM_5V_CPU 900/615\r\n";
  const CollectedTrace tr = collect_trace(write_temp("nano.log", line_a + line_b + line_a), TraceFormat::kTegrastats);
  ASSERT_EQ(tr.channels.size(), 5u);
  EXPECT_EQ(tr.channels[0].name, "POM_5V_IN");
  ASSERT_EQ(tr.t_s[0].size(), 3u);
  EXPECT_DOUBLE_EQ(tr.t_s[0][0], 0.0);
  EXPECT_DOUBLE_EQ(tr.t_s[0][2], 2.0);
  EXPECT_DOUBLE_EQ(tr.value[0][1], 4.1);   // mW without a unit
  EXPECT_DOUBLE_EQ(tr.value[1][1], 1.5);   // POM_5V_GPU
  EXPECT_DOUBLE_EQ(tr.value[4][1], 80.0);  // GR3D_FREQ
  ASSERT_FALSE(tr.issues.notes.empty());
  EXPECT_NE(tr.issues.notes[0].find("no timestamps"), std::string::npos);
  // Xavier style "GPU 123mW/456mW"
  const CollectedTrace x = collect_trace(
      write_temp("xavier.log",
                 "RAM 1/2MB GPU 123mW/456mW CPU 311mW/311mW\nRAM 1/2MB GPU 200mW/300mW CPU 320mW/315mW\n"),
      TraceFormat::kTegrastats);
  ASSERT_EQ(x.channels.size(), 2u);
  EXPECT_EQ(x.channels[0].name, "GPU");
  EXPECT_DOUBLE_EQ(x.value[0][0], 0.123);
  EXPECT_DOUBLE_EQ(x.value[1][1], 0.32);
}

// ---------------------------------------------------------------------------------------------
// RAPL

TEST(Rapl, CumulativeMicrojoulesBecomeJoulesAcrossAWrap) {
  const CollectedTrace tr = collect_trace(kTraceDir + "rapl.csv", TraceFormat::kRapl);
  ASSERT_EQ(tr.channels.size(), 2u);
  EXPECT_EQ(tr.channels[0].name, "package-0");
  EXPECT_EQ(tr.channels[0].kind, ChannelKind::kEnergy);
  EXPECT_EQ(tr.channels[0].unit, "J");
  EXPECT_EQ(tr.channels[1].name, "dram");
  // package-0: +20 J a second; the 4th sample wrapped past max_energy_range_uj = 262143328850:
  // 10000000 + 262143328850 - 262093328850 = 60000000 uJ = 60 J
  ASSERT_EQ(tr.value[0].size(), 4u);
  EXPECT_NEAR(tr.value[0][0], 0.0, 1e-9);
  EXPECT_NEAR(tr.value[0][1], 20.0, 1e-6);
  EXPECT_NEAR(tr.value[0][2], 40.0, 1e-6);
  EXPECT_NEAR(tr.value[0][3], 60.0, 1e-6);
  // dram: 1000000, 4000000, ... uJ -> 0, 3, 6, 9 J
  EXPECT_NEAR(tr.value[1][3], 9.0, 1e-9);
  EXPECT_DOUBLE_EQ(tr.t_s[0][3], 1700000003.0);
  EXPECT_EQ(tr.issues.counter_wraps, 1u);
  EXPECT_TRUE(any_note_contains(tr.issues, "line 8: energy counter 'package-0' wrapped around"));
}

TEST(Rapl, WideLayoutWithUnknownRangeAssumes2To32) {
  const CollectedTrace tr = collect_trace(
      write_temp("wide.csv", "time_s,package-0_energy_uj,dram\n0,4294000000,100\n1,4294900000,200\n2,932704,300\n"),
      TraceFormat::kRapl);
  ASSERT_EQ(tr.channels.size(), 2u);
  EXPECT_EQ(tr.channels[0].name, "package-0");
  EXPECT_EQ(tr.channels[1].name, "dram");
  // (932704 + 2^32 - 4294000000) uJ = 1900000 uJ = 1.9 J
  EXPECT_NEAR(tr.value[0][1], 0.9, 1e-9);
  EXPECT_NEAR(tr.value[0][2], 1.9, 1e-9);
  EXPECT_NEAR(tr.value[1][2], 200e-6, 1e-12);
  EXPECT_EQ(tr.issues.counter_wraps, 1u);
  EXPECT_TRUE(any_note_contains(tr.issues, "2^32"));
}

// ---------------------------------------------------------------------------------------------
// perf stat -I

TEST(Perf, EnergyEventsBecomeWattsAndCountsRates) {
  const CollectedTrace tr = collect_trace(kTraceDir + "perf_interval.txt", TraceFormat::kPerf);
  ASSERT_EQ(tr.channels.size(), 3u);
  EXPECT_EQ(tr.channels[0].name, "cycles");
  EXPECT_EQ(tr.channels[0].kind, ChannelKind::kCounter);
  EXPECT_EQ(tr.channels[0].unit, "1/s");
  EXPECT_EQ(tr.channels[1].name, "instructions");
  EXPECT_EQ(tr.channels[2].name, "power/energy-pkg/");
  EXPECT_EQ(tr.channels[2].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.channels[2].unit, "W");
  // intervals of 1.001 s: 30.03 J -> 30 W, 40.04 J -> 40 W; 2,002,000,000 cycles -> 2e9 /s
  ASSERT_EQ(tr.value[2].size(), 4u);
  EXPECT_NEAR(tr.value[2][0], 30.0, 1e-6);
  EXPECT_NEAR(tr.value[2][1], 40.0, 1e-6);
  EXPECT_NEAR(tr.value[2][2], 20.0, 1e-6);
  EXPECT_NEAR(tr.value[0][0], 2e9, 1e-6 * 2e9);
  EXPECT_NEAR(tr.value[0][1], 2.4e9, 1e-6 * 2.4e9);
  EXPECT_NEAR(tr.value[1][2], 1e9, 1e-6 * 1e9);
  EXPECT_DOUBLE_EQ(tr.t_s[0][0], 1.001);
  EXPECT_DOUBLE_EQ(tr.t_s[2][3], 4.004);
  // "<not counted>" instructions in the 4th interval: skipped and noted
  EXPECT_EQ(tr.value[1].size(), 3u);
  EXPECT_TRUE(any_note_contains(tr.issues, "line 14: 'instructions' not counted"));
}

TEST(Perf, CsvModeAndMsecEvents) {
  const CollectedTrace tr =
      collect_trace(write_temp("perf_x.csv",
                               "# started on Sun Jul 27 00:34:45 2025\n\n"
                               "0.500000000,500000000,,cycles,500000000,100.00,,\n"
                               "0.500000000,5.25,Joules,power/energy-pkg/,500000000,100.00,,\n"
                               "0.500000000,1000.00,msec,task-clock,500000000,100.00,2.000,CPUs utilized\n"
                               "1.000000000,1500000000,,cycles,500000000,100.00,,\n"
                               "1.000000000,6.00,Joules,power/energy-pkg/,500000000,100.00,,\n"
                               "1.000000000,500.00,msec,task-clock,500000000,100.00,1.000,CPUs utilized\n"),
                    TraceFormat::kPerf);
  ASSERT_EQ(tr.channels.size(), 3u);
  EXPECT_DOUBLE_EQ(tr.value[0][0], 1e9);   // 5e8 cycles in 0.5 s
  EXPECT_DOUBLE_EQ(tr.value[0][1], 3e9);   // 1.5e9 cycles in 0.5 s
  EXPECT_DOUBLE_EQ(tr.value[1][0], 10.5);  // 5.25 J in 0.5 s
  EXPECT_DOUBLE_EQ(tr.value[1][1], 12.0);
  EXPECT_EQ(tr.channels[2].unit, "s/s");
  EXPECT_DOUBLE_EQ(tr.value[2][0], 2.0);  // 1000 ms of CPU time in 0.5 s
}

// ---------------------------------------------------------------------------------------------
// Kepler

TEST(Kepler, PowerColumnsAndCounters) {
  const CollectedTrace tr = collect_trace(kTraceDir + "kepler.csv", TraceFormat::kKepler);
  ASSERT_EQ(tr.channels.size(), 16u);  // every column but timestamp is numeric
  EXPECT_EQ(tr.channels[0].name, "bpf_cpu_time_us");
  EXPECT_EQ(tr.channels[0].kind, ChannelKind::kCounter);
  const std::size_t pkg = channel_index(tr, "package_power"), dram = channel_index(tr, "dram_power");
  const std::size_t cycles = channel_index(tr, "cpu_cycles");
  EXPECT_EQ(tr.channels[pkg].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.channels[pkg].unit, "W");
  EXPECT_EQ(tr.channels[dram].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.channels[cycles].kind, ChannelKind::kCounter);
  ASSERT_EQ(tr.value[pkg].size(), 8u);
  EXPECT_DOUBLE_EQ(tr.value[pkg][0], 45.68033333371082);
  EXPECT_DOUBLE_EQ(tr.value[dram][1], 48.34100000063578);
  EXPECT_DOUBLE_EQ(tr.value[cycles][0], 3804367031.6666665);
  EXPECT_DOUBLE_EQ(tr.t_s[pkg][0], 1695115663.0);
  EXPECT_DOUBLE_EQ(tr.t_s[pkg][7], 1695115684.0);
  EXPECT_DOUBLE_EQ(tr.issues.median_interval_s, 3.0);
}

// ---------------------------------------------------------------------------------------------
// Generic CSV

TEST(GenericCsv, OneChannelPerRail) {
  const CollectedTrace tr = collect_trace(kTraceDir + "generic.csv", TraceFormat::kCsv);
  ASSERT_EQ(tr.channels.size(), 2u);
  EXPECT_EQ(tr.channels[0].name, "gpu");
  EXPECT_EQ(tr.channels[1].name, "cpu");
  EXPECT_EQ(tr.channels[1].kind, ChannelKind::kPower);
  EXPECT_EQ(tr.value[0], (std::vector<double>{10, 20, 20, 10}));
  EXPECT_EQ(tr.value[1], (std::vector<double>{5, 5, 7, 7}));
  EXPECT_EQ(tr.t_s[1], (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(tr.issues.samples, 8u);
}

TEST(GenericCsv, QuotedFieldsCrlfAndDates) {
  const CollectedTrace tr =
      collect_trace(write_temp("quoted.csv",
                               "timestamp,watts,rail\r\n2025-07-27T00:34:45Z,10,\"gpu, \"\"main\"\"\"\r\n"
                               "2025-07-27T02:34:46+02:00,20,\"gpu, \"\"main\"\"\"\r\n2024-02-29 00:00:00,1,leap\r\n"),
                    TraceFormat::kCsv);
  ASSERT_EQ(tr.channels.size(), 2u);
  EXPECT_EQ(tr.channels[0].name, "gpu, \"main\"");
  EXPECT_DOUBLE_EQ(tr.t_s[0][0], kSmiT0);
  EXPECT_DOUBLE_EQ(tr.t_s[0][1], kSmiT0 + 1);  // +02:00 offset
  EXPECT_DOUBLE_EQ(tr.value[0][1], 20.0);
  EXPECT_DOUBLE_EQ(tr.t_s[1][0], 1709164800.0);  // 2024-02-29, a leap day
}

TEST(GenericCsv, DateColumnPreferredOverRelativeSeconds) {
  // the layout of an aggregated nvidia-smi power trace: a date, watts and seconds since the start
  const std::string path = write_temp("aggregated.csv",
                                      "datetime,power_watts,time_seconds\n2025-07-27 00:34:45.155,577.11,0.0\n"
                                      "2025-07-27 00:34:45.285,580.95,0.13\n");
  EXPECT_EQ(detect_trace_format(path), TraceFormat::kCsv);
  const CollectedTrace tr = collect_trace(path, TraceFormat::kCsv);
  ASSERT_EQ(tr.channels.size(), 1u);
  EXPECT_EQ(tr.channels[0].name, "power");
  EXPECT_NEAR(tr.t_s[0][1], kSmiT0 + 0.285, 1e-6);
  EXPECT_DOUBLE_EQ(tr.value[0][1], 580.95);
}

TEST(GenericCsv, DuplicatesAndGapsAreCountedNotErrors) {
  // intervals after the duplicate at t = 2 is folded: 1, 1, 1, 1, 16, 1 -> median 1, one gap of 16 s
  const CollectedTrace tr = collect_trace(
      write_temp("dup_gap.csv", "timestamp,watts\n0,1\n1,2\n2,3\n2,4\n3,5\n4,6\n20,7\n21,8\n"), TraceFormat::kCsv);
  EXPECT_EQ(tr.issues.duplicates, 1u);
  EXPECT_EQ(tr.issues.samples, 7u);
  EXPECT_EQ(tr.t_s[0], (std::vector<double>{0, 1, 2, 3, 4, 20, 21}));
  EXPECT_DOUBLE_EQ(tr.value[0][2], 4.0);  // the later value is kept
  EXPECT_EQ(tr.issues.gaps, 1u);
  EXPECT_DOUBLE_EQ(tr.issues.max_gap_s, 16.0);
  EXPECT_DOUBLE_EQ(tr.issues.median_interval_s, 1.0);
  EXPECT_TRUE(any_note_contains(tr.issues, "line 5:"));
  EXPECT_TRUE(any_note_contains(tr.issues, "line 8: gap of 16 s"));
}

TEST(GenericCsv, TimeOrderIsPerChannel) {
  // cpu's 0.5 s after gpu's 1.0 s is fine: they are different channels
  const CollectedTrace tr = collect_trace(
      write_temp("interleaved.csv", "timestamp,watts,rail\n1.0,10,gpu\n0.5,5,cpu\n2.0,11,gpu\n1.5,6,cpu\n"),
      TraceFormat::kCsv);
  EXPECT_EQ(tr.t_s[1], (std::vector<double>{0.5, 1.5}));
}

TEST(GenericCsv, MiddleLineWithFewerCellsIsAnError) {
  const std::string path = write_temp("short_row.csv", "timestamp,watts,rail\n0,1,a\n1,2\n2,3,a\n");
  expect_config_error([&] { collect_trace(path, TraceFormat::kCsv); },
                      {"short_row.csv:3:", "3 cells, as in the header (line 1)", "found:    2 cells"});
}

TEST(GenericCsv, TorchTraceIsNotASampleTrace) {
  expect_config_error([&] { collect_trace(kTraceDir + "torch_trace.json", TraceFormat::kTorchProfiler); },
                      {"torch_trace.json", "read_torch_profile"});
}

// ---------------------------------------------------------------------------------------------
// Markers and torch profiles

TEST(Markers, ReadWithQuotedNames) {
  const std::vector<Marker> m = read_markers(kTraceDir + "markers.csv");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].name, "preprocess");
  EXPECT_DOUBLE_EQ(m[0].end_s, 1.5);
  EXPECT_EQ(m[1].name, "infer, batch \"b1\"");
  EXPECT_DOUBLE_EQ(m[1].start_s, 1.5);
  EXPECT_DOUBLE_EQ(m[1].end_s, 3.0);
  EXPECT_EQ(m[1].line, 3u);
  const std::vector<Marker> alt = read_markers(write_temp("alt.csv", "t0,t1,label\n10,12,load\n"));
  ASSERT_EQ(alt.size(), 1u);
  EXPECT_EQ(alt[0].name, "load");
  EXPECT_DOUBLE_EQ(alt[0].start_s, 10.0);
}

TEST(Markers, OverlapOfTheSameNameIsAnError) {
  const std::string path = write_temp("overlap.csv", "start,end,name\n0,2,a\n1,3,b\n1.5,3,a\n");
  expect_config_error([&] { read_markers(path); }, {"overlap.csv:4:", "do not overlap", "line 2"});
}

TEST(TorchProfile, CompleteEventsInSeconds) {
  const std::vector<ProfiledOp> ops = read_torch_profile(kTraceDir + "torch_trace.json");
  ASSERT_EQ(ops.size(), 3u);  // the "M" and "i" events are not ops
  EXPECT_EQ(ops[0].name, "aten::conv2d");
  EXPECT_EQ(ops[0].category, "cpu_op");
  EXPECT_DOUBLE_EQ(ops[0].start_s, 1000e-6);
  EXPECT_DOUBLE_EQ(ops[0].duration_s, 250.5e-6);
  EXPECT_EQ(ops[0].input_shapes, "[[32, 3, 224, 224], [64, 3, 7, 7], [], [], [], [], []]");
  EXPECT_EQ(ops[1].category, "kernel");
  EXPECT_TRUE(ops[1].input_shapes.empty());
  EXPECT_EQ(ops[2].category, "gpu_memcpy");
  EXPECT_DOUBLE_EQ(ops[2].duration_s, 50e-6);
}

TEST(TorchProfile, MissingTraceEvents) {
  const std::string path = write_temp("no_events.json", "{\"schemaVersion\": 1}\n");
  expect_config_error([&] { read_torch_profile(path); }, {"no_events.json", "traceEvents", "no 'traceEvents' key"});
}

// ---------------------------------------------------------------------------------------------
// Streaming

TEST(Streaming, TwoHundredThousandLines) {
  // t = i * 0.01 s, p = 100 W on even lines and 110 W on odd ones: every segment averages 105 W,
  // so 199999 segments of 0.01 s hold 105 * 1999.99 = 209998.95 J.
  constexpr int kLines = 200000;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("jg_trace_test_" + std::string(info->test_suite_name()) + "_" + info->name());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "big.csv").string();
  {
    std::ofstream out(path);
    out << "timestamp,watts\n";
    for (int i = 0; i < kLines; ++i) {
      const int cents = i % 100;
      out << i / 100 << '.' << (cents < 10 ? "0" : "") << cents << ',' << (i % 2 == 0 ? "100" : "110") << '\n';
    }
  }
  WindowIntegrator wi(fixed_windows(0, 1999.99, 1.0));
  const TraceIssues issues = read_trace(path, TraceFormat::kCsv, wi);
  EXPECT_EQ(issues.samples, static_cast<std::uint64_t>(kLines));
  EXPECT_EQ(issues.lines, static_cast<std::uint64_t>(kLines) + 1);
  EXPECT_EQ(issues.duplicates, 0u);
  EXPECT_EQ(issues.gaps, 0u);
  EXPECT_NEAR(issues.median_interval_s, 0.01, 1e-9);
  ASSERT_EQ(wi.windows().size(), 2000u);
  double total = 0;
  for (const auto& row : wi.values()) total += row[0];
  EXPECT_NEAR(total, 209998.95, 1e-4);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Malformed traces (tests/data/bad/traces/)

TEST(BadTraces, BadHeader) {
  expect_config_error(
      [] { collect_trace(kBadDir + "bad_header.csv", TraceFormat::kCsv); },
      {"bad_header.csv:2:", "a time column named", "'timestamp'", "header columns: tme, watts", "did you mean 'time'"});
}

TEST(BadTraces, NonNumericCell) {
  expect_config_error([] { collect_trace(kBadDir + "non_numeric.csv", TraceFormat::kCsv); },
                      {"non_numeric.csv:5:", "key 'watts'", "a number", "'abc' in column 'watts'"});
}

TEST(BadTraces, TimeGoingBackwards) {
  expect_config_error([] { collect_trace(kBadDir + "time_backwards.csv", TraceFormat::kCsv); },
                      {"time_backwards.csv:5:", "do not go backwards", "t = 3 s at line 5 after t = 4 s at line 4"});
}

TEST(BadTraces, EmptyFile) {
  for (TraceFormat f : {TraceFormat::kCsv, TraceFormat::kNvidiaSmi, TraceFormat::kRapl, TraceFormat::kKepler})
    expect_config_error([&] { collect_trace(kBadDir + "empty.csv", f); },
                        {"empty.csv:1:", "a trace with a header and at least one sample", "an empty file"});
  expect_config_error([] { detect_trace_format(kBadDir + "empty.csv"); }, {"empty.csv:1:", "an empty file"});
  expect_config_error([] { collect_trace(kBadDir + "empty.csv", TraceFormat::kTegrastats); },
                      {"empty.csv:1:", "an empty file"});
  expect_config_error([] { collect_trace(kBadDir + "empty.csv", TraceFormat::kPerf); },
                      {"empty.csv:1:", "an empty file"});
}

TEST(BadTraces, TruncatedLastLine) {
  expect_config_error([] { collect_trace(kBadDir + "truncated_last_line.csv", TraceFormat::kCsv); },
                      {"truncated_last_line.csv:5:", "a complete last line", "a line cut short after 2 of 3 cells"});
}

TEST(BadTraces, MarkerEndBeforeStart) {
  expect_config_error([] { read_markers(kBadDir + "marker_end_before_start.csv"); },
                      {"marker_end_before_start.csv:4:", "an end after the start", "start 3 s, end 2 s"});
}

TEST(BadTraces, TorchNotJson) {
  expect_config_error([] { read_torch_profile(kBadDir + "torch_not_json.json"); },
                      {"torch_not_json.json:3:", "a Chrome trace in JSON", "syntax error"});
}

TEST(BadTraces, MissingFile) {
  expect_config_error([] { collect_trace(kTraceDir + "no_such_trace.csv", TraceFormat::kCsv); },
                      {"no_such_trace.csv", "no such file"});
}

}  // namespace
}  // namespace jg::calib
