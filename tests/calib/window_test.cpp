// The window integrator (trace samples to energy per marker window: power integrated piecewise
// linearly, energy counters differenced, other counters time-weighted) and fixed windows,
// worked out by hand.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "calib/trace.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

const std::string kTraceDir = std::string(JG_SOURCE_DIR) + "/tests/data/traces/";

/// Feeds (t, value) pairs of one channel of `kind` into a WindowIntegrator.
WindowIntegrator integrate(ChannelKind kind, const std::vector<std::pair<double, double>>& samples,
                           std::vector<Marker> windows) {
  WindowIntegrator wi(std::move(windows));
  wi.channels({Channel{"x", kind, kind == ChannelKind::kPower ? "W" : kind == ChannelKind::kEnergy ? "J" : "%"}});
  std::uint64_t line = 1;
  for (const auto& [t, v] : samples) wi.sample(0, t, v, ++line);
  return wi;
}

Marker window(double start_s, double end_s, const std::string& name = "w") { return Marker{start_s, end_s, name, 0}; }

// ---------------------------------------------------------------------------------------------
// WindowIntegrator

TEST(WindowIntegrator, ConstantPower) {
  // 100 W for 10 s = 1000 J
  const WindowIntegrator wi = integrate(ChannelKind::kPower, {{0, 100}, {4, 100}, {10, 100}}, {window(0, 10)});
  EXPECT_DOUBLE_EQ(wi.values()[0][0], 1000.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[0][0], 10.0);
}

TEST(WindowIntegrator, RampSplitInTwo) {
  // p(t) = 10 t W: the integral of [0, 5) is 5 t^2 = 125 J, of [5, 10) 500 - 125 = 375 J
  const WindowIntegrator wi = integrate(ChannelKind::kPower, {{0, 0}, {10, 100}}, {window(0, 5), window(5, 10)});
  EXPECT_DOUBLE_EQ(wi.values()[0][0], 125.0);
  EXPECT_DOUBLE_EQ(wi.values()[1][0], 375.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[1][0], 5.0);
}

TEST(WindowIntegrator, WindowEdgesBetweenSamples) {
  // samples at 0, 4, 8 s on p(t) = 10 t; window [2, 6) cuts both segments: p(2) = 20, p(4) = 40,
  // p(6) = 60 -> (20 + 40) / 2 * 2 + (40 + 60) / 2 * 2 = 60 + 100 = 160 J
  const WindowIntegrator wi = integrate(ChannelKind::kPower, {{0, 0}, {4, 40}, {8, 80}}, {window(2, 6)});
  EXPECT_DOUBLE_EQ(wi.values()[0][0], 160.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[0][0], 4.0);
}

TEST(WindowIntegrator, WindowsBeyondTheSamplesAreOnlyPartlyCovered) {
  // 100 W from 0 to 10 s: [5, 15) holds 5 s of it (500 J); [20, 30) none
  const WindowIntegrator wi =
      integrate(ChannelKind::kPower, {{0, 100}, {10, 100}}, {window(-5, 0), window(5, 15), window(20, 30)});
  EXPECT_DOUBLE_EQ(wi.values()[0][0], 0.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[0][0], 0.0);
  EXPECT_DOUBLE_EQ(wi.values()[1][0], 500.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[1][0], 5.0);
  EXPECT_DOUBLE_EQ(wi.values()[2][0], 0.0);
  EXPECT_DOUBLE_EQ(wi.covered_s()[2][0], 0.0);
}

TEST(WindowIntegrator, EnergyCounterIsDifferenced) {
  // E(t): 0 J at 0 s, 10 J at 2 s, 30 J at 4 s; E(1) = 5, E(3) = 20 -> [1, 3) used 15 J
  const WindowIntegrator wi = integrate(ChannelKind::kEnergy, {{0, 0}, {2, 10}, {4, 30}}, {window(1, 3), window(3, 4)});
  EXPECT_DOUBLE_EQ(wi.values()[0][0], 15.0);
  EXPECT_DOUBLE_EQ(wi.values()[1][0], 10.0);  // E(4) - E(3) = 30 - 20
  EXPECT_DOUBLE_EQ(wi.covered_s()[0][0], 2.0);
}

TEST(WindowIntegrator, CountersAreTimeWeightedMeans) {
  // u(t) = 10 t % on [0, 10]: mean over [0, 5) = 25; [8, 12) is covered for 2 s with mean (80 + 100) / 2 = 90
  const WindowIntegrator a = integrate(ChannelKind::kCounter, {{0, 0}, {10, 100}}, {window(0, 5), window(8, 12)});
  EXPECT_DOUBLE_EQ(a.values()[0][0], 25.0);
  EXPECT_DOUBLE_EQ(a.values()[1][0], 90.0);
  EXPECT_DOUBLE_EQ(a.covered_s()[1][0], 2.0);
  // 0 -> 100 over the first second, then 100 for two: (50 + 200) / 3
  const WindowIntegrator b = integrate(ChannelKind::kCounter, {{0, 0}, {1, 100}, {3, 100}}, {window(0, 3)});
  EXPECT_NEAR(b.values()[0][0], 250.0 / 3.0, 1e-12);
}

TEST(WindowIntegrator, PartsAddUpToTheWhole) {
  const std::string path = kTraceDir + "generic.csv";
  WindowIntegrator whole({window(0, 3)});
  read_trace(path, TraceFormat::kCsv, whole);
  // gpu: (10 + 20) / 2 + 20 + (20 + 10) / 2 = 50 J; cpu: 5 + 6 + 7 = 18 J
  EXPECT_DOUBLE_EQ(whole.values()[0][0], 50.0);
  EXPECT_DOUBLE_EQ(whole.values()[0][1], 18.0);
  WindowIntegrator parts(fixed_windows(0, 3, 0.7));
  read_trace(path, TraceFormat::kCsv, parts);
  ASSERT_EQ(parts.windows().size(), 5u);
  for (std::size_t c = 0; c < 2; ++c) {
    double sum = 0, covered = 0;
    for (std::size_t w = 0; w < parts.windows().size(); ++w) {
      sum += parts.values()[w][c];
      covered += parts.covered_s()[w][c];
    }
    EXPECT_NEAR(sum, whole.values()[0][c], 1e-9);
    EXPECT_NEAR(covered, 3.0, 1e-12);
  }
}

TEST(WindowIntegrator, UnsortedOrOverlappingWindowsAreABug) {
  EXPECT_THROW(WindowIntegrator({window(5, 10), window(0, 5)}), core::InternalError);
  EXPECT_THROW(WindowIntegrator({window(0, 6), window(5, 10)}), core::InternalError);
  EXPECT_THROW(WindowIntegrator({window(3, 3)}), core::InternalError);
}

TEST(FixedWindows, LastOneShorter) {
  const std::vector<Marker> w = fixed_windows(0, 10, 3);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].name, "w0");
  EXPECT_DOUBLE_EQ(w[1].start_s, 3.0);
  EXPECT_DOUBLE_EQ(w[2].end_s, 9.0);
  EXPECT_EQ(w[3].name, "w3");
  EXPECT_DOUBLE_EQ(w[3].start_s, 9.0);
  EXPECT_DOUBLE_EQ(w[3].end_s, 10.0);
  EXPECT_EQ(fixed_windows(0, 9, 3).size(), 3u);
}

}  // namespace
}  // namespace jg::calib
