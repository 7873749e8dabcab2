// PowerTrain-style transfer: a correction known by construction is recovered from few modes;
// the reference's correction carries over as the prior; maximin starts at the centre and
// spreads out; uncertainty never measures a mode twice; the CLI study runs on the example.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "calib/transfer.hpp"
#include "tests/test_support.hpp"

namespace jg {
namespace {

using calib::ModePoint;

/// Modes on a 3-knob grid; measured = model x exp(w . [1, x]).
std::vector<ModePoint> grid(const std::vector<double>& wt, const std::vector<double>& wp) {
  std::vector<ModePoint> out;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 3; ++c) {
        ModePoint p;
        p.x = {a / 3.0, b / 3.0, c / 2.0};
        p.model_time_s = 1.0 + a + 0.5 * b;
        p.model_power_w = 10.0 + 3 * a + b;
        double lt = wt[0], lp = wp[0];
        for (std::size_t k = 0; k < 3; ++k) {
          lt += wt[k + 1] * p.x[k];
          lp += wp[k + 1] * p.x[k];
        }
        p.time_s = p.model_time_s * std::exp(lt);
        p.power_w = p.model_power_w * std::exp(lp);
        out.push_back(p);
      }
  return out;
}

TEST(Transfer, RecoversAKnownCorrectionFromFewModes) {
  const std::vector<double> wt = {0.3, -0.2, 0.1, 0.05}, wp = {-0.1, 0.15, 0.0, -0.05};
  const auto pool = grid(wt, wp);
  const auto order = calib::choose_modes(calib::Strategy::kMaximin, {}, pool, 8, 1);
  std::vector<ModePoint> fit;
  for (std::size_t i : order) fit.push_back(pool[i]);
  calib::TransferPrior loose;
  loose.slope_sd = 10;
  loose.noise_sd = 1e-4;
  const calib::TransferModel m(3, {}, fit, loose);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(m.w_time[k], wt[k], 1e-3) << k;
    EXPECT_NEAR(m.w_power[k], wp[k], 1e-3) << k;
  }
  const auto e = calib::held_out_error(m, pool, order);
  EXPECT_EQ(e.held_out, pool.size() - 8);
  EXPECT_LT(e.time_mape, 1e-3);
  EXPECT_LT(e.power_mape, 1e-3);
  const auto p = m.predict(pool[5]);
  EXPECT_LT(p.time_lo, p.time_s);
  EXPECT_GT(p.time_hi, p.time_s);
}

TEST(Transfer, TheReferenceCorrectionIsThePrior) {
  // Same correction on both workloads: with no target mode at all the reference's carries over.
  const std::vector<double> wt = {0.2, -0.3, 0.1, 0.0}, wp = {0.1, 0.1, -0.1, 0.05};
  const auto ref = grid(wt, wp);
  const calib::TransferModel zero_shot(3, ref, {});
  EXPECT_LT(calib::held_out_error(zero_shot, ref, {}).time_mape, 1e-3);
  const calib::TransferModel none(3, {}, {});
  EXPECT_GT(calib::held_out_error(none, ref, {}).time_mape, 0.05);
}

TEST(Transfer, StrategiesPickDistinctModes) {
  const auto pool = grid({0, 0, 0, 0}, {0, 0, 0, 0});
  for (auto s : {calib::Strategy::kRandom, calib::Strategy::kMaximin, calib::Strategy::kUncertainty}) {
    const auto order = calib::choose_modes(s, {}, pool, 12, 3);
    EXPECT_EQ(order.size(), 12u);
    EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), 12u) << calib::strategy_name(s);
  }
  const auto mm = calib::choose_modes(calib::Strategy::kMaximin, {}, pool, 2, 1);
  // First the mode nearest the centre (1/3 or 2/3, 1/3 or 2/3, 1/2), then a far corner.
  EXPECT_NEAR(pool[mm[0]].x[2], 0.5, 1e-12);
  double d = 0;
  for (std::size_t k = 0; k < 3; ++k) d += std::pow(pool[mm[0]].x[k] - pool[mm[1]].x[k], 2);
  EXPECT_GT(d, 0.9);
}

TEST(TransferCli, StudyOnTheExampleRuns) {
  const auto r = test::run_cli(
      {"transfer", std::string(JG_SOURCE_DIR) + "/examples/transfer/transfer.toml", "--study", "--max-modes", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("modes to measure for 10 % MAPE"), std::string::npos) << r.out;
  const auto fit = test::run_cli({"transfer", std::string(JG_SOURCE_DIR) + "/examples/transfer/transfer.toml"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.out.find("held-out MAPE on the other 90 measured modes"), std::string::npos) << fit.out;
}

}  // namespace
}  // namespace jg
