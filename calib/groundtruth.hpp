// The calibration fitters on published measurements (calib/data/groundtruth, copied from
// ../shared/data/groundtruth): each dataset fitted on part of its rows and scored on the rest.
// `joulegraph calibrate --groundtruth DIR` prints the tables the README quotes.
#pragma once

#include <string>
#include <vector>

#include "calib/fit.hpp"

namespace jg::calib {

struct GroundTruthRow {
  std::string dataset;  ///< "cpu_rapl (Kepler nx12)"
  std::string model;    ///< "OLS: cycles, instructions, cache misses + idle"
  std::string target;   ///< "package power [W]"
  std::string split;    ///< "5-fold CV", "last 25 % of time", "levels 40-70 % held out"
  std::size_t train = 0, test = 0;
  Metrics m;
  std::string note;
};

/// Runs every dataset found under `dir`; ConfigError if a file is missing or malformed.
std::vector<GroundTruthRow> groundtruth_tables(const std::string& dir);
/// Markdown table of the rows.
std::string format_groundtruth(const std::vector<GroundTruthRow>& rows);

}  // namespace jg::calib
