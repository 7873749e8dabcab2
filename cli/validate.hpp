// `joulegraph validate-suite`: predicts every metric of every case of published-measurement
// suites and prints the error table and its summary.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "calib/suite.hpp"

namespace jg::cli {

struct CaseResult {
  std::string id;
  calib::CaseKind kind = calib::CaseKind::kTrainingRun;
  bool calibration = false;
  std::string metric;
  double predicted = 0, published = 0;
  [[nodiscard]] double error_pct() const { return 100.0 * (predicted - published) / published; }
};

/// Predicts a case's metrics (in the order the case lists them). ConfigError/ModelError when
/// the case cannot run.
std::vector<CaseResult> predict_case(const calib::Case& c);

struct Summary {
  std::size_t n = 0;
  double mape_pct = 0, median_abs_error_pct = 0, within_10_pct = 0, within_25_pct = 0;
};
Summary summarize(const std::vector<CaseResult>& rows);

int cmd_validate_suite(const std::vector<std::string>& files, const std::string& format, std::ostream& out);

}  // namespace jg::cli
