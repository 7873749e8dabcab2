// Internal to hwmodels/platform: the power-mode part of load_platform (power_modes.cpp).
#pragma once

#include "engine/core/config.hpp"
#include "hwmodels/platform/platform.hpp"

namespace jg::hw {

/// Reads [power_modes]: knobs (which device setting each sets, its allowed values) and presets.
void read_power_modes(Platform& p, const core::ConfigNode& t);
/// Applies the mode chosen at the top level (power_mode = "15W", knob keys) to the devices.
void apply_power_mode(Platform& p, const core::ConfigNode& root);

}  // namespace jg::hw
