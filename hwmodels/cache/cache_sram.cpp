// cache.sram: one on-chip SRAM level (L1/shared, L2, LLC, BRAM/URAM), all instances together.
// Bandwidth B = bytes_per_cycle · f · efficiency [B/s] follows the device clock; energy is
// n_read_bits · e_read + n_write_bits · e_write, scaled by (V/V_nom)².
#include "hwmodels/memory_model.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {

using namespace jg::core;

core::ModelInfo cache_sram_info() {
  return {
      "cache.sram",
      Role::kCache,
      "on-chip SRAM level: capacity, energy per bit read/written, bandwidth per cycle, leakage",
      {required_quantity("capacity", dims::kData, "total capacity of this level (all instances)"),
       required_quantity("e_read", dims::kEnergyPerBit, "energy per bit read"),
       quantity_param("e_write", dims::kEnergyPerBit, "", "energy per bit written (default: e_read)"),
       number_param("bytes_per_cycle", "64", 0, 1e9, "bytes per core clock cycle, all instances together"),
       number_param("efficiency", "0.8", 0.01, 1.0, "achieved / peak bandwidth",
                    "assumption: typical streaming efficiency; calibrate per platform"),
       quantity_param("static_power", dims::kPower, "0 W", "leakage while the device is busy"),
       quantity_param("idle_power", dims::kPower, "", "power while the device is idle (default: static_power)")},
      "model = \"cache.sram\"\nname = \"l2\"\ncapacity = \"40 MiB\"\ne_read = \"0.2 pJ/b\"\nbytes_per_cycle = 5120\n",
      [](const ParamValues& p) { return std::make_unique<MemoryModel>("cache.sram", Role::kCache, true, p); },
  };
}

}  // namespace jg::hw
