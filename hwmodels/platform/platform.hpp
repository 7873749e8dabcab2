// A platform: named devices (each a PE array, cache levels, DRAM, a board remainder), links
// between devices and storage attached to them, with operating points (DVFS curve, clock,
// power cap). Built from TOML and validated completely before any evaluation (DESIGN.md §1.5).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/core/component.hpp"
#include "engine/core/config.hpp"
#include "engine/core/embedded.hpp"
#include "engine/core/registry.hpp"

namespace jg::hw {

struct VfPoint {
  double freq_hz = 0;
  double volt_v = 0;
};

struct PlatformComponent {
  std::string id;   ///< "gpu.pe", "gpu.l2", "gpu.dram", "pcie0"
  int device = -1;  ///< owning device; -1 for links
  std::unique_ptr<core::ComponentModel> model;
  core::SourceLoc loc;
};

struct Device {
  std::string name;
  std::string kind;  ///< cpu | gpu | fpga | accelerator | soc
  int pe = -1;
  std::vector<int> caches;  ///< innermost first
  int dram = -1;
  int board = -1;            ///< -1 if absent
  std::vector<int> storage;  ///< storage components attached to this device
  std::vector<int> members;  ///< every component charged with this device's busy/idle state
  double clock_hz = 0;       ///< operating clock
  double nominal_clock_hz = 0;
  double min_clock_hz = 0;  ///< lowest clock a power cap may throttle to
  double power_cap_w = 0;   ///< 0: no cap
  double launch_overhead_s = 0;
  std::vector<VfPoint> vf_curve;  ///< ascending frequency; empty: fixed nominal voltage
  /// Voltage at frequency f: linear interpolation of the curve, clamped at its ends; the
  /// nominal voltage without a curve. [V]
  [[nodiscard]] double voltage_at(double f_hz, double nominal_v) const;
};

struct LinkEnds {
  int component = -1;
  int a = -1, b = -1;  ///< device indices
};

class Platform {
 public:
  std::string name;
  std::string description;
  std::vector<PlatformComponent> components;
  std::vector<Device> devices;
  std::vector<LinkEnds> links;

  [[nodiscard]] int find_device(const std::string& name) const;  ///< -1 if absent
  [[nodiscard]] int link_between(int a, int b) const;            ///< component index, -1 if none
  [[nodiscard]] std::vector<std::string> device_names() const;
  [[nodiscard]] const core::ComputeCaps& pe_caps(int device) const;
};

/// Builds a platform from a parsed TOML document. Throws ConfigError on any bad input.
Platform load_platform(const core::ConfigNode& root, const core::Registry& registry);

/// Platforms shipped in hwmodels/library, embedded at build time.
const std::vector<core::EmbeddedText>& platform_library();

}  // namespace jg::hw
