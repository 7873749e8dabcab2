// Sweeps and optimization: the Plan's fast re-evaluation equals the full evaluator at sampled
// power modes and power caps; the Pareto front on a hand-checked space and against brute force;
// the choice under limits; seeded sampling; `joulegraph sweep` (thread count does not change a
// byte, slow axes equal --set estimates, Ctrl-C leaves complete rows) and `joulegraph optimize`
// (the best point under 30 W is the fastest such row of the sweep; a budget nothing meets);
// malformed sweep files (tests/data/bad/sweep/) with their locations.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "cli/inputs.hpp"
#include "cli/sweep.hpp"
#include "engine/eval/pareto.hpp"
#include "tests/test_support.hpp"

namespace jg {
namespace {

using test::run_cli;

const std::string kBad = std::string(JG_SOURCE_DIR) + "/tests/data/bad/sweep/";

std::string temp_path(const std::string& name) {
  const auto* t = testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          ("jg_sweep_" + std::to_string(::getpid()) + "_" + t->name() + "_" + name))
      .string();
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p) << text;
  return p;
}

std::string read_file(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// A platform and graph as `estimate --hw NAME --workload W --set ...` builds them.
struct Built {
  hw::Platform platform;
  wl::Graph graph;
};
Built build(const std::string& hw_name, const std::string& workload, const std::vector<std::string>& sets) {
  cli::LoadedInput hw_in = cli::load_input("platform", hw_name);
  const hw::Platform base = hw::load_platform(hw_in.root, hw::builtin_registry());
  cli::LoadedInput wl_in = cli::load_workload_input(workload, base, sets);
  cli::apply_overrides(hw_in.root, wl_in.root, sets);
  return {hw::load_platform(hw_in.root, hw::builtin_registry()), cli::build_graph(wl_in.root, false)};
}

void expect_close(double a, double b, const std::string& what) {
  EXPECT_NEAR(a, b, 1e-9 * std::max(std::fabs(a), std::fabs(b))) << what;
}

void expect_same(const eval::Ledger& fast, const eval::Ledger& full, const std::string& what) {
  ASSERT_EQ(fast.stages.size(), full.stages.size());
  expect_close(fast.energy_j, full.energy_j, what + " energy");
  expect_close(fast.time_s, full.time_s, what + " time");
  for (std::size_t s = 0; s < full.stages.size(); ++s) {
    const auto& a = fast.stages[s];
    const auto& b = full.stages[s];
    expect_close(a.energy_j, b.energy_j, what + " stage " + b.name + " energy");
    expect_close(a.time_s, b.time_s, what + " stage " + b.name + " time");
    expect_close(a.clock_hz, b.clock_hz, what + " stage " + b.name + " clock");
    EXPECT_EQ(a.throttled, b.throttled) << what;
    ASSERT_EQ(a.slot_energy_j.size(), b.slot_energy_j.size());
    for (std::size_t k = 0; k < a.slot_energy_j.size(); ++k)
      EXPECT_NEAR(a.slot_energy_j[k], b.slot_energy_j[k], 1e-9 * b.energy_j) << what << " slot " << k;
  }
}

TEST(Plan, EqualsTheFullEvaluatorOnSampledJetsonModes) {
  Built b = build("jetson-agx-orin-64gb", "resnet50", {"batch=32", "mode=train", "steps=1"});
  const eval::Plan plan(b.platform, b.graph);
  hw::Platform w = b.platform;
  const auto& knobs = w.power_modes.knobs;
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    std::vector<double> v;
    for (const auto& k : knobs) v.push_back(k.values[rng() % k.values.size()]);
    hw::set_power_mode(w, v);
    expect_same(plan.evaluate(w), eval::evaluate(w, b.graph), "mode " + std::to_string(i));
  }
  // The same mode twice (the second from the plan's kept op times) gives the same bits.
  const eval::Ledger again = plan.evaluate(w);
  EXPECT_EQ(again.energy_j, plan.evaluate(w).energy_j);
}

TEST(Plan, EqualsTheFullEvaluatorUnderPowerCaps) {
  // Inference on the demo A100 node with its GPU capped at 100 ... 400 W: throttled points
  // bisect the clock through the plan exactly as evaluate does.
  Built b = build("demo-a100-node", "resnet50", {"batch=64"});
  const eval::Plan plan(b.platform, b.graph);
  hw::Platform w = b.platform;
  const int gpu = w.find_device("gpu");
  ASSERT_GE(gpu, 0);
  int throttled = 0;
  for (double cap : {100.0, 150.0, 250.0, 400.0, 0.0}) {
    w.devices[static_cast<std::size_t>(gpu)].power_cap_w = cap;
    const eval::Ledger full = eval::evaluate(w, b.graph);
    for (const auto& s : full.stages) throttled += s.throttled;
    expect_same(plan.evaluate(w), full, "cap " + std::to_string(cap));
  }
  EXPECT_GT(throttled, 0) << "some cap must throttle, or the test checks nothing";
}

TEST(SetPowerMode, RejectsAValueTheKnobLacks) {
  hw::Platform p = test::load_library_platform("jetson-agx-orin-64gb");
  std::vector<double> v = p.power_modes.active_values;
  v[0] += 0.5;
  EXPECT_THROW(hw::set_power_mode(p, v), std::invalid_argument);
  v = p.power_modes.presets.front().setting;
  hw::set_power_mode(p, v);
  EXPECT_EQ(p.power_modes.active, p.power_modes.presets.front().name);
}

TEST(Pareto, HandCheckedSpace) {
  // (time, energy): A(1,9) B(2,5) C(3,6) D(3,4) E(5,4) F(6,1) G(2,5) H(4,8)
  // C is dominated by D; E by D; H by D; B and G are equal, both kept.
  const std::vector<double> t = {1, 2, 3, 3, 5, 6, 2, 4};
  const std::vector<double> e = {9, 5, 6, 4, 4, 1, 5, 8};
  EXPECT_EQ(eval::pareto_front(t, e), (std::vector<std::size_t>{0, 1, 6, 3, 5}));
}

TEST(Pareto, MatchesBruteForceWithTies) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> x, y;
    for (int i = 0; i < 60; ++i) {
      x.push_back(static_cast<double>(rng() % 12));
      y.push_back(static_cast<double>(rng() % 12));
    }
    std::set<std::size_t> brute;
    for (std::size_t i = 0; i < x.size(); ++i) {
      bool dominated = false;
      for (std::size_t j = 0; j < x.size() && !dominated; ++j)
        dominated = x[j] <= x[i] && y[j] <= y[i] && (x[j] < x[i] || y[j] < y[i]);
      if (!dominated) brute.insert(i);
    }
    const auto front = eval::pareto_front(x, y);
    EXPECT_EQ(std::set<std::size_t>(front.begin(), front.end()), brute) << "trial " << trial;
    for (std::size_t k = 1; k < front.size(); ++k) EXPECT_LE(x[front[k - 1]], x[front[k]]);
  }
}

TEST(Choose, FastestUnderABudgetWithTiesAndRunnerUp) {
  // time, energy -> power: 10 W, 20 W, 30 W, 40 W, 20 W
  const std::vector<eval::Figures> pts = {{4, 40}, {2, 40}, {1, 30}, {0.5, 20}, {2, 40}};
  eval::Limits lim;
  lim.max_power_w = 30;
  const eval::Choice c = eval::choose(pts, eval::Objective::kTime, lim);
  ASSERT_TRUE(c.best && c.next);
  EXPECT_EQ(*c.best, 2u);
  EXPECT_EQ(*c.next, 1u);  // 1 and 4 tie at 2 s: the lower index
  EXPECT_EQ(c.ties, 1u);
  EXPECT_EQ(c.feasible, 4u);
  lim.deadline_s = 1.5;
  const eval::Choice e = eval::choose(pts, eval::Objective::kEnergy, lim);
  EXPECT_EQ(*e.best, 2u);
  EXPECT_FALSE(e.next);
  lim.max_power_w = 5;
  EXPECT_FALSE(eval::choose(pts, eval::Objective::kTime, lim).best);
  EXPECT_EQ(eval::choose(pts, eval::Objective::kEdp, {}).best, std::optional<std::size_t>(3));
}

TEST(Sample, DistinctSortedSeededAndComplete) {
  const auto a = cli::sample_indices(1000, 100, 1);
  EXPECT_EQ(a.size(), 100u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<std::uint64_t>(a.begin(), a.end()).size(), 100u);
  EXPECT_LT(a.back(), 1000u);
  EXPECT_EQ(a, cli::sample_indices(1000, 100, 1));
  EXPECT_NE(a, cli::sample_indices(1000, 100, 2));
  EXPECT_EQ(cli::sample_indices(5, 9, 1), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

const std::string kSmallSweep = R"(schema_version = 1
platform = "jetson-agx-orin-64gb"
workload = "resnet50"
stage = "training"
[set]
mode = "train"
steps = 1
[axes]
gpu_freq = ["306MHz", "612MHz", "1300.5MHz"]
batch = [16, 32]
emc_freq = "all"
)";

TEST(SweepCli, RowsPerPointAndThreadCountChangesNothing) {
  const std::string file = write_temp("small.toml", kSmallSweep);
  const auto one = run_cli({"sweep", file, "--threads", "1"});
  const auto two = run_cli({"sweep", file, "--threads", "2"});
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(two.code, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
  std::istringstream in(one.out);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header,
            "gpu_freq,batch,emc_freq,energy_j,time_s,avg_power_w,total_energy_j,total_time_s,energy_j.preprocess,"
            "energy_j.train,energy_j.update");
  std::size_t rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 3u * 2 * 4);
  // Slow axes (batch) vary outermost.
  std::getline(std::istringstream(one.out.substr(header.size() + 1)), line);
  EXPECT_EQ(line.rfind("306 MHz,16,204 MHz,", 0), 0u) << line;
}

TEST(SweepCli, PointsEqualEstimateWithTheSameSettings) {
  const std::string file = write_temp("small.toml", kSmallSweep);
  const auto r = run_cli({"sweep", file, "--format", "jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["emc_freq"] != "3.199 GHz" || j["gpu_freq"] != "612 MHz") continue;
    const auto est =
        run_cli({"estimate", "--hw", "jetson-agx-orin-64gb", "--workload", "resnet50", "--format", "json", "--set",
                 "mode=train,steps=1,gpu_freq=612MHz,emc_freq=3199MHz,batch=" + std::to_string(j["batch"].get<int>())});
    ASSERT_EQ(est.code, 0) << est.err;
    const auto e = nlohmann::json::parse(est.out);
    expect_close(j["total_energy_j"].get<double>(), e["totals"]["energy_j"].get<double>(), "energy");
    expect_close(j["total_time_s"].get<double>(), e["totals"]["time_s"].get<double>(), "time");
    double train_e = 0;
    for (const auto& s : e["stages"])
      if (s["kind"] == "training") train_e += s["energy_j"].get<double>();
    expect_close(j["energy_j"].get<double>(), train_e, "training stages");
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(SweepCli, SampleIsSeededAndSized) {
  const std::string file = write_temp("sample.toml", R"(schema_version = 1
platform = "jetson-agx-orin-64gb"
workload = "resnet50"
axes = "all_power_modes"
[sample]
n = 500
seed = 3
)");
  const std::string out = temp_path("sample.csv");
  const auto r = run_cli({"sweep", file, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = read_file(out);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 501);
  const auto again = run_cli({"sweep", file});
  EXPECT_EQ(again.out, text);
  std::filesystem::remove(out);
}

TEST(OptimizeCli, FastestUnder30WIsTheFastestSuchRowOfTheSweep) {
  const std::string file = write_temp("small.toml", kSmallSweep);
  const auto sweep = run_cli({"sweep", file, "--format", "jsonl"});
  ASSERT_EQ(sweep.code, 0);
  double best_t = 1e300;
  std::size_t points = 0;
  std::istringstream in(sweep.out);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    ++points;
    if (j["avg_power_w"].get<double>() <= 15) best_t = std::min(best_t, j["time_s"].get<double>());
  }
  const auto r = run_cli({"optimize", file, "--max-power", "15W", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["points_evaluated"].get<std::size_t>(), points);
  EXPECT_EQ(j["best"]["time_s"].get<double>(), best_t);
  EXPECT_LE(j["best"]["avg_power_w"].get<double>(), 15.0);
  EXPECT_TRUE(j["best"].contains("gpu_freq") && j["best"].contains("batch") && j["best"].contains("energy_j"));
  ASSERT_FALSE(j["pareto"].empty());
  for (std::size_t i = 1; i < j["pareto"].size(); ++i) {
    EXPECT_LE(j["pareto"][i - 1]["time_s"].get<double>(), j["pareto"][i]["time_s"].get<double>());
    EXPECT_GE(j["pareto"][i - 1]["energy_j"].get<double>(), j["pareto"][i]["energy_j"].get<double>());
  }
  EXPECT_GT(j["next_best_gap"].get<double>(), 0.0);
  const auto table = run_cli({"optimize", file, "--objective", "edp"});
  ASSERT_EQ(table.code, 0);
  EXPECT_NE(table.out.find("next best:"), std::string::npos);
  EXPECT_NE(table.out.find("Pareto front, time vs energy"), std::string::npos);
}

TEST(OptimizeCli, ABudgetNothingMeetsIsAClearMessage) {
  const std::string file = write_temp("small.toml", kSmallSweep);
  const auto r = run_cli({"optimize", file, "--max-power", "1W", "--deadline", "10ms"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no point of 24 meets average power <= 1 W, time <= 10 ms"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the lowest average power is"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the shortest time is"), std::string::npos) << r.err;
  const auto bad = run_cli({"optimize", file, "--max-power", "30s"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("a positive power"), std::string::npos) << bad.err;
}

TEST(SweepCli, InterruptLeavesCompleteRows) {
  // The whole AGX Orin mode space with batch 1..64: long enough to be interrupted.
  const std::string file = write_temp("big.toml", R"(schema_version = 1
platform = "jetson-agx-orin-64gb"
workload = "resnet50"
[axes]
batch = { from = 1, to = 64, step = 1 }
power_mode = "all"
)");
  const std::string out = temp_path("big.csv");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(JG_BINARY, JG_BINARY, "sweep", file.c_str(), "--out", out.c_str(), "--threads", "1",
          static_cast<char*>(nullptr));
    _exit(99);
  }
  usleep(1500 * 1000);
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  ASSERT_TRUE(code == 130 || code == 0) << code;
  const std::string text = read_file(out);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const auto columns = std::count(line.begin(), line.end(), ',');
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), columns);
    ++rows;
  }
  if (code == 130) {
    EXPECT_LT(rows, 64u * 489984u);
  }
  EXPECT_GT(rows, 0u);
  std::filesystem::remove(out);
}

struct BadSweep {
  std::string file, where;
  std::vector<std::string> words;
};

TEST(BadSweep, EachFixtureNamesItsLine) {
  const std::vector<BadSweep> cases = {
      {"unknown_axis.toml", ":6:9: key 'bach'", {"a workload parameter", "did you mean 'batch'?"}},
      {"empty_range.toml", ":6:9: key 'axes.batch'", {"from = 128, to = 8, step = 8: no value", "an empty range"}},
      {"zero_step.toml", ":6:38: key 'axes.batch.step'", {"a non-zero step"}},
      {"mode_the_board_lacks.toml", ":6:23: key 'axes.gpu_freq[1]'", {"306 MHz, 408 MHz", "the string \"1500MHz\""}},
      {"unknown_preset.toml", ":6:22: key 'axes.power_mode[1]'", {"did you mean '30W'?", "MAXN, 15W, 30W, 50W"}},
      {"power_modes_on_a_server.toml", ":6:14: key 'axes.power_mode'", {"'dgx-a100', which has none", "pe.clock"}},
      {"unknown_stage.toml",
       ":5:9: key 'stage'",
       {"preprocess (preprocessing), infer (inference)", "the string \"decode\""}},
      {"sample_zero.toml", ":8:5: key 'sample.n'", {"a positive whole number of points"}},
      {"bad_axis_value.toml", ":6:14: key 'batch'", {"a positive number", "the integer 0", "as --set batch=0"}},
      {"knob_twice.toml", ":7:12: key 'axes.gpu_freq'", {"each knob on one axis", "already varied"}},
  };
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kBad)) files += e.path().extension() == ".toml";
  EXPECT_EQ(files, cases.size()) << "every fixture has a case";
  for (const auto& c : cases) {
    const std::string path = kBad + c.file;
    std::ifstream f(path);
    std::string first;
    std::getline(f, first);
    EXPECT_EQ(first.rfind("# ", 0), 0u) << c.file << " says what is wrong on its first line";
    const std::string out = temp_path("bad.csv");
    const auto r = run_cli({"sweep", path, "--out", out});
    EXPECT_EQ(r.code, 2) << c.file;
    EXPECT_NE(r.err.find(path + c.where), std::string::npos) << r.err;
    for (const auto& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << c.file << ": " << w << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "no output file on bad input";
  }
}

}  // namespace
}  // namespace jg
