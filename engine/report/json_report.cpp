// The one translation unit of engine/ that includes nlohmann-json.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/report/report.hpp"

namespace jg::report {

std::string render_json(const ReportInput& in) {
  using nlohmann::ordered_json;
  const auto& L = in.ledger;
  ordered_json j;
  j["schema_version"] = kSchemaVersion;
  j["platform"] = in.platform.name;
  j["workload"] = in.graph.name;
  j["nodes"] = L.nodes;
  if (in.calibration)
    j["calibration"] = {{"path", in.calibration->path},
                        {"sha256", in.calibration->sha256},
                        {"interval90_rel_lo", in.calibration->rel_lo},
                        {"interval90_rel_hi", in.calibration->rel_hi}};
  auto bounds = [](const eval::BoundaryEnergy& b) {
    return ordered_json{
        {"device_j", b.device_j}, {"node_j", b.node_j}, {"wall_j", b.wall_j}, {"facility_j", b.facility_j}};
  };
  j["boundary"] = in.boundary;
  j["totals"] = {{"energy_j", L.energy_j},
                 {"time_s", L.time_s},
                 {"avg_power_w", L.avg_power_w()},
                 {"energy_j_lo", in.energy_lo(L.energy_j)},
                 {"energy_j_hi", in.energy_hi(L.energy_j)},
                 {"boundary_energy_j", boundary_energy(L.boundary, in.boundary)},
                 {"boundaries", bounds(L.boundary)}};
  if (in.carbon) {
    const auto& c = *in.carbon;
    auto& t = j["totals"];
    t["co2e_g"] = c.co2e_g;
    if (c.co2e_lca_g) t["co2e_lca_g"] = *c.co2e_lca_g;
    t["pue"] = c.pue;
    t["grid_g_per_kwh"] = c.grid_g_per_kwh;
    if (c.grid_lca_g_per_kwh) t["grid_lca_g_per_kwh"] = *c.grid_lca_g_per_kwh;
    t["intensity_source"] = c.intensity_source;
    if (c.window) {
      const auto& w = *c.window;
      j["carbon_aware_start"] = {
          {"window_begin", w.begin},
          {"window_end", w.end},
          {"best_start", w.best_start},
          {"co2e_g_best", w.best_g},
          {"co2e_g_at_window_begin", w.at_begin_g},
          {"saving_g", w.at_begin_g - w.best_g},
          {"saving_pct", w.at_begin_g > 0 ? 100 * (w.at_begin_g - w.best_g) / w.at_begin_g : 0.0}};
    }
  }
  if (in.embodied) {
    const auto& e = *in.embodied;
    j["totals"]["co2e_embodied_g"] = e.co2e_g;
    ordered_json rows = ordered_json::array();
    for (const auto& r : e.rows)
      rows.push_back({{"name", r.name},
                      {"count", r.count},
                      {"footprint_kg", r.footprint_kg},
                      {"device_hours", r.device_hours},
                      {"co2e_g", r.co2e_g},
                      {"source", r.source}});
    j["embodied"] = {{"co2e_g", e.co2e_g},
                     {"lifetime_s", e.lifetime_s},
                     {"model", "ACT (Gupta et al., ISCA 2022): die area x carbon per area + packages + DRAM per GB"},
                     {"parts", rows},
                     {"not_covered", e.not_covered}};
  }
  if (!in.platform.power_modes.empty()) {
    const auto& m = in.platform.power_modes;
    ordered_json knobs = ordered_json::object();
    for (std::size_t k = 0; k < m.knobs.size(); ++k) knobs[m.knobs[k].name] = m.active_values[k];
    j["power_mode"] = {{"name", m.active}, {"knobs_si", knobs}};
  }
  ordered_json memory = ordered_json::array();
  for (const auto& m : in.memory)
    memory.push_back({{"device", m.device},
                      {"need_bytes_per_instance", m.need_bytes},
                      {"capacity_bytes_per_instance", m.capacity_bytes},
                      {"fits", m.fits()}});
  j["memory"] = memory;
  j["status"] =
      std::all_of(in.memory.begin(), in.memory.end(), [](const auto& m) { return m.fits(); }) ? "ok" : "does_not_fit";
  j["warnings"] = in.graph.warnings;
  ordered_json stages = ordered_json::array();
  for (std::size_t si = 0; si < L.stages.size(); ++si) {
    const auto& s = L.stages[si];
    ordered_json st;
    st["name"] = s.name;
    st["kind"] = wl::stage_kind_name(s.kind);
    st["device"] = s.device;
    st["repeat"] = s.repeat;
    st["energy_j"] = s.energy_j;
    st["energy_j_lo"] = in.energy_lo(s.energy_j);
    st["energy_j_hi"] = in.energy_hi(s.energy_j);
    st["time_s"] = s.time_s;
    st["avg_power_w"] = s.avg_power_w();
    st["boundaries"] = bounds(s.boundary);
    if (in.carbon) st["co2e_g"] = in.carbon->stage_co2e_g[si];
    if (in.embodied) st["co2e_embodied_g"] = in.embodied->stage_co2e_g[si];
    st["device_avg_power_w"] = s.time_s > 0 ? s.device_energy_j / s.time_s : 0.0;
    st["clock_hz"] = s.clock_hz;
    st["throttled"] = s.throttled;
    st["power_cap_met"] = !s.cap_unattainable;
    if (!s.overlaps.empty())
      st["overlap"] = {{"with", s.overlaps}, {"hidden_s", s.overlap_s}, {"credit_j", s.overlap_credit_j}};
    if (s.bubble_s > 0) st["pipeline_bubble"] = {{"time_s", s.bubble_s}, {"energy_j", s.bubble_j}};
    if (s.host_wait_s > 0) st["host_wait"] = {{"time_s", s.host_wait_s}, {"energy_j", s.host_wait_j}};
    if (s.wait_s > 0) st["wait"] = {{"time_s", s.wait_s}, {"energy_j", s.wait_j}};
    ordered_json comps = ordered_json::object();
    const auto ce = L.component_energy(s);
    for (std::size_t c = 0; c < ce.size(); ++c) comps[L.component_ids[c]] = {{"energy_j", ce[c]}};
    st["components"] = comps;
    ordered_json actions = ordered_json::object();
    for (std::size_t k = 0; k < L.slots.size(); ++k)
      if (s.slot_energy_j[k] > 0)
        actions[L.component_ids[static_cast<std::size_t>(L.slots[k].component)] + "." + L.slots[k].action] =
            s.slot_energy_j[k];
    st["actions_j"] = actions;
    ordered_json ops = ordered_json::array();
    for (const auto& o : s.ops) {
      const wl::Op& op = in.graph.stages[si].ops[o.op];
      ops.push_back({{"name", in.graph.names[op.name]},
                     {"group", in.graph.groups[op.group]},
                     {"block", block_kind(in.graph, op)},
                     {"type", wl::op_type_name(op.type)},
                     {"pass", wl::pass_name(op.pass)},
                     {"dtype", core::dtype_name(op.dtype)},
                     {"energy_j", o.energy_j},
                     {"time_s", o.time_s},
                     {"macs", o.macs},
                     {"flops", o.flops},
                     {"dram_bytes", o.dram_bytes}});
    }
    st["ops"] = ops;
    for (bool kind : {true, false}) {
      ordered_json rows = ordered_json::array();
      for (const auto& r : group_rows(in, si, kind))
        rows.push_back({{"name", r.name},
                        {"ops", r.ops},
                        {"energy_j", r.energy_j},
                        {"time_s", r.time_s},
                        {"macs", r.macs},
                        {"flops", r.flops},
                        {"dram_bytes", r.dram_bytes}});
      st[kind ? "blocks" : "groups"] = rows;
    }
    stages.push_back(st);
  }
  j["stages"] = stages;
  ordered_json inputs = ordered_json::array();
  for (const auto& i : in.provenance.inputs)
    inputs.push_back({{"role", i.role}, {"name", i.name}, {"sha256", i.sha256}});
  ordered_json kinds = ordered_json::array();
  std::vector<std::string> seen;
  for (const auto& c : in.platform.components) {
    std::string k(c.model->kind());
    if (std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(k);
  }
  for (const auto& k : seen) kinds.push_back(k);
  j["provenance"] = {{"tool", "joulegraph"},
                     {"tool_version", tool_version()},
                     {"inputs", inputs},
                     {"overrides", in.provenance.overrides},
                     {"model_kinds", kinds}};
  return j.dump(2) + "\n";
}

}  // namespace jg::report
