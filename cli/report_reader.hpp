// Reads back a report that `joulegraph estimate --format json` wrote, for `check-budget` and
// `diff`: the figures those commands compare, in plain numbers. A file that is not such a report
// gets a ConfigError naming its line, column and key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/core/error.hpp"

namespace jg::cli {

/// Energy, time and carbon of the whole run or one stage.
struct RunFigures {
  double energy_j = 0;  ///< at the report's boundary
  double time_s = 0;
  std::optional<double> co2e_g;           ///< operational (only when estimate was given an intensity)
  std::optional<double> co2e_embodied_g;  ///< only when the platform carries embodied data
  [[nodiscard]] double avg_power_w() const { return time_s > 0 ? energy_j / time_s : 0.0; }
};

struct ReportData {
  std::string path;
  std::string platform, workload, boundary;
  core::SourceLoc boundary_loc;  ///< where `boundary` is written
  RunFigures total;
  struct Named {
    std::string name;
    double energy_j = 0;  ///< node boundary (components and ops add up to the stage's node energy)
    double time_s = 0;
  };
  struct Stage {
    std::string name, kind;
    RunFigures figures;
    std::vector<Named> components;  ///< time_s unused
    std::vector<Named> ops;
  };
  std::vector<Stage> stages;
};

/// ConfigError (exit 2) if the file is missing, not JSON, or lacks a key a report has.
ReportData read_report(const std::string& path);

}  // namespace jg::cli
