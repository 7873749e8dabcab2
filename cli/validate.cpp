#include "cli/validate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/inputs.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/eval/evaluator.hpp"
#include "hwmodels/models.hpp"
#include "workloads/builder.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::cli {

using calib::Case;
using calib::CaseKind;
using namespace jg::core;

namespace {

/// Input length of an LLM serving case that does not state one (ML.ENERGY chat prompts are a
/// few hundred tokens: assumption).
constexpr double kDefaultInputLen = 512;
/// Batches per LLM serving or inference case: enough that the steady state dominates.
constexpr double kBatches = 4;

double boundary_j(const eval::Ledger& L, const std::string& b) {
  if (b == "device") return L.boundary.device_j;
  if (b == "wall") return L.boundary.wall_j;
  if (b == "facility") return L.boundary.facility_j;
  return L.boundary.node_j;
}

struct Run {
  eval::Ledger ledger;
  bool fits = true;
  double need_bytes = 0, capacity_bytes = 0;  ///< the first footprint: per instance
};

/// A platform as shipped, parsed and built once per spec (a suite evaluates each many times).
struct Shipped {
  LoadedInput input;
  std::unique_ptr<hw::Platform> platform;
};
const Shipped& shipped(const std::string& spec) {
  static std::map<std::string, Shipped> cache;
  auto it = cache.find(spec);
  if (it == cache.end()) {
    Shipped s{load_input("platform", spec), nullptr};
    s.platform = std::make_unique<hw::Platform>(hw::load_platform(s.input.root, hw::builtin_registry()));
    it = cache.emplace(spec, std::move(s)).first;
  }
  return it->second;
}

/// Loads `platform_spec` with `hw_sets`, the zoo or ONNX workload with `wl_sets`, and evaluates.
Run run(const std::string& platform_spec, const std::string& workload, const std::vector<std::string>& sets) {
  const Shipped& base = shipped(platform_spec);
  LoadedInput hw_in = base.input;
  LoadedInput wl_in = load_workload_input(workload, *base.platform, sets);
  apply_overrides(hw_in.root, wl_in.root, sets);
  const hw::Platform p = hw::load_platform(hw_in.root, hw::builtin_registry());
  const wl::Graph g = build_graph(wl_in.root, false);
  Run r{eval::evaluate(p, g), true};
  for (const auto& m : eval::check_memory(p, g)) {
    if (r.capacity_bytes == 0) {
      r.need_bytes = m.need_bytes;
      r.capacity_bytes = m.capacity_bytes;
    }
    r.fits = r.fits && m.fits();
  }
  return r;
}

std::string num(double v) { return format_number(v); }

/// The platform of a case: a shipped node or inline node as is; a single-device platform with
/// count > 1 as a composed node of `count` of them.
std::string platform_for(const Case& c, bool replicate) {
  if (c.inline_node || !replicate || c.count <= 1) return c.platform;
  return num(c.count) + "x" + c.platform;
}

std::vector<std::string> common_sets(const Case& c) {
  std::vector<std::string> s = c.sets;
  if (c.pue > 0) s.push_back("node.pue=" + num(c.pue));
  if (!c.dtype.empty()) s.push_back("dtype=" + c.dtype);
  return s;
}

/// The operating points `max_efficiency` tries, as overrides: for the platform's first GPU with
/// an adjustable power limit, eight caps over the accepted range; for a board with power modes
/// (Jetson nvpmodel), each of its named modes; else none.
std::vector<std::string> operating_points(const std::string& platform_spec) {
  const hw::Platform& p = *shipped(platform_spec).platform;
  for (const auto& d : p.devices)
    if (d.kind == "gpu" && d.power_limit_max_w > d.power_limit_min_w && d.power_limit_min_w > 0) {
      std::vector<std::string> caps;
      for (int i = 0; i <= 7; ++i)
        caps.push_back("devices.gpu.power_cap=" +
                       num(d.power_limit_min_w + (d.power_limit_max_w - d.power_limit_min_w) * i / 7.0) + " W");
      return caps;
    }
  std::vector<std::string> modes;
  for (const auto& m : p.power_modes.presets) modes.push_back("power_mode=" + m.name);
  return modes;
}

/// Runs `eval_at(sets)` at the default operating point or, for max_efficiency, at the operating
/// point (GPU power cap, or board power mode) that maximizes `score` (work per joule).
template <class F>
std::map<std::string, double> at_operating_point(const Case& c, const std::string& platform_spec,
                                                 const std::vector<std::string>& sets, F eval_at) {
  if (c.operating_point != "max_efficiency") return eval_at(sets);
  std::map<std::string, double> best;
  double best_score = -1;
  for (const std::string& point : operating_points(platform_spec)) {
    auto s = sets;
    s.push_back(point);
    auto m = eval_at(s);
    if (m.at("_score") > best_score) {
      best_score = m.at("_score");
      best = std::move(m);
    }
  }
  return best.empty() ? eval_at(sets) : best;
}

/// Tokens per step of a training run that does not state its batch: 4 M (LLaMA's 4 M tokens per
/// step; GPT-3 used 3.2 M: assumption of a typical large-model batch).
constexpr double kTokensPerStep = 4e6;
/// Share of device memory that weights, gradients and optimizer states may take in the layout
/// search (the rest for activations, with recomputation): assumption.
constexpr double kStateMemoryShare = 0.6;
/// Bytes per parameter of mixed-precision Adam: 2 weights + 2 gradients + 4 master + 8 moments.
constexpr double kAdamBytesPerParameter = 16;

/// A training run as the zoo pipeline models it: a tensor/pipeline/data-parallel layout that
/// fits the model's states into device memory (tensor parallelism inside a node up to its GPUs,
/// then pipeline stages), run on ceil(count / GPUs per node) nodes with the collectives and the
/// pipeline bubble that layout implies; one step evaluated and scaled to the tokens.
std::map<std::string, double> training_run(const Case& c) {
  const wl::zoo::Model* zm = wl::zoo::find_model(c.workload);
  if (!zm)
    throw ConfigError({c.loc, "workload", "a zoo model for a training_run case", "\"" + c.workload + "\"",
                       "training runs are modelled for zoo models"});
  const hw::Platform& shipped_p = *shipped(c.platform).platform;
  int gi = -1;
  for (std::size_t d = 0; d < shipped_p.devices.size(); ++d)
    if (shipped_p.devices[d].kind == "gpu" || (gi < 0 && shipped_p.devices[d].kind != "cpu")) gi = static_cast<int>(d);
  if (gi < 0) gi = 0;
  const hw::Device& dev = shipped_p.devices[static_cast<std::size_t>(gi)];
  const bool node_platform = dev.count > 1;
  const double per_node = node_platform ? dev.count : std::min(8.0, c.count);
  const double devices = node_platform ? c.count * per_node : c.count;
  const std::string platform = node_platform || per_node <= 1 ? c.platform : num(per_node) + "x" + c.platform;
  const double capacity = shipped_p.components[static_cast<std::size_t>(dev.dram)].model->memory()->capacity_bytes;
  // Layout: tensor parallelism up to the node's GPUs, then pipeline stages, until the states fit.
  wl::zoo::ModelArgs args;
  const double params = wl::zoo::forward_parameters(wl::zoo::forward_graph(*zm, args));
  const bool transformer = zm->hp.count("d_model") > 0;
  double tp = 1, pp = 1;
  while (transformer && kAdamBytesPerParameter * params / (tp * pp) > kStateMemoryShare * capacity) {
    if (tp * 2 <= per_node && tp < 8)
      tp *= 2;
    else
      pp *= 2;
    if (tp * pp > devices) break;
  }
  const double seq = c.seq_len > 0 ? c.seq_len : std::max(1.0, zm->default_seq);
  double dp = std::max(1.0, std::floor(devices / (tp * pp)));
  while (dp > 1 && std::fmod(dp * tp * pp, per_node) != 0) dp -= 1;  // whole nodes
  const double ranks = dp * tp * pp, nodes = std::max(1.0, std::floor(ranks / per_node));
  const double batch = c.batch > 0 ? c.batch : std::max(dp, std::round(kTokensPerStep / seq / dp) * dp);
  const double microbatches = std::max(pp, batch / dp);
  const double total_tokens = c.tokens > 0 ? c.tokens : c.steps * c.batch * c.seq_len;
  const double steps = total_tokens / (batch * seq);
  auto eval_at = [&](const std::vector<std::string>& base) {
    // Large transformers recompute their attention cores (selective recomputation, the
    // Megatron-LM default since Korthikanti et al. 2022); a case's `set` may say otherwise.
    std::vector<std::string> s = {"recompute=" + std::string(transformer && params > 1e9 ? "selective" : "none")};
    s.insert(s.end(), base.begin(), base.end());
    s.insert(s.end(), {"mode=train", "steps=1", "host=", "batch=" + num(batch), "data_parallel=" + num(dp),
                       "tensor_parallel=" + num(tp), "pipeline_parallel=" + num(pp),
                       "microbatches=" + num(microbatches), "nodes=" + num(nodes)});
    if (zm->default_seq > 0) s.push_back("seq=" + num(seq));
    const Run r = run(platform, c.workload, s);
    // Devices the layout leaves out of whole nodes draw the same: scale to all of them.
    const double e_step = boundary_j(r.ledger, c.boundary) * devices / (nodes * per_node);
    const double t_step = r.ledger.time_s;
    std::map<std::string, double> m;
    double energy = e_step * steps, time = t_step * steps;
    if (c.duration_s > 0) {  // the run time is published: only the power side is predicted
      energy *= c.duration_s / time;
      time = c.duration_s;
    }
    if (c.accounting_power_w > 0)  // the publication's formula on the predicted device-hours
      energy = time * devices * c.accounting_power_w * (c.pue > 0 ? c.pue : 1);
    m["energy_j"] = energy;
    m["energy_kwh"] = energy / 3.6e6;
    m["energy_mwh"] = energy / 3.6e9;
    m["time_s"] = time;
    m["device_hours"] = time * devices / 3600;
    m["avg_power_w"] = energy / time;
    m["co2e_t"] = energy / 3.6e6 * c.grid_g_per_kwh / 1e6;
    m["_score"] = total_tokens / energy;
    return m;
  };
  return at_operating_point(c, platform, common_sets(c), eval_at);
}

std::map<std::string, double> inference_throughput(const Case& c) {
  const std::string platform = platform_for(c, true);
  auto at_batch = [&](const std::vector<std::string>& base, double batch, bool& fits) {
    auto s = base;
    s.insert(s.end(), {"mode=infer", "host=", "batch=" + num(batch), "requests=" + num(batch * kBatches)});
    if (c.count > 1 && !c.inline_node) s.push_back("data_parallel=" + num(c.count));
    const Run r = run(platform, c.workload, s);
    fits = r.fits;
    std::map<std::string, double> m;
    const double samples = batch * kBatches, e = boundary_j(r.ledger, c.boundary), t = r.ledger.time_s;
    m["throughput_per_s"] = samples / t;
    m["power_w"] = e / t;
    m["samples_per_j"] = samples / e;
    m["energy_per_sample_j"] = e / samples;
    m["latency_s"] = t / kBatches;
    m["_score"] = samples / e;
    return m;
  };
  auto eval_at = [&](const std::vector<std::string>& base) {
    bool fits = true;
    if (c.scenario == "single_stream") return at_batch(base, 1, fits);
    if (c.batch > 0) return at_batch(base, c.batch, fits);
    // Offline without a batch: the largest throughput among batches that fit in memory.
    std::map<std::string, double> best;
    for (double b = 1; b <= 1024; b *= 2) {
      auto m = at_batch(base, b * std::max(1.0, c.count), fits);
      if (!fits && !best.empty()) break;
      if (best.empty() || m["throughput_per_s"] > best["throughput_per_s"]) best = m;
    }
    return best;
  };
  return at_operating_point(c, platform, common_sets(c), eval_at);
}

/// Share of device memory a serving engine gives to weights and KV cache (vLLM's default
/// gpu_memory_utilization).
constexpr double kServingMemoryShare = 0.9;

std::map<std::string, double> llm_serving(const Case& c) {
  const std::string platform = platform_for(c, true);
  auto eval_at = [&](const std::vector<std::string>& base) {
    const double in = c.input_len > 0 ? c.input_len : kDefaultInputLen;
    auto at = [&](double batch) {
      auto s = base;
      s.insert(s.end(), {"mode=serve", "host=", "batch=" + num(batch), "requests=" + num(batch * kBatches),
                         "input_tokens=" + num(in), "output_tokens=" + num(c.output_len),
                         "tensor_parallel=" + num(c.tensor_parallel),
                         "data_parallel=" + num(std::max(1.0, c.count / c.tensor_parallel))});
      return run(platform, c.workload, s);
    };
    // The engine runs at most max_num_seqs sequences, and no more than the KV cache holds:
    // the footprint is weights + batch x per-sequence KV, so solve for the batch that fills
    // the engine's share of memory.
    double batch = c.max_num_seqs;
    Run r = at(batch);
    if (r.capacity_bytes > 0 && r.need_bytes > kServingMemoryShare * r.capacity_bytes) {
      const Run one = at(1);
      const double per_seq = (r.need_bytes - one.need_bytes) / (batch - 1);
      const double room = kServingMemoryShare * r.capacity_bytes - (one.need_bytes - per_seq);
      batch = std::max(1.0, std::floor(per_seq > 0 ? room / per_seq : batch));
      if (batch < c.max_num_seqs) r = at(batch);
    }
    const double requests = batch * kBatches;
    const double e = boundary_j(r.ledger, c.boundary), t = r.ledger.time_s, tokens = requests * c.output_len;
    std::map<std::string, double> m;
    m["energy_per_token_j"] = e / tokens;
    m["energy_per_request_j"] = e / requests;
    m["power_w"] = e / t;
    m["tokens_per_s"] = tokens / t;
    m["_score"] = tokens / e;
    return m;
  };
  return at_operating_point(c, platform, common_sets(c), eval_at);
}

std::map<std::string, double> server_power(const Case& c) {
  // One second in which the CPUs compute for `utilization` of it and idle for the rest: a fp32
  // GEMM sized from a probe run, then the graph's minimum time makes the platform wait.
  const std::string platform = platform_for(c, false);
  LoadedInput hw_in = shipped(platform).input;
  ConfigNode no_workload = parse_toml_text("", "<server_power>");
  apply_overrides(hw_in.root, no_workload, common_sets(c));
  const hw::Platform p = hw::load_platform(hw_in.root, hw::builtin_registry());
  std::string cpu;
  for (const auto& d : p.devices)
    if (d.kind == "cpu") {
      cpu = d.name;
      break;
    }
  if (cpu.empty())
    throw ConfigError(
        {c.loc, "platform", "a platform with a CPU for a server_power case", "platform '" + p.name + "' has none", ""});
  auto graph = [&](double repeat, double min_time) {
    wl::GraphBuilder b(c.id, "server at utilization " + num(c.utilization));
    b.stage("load", wl::StageKind::kInference, cpu, repeat);
    b.add(wl::OpType::kGemm, "gemm", {{"m", 2048}, {"n", 2048}, {"k", 2048}}, DType::kFp32);
    wl::Graph g = b.finish();
    g.min_time_s = min_time;
    return g;
  };
  const double t_unit = eval::evaluate(p, graph(1, 0)).time_s;
  const double repeat = std::max(1e-9, c.utilization) / t_unit;
  const eval::Ledger L = eval::evaluate(p, graph(repeat, 1.0));
  return {{"power_w", boundary_j(L, c.boundary) / L.time_s}};
}

}  // namespace

std::vector<CaseResult> predict_case(const Case& c) {
  std::map<std::string, double> m;
  switch (c.kind) {
    case CaseKind::kTrainingRun:
      m = training_run(c);
      break;
    case CaseKind::kInferenceThroughput:
      m = inference_throughput(c);
      break;
    case CaseKind::kLlmServing:
      m = llm_serving(c);
      break;
    case CaseKind::kServerPower:
      m = server_power(c);
      break;
  }
  std::vector<CaseResult> out;
  for (const auto& [name, published] : c.metrics) {
    CaseResult r;
    r.id = c.id;
    r.kind = c.kind;
    r.calibration = c.calibration;
    r.metric = name;
    r.published = published;
    r.predicted = m.at(name);
    out.push_back(r);
  }
  return out;
}

Summary summarize(const std::vector<CaseResult>& rows) {
  Summary s;
  std::vector<double> abs_err;
  for (const auto& r : rows) abs_err.push_back(std::fabs(r.error_pct()));
  s.n = abs_err.size();
  if (abs_err.empty()) return s;
  std::sort(abs_err.begin(), abs_err.end());
  double sum = 0;
  std::size_t w10 = 0, w25 = 0;
  for (double e : abs_err) {
    sum += e;
    w10 += e <= 10 ? 1 : 0;
    w25 += e <= 25 ? 1 : 0;
  }
  const std::size_t n = abs_err.size();
  s.mape_pct = sum / static_cast<double>(n);
  s.median_abs_error_pct = n % 2 ? abs_err[n / 2] : 0.5 * (abs_err[n / 2 - 1] + abs_err[n / 2]);
  s.within_10_pct = 100.0 * static_cast<double>(w10) / static_cast<double>(n);
  s.within_25_pct = 100.0 * static_cast<double>(w25) / static_cast<double>(n);
  return s;
}

int cmd_validate_suite(const std::vector<std::string>& files, const std::string& format, std::ostream& out) {
  std::vector<CaseResult> rows;
  for (const auto& f : files)
    for (const auto& c : calib::read_suite(f)) {
      auto r = predict_case(c);
      rows.insert(rows.end(), r.begin(), r.end());
    }
  std::vector<CaseResult> held, calibration;
  for (const auto& r : rows) (r.calibration ? calibration : held).push_back(r);
  auto by_kind = [&](const std::vector<CaseResult>& src, CaseKind k) {
    std::vector<CaseResult> v;
    for (const auto& r : src)
      if (r.kind == k) v.push_back(r);
    return v;
  };
  if (format == "json") {
    nlohmann::ordered_json j;
    j["cases"] = nlohmann::ordered_json::array();
    for (const auto& r : rows)
      j["cases"].push_back({{"id", r.id},
                            {"kind", std::string(calib::case_kind_name(r.kind))},
                            {"metric", r.metric},
                            {"predicted", r.predicted},
                            {"published", r.published},
                            {"error_pct", r.error_pct()},
                            {"calibration", r.calibration}});
    auto sj = [](const Summary& s) {
      return nlohmann::ordered_json{{"mape_pct", s.mape_pct},
                                    {"median_abs_error_pct", s.median_abs_error_pct},
                                    {"within_10_pct", s.within_10_pct},
                                    {"within_25_pct", s.within_25_pct},
                                    {"n", s.n}};
    };
    j["summary"] = sj(summarize(held));
    j["summary_by_kind"] = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < calib::kCaseKindCount; ++k) {
      const auto v = by_kind(held, static_cast<CaseKind>(k));
      if (!v.empty())
        j["summary_by_kind"][std::string(calib::case_kind_name(static_cast<CaseKind>(k)))] = sj(summarize(v));
    }
    if (!calibration.empty()) j["calibration_summary"] = sj(summarize(calibration));
    out << j.dump(2) << "\n";
    return 0;
  }
  std::size_t w = 4;
  for (const auto& r : rows) w = std::max(w, r.id.size());
  out << fmt::format("{:<{}}  {:<20}  {:<20}  {:>12}  {:>12}  {:>8}\n", "case", w, "kind", "metric", "predicted",
                     "published", "error");
  for (const auto& r : rows)
    out << fmt::format("{:<{}}  {:<20}  {:<20}  {:>12.4g}  {:>12.4g}  {:>+7.1f}%{}\n", r.id, w,
                       calib::case_kind_name(r.kind), r.metric, r.predicted, r.published, r.error_pct(),
                       r.calibration ? "  (calibration)" : "");
  auto line = [&](const std::string& what, const Summary& s) {
    out << fmt::format(
        "{:<34} n {:>4}  MAPE {:>6.1f}%  median |error| {:>6.1f}%  within 10% {:>5.1f}%  within 25% {:>5.1f}%\n", what,
        s.n, s.mape_pct, s.median_abs_error_pct, s.within_10_pct, s.within_25_pct);
  };
  out << "\nheld-out summary:\n";
  for (std::size_t k = 0; k < calib::kCaseKindCount; ++k) {
    const auto v = by_kind(held, static_cast<CaseKind>(k));
    if (!v.empty()) line("  " + std::string(calib::case_kind_name(static_cast<CaseKind>(k))), summarize(v));
  }
  if (held.empty())
    out << "  (no held-out cases)\n";
  else
    line("  all held-out", summarize(held));
  if (!calibration.empty()) line("calibration cases (not in the summary)", summarize(calibration));
  return 0;
}

}  // namespace jg::cli
