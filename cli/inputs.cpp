#include "cli/inputs.hpp"

#include <algorithm>
#include <filesystem>

#include "engine/core/hash.hpp"
#include "hwmodels/platform/library.hpp"
#include "workloads/importers/onnx_import.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::cli {

using namespace jg::core;

std::string file_sha256(const std::string& path) { return sha256_hex(read_text_file(path)); }

LoadedInput load_input(const std::string& kind, const std::string& name) {
  if (std::filesystem::is_regular_file(name)) {
    std::string text = read_text_file(name);
    ConfigNode root = parse_toml_text(text, name);
    if (kind == "platform") hw::expand_platform(root);
    return {std::move(root), {kind, name, sha256_hex(text)}};
  }
  const bool is_platform = kind == "platform";
  if (is_platform) {
    // A shipped platform by name or alias, or a composed node; `extends`/`from` expanded.
    if (const hw::LibraryEntry* e = hw::find_library_platform(name)) {
      ConfigNode root = hw::library_tree(*e);
      hw::expand_platform(root);
      return {std::move(root), {kind, "builtin:" + e->name, sha256_hex(e->text)}};
    }
    if (auto text = hw::compose_node_text(name)) {
      ConfigNode root = parse_toml_text(*text, "<--hw " + name + ">");
      hw::expand_platform(root);
      return {std::move(root), {kind, "composed:" + name, sha256_hex(*text)}};
    }
  }
  const auto& library = is_platform ? hw::platform_library() : wl::workload_library();
  if (!is_platform)
    if (const char* text = find_embedded(library, name))
      return {parse_toml_text(text, "builtin:" + name), {kind, "builtin:" + name, sha256_hex(text)}};
  std::vector<std::string> names = is_platform ? hw::library_names_and_aliases() : std::vector<std::string>{};
  if (!is_platform)
    for (const auto& e : library) names.emplace_back(e.name);
  const bool looks_like_path = name.find('/') != std::string::npos || name.find(".toml") != std::string::npos;
  const std::string flag = is_platform ? "--hw" : "--workload";
  throw ConfigError({SourceLoc{flag, 0, 0, {}}, "", "a " + kind + " file or a shipped " + kind + " name",
                     looks_like_path ? "no file '" + name + "'" : "'" + name + "', neither a file nor a shipped name",
                     did_you_mean(name, names) + " (see `joulegraph list`)"});
}

namespace {

/// Where a zoo or ONNX model runs by default: the first GPU, else FPGA, else DLA, else CPU;
/// preprocessing on a CPU device other than that; the widest 16-bit type it computes.
wl::zoo::Target target_of(const hw::Platform& p) {
  wl::zoo::Target t;
  int pick = -1;
  for (const char* kind : {"gpu", "fpga", "dla", "cpu"}) {
    for (std::size_t i = 0; i < p.devices.size() && pick < 0; ++i)
      if (p.devices[i].kind == kind) pick = static_cast<int>(i);
    if (pick >= 0) break;
  }
  if (pick < 0) pick = 0;
  const hw::Device& d = p.devices[static_cast<std::size_t>(pick)];
  t.device = d.name;
  t.instances = d.count;
  t.host.clear();
  for (const auto& h : p.devices)
    if (h.kind == "cpu" && h.name != d.name) {
      t.host = h.name;
      break;
    }
  const ComputeCaps& pe = p.pe_caps(pick);
  t.dtype = pe.peak_ops_per_cycle[index_of(DType::kFp16)] > 0   ? "fp16"
            : pe.peak_ops_per_cycle[index_of(DType::kBf16)] > 0 ? "bf16"
                                                                : "fp32";
  // Without storage at the host the dataset is taken to be in memory (page cache).
  if (!t.host.empty()) t.storage = !p.devices[static_cast<std::size_t>(p.find_device(t.host))].storage.empty();
  return t;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The parameter table of an ONNX workload document, with the platform's defaults.
std::string onnx_spec_text(const std::string& path, const wl::zoo::Target& t, const std::vector<std::string>& sets) {
  std::string s = "schema_version = 1\nonnx = \"" + path + "\"\n\n[params]\n";
  s += "mode = \"infer\"          # infer | train\n";
  s += "device = \"" + t.device + "\"\n";
  s += "dtype = \"\"               # compute type; \"\": the model's own\n";
  s += "batch = 1\n";
  s += "requests = 1000         # infer: samples in all\n";
  s += "steps = 100             # train: optimizer steps\n";
  s += "optimizer = \"adamw\"     # train: sgd | momentum | adam | adamw | none\n";
  static const std::vector<std::string> kKnown = {"mode", "device", "dtype", "batch", "requests", "steps", "optimizer"};
  for (const auto& a : sets) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = a.substr(0, eq);
    if (key.find('.') != std::string::npos || key.find(',') != std::string::npos) continue;
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) s += key + " = 1  # a symbolic dimension\n";
  }
  return s;
}

}  // namespace

LoadedInput load_workload_input(const std::string& name, const hw::Platform& platform,
                                const std::vector<std::string>& sets) {
  if (ends_with(name, ".onnx")) {
    if (!std::filesystem::is_regular_file(name))
      throw ConfigError({SourceLoc{"--workload", 0, 0, {}}, "", "an ONNX model file", "no file '" + name + "'", ""});
    std::string text = onnx_spec_text(name, target_of(platform), sets);
    return {parse_toml_text(text, "<onnx:" + name + ">"), {"workload", name, file_sha256(name)}};
  }
  if (!std::filesystem::is_regular_file(name))
    if (const wl::zoo::Model* m = wl::zoo::find_model(name)) {
      std::string text = wl::zoo::spec_text(*m, target_of(platform));
      return {parse_toml_text(text, "<zoo:" + m->name + ">"), {"workload", "zoo:" + m->name, sha256_hex(text)}};
    }
  return load_input("workload", name);
}

wl::Graph build_graph(const ConfigNode& root, bool strict) {
  const ConfigNode* onnx = root.find("onnx");
  if (!onnx) return wl::load_workload(root);
  const ConfigNode& p = root.at("params");
  wl::OnnxOptions o;
  o.strict = strict;
  o.device = p.at("device").as_string();
  const std::string& dt = p.at("dtype").as_string();
  if (!dt.empty()) {
    auto d = parse_dtype(dt);
    if (!d)
      p.at("dtype").fail("a data type or \"\"", p.at("dtype").describe(),
                         did_you_mean(dt, std::vector<std::string>(kDTypeNames.begin(), kDTypeNames.end())));
    o.dtype = *d;
  }
  const std::string& mode = p.at("mode").as_string();
  if (mode != "infer" && mode != "train") p.at("mode").fail("\"infer\" or \"train\"", p.at("mode").describe());
  static const std::vector<std::string> kNotDims = {"mode", "device", "dtype", "requests", "steps", "optimizer"};
  for (const auto& [k, v] : p.entries())
    if (std::find(kNotDims.begin(), kNotDims.end(), k) == kNotDims.end()) o.dims[k] = v.as_number();
  const double batch = p.at("batch").as_number();
  if (!(batch > 0)) p.at("batch").fail("a positive batch", p.at("batch").describe());
  if (mode == "train") {
    o.kind = wl::StageKind::kTraining;
    o.repeat = p.at("steps").as_number();
  } else {
    o.repeat = p.at("requests").as_number() / batch;
  }
  wl::Graph g = wl::import_onnx(onnx->as_string(), o);
  if (mode == "train") {
    const ConfigNode& opt = p.at("optimizer");
    if (std::find(wl::kOptimizers.begin(), wl::kOptimizers.end(), opt.as_string()) == wl::kOptimizers.end())
      opt.fail("an optimizer", opt.describe(), did_you_mean(opt.as_string(), wl::kOptimizers));
    wl::TrainOptions t;
    t.optimizer = opt.as_string();
    for (auto& st : g.stages) wl::append_backward(g, st, t);
  }
  for (const auto& [k, v] : p.entries())
    if (v.is_number()) g.params[k] = v.as_number();
  return g;
}

namespace {

/// power_mode, or a knob of the platform's [power_modes] (gpu_freq, cpu_cores, ...).
bool is_mode_key(const ConfigNode& platform, const std::string& key) {
  const auto keys = hw::power_mode_keys(platform);
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

std::vector<std::size_t> select_stages(const wl::Graph& g, const std::string& stage, const ConfigNode& where,
                                       const std::string& workload) {
  std::vector<std::size_t> out;
  if (stage.empty()) return out;
  for (std::size_t s = 0; s < g.stages.size(); ++s)
    if (g.stages[s].name == stage) out.push_back(s);
  if (out.empty())
    for (std::size_t s = 0; s < g.stages.size(); ++s)
      if (wl::stage_kind_name(g.stages[s].kind) == stage) out.push_back(s);
  if (out.empty()) {
    std::vector<std::string> names;
    std::string list;
    for (const auto& st : g.stages) {
      names.push_back(st.name);
      list += (list.empty() ? "" : ", ") + st.name + " (" + std::string(wl::stage_kind_name(st.kind)) + ")";
    }
    where.fail("a stage name or kind of workload '" + workload + "': " + list, where.describe(),
               did_you_mean(stage, names));
  }
  return out;
}

void apply_overrides(ConfigNode& platform, ConfigNode& workload, const std::vector<std::string>& sets) {
  // "a=1,b=2" in one --set is two assignments when every comma-separated part has an '='.
  std::vector<std::string> split;
  for (const auto& s : sets) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    bool all_assign = true;
    while (true) {
      const std::size_t comma = s.find(',', start);
      parts.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      all_assign = all_assign && parts.back().find('=') != std::string::npos;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (all_assign)
      split.insert(split.end(), parts.begin(), parts.end());
    else
      split.push_back(s);
  }
  for (const auto& s : split) {
    const auto eq = s.find('=');
    const std::string key = s.substr(0, eq);
    const std::string first = key.substr(0, key.find('.'));
    if (first == "hw")
      apply_override(platform, s.substr(3));
    else if (first == "workload")
      apply_override(workload, s.substr(9));
    else if (first == "devices" || first == "links" || first == "storage" || first == "node" ||
             is_mode_key(platform, key))
      apply_override(platform, s);
    else {
      const ConfigNode* params = workload.find("params");
      std::vector<std::string> names;
      if (params)
        for (const auto& e : params->entries()) names.push_back(e.first);
      if (eq == std::string::npos || std::find(names.begin(), names.end(), key) == names.end())
        throw ConfigError({SourceLoc{"<--set " + s + ">", 0, 0, {}}, key,
                           "a workload parameter, a power-mode key of the platform, or a hardware key under "
                           "devices., links., storage. or node.",
                           "'" + key + "'",
                           (names.empty() ? std::string("this workload has no [params]") : did_you_mean(key, names)) +
                               "; prefix hw. or workload. to set any other key"});
      apply_override(workload, "params." + s);
    }
  }
}

}  // namespace jg::cli
