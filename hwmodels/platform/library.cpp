#include "hwmodels/platform/library.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "engine/core/quantity.hpp"
#include "hwmodels/platform/platform.hpp"

namespace jg::hw {

using namespace jg::core;

namespace {

ConfigNode table_node(const SourceLoc& loc, const std::string& path) {
  return ConfigNode(ConfigNode::Kind::Table, loc, path);
}

/// The platform tree a reference names: a shipped platform or a file relative to `ref`'s file.
ConfigNode resolve_reference(const ConfigNode& ref) {
  const std::string& name = ref.as_string();
  if (const LibraryEntry* e = find_library_platform(name)) return library_tree(*e);
  std::filesystem::path p(name);
  if (p.is_relative() && !ref.loc().file.empty() && ref.loc().file.rfind("builtin:", 0) != 0)
    p = std::filesystem::path(ref.loc().file).parent_path() / p;
  if (std::filesystem::is_regular_file(p)) return parse_toml_file(p.string());
  ref.fail("a shipped platform name or a platform file", ref.describe(),
           did_you_mean(name, library_names_and_aliases()) + " (see `joulegraph list platforms`)");
}

std::string ref_key(const ConfigNode& ref) {
  if (const LibraryEntry* e = find_library_platform(ref.as_string())) return "builtin:" + e->name;
  return ref.loc().file + ":" + ref.as_string();
}

void expand(ConfigNode& root, std::vector<std::string>& stack);

/// Adds the [sources] of `base` that `root` does not define, so that "[sources].x" strings
/// copied from the base stay resolvable.
void inherit_sources(ConfigNode& root, const ConfigNode& base) {
  const ConfigNode* bs = base.find("sources");
  if (!bs || !bs->is_table()) return;
  if (!root.find("sources")) root.set("sources", table_node(bs->loc(), "sources"));
  ConfigNode* rs = root.find_mut("sources");
  if (!rs->is_table()) return;
  for (const auto& [k, v] : bs->entries())
    if (!rs->find(k)) rs->set(k, v);
}

ConfigNode expanded_reference(const ConfigNode& ref, std::vector<std::string>& stack) {
  const std::string key = ref_key(ref);
  if (std::find(stack.begin(), stack.end(), key) != stack.end()) {
    std::string chain;
    for (const auto& s : stack) chain += s + " -> ";
    ref.fail("a reference to a platform that does not refer back to this one", "the cycle " + chain + key);
  }
  ConfigNode base = resolve_reference(ref);
  stack.push_back(key);
  expand(base, stack);
  stack.pop_back();
  return base;
}

void expand(ConfigNode& root, std::vector<std::string>& stack) {
  if (!root.is_table()) return;
  if (const ConfigNode* ext = root.find("extends")) {
    ConfigNode base = expanded_reference(*ext, stack);
    base.erase("aliases");
    base.erase("description");
    ConfigNode overlay = root;
    overlay.erase("extends");
    // A [fabric] link is described whole: the child's replaces the base's (a PCIe card
    // extending an SXM part must not inherit NVLink keys).
    if (overlay.find("fabric")) base.erase("fabric");
    base.merge(overlay);
    root = std::move(base);
  }
  ConfigNode* devices = root.find_mut("devices");
  if (!devices || !devices->is_table()) return;
  std::vector<std::string> names;
  for (const auto& [k, v] : devices->entries()) names.push_back(k);
  for (const auto& name : names) {
    ConfigNode* dev = devices->find_mut(name);
    if (!dev->is_table()) continue;
    const ConfigNode* from = dev->find("from");
    if (!from) continue;
    ConfigNode base = expanded_reference(*from, stack);
    const ConfigNode& bdevs = base.at("devices");
    std::string dname;
    if (const ConfigNode* fd = dev->find("from_device")) {
      dname = fd->as_string();
      if (!bdevs.find(dname)) {
        std::vector<std::string> valid;
        for (const auto& [k, v] : bdevs.entries()) valid.push_back(k);
        fd->fail("a device of platform '" + from->as_string() + "'", fd->describe(), did_you_mean(dname, valid));
      }
    } else {
      if (bdevs.entries().size() != 1) {
        std::string list;
        for (const auto& [k, v] : bdevs.entries()) list += (list.empty() ? "" : ", ") + k;
        from->fail("a single-device platform, or from_device = \"NAME\" beside from",
                   "platform '" + from->as_string() + "' with devices " + list);
      }
      dname = bdevs.entries().front().first;
    }
    ConfigNode merged = *bdevs.find(dname);
    ConfigNode overlay = *dev;
    overlay.erase("from");
    overlay.erase("from_device");
    merged.merge(overlay);
    *dev = std::move(merged);
    inherit_sources(root, base);
  }
}

}  // namespace

const std::vector<LibraryEntry>& library_index() {
  static const std::vector<LibraryEntry> kIndex = [] {
    std::vector<LibraryEntry> out;
    for (const auto& e : platform_library()) {
      LibraryEntry le;
      le.name = e.name;
      le.text = e.text;
      const ConfigNode root = parse_toml_text(e.text, std::string("builtin:") + e.name);
      if (const ConfigNode* a = root.find("aliases"))
        for (const auto& item : a->items()) le.aliases.push_back(item.as_string());
      if (const ConfigNode* d = root.find("description")) le.description = d->as_string();
      out.push_back(std::move(le));
    }
    return out;
  }();
  return kIndex;
}

const LibraryEntry* find_library_platform(std::string_view name) {
  // Fast path: a canonical name is an embedded file name, found without parsing every file
  // (the entries of this index carry no aliases or description).
  static const std::vector<LibraryEntry> kByName = [] {
    std::vector<LibraryEntry> out;
    for (const auto& e : platform_library()) out.push_back({e.name, {}, {}, e.text});
    return out;
  }();
  const std::string want = to_lower(name);
  for (const auto& e : kByName)
    if (e.name == want) return &e;
  for (const auto& e : library_index())
    for (const auto& a : e.aliases)
      if (to_lower(a) == want) return &e;
  return nullptr;
}

std::vector<std::string> library_names_and_aliases() {
  std::vector<std::string> out;
  for (const auto& e : library_index()) {
    out.push_back(e.name);
    out.insert(out.end(), e.aliases.begin(), e.aliases.end());
  }
  return out;
}

ConfigNode library_tree(const LibraryEntry& entry) { return parse_toml_text(entry.text, "builtin:" + entry.name); }

void expand_platform(ConfigNode& root) {
  std::vector<std::string> stack;
  if (const ConfigNode* n = root.find("name"); n && n->is_string()) stack.push_back(n->loc().file);
  expand(root, stack);
}

namespace {
/// Composed accelerator nodes: the power each accelerator adds besides itself, fitted on MLPerf
/// Inference v1.0 wall power (examples/validation/fit_node_overhead.py).
constexpr double kSupportPerAcceleratorW = 80;
}  // namespace

std::optional<std::string> compose_node_text(std::string_view spec) {
  // Parsed into terms first; the text is built from the resolved platforms.
  struct Term {
    int count = 1;
    const LibraryEntry* entry = nullptr;
    std::string device, kind;
    ConfigNode tree;
  };
  const std::string s(spec);
  auto has_count_prefix = [](const std::string& t) {
    std::size_t i = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > 0 && i + 1 < t.size() && (t[i] == 'x' || t[i] == 'X');
  };
  if (s.find('+') == std::string::npos && !has_count_prefix(s)) return std::nullopt;
  const SourceLoc where{"--hw", 0, 0, {}};
  std::vector<Term> terms;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find('+', start), s.size());
    std::string t = s.substr(start, end - start);
    Term term;
    if (has_count_prefix(t)) {
      const std::size_t x = t.find_first_of("xX");
      term.count = std::stoi(t.substr(0, x));
      t = t.substr(x + 1);
    }
    term.entry = find_library_platform(t);
    if (!term.entry)
      throw ConfigError({where, "", "terms like 8xa100-sxm4-80gb joined by '+', each naming a shipped platform",
                         "'" + t + "' in '" + s + "'",
                         did_you_mean(t, library_names_and_aliases()) + " (see `joulegraph list platforms`)"});
    if (term.count < 1 || term.count > 4096)
      throw ConfigError({where, "", "a count between 1 and 4096", std::to_string(term.count) + " in '" + s + "'", ""});
    term.tree = library_tree(*term.entry);
    expand_platform(term.tree);
    const ConfigNode& devs = term.tree.at("devices");
    if (devs.entries().size() != 1)
      throw ConfigError({where, "", "single-device platforms (one GPU, one CPU, one FPGA) as node terms",
                         "'" + term.entry->name + "' with " + std::to_string(devs.entries().size()) + " devices",
                         "write a platform file with [devices.X] from = \"...\" instead"});
    term.device = devs.entries().front().first;
    term.kind = devs.entries().front().second.at("kind").as_string();
    for (const auto& other : terms)
      if (other.device == term.device)
        throw ConfigError({where, "", "at most one term per device role (one kind of GPU, one kind of CPU)",
                           "two terms with a device named '" + term.device + "' in '" + s + "'",
                           "write a platform file to name the devices yourself"});
    terms.push_back(std::move(term));
    start = end + 1;
  }
  bool accelerated = false;
  double accelerators = 0;
  for (const auto& t : terms) {
    accelerated = accelerated || t.kind != "cpu";
    if (t.kind != "cpu") accelerators += t.count;
  }
  std::string text = "schema_version = 1\nname = \"" + s + "\"\ndescription = \"composed node:";
  for (const auto& t : terms) text += " " + std::to_string(t.count) + "x " + t.entry->name;
  text += accelerated
              ? "\"\n\n[sources]\nnode = \"assumption: node parts of a composed accelerator node are typical 2U/4U "
                "server figures (fans 8 x 15 W at mid speed, one 200 Gb/s NIC ~20 W, baseboard and BMC ~40 W); a PSU "
                "efficiency of 0.94 (80 PLUS Platinum at half load, the certification's 50 % point); PCIe 4.0 x16 per "
                "accelerator; one 200 Gb/s network port per accelerator (HDR InfiniBand class; its standing power is "
                "the NIC part, its energy per bit link.network's assumption); override with --set\"\n"
                "support = \"fitted: " +
                    format_number(kSupportPerAcceleratorW) +
                    " W per accelerator while the node works (half of it idle) for what each adds besides itself: PCIe "
                    "switches and retimers, its NIC, its share of NVSwitches and fans, the host threads feeding it; a "
                    "least-squares fit of wall power on the MLPerf Inference v1.0 results, the later rounds held out "
                    "(examples/validation/fit_node_overhead.py)\"\n\n"
              : "\"\n\n[sources]\nnode = \"assumption: a CPU-only node is a 1U/2U server whose fans, BMC, NIC and boot "
                "drive draw ~20 W and whose PSU is 0.90 efficient at low load: the same figures the shipped CPU "
                "platforms used to derive their idle power from SPECpower results (see their [sources].idle); "
                "override with --set\"\n\n";
  const Term* host = nullptr;
  for (const auto& t : terms)
    if (t.kind == "cpu") host = &t;
  for (const auto& t : terms)
    text += "[devices." + t.device + "]\nfrom = \"" + t.entry->name + "\"\ncount = " + std::to_string(t.count) + "\n\n";
  // Every accelerator gets a port to other nodes, so that a workload can span several nodes.
  for (const auto& t : terms) {
    if (t.kind == "cpu") continue;
    text += "[links.net_" + t.device +
            "]\nmodel = \"link.network\"\nbandwidth = \"200 Gb/s\"\ncount = " + std::to_string(t.count) +
            "\nconnects = [\"" + t.device +
            "\"]\nstatic_power = \"0 W\"\nidle_power = \"0 W\"\nsource = \"[sources].node\"\n\n";
  }
  // Instances of an accelerator reach each other over its [fabric] link (NVLink, PCIe P2P).
  for (const auto& t : terms) {
    const ConfigNode* f = t.tree.find("fabric");
    if (!f || t.count < 2) continue;
    text += "[links.fabric_" + t.device + "]\n";
    for (const auto& [k, v] : f->entries()) {
      if (v.is_string()) {
        std::string esc;
        for (char c : v.as_string()) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        text += k + " = \"" + esc + "\"\n";
      } else if (v.is_number()) {
        text += k + " = " + format_number(v.as_number()) + "\n";
      }
    }
    text += "count = " + std::to_string(t.count) + "\nconnects = [\"" + t.device + "\", \"" + t.device + "\"]\n\n";
  }
  if (host) {
    for (const auto& t : terms) {
      if (&t == host) continue;
      text += "[links.pcie_" + t.device +
              "]\nmodel = \"link.pcie\"\ngen = 4\nlanes = 16\ncount = " + std::to_string(t.count) + "\nconnects = [\"" +
              host->device + "\", \"" + t.device +
              "\"]\nstatic_power = \"2 W\"\nidle_power = \"1 W\"\nsource = \"[sources].node\"\n\n";
    }
    if (const ConfigNode* st = host->tree.find("storage")) {
      for (const auto& [name, table] : st->entries()) {
        text += "[storage." + name + "]\nattached_to = \"" + host->device + "\"\n";
        for (const auto& [k, v] : table.entries()) {
          if (k == "attached_to" || !v.is_string()) continue;
          std::string val = v.as_string();
          std::string esc;
          for (char c : val) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
          text += k + " = \"" + esc + "\"\n";
        }
        text += "\n";
      }
    }
  }
  if (!accelerated)
    return text +
           "[node]\npsu_efficiency = 0.90\npue = 1.0\nsource = \"[sources].node\"\n\n"
           "[node.parts.base]\nmodel = \"board.static\"\nstatic_power = \"20 W\"\nsource = \"[sources].node\"\n";
  text +=
      "[node]\npsu_efficiency = 0.94\npue = 1.0\nsource = \"[sources].node\"\n\n"
      "[node.parts.fans]\nmodel = \"board.static\"\ncount = 8\nstatic_power = \"15 W\"\nsource = \"[sources].node\"\n\n"
      "[node.parts.accelerator_support]\nmodel = \"board.static\"\ncount = " +
      format_number(accelerators) + "\nstatic_power = \"" + format_number(kSupportPerAcceleratorW) +
      " W\"\nidle_power = \"" + format_number(kSupportPerAcceleratorW / 2) +
      " W\"\nsource = \"[sources].support\"\n\n"
      "[node.parts.nic]\nmodel = \"board.static\"\nstatic_power = \"20 W\"\nsource = \"[sources].node\"\n\n"
      "[node.parts.baseboard]\nmodel = \"board.static\"\nstatic_power = \"40 W\"\nsource = \"[sources].node\"\n";
  return text;
}

}  // namespace jg::hw
