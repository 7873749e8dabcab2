// Operational carbon for `joulegraph estimate`: the grid intensity options and what they make of
// a ledger (a constant, a shipped region average, or a series integrated from a start time, and
// the least-emitting start in a window).
#pragma once

#include <optional>
#include <string>

#include "engine/eval/ledger.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/platform/platform.hpp"

namespace jg::cli {

struct CarbonArgs {
  std::string intensity;  ///< "420g/kWh"
  std::string region;     ///< a code of calib/data/grid_intensity.toml
  std::string series;     ///< an intensity series file
  std::string start;      ///< ISO 8601 UTC start of the job on the series
  std::string window;     ///< "BEGIN/END": find the least-emitting start
  [[nodiscard]] bool any() const { return !intensity.empty() || !region.empty() || !series.empty(); }
};

/// Nothing when no intensity option is given. ConfigError for conflicting or malformed options.
/// Carbon = energy at `boundary` x PUE (1 at the facility boundary, which holds it already) x
/// intensity; with a series, the stages run one after another from the start, each at its
/// average power, scaled to the ledger's wall time and boundary energy.
std::optional<report::ReportInput::Carbon> carbon_for(const CarbonArgs& a, const eval::Ledger& L,
                                                      const std::string& boundary, double pue);

/// Embodied carbon of the platform's hardware for the ledger's run: each device's footprint x
/// its instances on all nodes x wall time / node.lifetime, plus [node.embodied] per node. Nothing
/// when no device and no node carries embodied data.
std::optional<report::ReportInput::Embodied> embodied_for(const hw::Platform& p, const eval::Ledger& L);

}  // namespace jg::cli
