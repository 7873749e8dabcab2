// Sweep and optimize throughput, in process (the sweep file is read, the platform and graph
// built, every point evaluated; output goes to memory). Threads 1 and 2 give the speed-up.
//  - Orin/ResNet50Train: every custom power mode of the Jetson AGX Orin 64 GB (489,984) for a
//    ResNet-50 training step at batch 32, through `optimize` (fastest under 30 W) and `sweep` (CSV).
//  - Million/BertBaseTrain: 1e6 points sampled from batch 8..64 x every AGX Orin mode for a
//    BERT-base training step (a mid-size model: 110 M parameters, about 1,500 ops per step).
// The whole-process wall times in README.md come from `time joulegraph ...` on the same files.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/app.hpp"

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string p =
      (std::filesystem::temp_directory_path() / ("jg_bench_" + std::to_string(::getpid()) + "_" + name)).string();
  std::ofstream(p) << text;
  return p;
}

const std::string kOrin = R"(schema_version = 1
platform = "jetson-agx-orin-64gb"
workload = "resnet50"
stage = "training"
[set]
batch = 32
mode = "train"
steps = 1
[axes]
power_mode = "all"
)";

const std::string kMillion = R"(schema_version = 1
platform = "jetson-agx-orin-64gb"
workload = "bert-base"
[set]
mode = "train"
steps = 1
[axes]
batch = { from = 8, to = 64, step = 8 }
power_mode = "all"
[sample]
n = 1000000
seed = 1
)";

void run(benchmark::State& state, const std::string& text, const std::string& command, std::int64_t points) {
  const std::string file = write_file(command + ".toml", text);
  for (auto _ : state) {
    std::ostringstream out, err;
    std::vector<std::string> args = {command, file, "--threads", std::to_string(state.range(0))};
    if (command == "optimize") {
      args.push_back("--max-power");
      args.push_back("30W");
    }
    const int code = jg::cli::run(args, out, err);
    if (code != 0) state.SkipWithError(err.str().c_str());
    benchmark::DoNotOptimize(out.str().size());
  }
  state.SetItemsProcessed(state.iterations() * points);
  std::filesystem::remove(file);
}

void Orin_Optimize(benchmark::State& s) { run(s, kOrin, "optimize", 489984); }
void Orin_SweepCsv(benchmark::State& s) { run(s, kOrin, "sweep", 489984); }
void Million_Optimize(benchmark::State& s) { run(s, kMillion, "optimize", 1000000); }

BENCHMARK(Orin_Optimize)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Orin_SweepCsv)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Million_Optimize)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
