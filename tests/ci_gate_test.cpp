// The CI gate: check-budget at and just over a limit (hand-computed on a small report), stages by
// name and by kind, the pipeline outputs (JUnit, Markdown, GitHub annotations), diff (identical
// reports are empty, a rise past the tolerance fails), and malformed budgets and reports
// (tests/data/bad/budget/, tests/data/bad/report/) with their line numbers.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/budget.hpp"
#include "tests/test_support.hpp"

namespace jg {
namespace {

using test::run_cli;

const std::string kSmall = std::string(JG_SOURCE_DIR) + "/tests/data/reports/small.json";
const std::string kBad = std::string(JG_SOURCE_DIR) + "/tests/data/bad/";

/// A scratch file of this process and test (CTest runs tests in parallel processes).
std::string temp_path(const std::string& name) {
  const auto* t = testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          ("jg_ci_gate_" + std::to_string(::getpid()) + "_" + t->name() + "_" + name))
      .string();
}

/// Runs the gate's commands as outside GitHub Actions, whatever the environment that runs the
/// tests, unless a test sets the variable itself.
class Environment : public testing::Environment {
 public:
  void SetUp() override { ::unsetenv("GITHUB_ACTIONS"); }
};
const auto* const kEnvironment = testing::AddGlobalTestEnvironment(new Environment);

std::string write(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p) << text;
  return p;
}

std::string read(const std::string& path) { return core::read_text_file(path); }

test::CliResult check(const std::string& budget, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"check-budget", "--budget", write("budget.toml", budget), kSmall};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

// small.json: total 5000 J (node) in 100 s, 50 g; stages fwd (3000 J, 60 s) and update (2000 J,
// 40 s), both of kind training.
TEST(CheckBudget, ExactlyAtTheLimitPassesAndJustOverFails) {
  EXPECT_EQ(check("schema_version = 1\n[total]\nenergy = \"5 kJ\"\ntime = \"100 s\"\navg_power = \"50 W\"\n"
                  "co2e = \"50 g\"\n")
                .code,
            0);
  EXPECT_EQ(check("schema_version = 1\n[total]\nenergy = \"4999.999 J\"\n").code, 1);
  EXPECT_EQ(check("schema_version = 1\n[total]\ntime = \"99.999 s\"\n").code, 1);
  EXPECT_EQ(check("schema_version = 1\n[total]\nco2e = \"49.99 g\"\n").code, 1);
  // The report's boundary (node) is the one checked, not the wall's 5500 J.
  EXPECT_EQ(check("schema_version = 1\n[total]\nenergy = \"5.4 kJ\"\n").code, 0);
}

TEST(CheckBudget, AnEstimatesOwnFiguresAreExactlyAtTheLimit) {
  const std::string report = temp_path("estimate.json");
  ASSERT_EQ(run_cli({"estimate", "--hw", "a100-sxm4-80gb", "--workload", "resnet50", "--region", "USA", "--format",
                     "json", "--out", report})
                .code,
            0);
  const auto j = nlohmann::json::parse(read(report));
  const double e = j["totals"]["boundary_energy_j"], t = j["totals"]["time_s"], c = j["totals"]["co2e_g"],
               m = j["totals"]["co2e_embodied_g"];
  const auto at = [&](double energy, double time, double co2e_g, double embodied_g) {
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "schema_version = 1\n[total]\nenergy = \"%.17g J\"\ntime = \"%.17g s\"\nco2e = \"%.17g g\"\n"
                  "co2e_embodied = \"%.17g g\"\n",
                  energy, time, co2e_g, embodied_g);
    return run_cli({"check-budget", "--budget", write("exact.toml", buf), report}).code;
  };
  EXPECT_EQ(at(e, t, c, m), 0);
  EXPECT_EQ(at(std::nextafter(e, 0.0), t, c, m), 1);
  EXPECT_EQ(at(e, std::nextafter(t, 0.0), c, m), 1);
  // Carbon limits pass within 4 ulps (a kg-to-g rounding), and fail beyond.
  EXPECT_EQ(at(e, t, c * (1 - 1e-12), m), 1);
  EXPECT_EQ(at(e, t, c, m * (1 - 1e-12)), 1);
}

TEST(CheckBudget, StagesByNameAndByKind) {
  // By name: update alone, 2000 J in 40 s = 50 W.
  EXPECT_EQ(check("schema_version = 1\n[stage.update]\nenergy = \"2 kJ\"\navg_power = \"50 W\"\n").code, 0);
  EXPECT_EQ(check("schema_version = 1\n[stage.update]\navg_power = \"49.9 W\"\n").code, 1);
  // By kind: both stages, 5000 J in 100 s = 50 W; 50 g.
  EXPECT_EQ(check("schema_version = 1\n[stage.training]\nenergy = \"5 kJ\"\ntime = \"100 s\"\nco2e = \"50 g\"\n").code,
            0);
  EXPECT_EQ(check("schema_version = 1\n[stage.training]\ntime = \"1.6 min\"\n").code, 1);  // 96 s
}

TEST(CheckBudget, JunitMarkdownAndGithubAnnotations) {
  const std::string junit = temp_path("junit.xml"), md = temp_path("summary.md");
  const auto r = check(
      "schema_version = 1\n[total]\nenergy = \"6 kJ\"\n[stage.fwd]\ntime = \"1 min\"\n"
      "energy = \"2 kJ\"\n",
      {"--junit", junit, "--markdown", md});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const std::string x = read(junit);
  EXPECT_NE(x.find("tests=\"3\" failures=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<testcase classname=\"budget.stage fwd\" name=\"energy\""), std::string::npos) << x;
  EXPECT_NE(x.find("line=\"6\">"), std::string::npos) << x;
  EXPECT_NE(x.find("<failure type=\"over-budget\""), std::string::npos) << x;
  const std::string m = read(md);
  EXPECT_NE(m.find("1 of 3 limits exceeded"), std::string::npos) << m;
  EXPECT_NE(m.find("| ❌ | stage fwd | energy | 3 kJ | 2 kJ | 150.0 % |"), std::string::npos) << m;
  EXPECT_EQ(r.err.find("::error"), std::string::npos);  // only under GitHub Actions
  ::setenv("GITHUB_ACTIONS", "true", 1);
  const auto gh = check("schema_version = 1\n[total]\nenergy = \"6 kJ\"\n[stage.fwd]\nenergy = \"2 kJ\"\n");
  ::unsetenv("GITHUB_ACTIONS");
  EXPECT_NE(gh.err.find("::error file=" + temp_path("budget.toml") +
                        ",line=5,col=10,title=energy budget exceeded::stage fwd energy 3 kJ exceeds the 2 kJ budget"),
            std::string::npos)
      << gh.err;
  EXPECT_EQ(gh.out.find("::error"), std::string::npos) << "annotations go to stderr";
}

TEST(CheckBudget, EnergyInNoTimeFailsAnyPowerLimit) {
  std::string t = read(kSmall);
  t.replace(t.find("\"time_s\": 40.0"), std::string("\"time_s\": 40.0").size(), "\"time_s\": 0.0");
  const std::string r = write("zero_time.json", t);
  EXPECT_EQ(run_cli({"check-budget", "--budget",
                     write("p.toml", "schema_version = 1\n[stage.update]\navg_power = \"1 MW\"\n"), r})
                .code,
            1);
}

TEST(CheckBudget, MarkdownCellsAndGithubCommandsAreEscaped) {
  EXPECT_EQ(cli::markdown_cell("f|w<d>&"), "f\\|w&lt;d&gt;&amp;");
  EXPECT_EQ(cli::github_escape("a:b,c%\n", true), "a%3Ab%2Cc%25%0A");
  EXPECT_EQ(cli::github_escape("a:b,c%\n", false), "a:b,c%25%0A");
}

TEST(Diff, IdenticalReportsAreEmpty) {
  const auto r = run_cli({"diff", kSmall, kSmall, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["changes"].empty());
  EXPECT_EQ(j["regressions"], 0);
  EXPECT_NE(run_cli({"diff", kSmall, kSmall}).out.find("no differences"), std::string::npos);
}

TEST(Diff, ChangesSortedByImpactAndRegressionsPastTheTolerance) {
  // The matmul op of fwd costs 10 % more energy (+250 J): fwd +8.3 %, total +5 %, gpu.pe +250 J.
  std::string t = read(kSmall);
  const auto swap = [&](const std::string& a, const std::string& b) {
    const auto at = t.find(a);
    ASSERT_NE(at, std::string::npos) << a;
    t.replace(at, a.size(), b);
  };
  swap("\"node_j\": 5000.0", "\"node_j\": 5250.0");
  swap("\"node_j\": 3000.0", "\"node_j\": 3250.0");
  swap("\"gpu.pe\": {\"energy_j\": 2000.0}", "\"gpu.pe\": {\"energy_j\": 2250.0}");
  swap("\"energy_j\": 2500.0", "\"energy_j\": 2750.0");
  const std::string now = write("now.json", t);
  const auto r = run_cli({"diff", kSmall, now, "--format", "json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 4u) << r.out;
  EXPECT_EQ(j["changes"][0]["section"], "total");
  EXPECT_NEAR(j["changes"][0]["change_pct"].get<double>(), 5.0, 1e-9);
  EXPECT_FALSE(j["changes"][0]["regression"]);  // 5 % is not more than 5 %
  EXPECT_EQ(j["changes"][1]["item"], "fwd");
  EXPECT_NEAR(j["changes"][1]["change_pct"].get<double>(), 100.0 * 250 / 3000, 1e-9);
  EXPECT_TRUE(j["changes"][1]["regression"]);
  EXPECT_EQ(j["changes"][2]["item"], "fwd / gpu.pe");
  EXPECT_EQ(j["changes"][3]["item"], "fwd / matmul");
  EXPECT_EQ(j["regressions"], 1);
  EXPECT_EQ(run_cli({"diff", kSmall, now, "--tolerance", "10%"}).code, 0);
  // An improvement is never a regression.
  EXPECT_EQ(run_cli({"diff", now, kSmall, "--tolerance", "0%"}).code, 0);
  EXPECT_EQ(run_cli({"diff", kSmall, now, "--tolerance", "0.1"}).code, 0);
  EXPECT_EQ(run_cli({"diff", kSmall, now, "--tolerance", "five"}).code, 2);
  const auto bare = run_cli({"diff", kSmall, now, "--tolerance", "5"});  // 500 %? no: a fraction is at most 1
  EXPECT_EQ(bare.code, 2);
  EXPECT_NE(bare.err.find("did you mean 5%?"), std::string::npos) << bare.err;
}

TEST(Diff, CarbonOnOneSideIsListedNotGated) {
  std::string t = read(kSmall);
  t.replace(t.find("    \"co2e_g\": 50.0,\n"), std::string("    \"co2e_g\": 50.0,\n").size(), "");
  const std::string now = write("no_carbon.json", t);
  const auto r = run_cli({"diff", kSmall, now, "--format", "json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 1u) << r.out;
  EXPECT_EQ(j["changes"][0]["metric"], "co2e");
  EXPECT_TRUE(j["changes"][0]["new"].is_null());
  EXPECT_FALSE(j["changes"][0]["regression"]);
}

TEST(Diff, EstimatesOfTwoBatchSizes) {
  const std::string a = temp_path("b32.json"), b = temp_path("b64.json");
  ASSERT_EQ(run_cli({"estimate", "--workload", "resnet50", "--set", "mode=train", "--format", "json", "--out", a}).code,
            0);
  ASSERT_EQ(run_cli({"estimate", "--workload", "resnet50", "--set", "mode=train", "--set", "batch=64", "--format",
                     "json", "--out", b})
                .code,
            0);
  const auto r = run_cli({"diff", a, b, "--top", "3"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos);
  EXPECT_EQ(run_cli({"diff", b, a}).code, 0);
}

struct BadFile {
  std::string file, where;
  std::vector<std::string> words;
};

TEST(BadBudget, EachFixtureNamesItsLine) {
  const std::vector<BadFile> cases = {
      {"unknown_metric.toml", ":4:1: key 'total.energi'", {"did you mean 'energy'?"}},
      {"unknown_stage.toml", ":3:1: key 'stage.updates'", {"did you mean 'update'?", "valid: fwd, training, update"}},
      {"energy_in_watts.toml", ":4:10: key 'total.energy'", {"an energy such as", "a power"}},
      {"negative_limit.toml", ":4:8: key 'total.time'", {"a limit of zero or more"}},
      {"embodied_not_in_report.toml", ":4:17: key 'total.co2e_embodied'", {"a report with co2e_embodied_g"}},
      {"no_schema_version.toml", ":1:1: key 'schema_version'", {"required key 'schema_version'"}},
      {"empty_total.toml", ":3:1: key 'total'", {"at least one limit"}},
  };
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kBad + "budget")) files += e.path().extension() == ".toml";
  EXPECT_EQ(files, cases.size()) << "every fixture has a case";
  for (const auto& c : cases) {
    const std::string path = kBad + "budget/" + c.file;
    const auto r = run_cli({"check-budget", "--budget", path, kSmall});
    EXPECT_EQ(r.code, 2) << c.file;
    EXPECT_NE(r.err.find(path + c.where), std::string::npos) << r.err;
    for (const auto& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << c.file << ": " << w << "\n" << r.err;
  }
}

TEST(BadReport, EachFixtureNamesItsLine) {
  const std::vector<BadFile> cases = {
      {"not_json.json", ":16:14:", {"a joulegraph JSON report", "syntax error while parsing object"}},
      {"missing_totals_time.json", ":6:13: key 'totals.time_s'", {"a key 'time_s'", "it is missing"}},
      {"stage_time_is_a_string.json", ":24:17: key 'stages[1].time_s'", {"a JSON number", "the string \"40 s\""}},
      {"schema_version_2.json", ":2:21: key 'schema_version'", {"schema_version 1", "the number 2"}},
      {"op_energy_missing.json", ":28:15: key 'stages[1].ops[0].energy_j'", {"a key 'energy_j'"}},
  };
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kBad + "report")) files += e.path().extension() == ".json";
  EXPECT_EQ(files, cases.size()) << "every fixture has a case";
  const std::string budget = write("ok.toml", "schema_version = 1\n[total]\nenergy = \"1 MJ\"\n");
  for (const auto& c : cases) {
    const std::string path = kBad + "report/" + c.file;
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"check-budget", "--budget", budget, path}, {"diff", kSmall, path}}) {
      const auto r = run_cli(args);
      EXPECT_EQ(r.code, 2) << c.file;
      EXPECT_NE(r.err.find(path + c.where), std::string::npos) << r.err;
      for (const auto& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << c.file << ": " << w << "\n" << r.err;
    }
  }
  const auto missing = run_cli({"diff", kSmall, kBad + "report/nope.json"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos);
}

}  // namespace
}  // namespace jg
