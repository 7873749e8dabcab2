// What-if studies: `joulegraph sweep` (every point of a design space, streamed as CSV or JSON
// Lines) and `joulegraph optimize` (Pareto fronts and the best point under a power budget or a
// deadline) over a sweep file (docs: README "Sweeps and optimization").
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace jg::cli {

struct SweepArgs {
  std::string file;
  std::string format = "csv";  ///< csv | jsonl
  std::string out;             ///< "" : standard output
  int threads = 0;             ///< 0: all cores
};
/// 0 done, 130 interrupted (Ctrl-C: the rows written so far form a valid file); ConfigError
/// (exit 2) on a bad sweep file.
int cmd_sweep(const SweepArgs& a, std::ostream& out, std::ostream& err);

struct OptimizeArgs {
  std::string file;
  std::string objective = "time";  ///< time | energy | edp
  std::string max_power;           ///< "30W"; "" none
  std::string deadline;            ///< "90s"; "" none
  std::string format = "table";    ///< table | json
  int threads = 0;
};
/// 0 a point was chosen, 1 no point meets the limits, 130 interrupted; ConfigError on bad input.
int cmd_optimize(const OptimizeArgs& a, std::ostream& out, std::ostream& err);

/// `n` distinct indices of [0, size) drawn with a seeded generator (Floyd's algorithm), sorted;
/// all of them when n >= size. The same on every platform and standard library.
std::vector<std::uint64_t> sample_indices(std::uint64_t size, std::uint64_t n, std::uint64_t seed);

}  // namespace jg::cli
