// Binding checks before evaluation: the graph's devices, data types, op kinds, links, storage
// and collectives against the platform, with errors that point at the op's key; and the
// memory footprint against device memory.
#include <string>

#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"
#include "engine/eval/evaluator.hpp"

namespace jg::eval {

using namespace jg::core;
using hw::Device;
using hw::Platform;
using wl::Graph;
using wl::Op;
using wl::OpType;
using wl::Stage;

namespace {

enum class At { kOp, kDtype, kPeer };

// Points at the key at fault when it was written, else at the op's table.
ConfigError binding_error(const Graph& g, const Stage& st, std::size_t op, At at, const std::string& expected,
                          const std::string& found, const std::string& hint) {
  const wl::OpSite& s = g.sites[st.op_site[op]];
  const wl::KeySite* key = at == At::kDtype ? &s.dtype : at == At::kPeer ? &s.peer : nullptr;
  if (key && key->loc.line > 0) return ConfigError({key->loc, key->path, expected, found, hint});
  return ConfigError({s.loc, s.path, expected, found, hint});
}

bool needs_vector(OpType t) {
  return t != OpType::kGemm && t != OpType::kConv2d && t != OpType::kDataLoad && t != OpType::kDecode &&
         t != OpType::kH2D && t != OpType::kD2H;
}

}  // namespace

void validate_binding(const Platform& p, const Graph& g) {
  for (const auto& st : g.stages) {
    const int di = p.find_device(st.device);
    if (di < 0)
      throw ConfigError(
          {st.device_loc, st.device_path, "a device of platform '" + p.name + "'", "the string \"" + st.device + "\"",
           did_you_mean(st.device, p.device_names()) +
               (p.devices.size() == 1 ? "; to add a host CPU, compose a node such as --hw " + p.name + "+epyc-7742"
                                      : "")});
    const Device& d = p.devices[static_cast<std::size_t>(di)];
    const ComputeCaps& pe = p.pe_caps(di);
    std::string supported;
    for (std::size_t t = 0; t < kDTypeCount; ++t)
      if (pe.peak_ops_per_cycle[t] > 0) supported += (supported.empty() ? "" : ", ") + std::string(kDTypeNames[t]);
    for (std::size_t i = 0; i < st.ops.size(); ++i) {
      const Op& op = st.ops[i];
      // Built only when an error is thrown: this loop runs once per op.
      auto what = [&] { return "op '" + g.names[op.name] + "' (" + std::string(wl::op_type_name(op.type)) + ")"; };
      if ((op.type == OpType::kGemm || op.type == OpType::kConv2d) && pe.peak_ops_per_cycle[index_of(op.dtype)] <= 0)
        throw binding_error(g, st, i, At::kDtype, "a data type that device '" + d.name + "' computes",
                            std::string(dtype_name(op.dtype)) + " in " + what(), "supported: " + supported);
      if (needs_vector(op.type) && pe.vector_ops_per_cycle <= 0)
        throw binding_error(g, st, i, At::kOp, "a device with vector arithmetic for " + what(),
                            "device '" + d.name + "' has vector_ops_per_cycle = 0",
                            "set vector_ops_per_cycle in its pe");
      if (op.type == OpType::kCollective && op.d[1] > 1) {
        const double nodes = op.d[4], per_node = op.d[1] / nodes;
        if (per_node > d.count)
          throw binding_error(
              g, st, i, At::kOp, "at most as many ranks per node as device '" + d.name + "' has instances",
              format_number(per_node) + " ranks per node in " + what() + " (" + format_number(op.d[1]) + " over " +
                  format_number(nodes) + " node(s)), " + std::to_string(d.count) + " instance(s)",
              "set the device's count (e.g. --hw 8x" + p.name +
                  "), spread the ranks over more nodes or lower the parallel degree");
        if (nodes > g.nodes)
          throw binding_error(g, st, i, At::kOp, "at most the workload's node count for " + what(),
                              format_number(nodes) + " nodes, the workload runs on " + format_number(g.nodes),
                              "set the workload's nodes");
        if (nodes > 1 && p.network_link(di) < 0)
          throw binding_error(
              g, st, i, At::kOp, "a network link at '" + d.name + "' for " + what() + " across nodes",
              "platform '" + p.name + "' has no link.network at device '" + d.name + "'",
              "add [links.NAME] with model = \"link.network\", bandwidth = \"400 Gb/s\" and connects = [\"" + d.name +
                  "\"]");
        bool linked = false;
        for (const auto& l : p.links) linked = linked || (!l.inter_node && (l.a == di || l.b == di));
        if (per_node > 1 && !linked)
          throw binding_error(g, st, i, At::kOp, "a link among the instances of '" + d.name + "' for " + what(),
                              "platform '" + p.name + "' has no link at device '" + d.name + "'",
                              "add [links.NAME] with connects = [\"" + d.name + "\", \"" + d.name +
                                  "\"] (NVLink fabric) or a PCIe link to the host");
      }
      if (op.type == OpType::kDecode && pe.host_ops_per_cycle <= 0)
        throw binding_error(g, st, i, At::kOp, "a CPU-like device (host_ops_per_cycle > 0) for " + what(),
                            "device '" + d.name + "' (" + d.kind + ")", "bind decoding stages to the host CPU");
      if (op.type == OpType::kDataLoad && d.storage.empty())
        throw binding_error(g, st, i, At::kOp, "storage attached to device '" + d.name + "' for " + what(),
                            "no storage", "add [storage.NAME] with attached_to = \"" + d.name + "\"");
      if (op.type == OpType::kH2D || op.type == OpType::kD2H) {
        const std::string& peer = g.peers[static_cast<std::size_t>(op.peer)];
        const int pi = p.find_device(peer);
        if (pi < 0)
          throw binding_error(g, st, i, At::kPeer, "a device of platform '" + p.name + "' as the peer of " + what(),
                              "\"" + peer + "\"", did_you_mean(peer, p.device_names()));
        if (pi == di)
          throw binding_error(g, st, i, At::kPeer, "a peer other than the stage's own device for " + what(),
                              "\"" + peer + "\", the device stage '" + st.name + "' runs on",
                              "a copy runs on the host stage and names the other device");
        if (p.link_between(di, pi) < 0 && p.devices[static_cast<std::size_t>(pi)].dram != d.dram)
          throw binding_error(
              g, st, i, At::kPeer, "a link between '" + d.name + "' and '" + peer + "' for " + what(),
              "platform '" + p.name + "' has no such link",
              "add [links.NAME] with connects = [\"" + d.name + "\", \"" + peer + "\"] to the platform");
      }
    }
  }
}

std::vector<MemoryCheck> check_memory(const Platform& p, const Graph& g) {
  std::vector<MemoryCheck> out;
  for (const auto& f : g.footprints) {
    const int di = p.find_device(f.device);
    if (di < 0) continue;  // validate_binding reports it
    const Device& d = p.devices[static_cast<std::size_t>(di)];
    const MemoryCaps& mc = *p.components[static_cast<std::size_t>(d.dram)].model->memory();
    out.push_back({f.device, f.total_bytes(), mc.capacity_bytes});
  }
  return out;
}

}  // namespace jg::eval
