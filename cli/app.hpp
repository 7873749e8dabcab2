// The joulegraph command line: the only place that wires hardware, workloads, evaluation and
// reports together, and the only place that catches errors and maps them to exit codes
// (0 ok, 2 bad input, 3 outside a model's domain, 70 internal error).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace jg::cli {

/// Runs the command line `args` (without the program name); returns the exit code.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace jg::cli
