#include "workloads/graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

#include "engine/core/expr.hpp"
#include "engine/core/quantity.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::wl {

using namespace jg::core;

std::string_view stage_kind_name(StageKind k) {
  switch (k) {
    case StageKind::kPreprocessing:
      return "preprocessing";
    case StageKind::kTraining:
      return "training";
    case StageKind::kInference:
      return "inference";
  }
  return "?";
}

namespace {
constexpr std::array<std::string_view, kOpTypeCount> kOpNames = {
    "gemm",      "conv2d", "pool",   "elementwise", "softmax", "layernorm", "batchnorm", "embedding",
    "data_load", "decode", "resize", "h2d",         "d2h",     "optimizer", "collective"};
constexpr std::array<std::string_view, kCollectiveCount> kCollectiveNames = {
    "all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv"};
}  // namespace

std::string_view collective_name(Collective c) { return kCollectiveNames[static_cast<std::size_t>(c)]; }

double collective_wire_bytes(Collective c, bool tree, double bytes, double ranks) {
  if (ranks <= 1) return 0.0;
  const double share = (ranks - 1) / ranks;
  switch (c) {
    case Collective::kAllReduce:
      return tree ? 2 * bytes : 2 * share * bytes;
    case Collective::kAllGather:
    case Collective::kReduceScatter:
    case Collective::kAllToAll:
      return share * bytes;
    case Collective::kSendRecv:
      return bytes;
  }
  return 0.0;
}

double collective_steps(Collective c, bool tree, double ranks) {
  if (ranks <= 1) return 0.0;
  if (c == Collective::kSendRecv) return 1;
  if (tree) return 2 * std::ceil(std::log2(ranks));
  return c == Collective::kAllReduce ? 2 * (ranks - 1) : ranks - 1;
}

CollectiveTraffic collective_traffic(Collective c, bool tree, double bytes, double ranks, double nodes) {
  CollectiveTraffic t;
  if (nodes <= 1) {
    t.fabric_bytes = collective_wire_bytes(c, tree, bytes, ranks);
    t.steps = collective_steps(c, tree, ranks);
    return t;
  }
  const double local = ranks / nodes;
  const double local_share = local > 1 ? (local - 1) / local : 0.0;
  switch (c) {
    case Collective::kAllReduce:
      t.fabric_bytes = 2 * local_share * bytes;
      t.network_bytes = collective_wire_bytes(c, tree, bytes / local, nodes);
      t.steps = (local > 1 ? 2 * (local - 1) : 0) + collective_steps(c, tree, nodes);
      break;
    case Collective::kAllGather:
    case Collective::kReduceScatter:
      t.fabric_bytes = local_share * bytes;
      t.network_bytes = collective_wire_bytes(c, tree, bytes / local, nodes);
      t.steps = collective_steps(c, tree, local) + collective_steps(c, tree, nodes);
      break;
    case Collective::kAllToAll:
      t.fabric_bytes = (local - 1) / ranks * bytes;
      t.network_bytes = (ranks - local) / ranks * bytes;
      t.steps = collective_steps(c, tree, ranks);
      break;
    case Collective::kSendRecv:
      t.network_bytes = bytes;
      t.steps = 1;
      break;
  }
  return t;
}

std::string_view op_type_name(OpType t) { return kOpNames[static_cast<std::size_t>(t)]; }

std::string_view pass_name(Pass p) {
  switch (p) {
    case Pass::kForward:
      return "forward";
    case Pass::kBackwardData:
      return "backward_data";
    case Pass::kBackwardWeight:
      return "backward_weight";
    case Pass::kUpdate:
      return "update";
  }
  return "?";
}

const std::vector<OpField>& op_fields(OpType t) {
  static const std::array<std::vector<OpField>, kOpTypeCount> kFields = {{
      // gemm: C[m,n] = A[m,k] · B[k,n], `count` independent products (batched matmul).
      {{"m", true, 0, "rows of A and C"},
       {"n", true, 0, "columns of B and C"},
       {"k", true, 0, "reduction length"},
       {"count", false, 1, "independent products (batched matmul, heads)"},
       {"weights", false, 1, "1 if B is a learned weight (gets a weight gradient and an update), 0 if an activation"},
       {"bias", false, 0, "1 if a learned bias of n values is added"}},
      // conv2d on NCHW tensors.
      {{"n", true, 0, "batch"},
       {"c_in", true, 0, "input channels"},
       {"h", true, 0, "input height"},
       {"w", true, 0, "input width"},
       {"c_out", true, 0, "output channels"},
       {"kh", false, 3, "kernel height"},
       {"kw", false, 3, "kernel width"},
       {"stride", false, 1, "stride"},
       {"padding", false, 0, "zero padding per side"},
       {"dilation", false, 1, "dilation"},
       {"groups", false, 1, "groups (c_in for depthwise)"},
       {"bias", false, 0, "1 if a learned bias of c_out values is added"}},
      {{"n", true, 0, "batch"},
       {"c", true, 0, "channels"},
       {"h", true, 0, "input height"},
       {"w", true, 0, "input width"},
       {"kernel", false, 2, "window size"},
       {"stride", false, 2, "stride"},
       {"padding", false, 0, "padding per side"}},
      {{"elements", true, 0, "output elements"},
       {"operands", false, 1, "input tensors of the same size"},
       {"flops_per_element", false, 1, "arithmetic per output element"}},
      {{"elements", true, 0, "elements (rows x row length)"}},
      {{"elements", true, 0, "elements normalized"},
       {"features", true, 0, "normalized dimension"},
       {"scales", false, 2, "learned vectors of `features` values: 2 (LayerNorm scale and shift), 1 (RMSNorm)"}},
      {{"elements", true, 0, "elements normalized"}, {"features", true, 0, "channels (weights: 2 x features)"}},
      {{"tokens", true, 0, "looked-up rows"}, {"dim", true, 0, "row width"}, {"vocab", true, 0, "table rows"}},
      {{"bytes", true, 0, "bytes read from storage into host memory"}},
      {{"pixels", true, 0, "decoded pixels"},
       {"bytes_in", true, 0, "compressed bytes read"},
       {"channels", false, 3, "channels per pixel (1 byte each)"},
       {"ops_per_pixel", false, 20,
        "scalar ops per decoded pixel (assumption: libjpeg-turbo-class decoders run ~15-25 cycles/pixel)"}},
      {{"in_pixels", true, 0, "input pixels"},
       {"out_pixels", true, 0, "output pixels"},
       {"channels", false, 3, "channels (1 byte each)"}},
      {{"bytes", true, 0, "bytes copied from the stage's device to `to`"}},
      {{"bytes", true, 0, "bytes copied from `from` to the stage's device"}},
      {{"parameters", true, 0, "parameters updated"},
       {"states", false, 0, "fp32 state tensors per parameter: SGD 0, momentum 1, Adam/AdamW 2"},
       {"flops_per_parameter", false, 2, "arithmetic per parameter: SGD 2, momentum 3, Adam ~12, AdamW ~13"},
       {"master", false, 0, "1 with mixed precision: fp32 master weights beside the op's low-precision copy"}},
      {{"bytes", true, 0, "size of the tensor being reduced or gathered (per rank)"},
       {"ranks", true, 0, "devices taking part"},
       {"kind", false, 0, "0 all_reduce, 1 all_gather, 2 reduce_scatter, 3 all_to_all, 4 send_recv"},
       {"algorithm", false, 0, "0 ring, 1 tree"},
       {"nodes", false, 1, "nodes the ranks are spread over (hierarchical: inside each node, then across)"}},
  }};
  return kFields[static_cast<std::size_t>(t)];
}

std::size_t Graph::op_count() const {
  std::size_t n = 0;
  for (const auto& s : stages) n += s.ops.size();
  return n;
}

double op_parameters(const Op& op) {
  const auto& d = op.d;
  switch (op.type) {
    case OpType::kGemm:
      return d[4] != 0 && !op.tied ? d[1] * d[2] * d[3] + d[5] * d[1] * d[3] : 0.0;
    case OpType::kConv2d:
      return op.tied ? 0.0 : d[4] * (d[1] / d[10]) * d[5] * d[6] + d[11] * d[4];
    case OpType::kLayerNorm:
      return op.tied ? 0.0 : d[2] * d[1];
    case OpType::kBatchNorm:
      return 2 * d[1];
    case OpType::kEmbedding:
      return op.tied ? 0.0 : d[1] * d[2];
    default:
      return 0.0;
  }
}

namespace {

const std::vector<std::string> kStageKinds = {"preprocessing", "training", "inference"};

struct Loader {
  Graph g;
  std::map<std::string, std::string> string_params;

  double eval(const ConfigNode& n, bool allow_data_units) {
    if (n.is_number()) return n.as_number();
    if (!n.is_string()) n.fail("a number or an expression such as \"batch * 196\"", n.describe());
    const std::string& text = n.m_str;
    if (allow_data_units) {
      try {
        ParsedQuantity q = parse_quantity(text);
        if (q.dim == dims::kData) return q.si / kBitsPerByte;
      } catch (const QuantitySyntaxError&) {
      }
    }
    try {
      return eval_expr(text, [&](std::string_view name, double& v) {
        auto it = g.params.find(std::string(name));
        if (it == g.params.end()) return false;
        v = it->second;
        return true;
      });
    } catch (const ExprError& e) {
      std::vector<std::string> names;
      for (const auto& [k, v] : g.params) names.push_back(k);
      std::string what = e.what();
      std::string hint;
      if (auto q = what.find("unknown name '"); q != std::string::npos) {
        std::string unknown = what.substr(q + 14, what.find('\'', q + 14) - q - 14);
        std::string near = nearest_name(unknown, names);
        if (!near.empty()) hint = "did you mean '" + near + "'? ";
      }
      hint += "numeric parameters:";
      for (const auto& k : names) hint += " " + k;
      SourceLoc loc = n.loc();
      // Point at the offending character inside the quoted string when the position is known.
      if (loc.column > 0) loc.column += static_cast<std::uint32_t>(e.column());
      throw ConfigError({loc, n.path(), "a number or an arithmetic expression over [params]",
                         n.describe() + ": " + e.what(),
                         allow_data_units ? hint + " (or a size such as \"110 kB\")" : hint});
    }
  }

  double size(const ConfigNode& n, bool allow_data_units = false) {
    double v = eval(n, allow_data_units);
    if (!std::isfinite(v) || v < 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      n.fail("a non-negative size", n.describe() + " = " + buf);
    }
    return v;
  }

  void read_params(const ConfigNode& root) {
    const ConfigNode* p = root.find("params");
    if (!p) return;
    for (const auto& [k, v] : p->entries()) {
      if (v.is_string()) {
        // A string is a data type name or an expression over earlier parameters.
        if (parse_dtype(v.m_str)) {
          string_params[k] = v.m_str;
          continue;
        }
        g.params[k] = eval(v, false);
      } else {
        g.params[k] = v.as_number();
      }
    }
  }

  DType dtype_of(const ConfigNode* n) {
    std::string text;
    if (n)
      text = n->as_string();
    else if (string_params.count("dtype"))
      return *parse_dtype(string_params["dtype"]);
    else
      return DType::kFp32;
    if (auto d = parse_dtype(text)) return *d;
    if (auto it = string_params.find(text); it != string_params.end()) return *parse_dtype(it->second);
    std::vector<std::string> names(kDTypeNames.begin(), kDTypeNames.end());
    n->fail("a data type", n->describe(), did_you_mean(text, names));
  }

  std::uint32_t site(const ConfigNode& n) {
    g.sites.push_back({n.loc(), n.path(), {}, {}, {}});
    return static_cast<std::uint32_t>(g.sites.size() - 1);
  }

  std::uint32_t name_index(const std::string& n) {
    g.names.push_back(n);
    return static_cast<std::uint32_t>(g.names.size() - 1);
  }

  void read_op(Stage& st, const ConfigNode& t, std::vector<std::pair<std::string, const ConfigNode*>>& inputs) {
    if (!t.is_table()) t.fail("an op table", t.describe());
    const ConfigNode& type_node = t.at("type");
    const std::string& type = type_node.as_string();
    // Both arms are string_views: a std::string temporary here would leave `canon` dangling.
    std::string_view canon = type == "matmul" ? std::string_view("gemm") : std::string_view(type);
    auto it = std::find(kOpNames.begin(), kOpNames.end(), canon);
    if (it == kOpNames.end() || canon == "optimizer")
      type_node.fail(
          "an op type", type_node.describe(),
          did_you_mean(type, std::vector<std::string>{"gemm", "matmul", "conv2d", "pool", "elementwise", "softmax",
                                                      "layernorm", "batchnorm", "embedding", "data_load", "decode",
                                                      "resize", "h2d", "d2h", "collective"}));
    Op op;
    op.type = static_cast<OpType>(it - kOpNames.begin());
    const auto& fields = op_fields(op.type);
    std::vector<std::string> allowed = {"name", "type", "dtype", "inputs", "source"};
    if (op.type == OpType::kH2D) allowed.push_back("to");
    if (op.type == OpType::kD2H) allowed.push_back("from");
    for (const auto& f : fields) allowed.push_back(f.name);
    for (const auto& [k, v] : t.entries())
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        v.fail_unknown_key("a key of a '" + std::string(op_type_name(op.type)) + "' op", k, allowed);
    const std::string& name = t.at("name").as_string();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const ConfigNode* f = t.find(fields[i].name);
      if (!f && fields[i].required) (void)t.at(fields[i].name);  // throws: the key is missing
      if (op.type == OpType::kCollective && f && f->is_string() && i >= 2) {
        // kind and algorithm are written by name.
        static const std::vector<std::string> kAlgorithms = {"ring", "tree"};
        const std::vector<std::string> names =
            i == 2 ? std::vector<std::string>(kCollectiveNames.begin(), kCollectiveNames.end()) : kAlgorithms;
        auto at = std::find(names.begin(), names.end(), f->m_str);
        if (at == names.end())
          f->fail(i == 2 ? "a collective kind" : "a collective algorithm", f->describe(),
                  did_you_mean(f->m_str, names));
        op.d[i] = static_cast<double>(at - names.begin());
        continue;
      }
      bool bytes = std::string_view(fields[i].name).find("bytes") != std::string_view::npos;
      op.d[i] = f ? size(*f, bytes) : fields[i].default_value;
    }
    op.dtype = dtype_of(t.find("dtype"));
    if (op.type == OpType::kConv2d) {
      const double groups = op.d[10];
      if (groups < 1 || std::fmod(op.d[1], groups) != 0 || std::fmod(op.d[4], groups) != 0)
        t.at(fields[10].name == std::string("groups") && t.find("groups") ? "groups" : "c_in")
            .fail("groups >= 1 dividing c_in and c_out", "groups = " + std::to_string(groups) +
                                                             ", c_in = " + std::to_string(op.d[1]) +
                                                             ", c_out = " + std::to_string(op.d[4]));
      for (std::size_t i : {5u, 6u, 7u, 9u})
        if (op.d[i] < 1) t.at(fields[i].name).fail("at least 1", std::to_string(op.d[i]));
    }
    if (op.type == OpType::kCollective) {
      if (op.d[1] < 1 || std::floor(op.d[1]) != op.d[1])
        t.at("ranks").fail("a whole number of ranks, at least 1", std::to_string(op.d[1]));
      if (op.d[2] >= kCollectiveCount || std::floor(op.d[2]) != op.d[2])
        t.at("kind").fail("a collective kind (all_reduce, all_gather, reduce_scatter, all_to_all, send_recv)",
                          t.at("kind").describe());
      if (op.d[3] > 1 || std::floor(op.d[3]) != op.d[3])
        t.at("algorithm").fail("\"ring\" or \"tree\"", t.at("algorithm").describe());
      if (op.d[4] < 1 || std::floor(op.d[4]) != op.d[4] || std::fmod(op.d[1], op.d[4]) != 0)
        t.at("nodes").fail("a whole number of nodes, at least 1, dividing ranks",
                           "nodes = " + format_number(op.d[4]) + ", ranks = " + format_number(op.d[1]));
    }
    if (op.type == OpType::kPool && op.d[5] < 1) t.at("stride").fail("at least 1", std::to_string(op.d[5]));
    if (op.type == OpType::kH2D || op.type == OpType::kD2H) {
      const ConfigNode& peer = t.at(op.type == OpType::kH2D ? "to" : "from");
      g.peers.push_back(peer.as_string());
      op.peer = static_cast<std::int32_t>(g.peers.size() - 1);
    }
    op.name = name_index(name);
    st.ops.push_back(op);
    st.op_site.push_back(site(t));
    OpSite& s = g.sites.back();
    s.name = name;
    if (const ConfigNode* dt = t.find("dtype")) s.dtype = {dt->loc(), dt->path()};
    if (const ConfigNode* peer = t.find(op.type == OpType::kH2D ? "to" : "from")) s.peer = {peer->loc(), peer->path()};
    inputs.emplace_back(name, t.find("inputs"));
  }

  void check_op_cycles(const Stage& st, const std::vector<std::pair<std::string, const ConfigNode*>>& inputs) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (index.count(inputs[i].first)) {
        const OpSite& at = g.sites[st.op_site[i]];
        throw ConfigError({at.loc, at.path + ".name", "op names unique within a stage",
                           "a second op named '" + inputs[i].first + "'", ""});
      }
      index[inputs[i].first] = i;
    }
    std::vector<std::vector<std::size_t>> edges(inputs.size());
    std::vector<std::string> names;
    for (const auto& [k, v] : index) names.push_back(k);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].second) continue;
      for (const auto& in : inputs[i].second->items()) {
        auto it = index.find(in.as_string());
        if (it == index.end()) in.fail("the name of an op of this stage", in.describe(), did_you_mean(in.m_str, names));
        edges[i].push_back(it->second);
      }
    }
    find_cycle(edges, [&](const std::vector<std::size_t>& cyc) {
      std::string path;
      for (auto c : cyc) path += inputs[c].first + " -> ";
      path += inputs[cyc.front()].first;
      const ConfigNode* at = inputs[cyc.front()].second;
      at->fail("op inputs without a cycle", "the cycle " + path, "remove one of these inputs");
    });
  }

  // Depth-first search; calls on_cycle with the nodes of the first cycle found.
  static void find_cycle(const std::vector<std::vector<std::size_t>>& edges,
                         const std::function<void(const std::vector<std::size_t>&)>& on_cycle) {
    std::vector<int> state(edges.size(), 0);
    std::vector<std::size_t> stack;
    std::function<void(std::size_t)> visit = [&](std::size_t v) {
      state[v] = 1;
      stack.push_back(v);
      for (auto w : edges[v]) {
        if (state[w] == 1) {
          auto from = std::find(stack.begin(), stack.end(), w);
          on_cycle(std::vector<std::size_t>(from, stack.end()));
        } else if (state[w] == 0) {
          visit(w);
        }
      }
      stack.pop_back();
      state[v] = 2;
    };
    for (std::size_t v = 0; v < edges.size(); ++v)
      if (state[v] == 0) visit(v);
  }

  void load(const ConfigNode& root) {
    static const std::vector<std::string> kTop = {"schema_version", "name",  "description", "params",
                                                  "stage",          "nodes", "source",      "sources"};
    for (const auto& [k, v] : root.entries())
      if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) v.fail_unknown_key("a workload key", k, kTop);
    const ConfigNode& ver = root.at("schema_version");
    if (ver.as_int() != 1) ver.fail("schema_version = 1", ver.describe());
    g.name = root.at("name").as_string();
    if (const ConfigNode* d = root.find("description")) g.description = d->as_string();
    read_params(root);
    if (const ConfigNode* n = root.find("nodes")) {
      g.nodes = size(*n);
      if (g.nodes < 1 || std::floor(g.nodes) != g.nodes)
        n->fail("a whole number of identical nodes, at least 1", n->describe());
    }
    const ConfigNode& stages = root.at("stage");
    if (stages.items().empty()) stages.fail("at least one [[stage]]", "none");
    std::vector<Stage> loaded;
    std::vector<const ConfigNode*> depends;
    static const std::vector<std::string> kStageKeys = {"name",       "kind",    "device",    "repeat",
                                                        "depends_on", "op",      "backward",  "optimizer",
                                                        "overlaps",   "workers", "host_wait", "source"};
    for (const auto& s : stages.items()) {
      for (const auto& [k, v] : s.entries())
        if (std::find(kStageKeys.begin(), kStageKeys.end(), k) == kStageKeys.end())
          v.fail_unknown_key("a stage key", k, kStageKeys);
      Stage st;
      st.loc = s.loc();
      st.name = s.at("name").as_string();
      for (const auto& other : loaded)
        if (other.name == st.name) s.at("name").fail("a unique stage name", "a second stage named '" + st.name + "'");
      const ConfigNode& kind = s.at("kind");
      auto k = std::find(kStageKinds.begin(), kStageKinds.end(), kind.as_string());
      if (k == kStageKinds.end()) kind.fail("a stage kind", kind.describe(), did_you_mean(kind.m_str, kStageKinds));
      st.kind = static_cast<StageKind>(k - kStageKinds.begin());
      const ConfigNode& dev = s.at("device");
      st.device = dev.as_string();
      st.device_loc = dev.loc();
      st.device_path = dev.path();
      if (const ConfigNode* r = s.find("repeat")) {
        st.repeat = size(*r);
        if (st.repeat <= 0) r->fail("a positive repeat count", r->describe());
      }
      if (const ConfigNode* w = s.find("workers")) {
        st.workers = size(*w);
        if (st.workers < 0 || std::floor(st.workers) != st.workers)
          w->fail("a whole number of PE units (cores) to use, 0 for all", w->describe());
      }
      if (const ConfigNode* h = s.find("host_wait")) {
        st.host_wait_s = h->as_quantity(core::dims::kTime).si;
        if (!(st.host_wait_s >= 0) || !std::isfinite(st.host_wait_s))
          h->fail("a time the device waits for the host per repetition, 0 or more, such as \"2 ms\"", h->describe());
      }
      std::vector<std::pair<std::string, const ConfigNode*>> inputs;
      const ConfigNode& ops = s.at("op");
      if (ops.items().empty()) ops.fail("at least one [[stage.op]]", "none");
      for (const auto& o : ops.items()) read_op(st, o, inputs);
      check_op_cycles(st, inputs);
      bool backward = st.kind == StageKind::kTraining;
      if (const ConfigNode* b = s.find("backward")) {
        backward = b->as_bool();
        if (backward && st.kind != StageKind::kTraining)
          b->fail("backward only in a training stage", "backward = true");
      }
      TrainOptions train;
      if (const ConfigNode* o = s.find("optimizer")) {
        train.optimizer = o->as_string();
        if (std::find(kOptimizers.begin(), kOptimizers.end(), train.optimizer) == kOptimizers.end())
          o->fail("an optimizer", o->describe(), did_you_mean(train.optimizer, kOptimizers));
      }
      if (backward) append_backward(g, st, train);
      loaded.push_back(std::move(st));
      depends.push_back(s.find("depends_on"));
    }
    // Stage dependencies: names must exist and form no cycle; order stages topologically,
    // keeping file order among independent stages.
    std::vector<std::string> names;
    for (const auto& s : loaded) names.push_back(s.name);
    std::vector<std::vector<std::size_t>> edges(loaded.size());
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      if (!depends[i]) continue;
      for (const auto& d : depends[i]->items()) {
        auto it = std::find(names.begin(), names.end(), d.as_string());
        if (it == names.end()) d.fail("the name of a stage", d.describe(), did_you_mean(d.m_str, names));
        edges[i].push_back(static_cast<std::size_t>(it - names.begin()));
        loaded[i].depends_on.push_back(d.m_str);
      }
    }
    find_cycle(edges, [&](const std::vector<std::size_t>& cyc) {
      std::string path;
      for (auto c : cyc) path += names[c] + " -> ";
      path += names[cyc.front()];
      depends[cyc.front()]->fail("stage dependencies without a cycle", "the cycle " + path,
                                 "remove one depends_on entry");
    });
    // Overlap partners: another stage, itself not overlapping a third (one pair at a time).
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      const ConfigNode* o = stages.items()[i].find("overlaps");
      if (!o) continue;
      const std::string& other = o->as_string();
      auto it = std::find(names.begin(), names.end(), other);
      if (it == names.end() || other == loaded[i].name)
        o->fail("the name of another stage", o->describe(), did_you_mean(other, names));
      loaded[i].overlaps = other;
    }
    for (std::size_t i = 0; i < loaded.size(); ++i) {
      if (loaded[i].overlaps.empty()) continue;
      for (const auto& other : loaded)
        if (other.name == loaded[i].overlaps && !other.overlaps.empty())
          stages.items()[i]
              .at("overlaps")
              .fail("a stage that does not itself overlap another",
                    "'" + other.name + "' overlaps '" + other.overlaps + "'");
    }
    std::vector<bool> done(loaded.size(), false);
    while (g.stages.size() < loaded.size()) {
      for (std::size_t i = 0; i < loaded.size(); ++i) {
        if (done[i]) continue;
        bool ready = true;
        for (auto e : edges[i]) ready = ready && done[e];
        if (!ready) continue;
        done[i] = true;
        g.stages.push_back(std::move(loaded[i]));
        break;
      }
    }
  }
};

}  // namespace

Graph load_workload(const ConfigNode& root) {
  if (root.find("zoo")) return zoo::build_workload(root);
  Loader l;
  l.load(root);
  return std::move(l.g);
}

}  // namespace jg::wl
