#include "calib/suite.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "engine/core/config.hpp"
#include "engine/core/quantity.hpp"

namespace jg::calib {

using core::ConfigNode;

namespace {

constexpr std::array<std::string_view, kCaseKindCount> kKindNames = {"training_run", "inference_throughput",
                                                                     "llm_serving", "server_power"};

const std::vector<std::string> kCommonKeys = {
    "id",  "kind",   "platform", "count",       "workload", "boundary", "pue", "metrics", "operating_point",
    "set", "source", "dtype",    "calibration", "note"};

std::vector<std::string> keys_of(CaseKind k) {
  std::vector<std::string> keys = kCommonKeys;
  switch (k) {
    case CaseKind::kTrainingRun:
      keys.insert(keys.end(),
                  {"tokens", "steps", "batch", "seq_len", "duration_s", "grid_g_per_kwh", "accounting_power_w"});
      break;
    case CaseKind::kInferenceThroughput:
      keys.insert(keys.end(), {"scenario", "batch"});
      break;
    case CaseKind::kLlmServing:
      keys.insert(keys.end(), {"tensor_parallel", "max_num_seqs", "input_len", "output_len"});
      break;
    case CaseKind::kServerPower:
      keys.insert(keys.end(), {"utilization"});
      break;
  }
  return keys;
}

double positive(const ConfigNode& n) {
  const double v = n.as_number();
  if (!(v > 0) || !std::isfinite(v)) n.fail("a positive number", n.describe());
  return v;
}

std::string choice(const ConfigNode& n, const std::vector<std::string>& allowed) {
  const std::string& v = n.as_string();
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
    n.fail(
        "one of: " +
            [&] {
              std::string s;
              for (const auto& a : allowed) s += (s.empty() ? "" : ", ") + a;
              return s;
            }(),
        n.describe(), core::did_you_mean(v, allowed));
  return v;
}

std::string set_value(const ConfigNode& v) {
  if (v.is_string()) return v.as_string();
  if (v.kind() == ConfigNode::Kind::Bool) return v.as_bool() ? "true" : "false";
  if (v.is_number()) return core::format_number(v.as_number());
  v.fail("a string, number or boolean override", v.describe());
}

void flatten_set(const ConfigNode& t, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [k, v] : t.entries()) {
    if (v.is_table())
      flatten_set(v, prefix + k + ".", out);
    else
      out.push_back(prefix + k + "=" + set_value(v));
  }
}

Case read_case(const ConfigNode& t) {
  Case c;
  c.loc = t.loc();
  const ConfigNode& kind = t.at("kind");
  std::vector<std::string> kinds(kKindNames.begin(), kKindNames.end());
  c.kind = static_cast<CaseKind>(std::find(kinds.begin(), kinds.end(), choice(kind, kinds)) - kinds.begin());
  const auto keys = keys_of(c.kind);
  for (const auto& [k, v] : t.entries())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      v.fail_unknown_key("a key of a '" + std::string(case_kind_name(c.kind)) + "' case", k, keys);
  c.id = t.at("id").as_string();
  const ConfigNode& p = t.at("platform");
  if (p.is_table()) {
    static const std::vector<std::string> kNodeKeys = {"accelerator", "accelerators_per_node", "host_cpu",
                                                       "host_cpus_per_node"};
    for (const auto& [k, v] : p.entries())
      if (std::find(kNodeKeys.begin(), kNodeKeys.end(), k) == kNodeKeys.end())
        v.fail_unknown_key("a key of an inline node", k, kNodeKeys);
    InlineNode n;
    if (const ConfigNode* a = p.find("accelerator")) {
      n.accelerator = a->as_string();
      n.accelerators_per_node = p.find("accelerators_per_node") ? positive(p.at("accelerators_per_node")) : 1;
    }
    if (const ConfigNode* h = p.find("host_cpu")) {
      n.host_cpu = h->as_string();
      n.host_cpus_per_node = p.find("host_cpus_per_node") ? positive(p.at("host_cpus_per_node")) : 1;
    }
    if (n.accelerator.empty() && n.host_cpu.empty())
      p.fail("an inline node with an accelerator, a host_cpu or both", "neither");
    c.platform = n.spec();
    c.inline_node = true;
  } else {
    c.platform = p.as_string();
  }
  if (const ConfigNode* n = t.find("count")) {
    c.count = positive(*n);
    if (std::floor(c.count) != c.count) n->fail("a whole number of devices or nodes", n->describe());
  }
  if (const ConfigNode* w = t.find("workload")) c.workload = w->as_string();
  if (c.kind != CaseKind::kServerPower && c.workload.empty()) (void)t.at("workload");  // required
  if (const ConfigNode* b = t.find("boundary")) c.boundary = choice(*b, {"device", "node", "wall", "facility"});
  if (const ConfigNode* q = t.find("pue")) {
    c.pue = q->as_number();
    if (!(c.pue >= 1) || !std::isfinite(c.pue)) q->fail("a PUE of at least 1", q->describe());
    if (c.boundary != "facility") q->fail("pue only with boundary = \"facility\"", "boundary = \"" + c.boundary + "\"");
  }
  if (const ConfigNode* o = t.find("operating_point"))
    c.operating_point = choice(*o, {"max_performance", "max_efficiency"});
  if (const ConfigNode* s = t.find("set")) {
    if (!s->is_table()) s->fail("a table of overrides, e.g. set = { batch = 64 }", s->describe());
    flatten_set(*s, "", c.sets);
  }
  if (const ConfigNode* d = t.find("dtype")) c.dtype = d->as_string();
  if (const ConfigNode* s = t.find("source")) c.source = s->as_string();
  if (const ConfigNode* s = t.find("calibration")) c.calibration = s->as_bool();
  auto num = [&](const char* k, double& v) {
    if (const ConfigNode* n = t.find(k)) v = positive(*n);
  };
  switch (c.kind) {
    case CaseKind::kTrainingRun:
      num("tokens", c.tokens);
      num("steps", c.steps);
      num("batch", c.batch);
      num("seq_len", c.seq_len);
      num("duration_s", c.duration_s);
      num("grid_g_per_kwh", c.grid_g_per_kwh);
      num("accounting_power_w", c.accounting_power_w);
      if (c.accounting_power_w > 0 && c.duration_s > 0)
        t.at("accounting_power_w")
            .fail("accounting_power_w without duration_s (with both, the published energy leaves nothing to predict)",
                  "both");
      if (c.accounting_power_w > 0 && c.boundary != "device" && c.boundary != "facility")
        t.at("accounting_power_w")
            .fail("accounting_power_w with boundary = \"device\" (or \"facility\" with pue)",
                  "boundary = \"" + c.boundary + "\"");
      if (c.tokens == 0 && c.steps == 0) t.fail("tokens, or steps with batch and seq_len", "neither tokens nor steps");
      if (c.steps > 0 && (c.batch == 0 || c.seq_len == 0))
        t.at("steps").fail("steps together with batch and seq_len", "steps without batch or seq_len");
      break;
    case CaseKind::kInferenceThroughput:
      c.scenario = choice(t.at("scenario"), {"offline", "single_stream"});
      num("batch", c.batch);
      break;
    case CaseKind::kLlmServing:
      num("tensor_parallel", c.tensor_parallel);
      num("max_num_seqs", c.max_num_seqs);
      num("input_len", c.input_len);
      num("output_len", c.output_len);
      if (c.max_num_seqs == 0) (void)t.at("max_num_seqs");
      if (c.output_len == 0) (void)t.at("output_len");
      break;
    case CaseKind::kServerPower: {
      const ConfigNode& u = t.at("utilization");
      c.utilization = u.as_number();
      if (!(c.utilization >= 0 && c.utilization <= 1)) u.fail("a utilization in [0, 1]", u.describe());
      break;
    }
  }
  const ConfigNode& m = t.at("metrics");
  if (!m.is_table() || m.entries().empty())
    m.fail("a table of published metrics, e.g. { energy_mwh = 1287 }", m.describe());
  const auto& allowed = case_metrics(c.kind);
  for (const auto& [k, v] : m.entries()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      v.fail_unknown_key("a metric of a '" + std::string(case_kind_name(c.kind)) + "' case", k, allowed);
    if (k == "co2e_t" && c.grid_g_per_kwh == 0)
      v.fail("co2e_t together with grid_g_per_kwh", "no grid_g_per_kwh in the case");
    c.metrics.emplace_back(k, positive(v));
    c.metric_locs.push_back(v.loc());
  }
  return c;
}

}  // namespace

std::string_view case_kind_name(CaseKind k) { return kKindNames[static_cast<std::size_t>(k)]; }

std::string InlineNode::spec() const {
  std::string s;
  if (!accelerator.empty()) s = core::format_number(accelerators_per_node) + "x" + accelerator;
  if (!host_cpu.empty()) s += (s.empty() ? "" : "+") + core::format_number(host_cpus_per_node) + "x" + host_cpu;
  return s;
}

const std::vector<std::string>& case_metrics(CaseKind k) {
  static const std::array<std::vector<std::string>, kCaseKindCount> kMetrics = {{
      {"energy_j", "energy_kwh", "energy_mwh", "avg_power_w", "time_s", "device_hours", "co2e_t"},
      {"throughput_per_s", "power_w", "samples_per_j", "latency_s", "energy_per_sample_j"},
      {"energy_per_token_j", "energy_per_request_j", "power_w", "tokens_per_s"},
      {"power_w"},
  }};
  return kMetrics[static_cast<std::size_t>(k)];
}

std::vector<Case> read_suite(const std::string& path) {
  const ConfigNode root = core::parse_toml_file(path);
  static const std::vector<std::string> kTop = {"schema_version", "case", "description", "source", "sources"};
  for (const auto& [k, v] : root.entries())
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) v.fail_unknown_key("a suite key", k, kTop);
  const ConfigNode& ver = root.at("schema_version");
  if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
  std::vector<Case> out;
  std::set<std::string> ids;
  for (const auto& t : root.at("case").items()) {
    Case c = read_case(t);
    if (!ids.insert(c.id).second) t.at("id").fail("a unique case id", "a second case '" + c.id + "'");
    out.push_back(std::move(c));
  }
  if (out.empty()) root.at("case").fail("at least one [[case]]", "none");
  return out;
}

}  // namespace jg::calib
