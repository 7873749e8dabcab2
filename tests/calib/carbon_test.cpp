// Operational carbon: intensity units, the shipped region table, series reading (both formats),
// integration and the best start worked out by hand, estimate's carbon output, and malformed
// series (tests/data/bad/intensity/).
#include "calib/carbon.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.hpp"

namespace jg::calib {
namespace {

using test::expect_config_error;
using test::run_cli;

const std::string kDir = std::string(JG_SOURCE_DIR) + "/tests/data/intensity/";
const std::string kBad = std::string(JG_SOURCE_DIR) + "/tests/data/bad/intensity/";
constexpr double kJune1 = 1748736000;  // 2025-06-01T00:00Z in Unix seconds
constexpr double kHour = 3600;

TEST(Carbon, IntensityUnits) {
  EXPECT_DOUBLE_EQ(*parse_intensity("420g/kWh"), 420);
  EXPECT_DOUBLE_EQ(*parse_intensity(" 420 gCO2e/kWh "), 420);
  EXPECT_DOUBLE_EQ(*parse_intensity("0.42 kg/kWh"), 420);
  EXPECT_DOUBLE_EQ(*parse_intensity("420 kg/MWh"), 420);
  EXPECT_NEAR(*parse_intensity("1000 lb/MWh"), 453.59237, 1e-9);  // eGRID's unit
  EXPECT_FALSE(parse_intensity("420"));
  EXPECT_FALSE(parse_intensity("420 W"));
  EXPECT_FALSE(parse_intensity("-1 g/kWh"));
  EXPECT_FALSE(parse_intensity("high"));
}

TEST(Carbon, RegionTableHasCitedRowsAndFindsCodesInAnyCase) {
  ASSERT_GT(grid_regions().size(), 100u);
  for (const auto& r : grid_regions()) {
    EXPECT_GT(r.g_per_kwh, 0) << r.code;
    EXPECT_GE(r.year, 2016) << r.code;
    EXPECT_FALSE(r.source.empty()) << r.code;
  }
  EXPECT_EQ(find_grid_region("fra").code, "FRA");
  EXPECT_EQ(find_grid_region("gcp:europe-west3").code, "gcp:europe-west3");
  expect_config_error([] { find_grid_region("DEX"); }, {"region", "ISO 3166", "\"DEX\"", "closest: DE"});
}

TEST(Carbon, ReadsAPlainSeries) {
  const IntensitySeries s = read_intensity_series(kDir + "three_hours.csv");
  ASSERT_EQ(s.t_s.size(), 3u);
  EXPECT_DOUBLE_EQ(s.t_s[0], kJune1);
  EXPECT_DOUBLE_EQ(s.t_s[2], kJune1 + 2 * kHour);
  EXPECT_EQ(s.direct, (std::vector<double>{100, 200, 400}));
  EXPECT_TRUE(s.lca.empty());
  EXPECT_DOUBLE_EQ(s.step_s, kHour);
  EXPECT_DOUBLE_EQ(s.end_s(), kJune1 + 3 * kHour);
}

TEST(Carbon, ReadsAnElectricityMapsExport) {
  const IntensitySeries s = read_intensity_series(kDir + "emaps_five_hours.csv");
  EXPECT_EQ(s.zone, "DE");
  EXPECT_EQ(s.direct, (std::vector<double>{300, 100, 50, 400, 500}));
  EXPECT_EQ(s.lca, (std::vector<double>{360, 150, 90, 450, 560}));
  // the shipped real sample (Electricity Maps, Spain, 48 hours of 2022)
  const IntensitySeries es =
      read_intensity_series(std::string(JG_SOURCE_DIR) + "/examples/carbon/electricitymaps_sample.csv");
  EXPECT_EQ(es.zone, "ES");
  ASSERT_EQ(es.t_s.size(), 48u);
  EXPECT_DOUBLE_EQ(es.direct[11], 90.26);
  EXPECT_DOUBLE_EQ(es.lca[47], 259.18);
}

TEST(Carbon, IntegratesAConstantPowerJobAcrossSamplesByHand) {
  const IntensitySeries s = read_intensity_series(kDir + "three_hours.csv");
  // 1 kW for 2 h from 00:30: 0.5 kWh at 100, 1 kWh at 200, 0.5 kWh at 400 g/kWh = 450 g.
  const SeriesCarbon c = integrate(s, {{2 * kHour, 2 * kJoulesPerKwh}}, kJune1 + 0.5 * kHour);
  EXPECT_NEAR(c.direct_g, 450, 1e-9);
  EXPECT_FALSE(c.lca_g);
  // Two stages: 30 min at 2 kW, then 1 h at 0.5 kW, from 00:45:
  // 15 min x 2 kW at 100 = 50 g; 15 min x 2 kW at 200 = 100 g; 45 min x 0.5 kW at 200 = 75 g;
  // 15 min x 0.5 kW at 400 = 50 g: 275 g.
  const SeriesCarbon two =
      integrate(s, {{0.5 * kHour, 1 * kJoulesPerKwh}, {kHour, 0.5 * kJoulesPerKwh}}, kJune1 + 0.75 * kHour);
  EXPECT_NEAR(two.direct_g, 275, 1e-9);
  // The last sample holds for one step: a job ending at 03:00 is covered, one ending later is not.
  EXPECT_NO_THROW(integrate(s, {{kHour, kJoulesPerKwh}}, kJune1 + 2 * kHour));
  expect_config_error(
      [&] {
        integrate(s, {{kHour, kJoulesPerKwh}}, kJune1 + 2.5 * kHour);
      },
      {"three_hours.csv", "a series that covers the job, 2025-06-01T02:30Z to 2025-06-01T03:30Z",
       "samples from 2025-06-01T00:00Z to 2025-06-01T03:00Z"});
}

TEST(Carbon, DirectAndLifeCycleColumnsIntegrateSeparately) {
  const IntensitySeries s = read_intensity_series(kDir + "emaps_five_hours.csv");
  const SeriesCarbon c = integrate(s, {{2 * kHour, 2 * kJoulesPerKwh}}, kJune1 + kHour);
  EXPECT_NEAR(c.direct_g, 100 + 50, 1e-9);
  ASSERT_TRUE(c.lca_g);
  EXPECT_NEAR(*c.lca_g, 150 + 90, 1e-9);
}

TEST(Carbon, BestStartOnAKnownSeries) {
  const IntensitySeries s = read_intensity_series(kDir + "emaps_five_hours.csv");
  // 2 h at 1 kW in 00:00..05:00: starts at 00:00 (300+100), 01:00 (100+50), 02:00 (50+400),
  // 03:00 (400+500); between samples the emissions are linear, so 01:00 is the minimum: 150 g.
  const BestStart b = best_start(s, {{2 * kHour, 2 * kJoulesPerKwh}}, kJune1, kJune1 + 5 * kHour);
  EXPECT_DOUBLE_EQ(b.start_s, kJune1 + kHour);
  EXPECT_NEAR(b.best.direct_g, 150, 1e-9);
  EXPECT_NEAR(b.at_begin.direct_g, 400, 1e-9);
  // An idle first hour and a 1 kWh second hour: the busy hour should sit on 02:00 (50 g/kWh),
  // so the start is 01:00 although the series' minimum is at 02:00.
  const BestStart shifted = best_start(s, {{kHour, 0}, {kHour, kJoulesPerKwh}}, kJune1, kJune1 + 5 * kHour);
  EXPECT_DOUBLE_EQ(shifted.start_s, kJune1 + kHour);
  EXPECT_NEAR(shifted.best.direct_g, 50, 1e-9);
  // A window that begins mid-hour: the best start may be the window's own beginning.
  const BestStart late = best_start(s, {{kHour, kJoulesPerKwh}}, kJune1 + 1.5 * kHour, kJune1 + 3 * kHour);
  EXPECT_DOUBLE_EQ(late.start_s, kJune1 + 2 * kHour);
  EXPECT_NEAR(late.best.direct_g, 50, 1e-9);
  expect_config_error(
      [&] {
        best_start(s, {{3 * kHour, kJoulesPerKwh}}, kJune1, kJune1 + 2 * kHour);
      },
      {"window", "at least the job's 10800 s"});
}

TEST(Carbon, EstimateReportsCarbonThatAddsUpWithPue) {
  const auto r =
      run_cli({"estimate", "--intensity", "500g/kWh", "--pue", "1.2", "--boundary", "wall", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double wall_j = j["totals"]["boundaries"]["wall_j"];
  EXPECT_NEAR(j["totals"]["co2e_g"].get<double>(), wall_j * 1.2 / kJoulesPerKwh * 500, 1e-12);
  EXPECT_DOUBLE_EQ(j["totals"]["pue"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(j["totals"]["grid_g_per_kwh"].get<double>(), 500);
  double stages = 0;
  for (const auto& s : j["stages"]) stages += s["co2e_g"].get<double>();
  EXPECT_NEAR(stages, j["totals"]["co2e_g"].get<double>(), 1e-9 * stages);
  // At the facility boundary the PUE is in the energy already.
  const auto f =
      run_cli({"estimate", "--intensity", "500g/kWh", "--pue", "1.2", "--boundary", "facility", "--format", "json"});
  const auto jf = nlohmann::json::parse(f.out);
  EXPECT_DOUBLE_EQ(jf["totals"]["pue"].get<double>(), 1.0);
  EXPECT_NEAR(jf["totals"]["co2e_g"].get<double>(), j["totals"]["co2e_g"].get<double>(), 1e-12);
}

TEST(Carbon, EstimateOnASeriesAndItsBestStart) {
  const std::string series = std::string(JG_SOURCE_DIR) + "/examples/carbon/electricitymaps_sample.csv";
  const auto r = run_cli({"estimate", "--intensity-series", series, "--window", "2022-01-01T00:00Z/2022-01-02T12:00Z",
                          "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& w = j["carbon_aware_start"];
  // The demo runs well under a minute: the best start is in the cleanest hour, 2022-01-01 11:00.
  EXPECT_EQ(w["best_start"], "2022-01-01T11:00Z");
  const double e_kwh = j["totals"]["boundaries"]["node_j"].get<double>() / kJoulesPerKwh;
  EXPECT_NEAR(w["co2e_g_best"].get<double>(), e_kwh * 90.26, 1e-9 * e_kwh * 90.26);
  EXPECT_NEAR(w["co2e_g_at_window_begin"].get<double>(), e_kwh * 133.64, 1e-9 * e_kwh * 133.64);
  EXPECT_NEAR(j["totals"]["co2e_g"].get<double>(), e_kwh * 133.64, 1e-9 * e_kwh * 133.64);
  EXPECT_NEAR(j["totals"]["co2e_lca_g"].get<double>(), e_kwh * 175.54, 1e-9 * e_kwh * 175.54);
  EXPECT_NEAR(w["saving_pct"].get<double>(), 100 * (133.64 - 90.26) / 133.64, 1e-9);
}

TEST(Carbon, EstimateRejectsConflictingOptions) {
  const auto both = run_cli({"estimate", "--intensity", "400g/kWh", "--region", "FRA"});
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("one of --intensity, --region and --intensity-series"), std::string::npos) << both.err;
  const auto start = run_cli({"estimate", "--intensity", "400g/kWh", "--start", "2025-06-01T00:00Z"});
  EXPECT_EQ(start.code, 2);
  EXPECT_NE(start.err.find("--intensity-series with it"), std::string::npos) << start.err;
  const auto unit = run_cli({"estimate", "--intensity", "400 W"});
  EXPECT_EQ(unit.code, 2);
  EXPECT_NE(unit.err.find("an intensity such as 420g/kWh"), std::string::npos) << unit.err;
  const auto no_start = run_cli({"estimate", "--intensity-series", kDir + "three_hours.csv"});
  EXPECT_EQ(no_start.code, 2);
  EXPECT_NE(no_start.err.find("a start time with --intensity-series"), std::string::npos) << no_start.err;
  const auto bad_when = run_cli({"estimate", "--intensity-series", kDir + "three_hours.csv", "--start", "noon"});
  EXPECT_EQ(bad_when.code, 2);
  EXPECT_NE(bad_when.err.find("a UTC date and time"), std::string::npos) << bad_when.err;
}

// Malformed series (tests/data/bad/intensity/)

TEST(BadIntensity, Header) {
  expect_config_error([] { read_intensity_series(kBad + "bad_header.csv"); },
                      {"bad_header.csv:1:", "Datetime (UTC)", "timestamp,g_per_kwh", "the header \"when,intensity\""});
}

TEST(BadIntensity, Time) {
  expect_config_error([] { read_intensity_series(kBad + "bad_time.csv"); },
                      {"bad_time.csv:3", "timestamp", "a UTC date and time", "\"2025-06-01 25:00\""});
}

TEST(BadIntensity, TimesNotIncreasing) {
  expect_config_error(
      [] { read_intensity_series(kBad + "not_increasing.csv"); },
      {"not_increasing.csv:4", "times in increasing order", "at or before the previous row's 2025-06-01T02:00Z"});
}

TEST(BadIntensity, NegativeValue) {
  expect_config_error([] { read_intensity_series(kBad + "negative.csv"); },
                      {"negative.csv:3", "g_per_kwh", "an intensity of 0 g/kWh or more", "-5"});
}

TEST(BadIntensity, NotANumber) {
  expect_config_error([] { read_intensity_series(kBad + "not_a_number.csv"); },
                      {"not_a_number.csv:3", "g_per_kwh", "a number", "\"high\""});
}

TEST(BadIntensity, NoRowsAndEmptyFile) {
  expect_config_error([] { read_intensity_series(kBad + "no_rows.csv"); },
                      {"no_rows.csv:1", "a header and at least one row", "a header only"});
  expect_config_error([] { read_intensity_series(kBad + "empty.csv"); }, {"empty.csv:1", "an empty file"});
}

}  // namespace
}  // namespace jg::calib
