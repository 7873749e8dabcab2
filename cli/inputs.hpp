// Resolving --hw and --workload: a file path, or the name of a shipped platform or workload.
#pragma once

#include <string>
#include <vector>

#include "engine/core/config.hpp"
#include "engine/report/report.hpp"
#include "hwmodels/platform/platform.hpp"
#include "workloads/graph.hpp"

namespace jg::cli {

struct LoadedInput {
  core::ConfigNode root;
  report::InputRecord record;
};

/// kind: "platform" or "workload".
LoadedInput load_input(const std::string& kind, const std::string& name_or_path);

/// Applies --set assignments: keys under devices./links./storage. (or prefixed hw.) go to the
/// platform, keys prefixed workload. to the workload, and a bare name to workload [params].
void apply_overrides(core::ConfigNode& platform, core::ConfigNode& workload, const std::vector<std::string>& sets);

}  // namespace jg::cli
