// Calibration speed: streaming an nvidia-smi CSV through the window integrator (target: at
// least 100 MB/s) and fitting 1e5 windows x 32 columns (target: under 1 s).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "calib/fit.hpp"
#include "calib/trace.hpp"

namespace {

/// An nvidia-smi log of `rows` samples over 4 GPUs, with units, written once.
const std::string& nvsmi_file(std::size_t rows) {
  static std::string path;
  if (!path.empty()) return path;
  path = (std::filesystem::temp_directory_path() / "jg_bench_nvsmi.csv").string();
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(
      "timestamp, index, power.draw [W], clocks.sm [MHz], clocks.mem [MHz], utilization.gpu [%], temperature.gpu\n", f);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t ms = (i / 4) * 50;
    std::fprintf(f, "2026/11/21 %02zu:%02zu:%02zu.%03zu, %zu, %.2f W, 1980 MHz, 2619 MHz, %zu %%, 61\n",
                 (ms / 3600000) % 24, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000, i % 4,
                 300.0 + static_cast<double>(i % 97), i % 100);
  }
  std::fclose(f);
  return path;
}

class Sink : public jg::calib::TraceSink {
 public:
  void channels(const std::vector<jg::calib::Channel>& list) override { n = list.size(); }
  void sample(std::size_t, double, double value, std::uint64_t) override { sum += value; }
  std::size_t n = 0;
  double sum = 0;
};

void BM_ReadNvidiaSmi(benchmark::State& state) {
  const std::string& path = nvsmi_file(1'000'000);
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  for (auto _ : state) {
    Sink s;
    jg::calib::read_trace(path, jg::calib::TraceFormat::kNvidiaSmi, s);
    benchmark::DoNotOptimize(s.sum);
  }
  state.SetBytesProcessed(bytes * state.iterations());
}

void BM_IntegrateNvidiaSmiInto1sWindows(benchmark::State& state) {
  const std::string& path = nvsmi_file(1'000'000);
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  const double t0 = jg::calib::collect_trace(path, jg::calib::TraceFormat::kNvidiaSmi).t_s[0].front();
  for (auto _ : state) {
    jg::calib::WindowIntegrator wi(jg::calib::fixed_windows(t0, t0 + 12600, 1.0));
    jg::calib::read_trace(path, jg::calib::TraceFormat::kNvidiaSmi, wi);
    benchmark::DoNotOptimize(wi.values().size());
  }
  state.SetBytesProcessed(bytes * state.iterations());
}

jg::calib::Design design(std::size_t rows, std::size_t cols) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> n01(0, 1);
  jg::calib::Design d;
  for (std::size_t c = 0; c < cols; ++c) d.columns.push_back("c" + std::to_string(c));
  std::vector<double> x(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    double y = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      x[c] = u(rng);
      y += x[c] * static_cast<double>(c + 1);
    }
    d.add_row(x, y + 0.1 * n01(rng));
  }
  return d;
}

void fit(benchmark::State& state, jg::calib::LinearMethod m) {
  const auto d = design(100'000, 32);
  jg::calib::LinearOptions o;
  o.method = m;
  for (auto _ : state) benchmark::DoNotOptimize(jg::calib::fit_linear(d, o).sigma);
}
void BM_FitOls1e5x32(benchmark::State& s) { fit(s, jg::calib::LinearMethod::kOls); }
void BM_FitNnls1e5x32(benchmark::State& s) { fit(s, jg::calib::LinearMethod::kNnls); }

BENCHMARK(BM_ReadNvidiaSmi)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IntegrateNvidiaSmiInto1sWindows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitOls1e5x32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitNnls1e5x32)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
