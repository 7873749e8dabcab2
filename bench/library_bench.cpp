// Cost of resolving shipped platforms: parsing and expanding a file (`extends`/`from`), building
// the platform, and indexing the whole library (what an alias lookup or `list platforms` pays).
#include <benchmark/benchmark.h>

#include "hwmodels/models.hpp"
#include "hwmodels/platform/library.hpp"
#include "hwmodels/platform/platform.hpp"

namespace {

void load_named(benchmark::State& state, const char* name) {
  for (auto _ : state) {
    jg::core::ConfigNode root = jg::hw::library_tree(*jg::hw::find_library_platform(name));
    jg::hw::expand_platform(root);
    jg::hw::Platform p = jg::hw::load_platform(root, jg::hw::builtin_registry());
    benchmark::DoNotOptimize(p.components.size());
  }
}

void BM_LoadGpu(benchmark::State& state) { load_named(state, "a100-sxm4-80gb"); }
void BM_LoadJetson(benchmark::State& state) { load_named(state, "jetson-agx-orin-64gb"); }
void BM_LoadDgxNode(benchmark::State& state) { load_named(state, "dgx-a100"); }

// Parses every shipped file once (the index itself is cached after the first call in the CLI).
void BM_ParseWholeLibrary(benchmark::State& state) {
  for (auto _ : state) {
    std::size_t n = 0;
    for (const auto& e : jg::hw::platform_library()) n += jg::core::parse_toml_text(e.text, e.name).entries().size();
    benchmark::DoNotOptimize(n);
  }
}

BENCHMARK(BM_LoadGpu)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadJetson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadDgxNode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseWholeLibrary)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
