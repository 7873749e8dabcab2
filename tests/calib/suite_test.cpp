// Validation suites: the case-file parser's errors, the summary arithmetic, and
// `joulegraph validate-suite` on a small suite of made-up published values.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "calib/suite.hpp"
#include "cli/app.hpp"
#include "cli/validate.hpp"
#include "engine/core/config.hpp"
#include "hwmodels/models.hpp"
#include "hwmodels/platform/library.hpp"
#include "hwmodels/platform/platform.hpp"
#include "tests/test_support.hpp"

namespace jg::cli {
namespace {

const std::string kDir = std::string(JG_SOURCE_DIR) + "/tests/data/";

using Result = test::CliResult;
using test::run_cli;

struct Bad {
  const char* file;
  const char* where;
  std::vector<std::string> words;
};

TEST(Suite, MalformedCasesNameFileLineKeyAndChoices) {
  const std::vector<Bad> cases = {
      {"unknown_kind.toml",
       ":5:8: key 'case[0].kind'",
       {"training_run, inference_throughput, llm_serving, server_power"}},
      {"unknown_metric.toml",
       ":10:13: key 'case[0].metrics.energy_per_token'",
       {"a metric of a 'llm_serving' case", "did you mean 'energy_per_token_j'"}},
      {"unknown_key.toml", ":7:1: key 'case[0].load'", {"a key of a 'server_power' case", "utilization"}},
      {"utilization_out_of_range.toml", ":7:15: key 'case[0].utilization'", {"a utilization in [0, 1]", "50"}},
      {"training_without_tokens.toml", ":3:1: key 'case[0]'", {"tokens, or steps with batch and seq_len"}},
      {"accounting_with_duration.toml",
       ":11:22: key 'case[0].accounting_power_w'",
       {"accounting_power_w without duration_s", "both"}},
      {"accounting_at_wall.toml",
       ":10:22: key 'case[0].accounting_power_w'",
       {"with boundary = \"device\"", "boundary = \"wall\""}},
  };
  for (const auto& c : cases) {
    const std::string path = kDir + "bad/suites/" + c.file;
    const Result r = run_cli({"validate-suite", path});
    EXPECT_EQ(r.code, 2) << c.file;
    EXPECT_NE(r.err.find(path + c.where), std::string::npos) << r.err;
    for (const auto& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << c.file << ": " << w << "\n" << r.err;
  }
}

// |errors| 5, 10, 20, 40 %: MAPE 18.75, median 15, within 10 % half, within 25 % three quarters.
TEST(Suite, SummaryArithmetic) {
  std::vector<CaseResult> rows;
  for (double e : {5.0, -10.0, 20.0, -40.0}) {
    CaseResult r;
    r.published = 100;
    r.predicted = 100 + e;
    rows.push_back(r);
  }
  const Summary s = summarize(rows);
  EXPECT_EQ(s.n, 4u);
  EXPECT_NEAR(s.mape_pct, 18.75, 1e-12);
  EXPECT_NEAR(s.median_abs_error_pct, 15, 1e-12);
  EXPECT_NEAR(s.within_10_pct, 50, 1e-12);
  EXPECT_NEAR(s.within_25_pct, 75, 1e-12);
}

TEST(Suite, JsonHasTheDocumentedKeysAndKeepsCalibrationApart) {
  const Result r = run_cli({"validate-suite", kDir + "suites/mini.toml", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cases"].size(), 8u);
  std::size_t held = 0;
  for (const auto& c : j["cases"]) {
    for (const char* k : {"id", "kind", "metric", "predicted", "published", "error_pct"})
      EXPECT_TRUE(c.contains(k)) << k;
    const double p = c["predicted"], q = c["published"], e = c["error_pct"];
    EXPECT_NEAR(e, 100 * (p - q) / q, 1e-9);
    held += c["calibration"].get<bool>() ? 0 : 1;
  }
  for (const char* k : {"mape_pct", "median_abs_error_pct", "within_10_pct", "within_25_pct", "n"})
    EXPECT_TRUE(j["summary"].contains(k)) << k;
  EXPECT_EQ(j["summary"]["n"].get<std::size_t>(), held);
  EXPECT_EQ(j["calibration_summary"]["n"].get<std::size_t>(), 1u);
  EXPECT_EQ(j["summary_by_kind"].size(), 4u);
}

// server_power: at utilization 0 the node draws its idle power at the wall; power rises with
// utilization.
TEST(Suite, ServerPowerIsIdleAtZeroAndRisesWithLoad) {
  const auto suite = calib::read_suite(kDir + "suites/mini.toml");
  calib::Case c = suite[0];
  ASSERT_EQ(c.kind, calib::CaseKind::kServerPower);
  const auto text = hw::compose_node_text(c.platform);
  ASSERT_TRUE(text.has_value());
  const hw::Platform p = hw::load_platform(core::parse_toml_text(*text, "node"), hw::builtin_registry());
  EXPECT_NEAR(predict_case(c)[0].predicted, p.idle_power_w() / p.node.psu_efficiency, 1e-6);
  double last = 0;
  for (double u : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    c.utilization = u;
    const double w = predict_case(c)[0].predicted;
    EXPECT_GT(w, last) << u;
    last = w;
  }
}

// Energy is linear in tokens; twice the devices do the same work with a wider data-parallel
// all-reduce, so the energy rises a little (communication), never falls.
TEST(Suite, TrainingEnergyScalesWithTokensAndBarelyWithDeviceCount) {
  auto suite = calib::read_suite(kDir + "suites/mini.toml");
  calib::Case c = suite[4];
  ASSERT_EQ(c.kind, calib::CaseKind::kTrainingRun);
  const double e1 = predict_case(c)[0].predicted;
  c.tokens *= 3;
  EXPECT_NEAR(predict_case(c)[0].predicted, 3 * e1, 1e-9 * e1);
  c.tokens /= 3;
  c.count *= 2;
  const double e2 = predict_case(c)[0].predicted;
  EXPECT_GE(e2, e1);
  EXPECT_LT(e2, 1.05 * e1);
}

// max_efficiency on a board with power modes tries each named mode and keeps the one with the
// most work per joule: never less efficient than the default mode, and on an AGX Orin running
// ResNet-50 a lower mode than MAXN (slower, at lower power).
TEST(Suite, MaxEfficiencyPicksTheMostEfficientPowerModeOfAJetson) {
  auto suite = calib::read_suite(kDir + "suites/mini.toml");
  calib::Case c = suite[3];
  ASSERT_EQ(c.kind, calib::CaseKind::kInferenceThroughput);
  c.platform = "jetson-agx-orin-64gb";
  c.inline_node = false;
  c.count = 1;
  c.batch = 0;
  c.metrics = {{"samples_per_j", 1}, {"power_w", 1}, {"throughput_per_s", 1}};
  c.metric_locs.assign(3, c.loc);
  const auto perf = predict_case(c);
  c.operating_point = "max_efficiency";
  const auto eff = predict_case(c);
  EXPECT_GT(eff[0].predicted, perf[0].predicted);
  EXPECT_LT(eff[1].predicted, perf[1].predicted);
  EXPECT_LT(eff[2].predicted, perf[2].predicted);
  // The best of the named modes: none of them, forced, does better.
  const hw::Platform p = test::load_library_platform("jetson-agx-orin-64gb");
  for (const auto& m : p.power_modes.presets) {
    calib::Case forced = c;
    forced.operating_point = "max_performance";
    forced.sets.push_back("power_mode=" + m.name);
    EXPECT_LE(predict_case(forced)[0].predicted, eff[0].predicted * (1 + 1e-12)) << m.name;
  }
}

// Accounting-path cases apply the publication's formula to the predicted run: energy =
// device-hours x the stated power per device x PUE; device-hours = time x devices.
TEST(Suite, AccountingPowerAppliesThePublishedFormulaToPredictedDeviceHours) {
  auto suite = calib::read_suite(kDir + "suites/mini.toml");
  calib::Case c = suite[4];
  ASSERT_EQ(c.kind, calib::CaseKind::kTrainingRun);
  c.metrics = {{"energy_j", 1}, {"time_s", 1}, {"device_hours", 1}};
  c.metric_locs.assign(3, c.loc);
  const auto engine = predict_case(c);
  c.accounting_power_w = 400;
  const auto acc = predict_case(c);
  ASSERT_EQ(acc.size(), 3u);
  const double t = acc[1].predicted;
  EXPECT_DOUBLE_EQ(t, engine[1].predicted);  // the time is the engine's either way
  EXPECT_NEAR(acc[0].predicted, t * 64 * 400 * 1.1, 1e-9 * acc[0].predicted);
  EXPECT_NEAR(acc[2].predicted, t * 64 / 3600, 1e-12 * acc[2].predicted);
  EXPECT_NE(acc[0].predicted, engine[0].predicted);
}

}  // namespace
}  // namespace jg::cli
