#include "calib/groundtruth.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "calib/calibration.hpp"
#include "calib/csv.hpp"

namespace jg::calib {

namespace {

using csv::Table;

/// Pooled out-of-fold predictions of a linear model (k folds).
Metrics cv_linear(const Design& d, const LinearOptions& o, std::size_t k, std::uint64_t seed) {
  std::vector<double> obs(d.rows()), pred(d.rows()), lo(d.rows()), hi(d.rows());
  for (const auto& fold : k_folds(d.rows(), k, seed)) {
    std::vector<std::size_t> train;
    std::set<std::size_t> test(fold.begin(), fold.end());
    for (std::size_t r = 0; r < d.rows(); ++r)
      if (!test.count(r)) train.push_back(r);
    const LinearModel m = fit_linear(d.subset(train), o);
    for (std::size_t r : fold) {
      const double* row = &d.x[r * d.cols()];
      obs[r] = d.y[r];
      pred[r] = m.predict(row);
      const double h = m.half_width90(row);
      lo[r] = pred[r] - h;
      hi[r] = pred[r] + h;
    }
  }
  return metrics(obs, pred, lo, hi);
}

/// Train on the first `share` of the rows (time order), test on the rest.
GroundTruthRow time_split(const Design& d, const LinearOptions& o, double share) {
  const auto cut = static_cast<std::size_t>(share * static_cast<double>(d.rows()));
  std::vector<std::size_t> train, test;
  for (std::size_t r = 0; r < d.rows(); ++r) (r < cut ? train : test).push_back(r);
  const HeldOut h = fit_held_out(d, o, train, test);
  GroundTruthRow row;
  row.train = h.train_rows;
  row.test = h.test_rows;
  row.m = h.test;
  return row;
}

// Kepler's usage model on the nx12 server: power = idle + sum of weights x counter rates.
void cpu_rapl(const std::string& dir, std::vector<GroundTruthRow>& out) {
  const Table rapl = csv::read_table(dir + "/cpu_rapl/kepler_nx12_rapl_counters_abs.csv");
  const Table acpi = csv::read_table(dir + "/cpu_rapl/kepler_nx12_acpi_platform_counters_abs.csv");
  const std::vector<std::string> features = {"cpu_cycles", "cpu_instructions", "cache_miss"};
  struct Target {
    const Table* t;
    const char* column;
    const char* label;
  };
  for (const Target& tg : {Target{&rapl, "package_power", "package power [W] (RAPL)"},
                           Target{&rapl, "dram_power", "DRAM power [W] (RAPL)"},
                           Target{&acpi, "platform_power", "node power [W] (ACPI meter)"}}) {
    Design d;
    d.target = std::string(tg.column) + "_w";
    for (const auto& f : features) {
      d.columns.push_back(f + "_per_ns");
      d.units.push_back("W s");
    }
    std::vector<std::size_t> cols;
    for (const auto& f : features) cols.push_back(tg.t->column(f));
    const std::size_t y = tg.t->column(tg.column);
    for (std::size_t r = 0; r < tg.t->rows.size(); ++r) {
      std::vector<double> x;
      for (std::size_t c : cols) x.push_back(tg.t->number(r, c) * 1e-9);  // counts per second -> per ns
      d.add_row(x, tg.t->number(r, y));
    }
    LinearOptions o;
    o.method = LinearMethod::kOls;
    o.intercept = true;
    GroundTruthRow cv;
    cv.dataset = "cpu_rapl (Kepler, nx12)";
    cv.model = "OLS: idle + cycles, instructions, cache misses";
    cv.target = tg.label;
    cv.split = "5-fold CV";
    cv.m = cv_linear(d, o, 5, 1);
    cv.train = d.rows() - d.rows() / 5;
    cv.test = d.rows();
    cv.note = "test = pooled out-of-fold rows";
    out.push_back(cv);
    GroundTruthRow ts = time_split(d, o, 0.75);
    ts.dataset = cv.dataset;
    ts.model = cv.model;
    ts.target = tg.label;
    ts.split = "first 75 % of time -> last 25 %";
    out.push_back(ts);
  }
}

// The 8-GPU H100 training trace: power levels from 1 s windows, held-out windows predicted by
// their level.
void h100_trace(const std::string& dir, std::vector<GroundTruthRow>& out) {
  const std::string path = dir + "/traces/h100_gpt_training_nvsmi_trace_100stepsync.csv";
  const auto t = collect_trace(path, TraceFormat::kCsv);
  const double t0 = t.t_s.front().front(), t1 = t.t_s.front().back();
  const auto m = measure_windows(path, TraceFormat::kCsv, fixed_windows(t0, t1, 1.0), {});
  const auto r = power_levels(m, 4);
  GroundTruthRow row;
  row.dataset = "H100 x8 GPT training (nvidia-smi)";
  row.model = "4 power levels (1-D k-means of 1 s windows)";
  row.target = "window energy [J]";
  row.split = "every 4th window held out";
  row.train = r.train_windows;
  row.test = r.test_windows;
  row.m = r.test;
  std::string levels;
  for (const auto& l : r.levels) levels += (levels.empty() ? "" : ", ") + fmt::format("{:.0f}", l.power_w / 8);
  row.note = "levels per GPU: " + levels + " W";
  out.push_back(row);
}

// ML.ENERGY v3: GPU power per GPU as a polynomial of the batch cap, active parameters and GPU
// count, one model per GPU type; cross-validated.
void mlenergy(const std::string& dir, std::vector<GroundTruthRow>& out) {
  std::map<std::string, Design> by_gpu;
  for (const char* f : {"v3_lm-arena-chat.csv", "v3_gpqa.csv"}) {
    const Table t = csv::read_table(dir + "/inference/mlenergy/" + f);
    const std::size_t gpu = t.column("gpu_model"), n = t.column("num_gpus"), p = t.column("avg_power_watts"),
                      seqs = t.column("max_num_seqs"), act = t.column("activated_params_billions");
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      Design& d = by_gpu[t.text(r, gpu)];
      if (d.columns.empty()) {
        d.columns = {"log2_max_num_seqs", "active_params_b", "num_gpus"};
        d.target = "power_per_gpu_w";
      }
      const double gpus = t.number(r, n);
      d.add_row({std::log2(t.number(r, seqs)), t.number(r, act), gpus}, t.number(r, p) / gpus);
    }
  }
  for (const auto& [gpu, d] : by_gpu) {
    PolyLassoOptions o;
    o.degrees = {1, 2, 3};
    o.folds = 5;
    const PolyLassoModel m = fit_poly_lasso(d, o);
    GroundTruthRow row;
    row.dataset = "ML.ENERGY v3 LLM serving (" + gpu + ")";
    row.model = fmt::format("poly-Lasso deg {} (CV-chosen), {} terms", m.degree, m.nonzero());
    row.target = "GPU power per GPU [W]";
    row.split = "5-fold CV";
    row.train = d.rows() - d.rows() / 5;
    row.test = d.rows();
    row.m = m.cv;
    row.note = "features: log2 batch cap, active params, GPUs";
    out.push_back(row);
  }
}

// NeuralPower-style runtime model of MobileNetV2's TensorRT layers on a Jetson Orin Nano.
void orin_nano(const std::string& dir, std::vector<GroundTruthRow>& out) {
  const Table t = csv::read_table(dir + "/edge/orin_nano_trt_mobilenetv2_layer_conv.csv");
  const std::vector<std::string> in = {"input_size_0",  "input_size_1", "output_size_0",
                                       "output_size_1", "kernel_0",     "stride_0"};
  std::vector<std::size_t> cols;
  for (const auto& c : in) cols.push_back(t.column(c));
  for (const char* target : {"runtime", "power"}) {
    Design d;
    d.columns = {"c_in", "h_in", "c_out", "h_out", "k", "stride"};
    d.target = target;
    const std::size_t y = t.column(target);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      std::vector<double> x;
      for (std::size_t c : cols) x.push_back(t.number(r, c));
      d.add_row(x, t.number(r, y) * (std::string(target) == "power" ? 1e-6 : 1.0));  // uW -> W
    }
    PolyLassoOptions o;
    o.degrees = {1, 2, 3};
    o.folds = 5;
    o.log_target = std::string(target) == "runtime";
    const PolyLassoModel m = fit_poly_lasso(d, o);
    GroundTruthRow row;
    row.dataset = "Jetson Orin Nano, MobileNetV2 TensorRT layers";
    row.model = fmt::format("poly-Lasso deg {} (CV-chosen){}, {} terms", m.degree,
                            o.log_target ? " on log runtime" : "", m.nonzero());
    row.target = std::string(target) == "runtime" ? "layer runtime [ms]" : "board power [W]";
    row.split = "5-fold CV";
    row.train = d.rows() - d.rows() / 5;
    row.test = d.rows();
    row.m = m.cv;
    row.note = std::string(target) == "power" ? "power is nearly constant (2.370-2.375 W)" : "53 layers, batch 1";
    out.push_back(row);
  }
}

// SPECpower curves: a quadratic in load fitted on idle, 10-30 % and 80-100 %, predicting
// 40-70 %; the linear idle-to-peak interpolation as a baseline.
void specpower(const std::string& dir, std::vector<GroundTruthRow>& out) {
  const Table t = csv::read_table(dir + "/server_power/specpower_ssj2008_curves.csv");
  const std::vector<std::string> cols = {"p_active_idle_W", "p_10pct_W", "p_20pct_W", "p_30pct_W",
                                         "p_40pct_W",       "p_50pct_W", "p_60pct_W", "p_70pct_W",
                                         "p_80pct_W",       "p_90pct_W", "p_100pct_W"};
  std::vector<std::size_t> idx;
  for (const auto& c : cols) idx.push_back(t.column(c));
  std::vector<double> obs, quad, lin;
  std::size_t train = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    Design d;
    d.columns = {"load", "load^2"};
    d.target = "power_w";
    for (std::size_t k : {0u, 1u, 2u, 3u, 8u, 9u, 10u}) {
      const double u = 0.1 * static_cast<double>(k);
      d.add_row({u, u * u}, t.number(r, idx[k]));
    }
    LinearOptions o;
    o.method = LinearMethod::kOls;
    o.intercept = true;
    const LinearModel m = fit_linear(d, o);
    train += d.rows();
    const double idle = t.number(r, idx[0]), peak = t.number(r, idx[10]);
    for (std::size_t k = 4; k <= 7; ++k) {
      const double u = 0.1 * static_cast<double>(k);
      const double row[2] = {u, u * u};
      obs.push_back(t.number(r, idx[k]));
      quad.push_back(m.predict(row));
      lin.push_back(idle + (peak - idle) * u);
    }
  }
  for (int which = 0; which < 2; ++which) {
    GroundTruthRow row;
    row.dataset = fmt::format("SPECpower_ssj2008 ({} servers)", t.rows.size());
    row.model = which == 0 ? "quadratic in load, per server" : "baseline: linear idle-to-peak";
    row.target = "wall power [W]";
    row.split = "fit 0-30 %, 80-100 % -> predict 40-70 %";
    row.train = which == 0 ? train : t.rows.size() * 2;
    row.test = obs.size();
    row.m = metrics(obs, which == 0 ? quad : lin);
    out.push_back(row);
  }
}

}  // namespace

std::vector<GroundTruthRow> groundtruth_tables(const std::string& dir) {
  std::vector<GroundTruthRow> out;
  cpu_rapl(dir, out);
  h100_trace(dir, out);
  mlenergy(dir, out);
  orin_nano(dir, out);
  specpower(dir, out);
  return out;
}

std::string format_groundtruth(const std::vector<GroundTruthRow>& rows) {
  auto pct = [](double v) { return std::isnan(v) ? std::string("-") : fmt::format("{:.1f} %", 100 * v); };
  std::string s =
      "| dataset | model | target | split | train | test | MAPE | RMSPE | R² | 90 % PI coverage | note |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : rows)
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {:.3f} | {} | {} |\n", r.dataset, r.model, r.target,
                     r.split, r.train, r.test, pct(r.m.mape), pct(r.m.rmspe), r.m.r2, pct(r.m.pi90_coverage), r.note);
  return s;
}

}  // namespace jg::calib
