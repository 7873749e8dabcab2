// A platform: named devices (each a PE array, cache levels, DRAM, a board remainder), links
// between devices and storage attached to them, with operating points (DVFS curve, clock,
// power cap). Built from TOML and validated completely before any evaluation (DESIGN.md §1.5).
#pragma once

#include <array>
#include <cstdint>
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

/// What the vendor promises, per instance: compared with the model by the library tests and
/// shown by `describe`. Zero means "not given".
struct Datasheet {
  bool present = false;
  double tdp_w = 0;
  double idle_w = 0;
  double dram_bandwidth_bytes_per_s = 0;
  std::array<double, core::kDTypeCount> peak_ops_per_s{};
  std::string source;
};

struct PlatformComponent {
  std::string id;   ///< "gpu.pe", "gpu.l2", "gpu.dram", "pcie0", "node.fans"
  int device = -1;  ///< owning device; -1 for links and node parts
  int count = 1;    ///< identical instances (the device's count; a link's or node part's own)
  /// Immutable once loaded; shared, so that a Platform copies cheaply (a sweep gives every
  /// worker its own copy to set operating points on).
  std::shared_ptr<const core::ComponentModel> model;
  core::SourceLoc loc;
};

/// Manufacturing (embodied) carbon of one instance of a device, by the ACT model
/// (hwmodels/embodied/act.toml): die area x carbon per area of its node, one package footprint
/// per IC package, own DRAM capacity x carbon per GB of its type. A figure given whole (a
/// vendor's product carbon footprint, an LCA) replaces the model. Absent: no data.
struct Embodied {
  bool present = false;
  double logic_kg = 0;      ///< dies: area x CPA(node)
  double packaging_kg = 0;  ///< IC packages x package footprint
  double memory_kg = 0;     ///< the device's own DRAM (not shared memory it uses)
  double given_kg = 0;      ///< `co2e`: a whole-device figure, used instead of the three above
  std::string source;
  [[nodiscard]] double total_kg() const { return given_kg > 0 ? given_kg : logic_kg + packaging_kg + memory_kg; }
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
  int count = 1;                  ///< identical instances (sockets, GPUs); rates and powers scale with it
  double active_units = 0;        ///< online PE units (power mode "cores"); pe units by default
  double memory_clock_ratio = 1;  ///< DRAM clock / the clock its bandwidth is quoted at (owner's)
  bool shares_dram = false;       ///< `dram` is another device's memory (Jetson, SoCs)
  double power_limit_min_w = 0, power_limit_max_w = 0;  ///< accepted power_cap range; 0: unknown
  Datasheet datasheet;
  Embodied embodied;  ///< per instance
  /// Voltage at frequency f: linear interpolation of the curve, clamped at its ends; the
  /// nominal voltage without a curve. [V]
  [[nodiscard]] double voltage_at(double f_hz, double nominal_v) const;
};

struct LinkEnds {
  int component = -1;
  int a = -1, b = -1;       ///< device indices (a == b for a fabric among instances or a network port)
  bool inter_node = false;  ///< the device's ports to the same device on other nodes (link.network)
};

/// A discrete operating-point setting (Jetson nvpmodel knobs and presets).
struct Knob {
  enum class Sets : std::uint8_t { kClock, kCores, kMemoryClock };
  std::string name;  ///< "gpu_freq"
  int device = -1;
  Sets sets = Sets::kClock;
  std::vector<double> values;  ///< ascending; SI (Hz) or a count
  bool is_count = false;       ///< values are integers (cores)
};

struct Preset {
  std::string name;
  double budget_w = 0;          ///< 0: none (MAXN)
  std::vector<double> setting;  ///< per knob, a member of its values
};

struct PowerModes {
  std::vector<Knob> knobs;
  std::vector<Preset> presets;
  std::string default_preset;
  std::string source;
  std::string caveat;                 ///< what the presets leave out (e.g. undocumented per-mode GPU TPC counts)
  std::string active;                 ///< "15W", or "15W+gpu_freq" when knobs were overridden
  std::vector<double> active_values;  ///< per knob
  [[nodiscard]] bool empty() const { return knobs.empty(); }
  /// Number of distinct custom modes (product of the knob value counts).
  [[nodiscard]] double combinations() const;
  [[nodiscard]] std::string format_value(std::size_t knob, double v) const;
};

/// What encloses the devices: reporting boundaries and always-on node parts.
struct NodeSpec {
  double psu_efficiency = 1.0;           ///< DC / AC
  double pue = 1.0;                      ///< facility / IT power
  std::vector<char> in_device_boundary;  ///< per device
  std::vector<int> parts;                ///< components drawn whenever the node runs (fans, NICs)
  std::string source;
  /// Service life over which the hardware's embodied carbon is amortized (default 5 years, as
  /// LLMCarbon's embodied model; `lifetime`). [s]
  double lifetime_s = 5 * core::kSecondsPerYear;
  /// [node.embodied]: what the devices leave out (chassis, boards, PSUs as a given figure; SSDs
  /// by capacity). Per node. [kg]
  double embodied_kg = 0;
  std::string embodied_source;
};

class Platform {
 public:
  std::string name;
  std::string description;
  std::vector<std::string> aliases;
  Datasheet datasheet;  ///< whole platform (module, node), if given
  PowerModes power_modes;
  NodeSpec node;
  std::vector<PlatformComponent> components;
  std::vector<Device> devices;
  std::vector<LinkEnds> links;

  [[nodiscard]] int find_device(const std::string& name) const;  ///< -1 if absent
  [[nodiscard]] int link_between(int a, int b) const;            ///< component index, -1 if none (in the node)
  [[nodiscard]] int network_link(int device) const;              ///< its link.network component, -1 if none
  [[nodiscard]] std::vector<std::string> device_names() const;
  [[nodiscard]] const core::ComputeCaps& pe_caps(int device) const;
  /// Idle power of one instance of a device: its PE, caches, own DRAM and board (not storage),
  /// at the active power mode's online units. [W]
  [[nodiscard]] double device_idle_power_w(int device) const;
  /// Idle power of the whole platform: every component's idle power times its count, node
  /// parts at their (always-on) static power. [W]
  [[nodiscard]] double idle_power_w() const;
};

/// Sets a custom power mode: per knob of p.power_modes a member of its values (SI). Updates the
/// knobs' devices (clock, online units, memory clock; devices sharing memory follow its owner)
/// and power_modes.active/active_values. No parsing: a sweep calls it per point. Throws
/// std::invalid_argument on a value the knob lacks.
void set_power_mode(Platform& p, const std::vector<double>& values);
/// Index of `v` among a knob's values (relative tolerance 1e-6), or -1.
int find_knob_value(const Knob& k, double v);

/// Top-level keys that select an operating point in an (expanded) platform tree: `power_mode`
/// and the names of its [power_modes.knobs]; empty knobs when it has none.
std::vector<std::string> power_mode_keys(const core::ConfigNode& root);

/// Builds a platform from a parsed TOML document (expanding `extends` and `from` first, see
/// library.hpp). Applies the power mode selected by `power_mode` and knob keys at the top.
/// Throws ConfigError on any bad input.
Platform load_platform(const core::ConfigNode& root, const core::Registry& registry);

/// Reads [devices.NAME.embodied] (once the device's DRAM is known) and [node.embodied] with the
/// ACT factors of hwmodels/embodied/act.toml (embodied.cpp). ConfigError on bad input.
void read_device_embodied(Platform& p, int device, const core::ConfigNode& t);
void read_node_embodied(Platform& p, const core::ConfigNode& t);
/// Carbon per cm2 of die on a logic node of act.toml ("7nm"); ConfigError at `where` if unknown. [kg/cm2]
double act_carbon_per_area_kg_per_cm2(const std::string& node, const core::ConfigNode& where);

/// Platforms shipped in hwmodels/library, embedded at build time.
const std::vector<core::EmbeddedText>& platform_library();

}  // namespace jg::hw
