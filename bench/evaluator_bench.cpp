// Evaluator throughput over synthetic graphs of 1e3 ... 1e6 ops on the demo platform's GPU:
// a mix of GEMMs, convolutions, elementwise ops and norms with varied sizes. Graph and
// platform are built in SetUp; the timed region is evaluate() alone (no I/O).
#include <benchmark/benchmark.h>

#include "engine/core/config.hpp"
#include "engine/eval/evaluator.hpp"
#include "hwmodels/models.hpp"

namespace {

jg::eval::EvalOptions with_threads(int n) {
  jg::eval::EvalOptions o;
  o.threads = n;
  return o;
}

using namespace jg;

hw::Platform demo_platform() {
  for (const auto& e : hw::platform_library())
    if (std::string(e.name) == "demo-a100-node")
      return hw::load_platform(core::parse_toml_text(e.text, "demo"), hw::builtin_registry());
  throw std::runtime_error("demo platform missing");
}

wl::Graph synthetic(std::size_t n) {
  wl::Graph g;
  g.name = "synthetic";
  wl::Stage s;
  s.name = "s";
  s.kind = wl::StageKind::kInference;
  s.device = "gpu";
  g.sites.push_back({});
  for (std::size_t i = 0; i < n; ++i) {
    wl::Op op;
    op.dtype = core::DType::kFp16;
    const double v = static_cast<double>(64 + (i * 37) % 960);
    switch (i % 4) {
      case 0:
        op.type = wl::OpType::kGemm;
        op.d = {v * 8, v, v, 1, 1};
        break;
      case 1:
        op.type = wl::OpType::kConv2d;
        op.d = {8, v / 4, 28, 28, v / 4, 3, 3, 1, 1, 1, 1};
        break;
      case 2:
        op.type = wl::OpType::kElementwise;
        op.d = {v * 4096, 1, 1};
        break;
      default:
        op.type = wl::OpType::kLayerNorm;
        op.d = {v * 4096, v};
        break;
    }
    g.names.push_back("op");
    op.name = 0;
    s.ops.push_back(op);
    s.op_site.push_back(0);
  }
  g.stages.push_back(std::move(s));
  return g;
}

class Eval : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    platform = std::make_unique<hw::Platform>(demo_platform());
    graph = synthetic(static_cast<std::size_t>(state.range(0)));
  }
  void TearDown(const benchmark::State&) override {
    platform.reset();
    graph = {};
  }
  std::unique_ptr<hw::Platform> platform;
  wl::Graph graph;
};

BENCHMARK_DEFINE_F(Eval, Serial)(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(eval::evaluate(*platform, graph, with_threads(1)).energy_j);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK_DEFINE_F(Eval, Parallel)(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(eval::evaluate(*platform, graph, with_threads(0)).energy_j);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK_REGISTER_F(Eval, Serial)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_REGISTER_F(Eval, Parallel)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
