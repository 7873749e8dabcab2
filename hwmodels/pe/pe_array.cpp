// pe.array: an array of identical compute units (CPU cores, GPU SMs, FPGA DSP groups).
//
// Peak matrix rate for data type d: R_d = units · peak_ops_per_cycle_d · f   [op/s]
// (one multiply-accumulate counts as 2 ops, the datasheet convention). Energy: each op on the
// matrix path costs energy_per_op_d, each other arithmetic op e_vector_op, each scalar host op
// e_host_op, all at the nominal voltage and scaled by (V/V_nom)² (component.hpp).
#include "engine/core/quantity.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {
namespace {

using namespace jg::core;

class PeArray final : public ComponentModel {
 public:
  explicit PeArray(const ParamValues& p) {
    m_voltage_scaled = true;
    m_caps.units = p.si("units");
    m_caps.nominal_clock = p.get<Frequency>("clock");
    m_caps.nominal_voltage = p.get<Voltage>("voltage");
    m_caps.efficiency = p.si("efficiency");
    m_caps.register_bytes = p.si("register_file") / kBitsPerByte * m_caps.units;
    m_caps.op_action.fill(-1);
    const double f = m_caps.nominal_clock.si();
    for (const auto& [name, dt] : p.children("dtypes")) {
      DType d = *parse_dtype(name);
      const double rate = dt.si("peak_ops_per_cycle");
      m_caps.peak_ops_per_cycle[index_of(d)] = rate;
      m_caps.op_action[index_of(d)] = static_cast<int>(m_actions.size());
      m_actions.push_back({"op_" + name, energy_of(dt, "energy_per_op", "power_at_peak", m_caps.units * rate * f,
                                                   "dtypes." + name + ".")});
    }
    m_caps.vector_ops_per_cycle = p.si("vector_ops_per_cycle");
    m_caps.vector_action = static_cast<int>(m_actions.size());
    m_actions.push_back({"vector_op", energy_of(p, "e_vector_op", "vector_power_at_peak",
                                                m_caps.units * m_caps.vector_ops_per_cycle * f, "")});
    m_caps.host_ops_per_cycle = p.si("host_ops_per_cycle");
    if (m_caps.host_ops_per_cycle > 0) {
      m_caps.host_action = static_cast<int>(m_actions.size());
      m_actions.push_back({"host_op", energy_of(p, "e_host_op", "host_power_at_peak",
                                                m_caps.units * m_caps.host_ops_per_cycle * f, "")});
    }
    m_static = p.get<Power>("static_power");
    m_idle = p.has("idle_power") ? p.get<Power>("idle_power") : m_static;
  }
  std::string_view kind() const override { return "pe.array"; }
  Role role() const override { return Role::kPe; }
  const ComputeCaps* compute() const override { return &m_caps; }

 private:
  /// Energy per op given directly (`energy_key`) or as the power drawn at the peak rate
  /// `ops_per_s` (`power_key`): e = P / R. Exactly one of the two may be given.
  static double energy_of(const ParamValues& v, const std::string& energy_key, const std::string& power_key,
                          double ops_per_s, const std::string& prefix) {
    const bool has_e = v.has(energy_key) && v.loc(energy_key) != nullptr;
    const bool has_p = v.has(power_key);
    if (has_e && has_p)
      throw ConfigError({*v.loc(power_key), prefix + power_key, "either " + energy_key + " or " + power_key, "both",
                         "drop one: " + power_key + " = P means " + energy_key + " = P / peak rate"});
    if (has_p) {
      if (ops_per_s <= 0)
        throw ConfigError({*v.loc(power_key), prefix + power_key, "a peak rate above zero to divide the power by",
                           "a zero rate", ""});
      return v.si(power_key) / ops_per_s;
    }
    if (!v.has(energy_key)) {
      const SourceLoc* at = v.loc("peak_ops_per_cycle");
      throw ConfigError({at ? *at : SourceLoc{}, prefix + energy_key, energy_key + " or " + power_key, "neither",
                         "e.g. " + power_key + " = \"200 W\""});
    }
    return v.si(energy_key);
  }
  ComputeCaps m_caps;
};

std::vector<ParamSpec> dtype_spec() {
  ParamSpec rate = number_param("peak_ops_per_cycle", "", 0, 1e9, "matrix-path ops per cycle per unit (MAC = 2 ops)");
  rate.required = true;
  rate.min_exclusive = true;
  ParamSpec e = quantity_param("energy_per_op", dims::kEnergy, "", "energy of one matrix-path op at nominal voltage");
  ParamSpec pw = quantity_param("power_at_peak", dims::kPower, "",
                                "instead of energy_per_op: dynamic power at the peak rate (e = P / R_peak)");
  return {rate, e, pw};
}

}  // namespace

core::ModelInfo pe_array_info() {
  ParamSpec units = integer_param("units", "1", 1, 1e7, "identical compute units: cores, SMs, DSP groups");
  ParamSpec dtypes;
  dtypes.name = "dtypes";
  dtypes.type = ParamType::TableOf;
  dtypes.choices.assign(kDTypeNames.begin(), kDTypeNames.end());
  dtypes.sub = dtype_spec();
  dtypes.doc = "one table per supported data type: [dtypes.fp16] peak_ops_per_cycle, energy_per_op";
  ParamSpec eff = number_param("efficiency", "0.7", 0.01, 1.0, "achieved / peak rate on large matrix ops",
                               "assumption: typical large-GEMM efficiency; calibrate per platform");
  ParamSpec idle =
      quantity_param("idle_power", dims::kPower, "", "power while the device is idle (default: static_power)");
  return {
      "pe.array",
      Role::kPe,
      "array of compute units with per-data-type peak rates and energy per op",
      {units, required_quantity("clock", dims::kFrequency, "nominal clock at which the peak rates are quoted"),
       quantity_param("voltage", dims::kVoltage, "0.9 V", "nominal core voltage (only V/V_nominal is used)",
                      "assumption: only ratios enter the model"),
       dtypes,
       number_param("vector_ops_per_cycle", "0", 0, 1e9, "other arithmetic ops per cycle per unit (fp32 vector)"),
       quantity_param("e_vector_op", dims::kEnergy, "0 J", "energy of one vector op"),
       quantity_param("vector_power_at_peak", dims::kPower, "",
                      "instead of e_vector_op: dynamic power at the peak vector rate"),
       number_param("host_ops_per_cycle", "0", 0, 1e6, "scalar integer ops per cycle per unit (CPUs: decode, parsing)"),
       quantity_param("e_host_op", dims::kEnergy, "0 J", "energy of one scalar host op"),
       quantity_param("host_power_at_peak", dims::kPower, "",
                      "instead of e_host_op: dynamic power at the peak host rate"),
       quantity_param("register_file", dims::kData, "0 B", "operand storage per unit (innermost reuse level)"), eff,
       quantity_param("static_power", dims::kPower, "0 W", "leakage and clock power while the device is busy"), idle},
      "model = \"pe.array\"\nunits = 108\nclock = \"1.41 GHz\"\n[dtypes.fp16]\npeak_ops_per_cycle = 2048\n"
      "energy_per_op = \"0.3 pJ\"\n",
      [](const ParamValues& p) { return std::make_unique<PeArray>(p); },
  };
}

}  // namespace jg::hw
