// `joulegraph calibrate`: fit a platform's energies and powers to a measured trace.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace jg::cli {

struct CalibrateArgs {
  std::string hw;
  std::string trace;
  std::string format = "auto";
  std::string markers;
  std::string workload;
  std::vector<std::string> sets;
  std::vector<std::string> channels;  ///< power channels summed into the measurement (default: all)
  std::string device;                 ///< levels mode: the device the meter sees (default: first GPU, else first)
  double instances = 0;               ///< levels mode: instances the meter covers (0: the device's count)
  std::size_t levels = 3;
  double window_s = 1.0;
  std::string method = "nnls";
  double ridge = 0;
  std::string out;
  std::string groundtruth;  ///< a ground-truth folder: print the fitters' error tables instead
};

int cmd_calibrate(const CalibrateArgs& a, std::ostream& out);

}  // namespace jg::cli
