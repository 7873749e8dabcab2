// `joulegraph transfer`: carry the power-mode model to a new workload from a few measured modes
// (PowerTrain), and compare ways of choosing which modes to measure (cli/transfer.cpp).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace jg::cli {

struct TransferArgs {
  std::string file;                      ///< transfer spec (TOML)
  std::size_t fit = 10;                  ///< modes of the target to fit on
  std::string strategy = "uncertainty";  ///< random | maximin | uncertainty
  bool study = false;                    ///< compare the strategies for 0..max_modes measured modes
  std::size_t max_modes = 20;
  int seed = 1;
  std::string out;  ///< predictions at every measured mode (CSV)
};
int cmd_transfer(const TransferArgs& a, std::ostream& out);

}  // namespace jg::cli
