// Cost of turning what users name into graphs: a zoo model into a whole pipeline (forward,
// backward, update, dataloader) and a real exported ONNX model into ops, and evaluating them.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/core/config.hpp"
#include "engine/eval/evaluator.hpp"
#include "hwmodels/models.hpp"
#include "hwmodels/platform/library.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/importers/onnx_import.hpp"
#include "workloads/zoo/zoo.hpp"

namespace {

jg::wl::Graph zoo_graph(const char* name, const std::string& mode) {
  const jg::wl::zoo::Model* m = jg::wl::zoo::find_model(name);
  jg::wl::zoo::Target t;
  t.device = "gpu";
  t.host = "cpu";
  t.dtype = "bf16";
  t.instances = 8;
  jg::core::ConfigNode root = jg::core::parse_toml_text(jg::wl::zoo::spec_text(*m, t), name);
  jg::core::apply_override(root, "params.mode=" + mode);
  return jg::wl::load_workload(root);
}

void build(benchmark::State& state, const char* name, const char* mode) {
  std::size_t ops = 0;
  for (auto _ : state) {
    jg::wl::Graph g = zoo_graph(name, mode);
    ops = g.op_count();
    benchmark::DoNotOptimize(ops);
  }
  state.counters["ops"] = static_cast<double>(ops);
}

void BM_ZooResnet50Train(benchmark::State& s) { build(s, "resnet50", "train"); }
void BM_ZooLlama2_70bTrain(benchmark::State& s) { build(s, "llama2-70b", "train"); }
void BM_ZooLlama31_405bServe(benchmark::State& s) { build(s, "llama3.1-405b", "serve"); }
void BM_ZooSdxlInfer(benchmark::State& s) { build(s, "stable-diffusion-xl", "infer"); }

// Whole estimate of a built graph on a DGX H100 (bind, evaluate, overlaps, invariants).
void BM_EvaluateLlama2_70bTrainOnDgxH100(benchmark::State& state) {
  jg::core::ConfigNode root = jg::hw::library_tree(*jg::hw::find_library_platform("dgx-h100"));
  jg::hw::expand_platform(root);
  const jg::hw::Platform p = jg::hw::load_platform(root, jg::hw::builtin_registry());
  const jg::wl::Graph g = zoo_graph("llama2-70b", "train");
  for (auto _ : state) benchmark::DoNotOptimize(jg::eval::evaluate(p, g).energy_j);
  state.counters["ops"] = static_cast<double>(g.op_count());
}

void import(benchmark::State& state, const char* file) {
  jg::wl::OnnxOptions o;
  o.dims = {{"batch", 32}};
  const std::string path = std::string(JG_SOURCE_DIR "/tests/data/onnx/") + file;
  std::size_t ops = 0;
  for (auto _ : state) {
    jg::wl::Graph g = jg::wl::import_onnx(path, o);
    ops = g.op_count();
    benchmark::DoNotOptimize(ops);
  }
  state.counters["ops"] = static_cast<double>(ops);
}

void BM_OnnxResnet18(benchmark::State& s) { import(s, "resnet18.onnx"); }
void BM_OnnxMobilenetV2(benchmark::State& s) { import(s, "mobilenet_v2.onnx"); }
void BM_OnnxVitSmall(benchmark::State& s) { import(s, "vit_small.onnx"); }

BENCHMARK(BM_ZooResnet50Train)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZooLlama2_70bTrain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZooLlama31_405bServe)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZooSdxlInfer)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateLlama2_70bTrainOnDgxH100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnnxResnet18)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnnxMobilenetV2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnnxVitSmall)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
