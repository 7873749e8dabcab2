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

/// SHA-256 (hex) of a file's bytes, for provenance records.
std::string file_sha256(const std::string& path);

/// kind: "platform" or "workload".
LoadedInput load_input(const std::string& kind, const std::string& name_or_path);

/// A workload by name or path: a TOML file, a shipped workload, a zoo model (its parameter
/// table with defaults for `platform`: device, host, data type, data-parallel degree), or an
/// ONNX file (a document with `onnx = PATH` and [params]; bare --set keys that are not known
/// parameters become its symbolic dimensions).
LoadedInput load_workload_input(const std::string& name_or_path, const hw::Platform& platform,
                                const std::vector<std::string>& sets);

/// Builds the graph of a loaded workload document: a [[stage]] workload, a zoo model or an
/// ONNX model (strict: unsupported ONNX nodes are errors rather than warnings).
wl::Graph build_graph(const core::ConfigNode& root, bool strict);

/// Applies --set assignments: keys under devices./links./storage. (or prefixed hw.) go to the
/// platform, keys prefixed workload. to the workload, and a bare name to workload [params].
void apply_overrides(core::ConfigNode& platform, core::ConfigNode& workload, const std::vector<std::string>& sets);

/// Stages whose figures a study compares: those named `stage`, else those of that kind; empty
/// `stage`: none (the whole workload). ConfigError at `where` listing names and kinds if none.
std::vector<std::size_t> select_stages(const wl::Graph& g, const std::string& stage, const core::ConfigNode& where,
                                       const std::string& workload);

}  // namespace jg::cli
