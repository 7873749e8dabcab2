#include "calib/fit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

/// Uniform and normal draws built only on mt19937_64's raw output (std's distributions differ
/// between standard libraries; these do not).
struct Draws {
  explicit Draws(std::uint64_t seed) : rng(seed) {}
  double uniform() { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {  // Box-Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  std::mt19937_64 rng;
};

std::string what_of(const Design& d, const LinearOptions& o) {
  try {
    (void)fit_linear(d, o);
  } catch (const core::ModelError& e) {
    return e.what();
  }
  return "(no ModelError)";
}

LinearOptions options(LinearMethod m, bool intercept = false, double lambda = 0) {
  LinearOptions o;
  o.method = m;
  o.intercept = intercept;
  o.ridge_lambda = lambda;
  return o;
}

// ----- OLS / NNLS / ridge ----------------------------------------------------------------------

// Columns a = (1, 0, 1, 1), b = (0, 1, 1, 2); y = (1, 2, 2, 4).
//   X'X = [[3, 3], [3, 6]], det 9, (X'X)^-1 = [[6, -3], [-3, 3]] / 9, X'y = (7, 12)
//   beta = ((42 - 36) / 9, (-21 + 36) / 9) = (2/3, 5/3)
//   fitted (2/3, 5/3, 7/3, 4), residuals (1/3, 1/3, -1/3, 0): SS_res = 1/3, dof = 2, sigma^2 = 1/6
//   se(a) = sqrt(1/6 * 6/9) = 1/3, se(b) = sqrt(1/6 * 3/9) = sqrt(1/18)
//   R^2: mean y = 9/4, SS_tot = 25/16 + 1/16 + 1/16 + 49/16 = 19/4, R^2 = 1 - (1/3) / (19/4) = 53/57
Design golden_design() {
  Design d;
  d.columns = {"a", "b"};
  d.units = {"J/bit", "J/op"};
  d.add_row({1, 0}, 1);
  d.add_row({0, 1}, 2);
  d.add_row({1, 1}, 2);
  d.add_row({1, 2}, 4);
  return d;
}

TEST(CalibFit, OlsGoldenFourRows) {
  const Design d = golden_design();
  for (LinearMethod m : {LinearMethod::kOls, LinearMethod::kNnls}) {
    const LinearModel fit = fit_linear(d, options(m));
    ASSERT_EQ(fit.coef.size(), 2u);
    EXPECT_EQ(fit.coef[0].name, "a");
    EXPECT_EQ(fit.coef[1].unit, "J/op");
    EXPECT_NEAR(fit.coef[0].value, 2.0 / 3, 1e-12);
    EXPECT_NEAR(fit.coef[1].value, 5.0 / 3, 1e-12);
    EXPECT_NEAR(fit.coef[0].std_error, 1.0 / 3, 1e-12);
    EXPECT_NEAR(fit.coef[1].std_error, std::sqrt(1.0 / 18), 1e-12);
    EXPECT_EQ(fit.dof, 2u);
    EXPECT_NEAR(fit.sigma, std::sqrt(1.0 / 6), 1e-12);
    EXPECT_NEAR(fit.train.r2, 53.0 / 57, 1e-12);
    EXPECT_NEAR(fit.train.rmse, std::sqrt(1.0 / 12), 1e-12);
    const double row[] = {1, 2};
    EXPECT_NEAR(fit.predict(row), 4.0, 1e-12);
    // 90 % interval: t_{0.95,2} sqrt(sigma^2 + x'Cx), C = sigma^2 (X'X)^-1, x'(X'X)^-1 x = 6/9 for (1, 2).
    EXPECT_NEAR(fit.half_width90(row), 2.919985580 * std::sqrt(1.0 / 6 * (1 + 6.0 / 9)), 1e-8);
  }
}

TEST(CalibFit, InterceptIsLastAndNamed) {
  Design d = golden_design();
  const LinearModel fit = fit_linear(d, options(LinearMethod::kOls, true));
  ASSERT_EQ(fit.coef.size(), 3u);
  EXPECT_EQ(fit.coef[2].name, "intercept");
  EXPECT_EQ(fit.coef[2].unit, "J");  // the target is "energy_j"
  // Hand solution of the 3x3 normal equations: a = 1/3, b = 3/2, intercept = 1/2.
  EXPECT_NEAR(fit.coef[0].value, 1.0 / 3, 1e-12);
  EXPECT_NEAR(fit.coef[1].value, 1.5, 1e-12);
  EXPECT_NEAR(fit.coef[2].value, 0.5, 1e-12);
  EXPECT_EQ(fit.dof, 1u);
}

/// Energy of a window = J/bit * bits + J/op * ops + static W * seconds + noise.
struct Synthetic {
  static constexpr double kBeta[3] = {2e-12, 8e-13, 15.0};
  static constexpr double kSigma = 0.01;
  static Design design() {
    Design d;
    d.columns = {"dram_bits", "mac_ops", "time_s"};
    d.units = {"J/bit", "J/op", "W"};
    return d;
  }
  static std::vector<double> row(Draws& r) {
    return {r.uniform(1e9, 2e10), r.uniform(1e10, 1e11), r.uniform(1e-3, 1e-2)};
  }
  static double mean(const std::vector<double>& x) { return kBeta[0] * x[0] + kBeta[1] * x[1] + kBeta[2] * x[2]; }
};

TEST(CalibFit, SyntheticRecoveryWithinThreeStandardErrors) {
  Draws r(2024);
  Design d = Synthetic::design();
  for (int i = 0; i < 400; ++i) {
    const auto x = Synthetic::row(r);
    d.add_row(x, Synthetic::mean(x) + Synthetic::kSigma * r.normal());
  }
  for (LinearMethod m : {LinearMethod::kOls, LinearMethod::kNnls}) {
    const LinearModel fit = fit_linear(d, options(m));
    ASSERT_EQ(fit.coef.size(), 3u);
    EXPECT_EQ(fit.dof, 397u);
    EXPECT_NEAR(fit.sigma, Synthetic::kSigma, 0.15 * Synthetic::kSigma);
    for (std::size_t j = 0; j < 3; ++j) {
      const Coefficient& c = fit.coef[j];
      ASSERT_TRUE(std::isfinite(c.std_error) && c.std_error > 0) << c.name;
      EXPECT_LT(std::abs(c.value - Synthetic::kBeta[j]), 3 * c.std_error)
          << c.name << " = " << c.value << " +- " << c.std_error << ", truth " << Synthetic::kBeta[j];
      EXPECT_LT(c.std_error, 0.1 * Synthetic::kBeta[j]) << c.name;  // well determined, so the test means something
    }
  }
}

TEST(CalibFit, StandardErrorsMatchMonteCarloSpread) {
  // One design, 200 noise draws: the spread of the estimates is the true sampling std.
  Draws rx(99);
  std::vector<std::vector<double>> xs;
  for (int i = 0; i < 400; ++i) xs.push_back(Synthetic::row(rx));
  constexpr int kSeeds = 200;
  double sum[3] = {}, sum2[3] = {}, se_sum[3] = {};
  for (int s = 0; s < kSeeds; ++s) {
    Draws rn(1000 + static_cast<std::uint64_t>(s));
    Design d = Synthetic::design();
    for (const auto& x : xs) d.add_row(x, Synthetic::mean(x) + Synthetic::kSigma * rn.normal());
    const LinearModel fit = fit_linear(d, options(LinearMethod::kOls));
    for (std::size_t j = 0; j < 3; ++j) {
      sum[j] += fit.coef[j].value;
      sum2[j] += fit.coef[j].value * fit.coef[j].value;
      se_sum[j] += fit.coef[j].std_error;
    }
  }
  for (std::size_t j = 0; j < 3; ++j) {
    const double mean = sum[j] / kSeeds;
    const double sd = std::sqrt(std::max(0.0, (sum2[j] - kSeeds * mean * mean) / (kSeeds - 1)));
    const double se = se_sum[j] / kSeeds;
    EXPECT_NEAR(se / sd, 1.0, 0.3) << "column " << j << ": reported " << se << ", Monte Carlo " << sd;
  }
}

TEST(CalibFit, PredictionIntervalCoversNinetyPercentOfHeldOutPoints) {
  Draws r(7);
  Design d = Synthetic::design();
  for (int i = 0; i < 2400; ++i) {
    const auto x = Synthetic::row(r);
    d.add_row(x, Synthetic::mean(x) + Synthetic::kSigma * r.normal());
  }
  std::vector<std::size_t> train(400), test(2000);
  std::iota(train.begin(), train.end(), 0);
  std::iota(test.begin(), test.end(), 400);
  const HeldOut h = fit_held_out(d, options(LinearMethod::kNnls), train, test);
  EXPECT_EQ(h.train_rows, 400u);
  EXPECT_EQ(h.test_rows, 2000u);
  EXPECT_EQ(h.test.n, 2000u);
  EXPECT_GE(h.test.pi90_coverage, 0.85);
  EXPECT_LE(h.test.pi90_coverage, 0.95);
  EXPECT_GT(h.test.r2, 0.9);
  EXPECT_LT(h.rel_lo, 0);
  EXPECT_GT(h.rel_hi, 0);
}

TEST(CalibFit, HeldOutRelativeBandIsInterpolatedPercentiles) {
  // Train: y = 2a exactly (sigma 0). Test rows with (pred - obs)/obs = -0.1, 0, 0.1, 0.2, 0.3:
  // 5th percentile at rank 0.2 -> -0.1 + 0.2 * 0.1 = -0.08; 95th at rank 3.8 -> 0.2 + 0.8 * 0.1 = 0.28.
  Design d;
  d.columns = {"a"};
  for (double a : {1.0, 2.0, 3.0}) d.add_row({a}, 2 * a);
  const double rel[] = {0.2, -0.1, 0.3, 0.0, 0.1};
  for (int i = 0; i < 5; ++i) d.add_row({i + 1.0}, 2 * (i + 1.0) / (1 + rel[i]));
  const HeldOut h = fit_held_out(d, options(LinearMethod::kOls), {0, 1, 2}, {3, 4, 5, 6, 7});
  EXPECT_NEAR(h.model.coef[0].value, 2.0, 1e-12);
  EXPECT_NEAR(h.rel_lo, -0.08, 1e-12);
  EXPECT_NEAR(h.rel_hi, 0.28, 1e-12);
  EXPECT_NEAR(h.test.pi90_coverage, 0.2, 1e-12);  // zero-width interval: only the exact row is inside
}

TEST(CalibFit, NnlsHoldsANegativeOlsCoefficientAtZero) {
  // y = 2a - 0.5b exactly: OLS finds b = -0.5; NNLS fixes b = 0 and fits a alone:
  // a = a'y / a'a = (2 + 0 + 1.5 + 7 + 1) / (1 + 0 + 1 + 4 + 1) = 11.5 / 7.
  Design d;
  d.columns = {"a", "b"};
  const double rows[][2] = {{1, 0}, {0, 1}, {1, 1}, {2, 1}, {1, 2}};
  for (const auto& x : rows) d.add_row({x[0], x[1]}, 2 * x[0] - 0.5 * x[1]);
  const LinearModel ols = fit_linear(d, options(LinearMethod::kOls));
  ASSERT_LT(ols.coef[1].value, 0);
  const LinearModel nnls = fit_linear(d, options(LinearMethod::kNnls));
  EXPECT_EQ(nnls.coef[1].value, 0.0);
  EXPECT_TRUE(std::isnan(nnls.coef[1].std_error));
  EXPECT_NEAR(nnls.coef[0].value, 11.5 / 7, 1e-12);
  EXPECT_TRUE(std::isfinite(nnls.coef[0].std_error));
  EXPECT_EQ(nnls.dof, 4u);  // one free coefficient
  for (const auto& c : nnls.coef) EXPECT_GE(c.value, 0.0);
  const double x[] = {1, 1};
  EXPECT_TRUE(std::isfinite(nnls.half_width90(x)));
}

TEST(CalibFit, NnlsCoefficientsAreNonNegativeOnNoisyData) {
  Draws r(5);
  Design d;
  d.columns = {"c0", "c1", "c2", "c3", "c4"};
  const double beta[] = {1.0, 0.0, 2.0, 0.0, 0.5};
  for (int i = 0; i < 60; ++i) {
    std::vector<double> x(5);
    double y = 0;
    for (std::size_t j = 0; j < 5; ++j) {
      x[j] = r.uniform(0, 1);
      y += beta[j] * x[j];
    }
    d.add_row(x, y + 0.3 * r.normal());
  }
  const LinearModel fit = fit_linear(d, options(LinearMethod::kNnls));
  for (const auto& c : fit.coef) {
    EXPECT_GE(c.value, 0.0) << c.name;
    EXPECT_EQ(c.value == 0, std::isnan(c.std_error)) << c.name;
  }
}

TEST(CalibFit, ProportionalColumnsAreNamedInTheError) {
  Design d;
  d.columns = {"time_s", "dram_bits", "dram_bytes"};
  for (int i = 0; i < 10; ++i) d.add_row({1.0 + i % 3, 8.0 * (i * i + 1), i * i + 1.0}, i);
  for (LinearMethod m : {LinearMethod::kOls, LinearMethod::kNnls}) {
    const std::string msg = what_of(d, options(m));
    EXPECT_NE(msg.find("'dram_bits'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'dram_bytes'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("'time_s'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("collinear"), std::string::npos) << msg;
  }
  // Ridge is the way out.
  EXPECT_NO_THROW((void)fit_linear(d, options(LinearMethod::kRidge, false, 1.0)));
}

TEST(CalibFit, ZeroColumnAndTooFewRowsAreModelErrors) {
  Design d;
  d.columns = {"busy_s", "idle_s"};
  for (int i = 0; i < 5; ++i) d.add_row({1.0 + i, 0.0}, i);
  const std::string msg = what_of(d, options(LinearMethod::kOls));
  EXPECT_NE(msg.find("'idle_s'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("zero in every window"), std::string::npos) << msg;

  Design few;
  few.columns = {"a", "b", "c"};
  few.add_row({1, 2, 3}, 1);
  few.add_row({2, 1, 5}, 2);
  EXPECT_THROW((void)fit_linear(few, options(LinearMethod::kOls)), core::ModelError);
}

TEST(CalibFit, RidgeShrinksAndEqualsOlsAtZero) {
  Draws r(11);
  Design d = Synthetic::design();
  for (int i = 0; i < 100; ++i) {
    const auto x = Synthetic::row(r);
    d.add_row(x, Synthetic::mean(x) + Synthetic::kSigma * r.normal());
  }
  // Without an intercept ridge standardizes each column by its root mean square.
  std::vector<double> rms(3, 0.0);
  for (std::size_t i = 0; i < d.rows(); ++i)
    for (std::size_t j = 0; j < 3; ++j) rms[j] += d.at(i, j) * d.at(i, j) / static_cast<double>(d.rows());
  for (double& v : rms) v = std::sqrt(v);

  const LinearModel ols = fit_linear(d, options(LinearMethod::kOls));
  const LinearModel r0 = fit_linear(d, options(LinearMethod::kRidge, false, 0.0));
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(r0.coef[j].value, ols.coef[j].value, 1e-9 * std::abs(ols.coef[j].value));
    EXPECT_NEAR(r0.coef[j].std_error, ols.coef[j].std_error, 1e-9 * ols.coef[j].std_error);
  }
  double last = std::numeric_limits<double>::infinity();
  for (double lambda : {0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5}) {
    const LinearModel fit = fit_linear(d, options(LinearMethod::kRidge, false, lambda));
    double norm = 0;
    for (std::size_t j = 0; j < 3; ++j) norm += std::pow(fit.coef[j].value * rms[j], 2);
    norm = std::sqrt(norm);
    EXPECT_LE(norm, last * (1 + 1e-12)) << "lambda " << lambda;
    last = norm;
  }
  EXPECT_LT(last, 0.1 * std::sqrt(std::pow(ols.coef[0].value * rms[0], 2) + std::pow(ols.coef[1].value * rms[1], 2) +
                                  std::pow(ols.coef[2].value * rms[2], 2)));
}

// ----- Metrics, splits, t quantile ---------------------------------------------------------------

TEST(CalibFit, MetricsGolden) {
  // errors 0.1, -0.2, 0.5, 0; relative (obs != 0): 0.1, -0.1, 0
  //   MAPE = 0.2 / 3; RMSPE = sqrt(0.02 / 3); RMSE = sqrt(0.30 / 4)
  //   mean obs 1.75, SS_tot = 0.5625 + 0.0625 + 3.0625 + 5.0625 = 8.75, R^2 = 1 - 0.3 / 8.75
  //   intervals: row 1 misses ([2.1, 2.5] around obs 2), the other three cover: 0.75
  const std::vector<double> obs = {1, 2, 0, 4}, pred = {1.1, 1.8, 0.5, 4};
  const Metrics m = metrics(obs, pred, {0.9, 2.1, -1, 3.5}, {1.2, 2.5, 1, 4.5});
  EXPECT_EQ(m.n, 4u);
  EXPECT_NEAR(m.mape, 0.2 / 3, 1e-12);
  EXPECT_NEAR(m.rmspe, std::sqrt(0.02 / 3), 1e-12);
  EXPECT_NEAR(m.rmse, std::sqrt(0.075), 1e-12);
  EXPECT_NEAR(m.r2, 1 - 0.3 / 8.75, 1e-12);
  EXPECT_DOUBLE_EQ(m.pi90_coverage, 0.75);
  EXPECT_TRUE(std::isnan(metrics(obs, pred).pi90_coverage));
}

TEST(CalibFit, StudentTQuantileKnownValues) {
  EXPECT_NEAR(student_t_quantile(0.95, 1), 6.313752, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.95, 5), 2.015048, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.95, 30), 1.697261, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706205, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.05, 5), -2.015048, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.95, std::numeric_limits<double>::infinity()), 1.644854, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.95, 1e6), 1.644855, 1e-6);
}

TEST(CalibFit, KFoldsPartitionAndAreDeterministic) {
  const auto folds = k_folds(23, 5, 42);
  ASSERT_EQ(folds.size(), 5u);
  std::vector<std::size_t> all;
  for (const auto& f : folds) {
    EXPECT_TRUE(f.size() == 4 || f.size() == 5);
    all.insert(all.end(), f.begin(), f.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<std::size_t> expect(23);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(all, expect);
  EXPECT_EQ(k_folds(23, 5, 42), folds);
  EXPECT_NE(k_folds(23, 5, 43), folds);
  EXPECT_THROW((void)k_folds(3, 5, 1), core::ModelError);

  std::vector<std::size_t> train, test;
  interleaved_split(10, 5, 2, train, test);
  EXPECT_EQ(test, (std::vector<std::size_t>{2, 7}));
  EXPECT_EQ(train.size(), 8u);
}

// ----- Polynomial Lasso ---------------------------------------------------------------------------

std::string data_path(const std::string& name) { return std::string(JG_SOURCE_DIR) + "/tests/data/calib/" + name; }

Design read_oracle_csv() {
  std::ifstream in(data_path("lasso_oracle.csv"));
  EXPECT_TRUE(in.good()) << data_path("lasso_oracle.csv");
  Design d;
  d.target = "y";
  std::string line;
  std::getline(in, line);  // header x0,x1,x2,y
  d.columns = {"x0", "x1", "x2"};
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::vector<double> v;
    while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
    EXPECT_EQ(v.size(), 4u);
    d.add_row({v[0], v[1], v[2]}, v[3]);
  }
  return d;
}

nlohmann::json read_oracle_json() {
  std::ifstream in(data_path("lasso_oracle.json"));
  EXPECT_TRUE(in.good()) << data_path("lasso_oracle.json");
  return nlohmann::json::parse(in);
}

/// Our coefficient for each oracle feature, matched by exponent vector (the feature orders
/// of the two implementations need not agree).
void expect_matches_oracle(const nlohmann::json& oracle, const std::vector<std::vector<int>>& powers,
                           const std::vector<double>& coef, double intercept) {
  ASSERT_EQ(oracle["features"].size(), powers.size());
  std::map<std::vector<int>, double> ours;
  for (std::size_t f = 0; f < powers.size(); ++f) ours[powers[f]] = coef[f];
  for (const auto& feat : oracle["features"]) {
    const auto p = feat["powers"].get<std::vector<int>>();
    ASSERT_TRUE(ours.count(p)) << feat["powers"].dump();
    const double want = feat["coef"].get<double>();
    EXPECT_NEAR(ours[p], want, 1e-6 * std::abs(want) + 1e-9) << feat["powers"].dump();
  }
  const double b0 = oracle["intercept"].get<double>();
  EXPECT_NEAR(intercept, b0, 1e-6 * std::abs(b0) + 1e-9);
}

TEST(CalibLasso, PolynomialFeaturesOrderAndNames) {
  Design d;
  d.columns = {"c_in", "k"};
  d.add_row({2, 3}, 1);
  std::vector<std::vector<int>> powers;
  const Design f = polynomial_features(d, 3, &powers);
  const std::vector<std::string> names = {"c_in",   "k",        "c_in^2",   "c_in*k", "k^2",
                                          "c_in^3", "c_in^2*k", "c_in*k^2", "k^3"};
  EXPECT_EQ(f.columns, names);
  ASSERT_EQ(powers.size(), names.size());
  EXPECT_EQ(powers[7], (std::vector<int>{1, 2}));
  const std::vector<double> values = {2, 3, 4, 6, 9, 8, 12, 18, 27};
  EXPECT_EQ(f.x, values);
  EXPECT_EQ(f.y, d.y);
}

TEST(CalibLasso, MatchesScikitLearnOracle) {
  const Design d = read_oracle_csv();
  ASSERT_EQ(d.rows(), 60u);
  const nlohmann::json oracle = read_oracle_json();
  const double alpha = oracle["alpha"].get<double>();

  std::vector<std::vector<int>> powers;
  Design z = polynomial_features(d, oracle["degree"].get<int>(), &powers);
  // StandardScaler: mean and population standard deviation.
  std::map<std::vector<int>, std::size_t> index;
  for (std::size_t f = 0; f < powers.size(); ++f) index[powers[f]] = f;
  const std::size_t n = z.rows(), p = z.cols();
  for (std::size_t j = 0; j < p; ++j) {
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < n; ++i) mean += z.at(i, j) / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) var += std::pow(z.at(i, j) - mean, 2) / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) z.x[i * p + j] = (z.at(i, j) - mean) / std::sqrt(var);
    for (const auto& feat : oracle["features"])
      if (feat["powers"].get<std::vector<int>>() == powers[j]) {
        EXPECT_NEAR(mean, feat["mean"].get<double>(), 1e-12 * std::abs(mean));
        EXPECT_NEAR(std::sqrt(var), feat["scale"].get<double>(), 1e-12 * std::sqrt(var));
      }
  }
  std::vector<double> coef;
  double intercept = 0;
  lasso(z, alpha, 100000, 1e-12, coef, intercept);
  expect_matches_oracle(oracle, powers, coef, intercept);
  EXPECT_GT(std::count(coef.begin(), coef.end(), 0.0), 0);  // the penalty bites
  EXPECT_GT(std::count_if(coef.begin(), coef.end(), [](double c) { return c != 0; }), 0);

  // The whole pipeline at a fixed degree and penalty: standardization inside, same answer.
  PolyLassoOptions o;
  o.degrees = {oracle["degree"].get<int>()};
  o.alphas = {alpha};
  o.max_iter = 100000;
  o.tol = 1e-12;
  const PolyLassoModel m = fit_poly_lasso(d, o);
  EXPECT_EQ(m.degree, 2);
  EXPECT_EQ(m.alpha, alpha);
  expect_matches_oracle(oracle, m.powers, m.coef, m.intercept);
  EXPECT_EQ(m.nonzero(),
            static_cast<std::size_t>(std::count_if(coef.begin(), coef.end(), [](double c) { return c != 0; })));
  // predict() reproduces the fitted values of the standardized problem.
  for (std::size_t i = 0; i < 5; ++i) {
    double want = intercept;
    for (std::size_t j = 0; j < p; ++j) want += coef[j] * z.at(i, j);
    EXPECT_NEAR(m.predict(&d.x[i * d.cols()]), want, 1e-9 * std::abs(want));
  }
}

TEST(CalibLasso, CrossValidationPicksTheTrueDegree) {
  // y = 10 + 2a + b - 1.5 a^2 + 0.8 a b + 0.4 c^2 (+ 0.5 % noise) over a, b, c in [1, 3].
  Draws r(3);
  Design d;
  d.columns = {"a", "b", "c"};
  d.target = "power_w";
  for (int i = 0; i < 120; ++i) {
    const double a = r.uniform(1, 3), b = r.uniform(1, 3), c = r.uniform(1, 3);
    const double y = 10 + 2 * a + b - 1.5 * a * a + 0.8 * a * b + 0.4 * c * c;
    d.add_row({a, b, c}, y * (1 + 0.005 * r.normal()));
  }
  PolyLassoOptions o;
  o.degrees = {1, 2, 3};
  const PolyLassoModel m = fit_poly_lasso(d, o);
  EXPECT_EQ(m.degree, 2);
  EXPECT_EQ(m.cv.n, 120u);
  EXPECT_LT(m.cv.mape, 0.05);
  EXPECT_GT(m.alpha, 0);
  EXPECT_EQ(m.features.size(), 9u);
  const double x[] = {2, 2, 2};
  EXPECT_NEAR(m.predict(x), 10 + 4 + 2 - 6 + 3.2 + 1.6, 0.2);
}

TEST(CalibLasso, LogTargetFitsRuntimesSpanningDecades) {
  // t = 1e-3 a^2 b over a, b in [1, 10] spans three decades. Fitting log t keeps every
  // prediction positive and weighs the small runtimes as much as the large ones: its
  // cross-validated relative error beats the fit of t itself.
  Draws r(8);
  Design d;
  d.columns = {"a", "b"};
  d.target = "time_s";
  for (int i = 0; i < 80; ++i) {
    const double a = r.uniform(1, 10), b = r.uniform(1, 10);
    d.add_row({a, b}, 1e-3 * a * a * b);
  }
  PolyLassoOptions o;
  o.degrees = {1, 2};
  o.log_target = true;
  const PolyLassoModel m = fit_poly_lasso(d, o);
  EXPECT_TRUE(m.log_target);
  o.log_target = false;
  const PolyLassoModel plain = fit_poly_lasso(d, o);
  EXPECT_LT(m.cv.mape, plain.cv.mape);
  for (double a : {1.0, 5.0, 10.0}) {
    const double x[] = {a, 1.0};
    EXPECT_GT(m.predict(x), 0);
  }
  Design bad = d;
  bad.y[0] = 0;
  o.log_target = true;
  EXPECT_THROW((void)fit_poly_lasso(bad, o), core::ModelError);
}

}  // namespace
}  // namespace jg::calib
