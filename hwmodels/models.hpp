// Model descriptions (kind, parameters, example, factory) of every built-in component family.
// Each family's .cpp defines its own; register_builtin.cpp lists them one line each.
#pragma once

#include <vector>

#include "engine/core/registry.hpp"

namespace jg::hw {

core::ModelInfo pe_array_info();
core::ModelInfo cache_sram_info();
std::vector<core::ModelInfo> dram_infos();  ///< one per memory standard
core::ModelInfo pcie_info();
core::ModelInfo nvlink_info();
core::ModelInfo network_info();
core::ModelInfo ssd_info();
core::ModelInfo board_info();

/// The registry of every built-in model (constructed once, immutable).
const core::Registry& builtin_registry();

}  // namespace jg::hw
