// dram.*: off-chip memory as parameter sets per standard. Energy is
// n_read_bits · e_read + n_write_bits · e_write (I/O and array together), plus a background
// power while the device is busy and a lower idle (power-down / self-refresh) power.
// Defaults per standard are cited below; where no citable figure was found the default is
// marked as an assumption and is meant to be calibrated (calib/).
#include "hwmodels/memory_model.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {

using namespace jg::core;
namespace {

struct Standard {
  const char* kind;
  const char* summary;
  const char* e_bit;
  const char* e_source;
};

// Energy per bit accessed (read or write) at the device boundary.
constexpr Standard kStandards[] = {
    {"dram.ddr4", "DDR4 SDRAM", "20 pJ/b",
     "assumption: lower end of Horowitz ISSCC 2014 64-bit DRAM read 1.3-2.6 nJ (20-41 pJ/b, DDR3 era); "
     "no citable DDR4 figure in ../shared/data/groundtruth/constants; calibrate"},
    {"dram.ddr5", "DDR5 SDRAM", "16 pJ/b",
     "assumption: DDR4 default scaled by the 1.1 V / 1.2 V supply ratio squared (~0.84) and rounded; calibrate"},
    {"dram.lpddr4", "LPDDR4 SDRAM", "4 pJ/b",
     "Dally, Turakhia, Han, Domain-Specific Hardware Accelerators, CACM 63(7) 2020 (LPDDR4 ~4 pJ/bit; "
     "single secondary transcription, verify)"},
    {"dram.lpddr4x", "LPDDR4X SDRAM", "3.6 pJ/b",
     "assumption: LPDDR4 (Dally 2020, 4 pJ/b) with I/O at 0.6 V instead of 1.1 V, I/O share taken as 20%; calibrate"},
    {"dram.lpddr5", "LPDDR5 SDRAM", "3.2 pJ/b",
     "assumption: LPDDR4X default less 10% for 0.5 V I/O and DVFS of the core; calibrate"},
    {"dram.gddr6", "GDDR6 SGRAM", "7.5 pJ/b",
     "assumption: about half of GDDR5's ~14 pJ/b (O'Connor et al., MICRO 2017, verify) for 1.35 V and "
     "PAM-free 16 Gb/s signalling; calibrate"},
    {"dram.hbm2", "HBM2 stacked DRAM", "3.9 pJ/b",
     "O'Connor et al., Fine-Grained DRAM, MICRO 2017 (HBM2 baseline 3.9 pJ/bit)"},
    {"dram.hbm2e", "HBM2e stacked DRAM", "3.9 pJ/b",
     "assumption: same array and I/O energy as HBM2 (O'Connor et al. MICRO 2017, 3.9 pJ/bit); calibrate"},
    {"dram.hbm3", "HBM3 stacked DRAM", "3.5 pJ/b",
     "assumption: HBM2 3.9 pJ/bit (O'Connor 2017) less 10% for 0.4 V I/O (vs 1.2 V); no citable HBM3 "
     "figure found; calibrate"},
};

}  // namespace

std::vector<core::ModelInfo> dram_infos() {
  std::vector<core::ModelInfo> out;
  for (const auto& s : kStandards) {
    std::string kind = s.kind;
    out.push_back({
        kind,
        Role::kDram,
        std::string(s.summary) + ": capacity, bandwidth, energy per bit, background and idle power",
        {required_quantity("capacity", dims::kData, "total capacity"),
         required_quantity("bandwidth", dims::kBandwidth, "peak bandwidth, all channels/stacks"),
         quantity_param("e_read", dims::kEnergyPerBit, s.e_bit, "energy per bit read", s.e_source),
         quantity_param("e_write", dims::kEnergyPerBit, "", "energy per bit written (default: e_read)"),
         number_param("efficiency", "0.8", 0.01, 1.0, "achieved / peak bandwidth",
                      "assumption: STREAM-like sustained share of peak; calibrate"),
         quantity_param("static_power", dims::kPower, "0 W", "background power while the device is busy"),
         quantity_param("idle_power", dims::kPower, "", "power-down power while idle (default: static_power)")},
        "model = \"" + kind + "\"\ncapacity = \"16 GiB\"\nbandwidth = \"100 GB/s\"\n",
        [kind](const ParamValues& p) { return std::make_unique<MemoryModel>(kind, Role::kDram, false, p); },
    });
  }
  return out;
}

}  // namespace jg::hw
