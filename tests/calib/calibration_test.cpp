// Calibration end to end on synthetic measurements: a trace made from the evaluator's own linear
// form with known factors on the golden platform's energies, plus noise. The fit must find the
// factors within their stated errors, hold its error on windows it did not see, and the file it
// writes must round-trip and change estimates the way the factors say.
#include "calib/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "calib/csv.hpp"
#include "engine/core/error.hpp"
#include "tests/test_support.hpp"

namespace jg::calib {
namespace {

// Six stages with different mixes of MACs, vector work, DRAM reads and writes and time.
const char* kMix = R"(
schema_version = 1
name = "mix"
[[stage]]
name = "gemm"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "mm"
  type = "gemm"
  dtype = "fp16"
  m = 1000
  n = 1000
  k = 1000
[[stage]]
name = "relu"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "relu"
  type = "elementwise"
  dtype = "fp16"
  elements = 2e8
  flops_per_element = 6
[[stage]]
name = "add"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "add"
  type = "elementwise"
  dtype = "fp16"
  elements = 1e8
  operands = 3
  flops_per_element = 1
[[stage]]
name = "outer"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "outer"
  type = "gemm"
  dtype = "fp16"
  m = 8000
  n = 8000
  k = 16
[[stage]]
name = "both"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "mm"
  type = "gemm"
  dtype = "fp16"
  m = 2000
  n = 500
  k = 500
  [[stage.op]]
  name = "scale"
  type = "elementwise"
  dtype = "fp16"
  elements = 5e7
  operands = 2
  flops_per_element = 20
[[stage]]
name = "launches"
kind = "inference"
device = "acc"
  [[stage.op]]
  name = "tiny0"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny1"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny2"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny3"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny4"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny5"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny6"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny7"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny8"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny9"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny10"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny11"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny12"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny13"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny14"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny15"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny16"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny17"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny18"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
  [[stage.op]]
  name = "tiny19"
  type = "elementwise"
  dtype = "fp16"
  elements = 1000
)";

// The golden platform with dynamic energies large enough to matter beside its 6 W of static
// power (1 nJ per op, 2 nJ per vector op, 1 nJ per DRAM bit) and a 10 ms launch overhead per
// op. Roofline time is linear in activity, so static power is only separable from the
// per-action energies in windows whose time is not set by their activity: the "launches"
// stage of many tiny ops, as a real calibration needs idle or latency-bound phases.
hw::Platform balanced() {
  std::string t = test::kGoldenPlatform;
  auto swap = [&](const std::string& from, const std::string& to) { t.replace(t.find(from), from.size(), to); };
  swap("energy_per_op = \"1 pJ\"", "energy_per_op = \"1 nJ\"");
  swap("e_vector_op = \"1 pJ\"", "e_vector_op = \"2 nJ\"");
  swap("e_read = \"10 pJ/b\"", "e_read = \"1 nJ/b\"");
  swap("kind = \"accelerator\"", "kind = \"accelerator\"\nlaunch_overhead = \"10 ms\"");
  return test::platform_from(t);
}

struct Synthetic {
  std::filesystem::path dir;
  std::string trace, markers;
};

// Windows cycle over the stages; each window's power is its true energy / duration with
// relative noise `noise` (normal), written as 10 samples per window of a generic CSV.
Synthetic make(const hw::Platform& p, const wl::Graph& g, const std::map<std::string, double>& truth, double noise,
               int windows, std::uint64_t seed, const std::map<std::string, double>& time_truth = {}) {
  eval::EvalOptions o;
  o.overrides = truth;
  o.time_factors = time_truth;
  const eval::Ledger L = eval::evaluate(p, g, o);
  Synthetic s;
  s.dir = std::filesystem::temp_directory_path() / ("jg_calib_" + std::to_string(seed) + "_" + std::to_string(windows));
  std::filesystem::create_directories(s.dir);
  s.trace = (s.dir / "trace.csv").string();
  s.markers = (s.dir / "markers.csv").string();
  std::ofstream tr(s.trace), mk(s.markers);
  tr.precision(17);
  mk.precision(17);
  tr << "time_s,power_w\n";
  mk << "start,end,name\n";
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01(0, 1);
  double t = 0;
  for (int w = 0; w < windows; ++w) {
    const auto& st = L.stages[static_cast<std::size_t>(w) % L.stages.size()];
    const double power = st.energy_j / st.time_s * (1 + noise * n01(rng));
    // Constant power inside the window; 11 samples from start to end so the trapezoid is exact.
    for (int k = 0; k <= 10; ++k) tr << t + st.time_s * k / 10 << "," << power << "\n";
    mk << t << "," << t + st.time_s << "," << st.name << "\n";
    t += st.time_s + 1e-3;  // a gap between windows, at 0 W... not sampled
  }
  return s;
}

std::map<std::string, double> truth_for(const hw::Platform& p) {
  // The golden platform's values times known factors.
  std::map<std::string, double> t;
  for (const auto& s : eval::platform_slots(p)) {
    const std::string id = p.components[static_cast<std::size_t>(s.component)].id + "." + s.action;
    t[id] = eval::slot_prior(p, s);
  }
  t["acc.pe.op_fp16"] *= 1.3;
  t["acc.pe.vector_op"] *= 0.7;
  t["acc.dram.read_bit"] *= 1.2;
  t["acc.dram.write_bit"] *= 0.9;
  for (const char* c : {"acc.pe.static", "acc.dram.static", "acc.board.static"}) t[c] *= 1.1;
  return t;
}

TEST(Calibration, RecoversKnownFactorsFromANoisyTrace) {
  const auto p = balanced();
  const auto g = test::graph_from(kMix);
  const Synthetic s = make(p, g, truth_for(p), 0.01, 64, 11);
  const auto m = measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {});
  ASSERT_EQ(m.windows.size(), 64u);
  const Calibration c = fit_markers(p, g, m);
  EXPECT_EQ(c.train_windows, 48u);
  EXPECT_EQ(c.test_windows, 16u);
  std::map<std::string, double> want = {{"acc.pe.op_fp16", 1.3},
                                        {"acc.pe.vector_op", 0.7},
                                        {"acc.dram.read_bit", 1.2},
                                        {"acc.dram.write_bit", 0.9},
                                        {"acc.pe.static", 1.1}};
  std::size_t checked = 0;
  for (const auto& f : c.factors)
    for (const auto& slot : f.slots)
      if (want.count(slot)) {
        ++checked;
        ASSERT_FALSE(std::isnan(f.std_error)) << slot;
        EXPECT_NEAR(f.factor, want[slot], 3.5 * f.std_error + 1e-9) << slot;
      }
  EXPECT_EQ(checked, want.size());
  // The static powers of the device's parts are one group: instance-seconds in every window.
  bool grouped = false;
  for (const auto& f : c.factors) grouped = grouped || f.slots.size() == 3;
  EXPECT_TRUE(grouped);
  EXPECT_LT(c.test.mape, 0.03);  // 1 % noise
  EXPECT_GT(c.test.r2, 0.99);
  EXPECT_LE(c.rel_lo, 0.0);
  EXPECT_GE(c.rel_hi, 0.0);
}

// Ops that run slower or faster than their roofline: the window durations give the time
// factors first, then the energies are fitted on activity at those times.
TEST(Calibration, RecoversTimeFactorsFromWindowDurations) {
  const auto p = balanced();
  const auto g = test::graph_from(kMix);
  const std::map<std::string, double> times = {{"gemm", 1.25}, {"elementwise", 0.8}};
  const Synthetic s = make(p, g, truth_for(p), 0.0, 24, 21, times);
  const Calibration c = fit_markers(p, g, measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {}));
  ASSERT_EQ(c.time_factors.size(), 2u);
  for (const auto& t : c.time_factors) EXPECT_NEAR(t.factor, times.at(t.op_types.front()), 1e-6) << t.op_types.front();
  for (const auto& f : c.factors)
    if (f.slots.front() == "acc.dram.read_bit") {
      EXPECT_NEAR(f.factor, 1.2, 1e-6);
    }
  // Applied to an estimate, both kinds of factor reproduce the synthetic truth.
  const std::string path = (s.dir / "timed.toml").string();
  std::ofstream(path) << calibration_toml(c);
  const Calibration r = read_calibration(path);
  eval::EvalOptions o, t;
  o.overrides = calibration_overrides(r, p, path);
  o.time_factors = calibration_time_factors(r, path);
  t.overrides = truth_for(p);
  t.time_factors = times;
  const auto est = eval::evaluate(p, g, o), truth = eval::evaluate(p, g, t);
  EXPECT_NEAR(est.time_s, truth.time_s, 1e-6 * truth.time_s);
  EXPECT_NEAR(est.energy_j, truth.energy_j, 1e-6 * truth.energy_j);
}

TEST(Calibration, WithoutNoiseTheFitIsExact) {
  const auto p = balanced();
  const auto g = test::graph_from(kMix);
  const Synthetic s = make(p, g, truth_for(p), 0.0, 16, 3);
  const Calibration c = fit_markers(p, g, measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {}));
  for (const auto& f : c.factors)
    if (f.slots.front() == "acc.pe.op_fp16") {
      EXPECT_NEAR(f.factor, 1.3, 1e-6);
    }
  EXPECT_LT(c.test.mape, 1e-6);
}

TEST(Calibration, FileRoundTripsAndAppliesItsFactors) {
  const auto p = balanced();
  const auto g = test::graph_from(kMix);
  const Synthetic s = make(p, g, truth_for(p), 0.0, 16, 5);
  const Calibration c = fit_markers(p, g, measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {}));
  const std::string path = (s.dir / "cal.toml").string();
  std::ofstream(path) << calibration_toml(c);
  const Calibration r = read_calibration(path);
  ASSERT_EQ(r.factors.size(), c.factors.size());
  for (std::size_t i = 0; i < c.factors.size(); ++i) {
    EXPECT_EQ(r.factors[i].slots, c.factors[i].slots);
    EXPECT_NEAR(r.factors[i].factor, c.factors[i].factor, 1e-9 * std::fabs(c.factors[i].factor));
  }
  EXPECT_EQ(r.test.n, c.test.n);
  // Applied, the calibrated estimate reproduces the synthetic truth.
  eval::EvalOptions o;
  o.overrides = calibration_overrides(r, p, path);
  eval::EvalOptions t;
  t.overrides = truth_for(p);
  EXPECT_NEAR(eval::evaluate(p, g, o).energy_j, eval::evaluate(p, g, t).energy_j,
              1e-6 * eval::evaluate(p, g, t).energy_j);
  // Another platform is refused.
  hw::Platform other = balanced();
  other.name = "other";
  EXPECT_THROW(calibration_overrides(r, other, path), core::ConfigError);
}

TEST(Calibration, MarkersMustNameStagesAndBeEnough) {
  const auto p = balanced();
  const auto g = test::graph_from(kMix);
  const Synthetic s = make(p, g, truth_for(p), 0.0, 4, 9);
  EXPECT_THROW(fit_markers(p, g, measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {})),
               core::ModelError);  // 4 windows < 8
  MeasuredWindows m = measure_windows(s.trace, TraceFormat::kCsv, read_markers(s.markers), {});
  m.windows[0].name = "gemmm";
  try {
    fit_markers(p, g, m);
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'gemm'"), std::string::npos) << e.what();
  }
}

// Power levels: a trace alternating 100 W and 400 W for 20 s each, sampled at 10 Hz.
TEST(Calibration, PowerLevelsFindIdleAndActive) {
  const auto dir = std::filesystem::temp_directory_path() / "jg_levels";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "levels.csv").string();
  {
    std::ofstream f(path);
    f << "time_s,power_w\n";
    for (int i = 0; i <= 2000; ++i) f << i * 0.1 << "," << ((i / 200) % 2 ? 400.0 : 100.0) << "\n";
  }
  const auto m = measure_windows(path, TraceFormat::kCsv, fixed_windows(0, 200, 1.0), {});
  const auto r = power_levels(m, 2);
  ASSERT_EQ(r.levels.size(), 2u);
  EXPECT_NEAR(r.levels[0].power_w, 100, 10);
  EXPECT_NEAR(r.levels[1].power_w, 400, 10);
  EXPECT_LT(r.test.mape, 0.1);
  const auto p = balanced();
  const Calibration c = idle_calibration(p, "acc", r, 1);
  // Modelled idle: pe 0.5 + dram 1 + board 3 = 4.5 W; measured ~100 W.
  ASSERT_EQ(c.factors.size(), 1u);
  EXPECT_NEAR(c.factors[0].factor, r.levels[0].power_w / 4.5, 1e-9);
}

// Published tables: quotes with commas and CRLF read; a ragged row, a non-numeric cell, a
// missing column and an empty file are errors naming file, line and column.
TEST(CsvTable, ReadsQuotedCrlfAndNamesWhatIsWrong) {
  const auto dir = std::filesystem::temp_directory_path() / "jg_csv_table";
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    const std::string p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  };
  const auto t = csv::read_table(write("ok.csv", "server,cpu,p_W\r\nR740,\"Xeon 8280, 2.7 GHz\",432\r\n"));
  EXPECT_EQ(t.text(0, t.column("cpu")), "Xeon 8280, 2.7 GHz");
  EXPECT_EQ(t.number(0, t.column("p_W")), 432);
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const core::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ragged = write("ragged.csv", "a,b\n1,2\n3\n");
  EXPECT_NE(message([&] { csv::read_table(ragged); }).find("ragged.csv:3:1"), std::string::npos);
  const std::string text = write("text.csv", "a,b\n1,two\n");
  const auto tt = csv::read_table(text);
  const std::string bad = message([&] { (void)tt.number(0, 1); });
  EXPECT_NE(bad.find("text.csv:2"), std::string::npos) << bad;
  EXPECT_NE(bad.find("a number in column 'b'"), std::string::npos) << bad;
  EXPECT_NE(message([&] { (void)tt.column("c"); }).find("the columns a, b"), std::string::npos);
  EXPECT_NE(message([&] { csv::read_table(write("empty.csv", "")); }).find("an empty file"), std::string::npos);
}

}  // namespace
}  // namespace jg::calib
