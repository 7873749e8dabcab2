// Embodied carbon of a platform's devices and node: the ACT model (Gupta et al., ISCA 2022)
// with its factors from hwmodels/embodied/act.toml.
#include <algorithm>
#include <map>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/platform.hpp"

namespace jg::hw {

const std::vector<core::EmbeddedText>& embodied_files();  // generated (cmake/embed.cmake)

namespace {

using core::ConfigNode;

struct ActFactors {
  std::map<std::string, double> cpa_kg_per_cm2;  ///< per logic node
  std::map<std::string, double> memory_kg_per_gb;
  std::map<std::string, std::string> memory_source;
  double package_kg = 0;
  double ssd_kg_per_gb = 0;
};

const ActFactors& act() {
  static const ActFactors f = [] {
    const char* text = core::find_embedded(embodied_files(), "act");
    const ConfigNode root = core::parse_toml_text(text ? text : "", "builtin:embodied/act.toml");
    ActFactors a;
    const double fab_g_per_kwh = root.at("fab_intensity_g_per_kwh").as_number();
    const double yield = root.at("fab_yield").as_number();
    a.package_kg = root.at("package_g").as_number() / 1000;
    a.ssd_kg_per_gb = root.at("ssd_g_per_gb").as_number() / 1000;
    for (const auto& [node, t] : root.at("logic").entries()) {
      // ACT's default abatement, GPA97, is the mean of its 95 % and 99 % figures.
      const double gpa = (t.at("gpa95_g_per_cm2").as_number() + t.at("gpa99_g_per_cm2").as_number()) / 2;
      const double g =
          (fab_g_per_kwh * t.at("epa_kwh_per_cm2").as_number() + gpa + t.at("mpa_g_per_cm2").as_number()) / yield;
      a.cpa_kg_per_cm2[node] = g / 1000;
    }
    for (const auto& [kind, t] : root.at("memory").entries()) {
      a.memory_kg_per_gb[kind] = t.at("g_per_gb").as_number() / 1000;
      a.memory_source[kind] = t.at("source").as_string();
    }
    return a;
  }();
  return f;
}

int positive_count(const ConfigNode& n, int lo) {
  const std::int64_t v = n.as_int();
  if (v < lo || v > 4096) n.fail("a count between " + std::to_string(lo) + " and 4096", n.describe());
  return static_cast<int>(v);
}

double die_kg(const ConfigNode& area, const ConfigNode& process) {
  const double mm2 = area.as_number();
  if (!(mm2 > 0 && mm2 <= 10000)) area.fail("a die area in mm2 between 0 and 10000", area.describe());
  return mm2 / 100 * act_carbon_per_area_kg_per_cm2(process.as_string(), process);
}

}  // namespace

double act_carbon_per_area_kg_per_cm2(const std::string& node, const ConfigNode& where) {
  const auto& m = act().cpa_kg_per_cm2;
  const auto it = m.find(node);
  if (it == m.end()) {
    std::string nodes;
    for (const auto& [name, cpa] : m) nodes += (nodes.empty() ? "" : ", ") + name;
    where.fail("a logic node of the ACT model: " + nodes, where.describe(),
               "name the nearest node ACT has and say so in source (TSMC 12FFN, a 16 nm-class process: \"14nm\")");
  }
  return it->second;
}

void read_device_embodied(Platform& p, int device, const ConfigNode& t) {
  t.check_keys({"die_area_mm2", "process", "dies", "die", "packages", "memory", "co2e", "source"},
               "device embodied-carbon keys");
  Device& d = p.devices[static_cast<std::size_t>(device)];
  Embodied e;
  e.present = true;
  e.source = t.at("source").as_string();
  const ConfigNode* given = t.find("co2e");
  const ConfigNode* area = t.find("die_area_mm2");
  const ConfigNode* dies = t.find("die");
  if (given) {
    for (const char* k : {"die_area_mm2", "process", "dies", "die", "packages", "memory"})
      if (const ConfigNode* other = t.find(k))
        other->fail("no " + std::string(k) + " beside co2e (a whole-device figure replaces the model)",
                    other->describe());
    e.given_kg = given->as<core::Mass>().si();
    if (!(e.given_kg > 0 && e.given_kg < 1e5)) given->fail("a footprint between 0 and 100 t", given->describe());
    d.embodied = e;
    return;
  }
  if (area && dies) dies->fail("either die_area_mm2 and process, or a `die` array", "both");
  if (area) {
    const int n = t.find("dies") ? positive_count(t.at("dies"), 1) : 1;
    e.logic_kg = n * die_kg(*area, t.at("process"));
  } else if (dies) {
    if (!dies->is_array() || dies->items().empty())
      dies->fail("an array of tables {area_mm2, process, count}", dies->describe());
    for (const auto& item : dies->items()) {
      item.check_keys({"area_mm2", "process", "count"}, "die keys");
      const int n = item.find("count") ? positive_count(item.at("count"), 1) : 1;
      e.logic_kg += n * die_kg(item.at("area_mm2"), item.at("process"));
    }
  } else {
    t.fail("die_area_mm2 and process, a `die` array, or co2e", "none of them");
  }
  for (const char* k : {"process", "dies"})
    if (!area && t.find(k)) t.at(k).fail(std::string(k) + " only with die_area_mm2", t.at(k).describe());
  e.packaging_kg = (t.find("packages") ? positive_count(t.at("packages"), 0) : 1) * act().package_kg;
  const bool memory = t.find("memory") ? t.at("memory").as_bool() : true;
  if (memory && !d.shares_dram && d.dram >= 0) {
    const core::ComponentModel& m = *p.components[static_cast<std::size_t>(d.dram)].model;
    const std::string kind(m.kind());
    const auto it = act().memory_kg_per_gb.find(kind);
    if (it == act().memory_kg_per_gb.end())
      t.fail("a device whose DRAM model has an ACT carbon-per-GB figure", "DRAM model " + kind,
             "set memory = false and count it in co2e of [node.embodied]");
    e.memory_kg = m.memory()->capacity_bytes / 1e9 * it->second;
    e.source += "; memory: " + act().memory_source.at(kind);
  }
  d.embodied = e;
}

void read_node_embodied(Platform& p, const ConfigNode& t) {
  t.check_keys({"co2e", "ssd", "source"}, "node embodied-carbon keys");
  p.node.embodied_source = t.at("source").as_string();
  double kg = 0;
  if (const ConfigNode* c = t.find("co2e")) {
    kg += c->as<core::Mass>().si();
    if (!(kg >= 0 && kg < 1e6)) c->fail("a footprint between 0 and 1000 t", c->describe());
  }
  if (const ConfigNode* s = t.find("ssd")) {
    const double bytes = s->as<core::DataSize>().si() / core::kBitsPerByte;
    if (!(bytes > 0)) s->fail("a positive flash capacity such as \"30 TB\"", s->describe());
    kg += bytes / 1e9 * act().ssd_kg_per_gb;
  }
  p.node.embodied_kg = kg;
}

}  // namespace jg::hw
