// ONNX importer (see onnx_import.hpp): reading the model, the entry point and the mapping of
// nodes to ops. Shapes, constant values, folding of shape arithmetic and the call into ONNX shape
// inference are in onnx_fold.cpp; what the two share is declared in onnx_internal.hpp.
//
// Steps: read and parse the ModelProto; decide which graph inputs are data and which are learned
// tensors; give the data inputs' symbolic dims their values; then alternate ONNX shape inference
// with folding of shape arithmetic (a node whose inputs are all known small constants, or a
// Shape/Size of a tensor of known shape, becomes a Constant node) until nothing more folds, so
// that Reshape targets computed from Shape ops get static values; finally walk the nodes in
// their (topological) order, classify every tensor as an activation, a learned tensor (weight)
// or a constant, and map each node that reads an activation to ops.
#include "workloads/importers/onnx_import.hpp"

// Before any ONNX header: it defines ONNX_NAMESPACE and ONNX_ML when the build does not.
#include "workloads/importers/onnx_internal.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"
#include "workloads/builder.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::wl {

namespace {

namespace ox = ::ONNX_NAMESPACE;
using core::DType;
using onnx_detail::attr_i;
using onnx_detail::attr_ints;
using onnx_detail::attr_s;
using onnx_detail::collect_shapes;
using onnx_detail::default_domain;
using onnx_detail::fail;
using onnx_detail::fold_round;
using onnx_detail::infer_shapes;
using onnx_detail::is_float_type;
using onnx_detail::norm_axis;
using onnx_detail::numel;
using onnx_detail::Shape;
using onnx_detail::Shapes;
using onnx_detail::Value;

// ---------------------------------------------------------------------------------------------
// Text

std::string fmt_num(double v) {
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

std::string read_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail(path, "", "an ONNX model file", "no such file", "check the path (it is relative to the working folder)");
  if (std::filesystem::is_directory(path, ec)) fail(path, "", "an ONNX model file", "a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "", "a readable ONNX model file", std::string("it cannot be opened: ") + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, "", "a readable ONNX model file", "a read error");
  return bytes;
}

bool looks_like_text(const std::string& bytes) {
  if (bytes.empty()) return false;
  std::size_t printable = 0;
  const std::size_t n = std::min<std::size_t>(bytes.size(), 512);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n' || c == '\r' || c == '\t' || (c >= 32 && c < 127)) ++printable;
  }
  return printable == n;
}

ox::ModelProto parse_model(const std::string& path) {
  const std::string bytes = read_bytes(path);
  ox::ModelProto model;
  const std::string expected = "an ONNX model (a binary protobuf ModelProto such as torch.onnx.export writes)";
  if (!model.ParseFromString(bytes)) {
    std::string found = std::to_string(bytes.size()) + " bytes that do not parse as a ModelProto";
    if (looks_like_text(bytes)) found += " (the file is text)";
    fail(path, "", expected, found,
         "export the model again; a file cut short, or a model saved as text or as a PyTorch checkpoint, does not "
         "parse");
  }
  if (!model.has_graph() || model.graph().node_size() == 0 || model.opset_import_size() == 0) {
    std::string found = bytes.empty() ? "an empty file" : "a protobuf message without an ONNX graph (";
    if (!bytes.empty()) {
      std::vector<std::string> missing;
      if (model.ir_version() <= 0) missing.push_back("no ir_version");
      if (model.opset_import_size() == 0) missing.push_back("no opset_import");
      if (!model.has_graph() || model.graph().node_size() == 0) missing.push_back("no nodes");
      found += join(missing) + ")";
    }
    fail(path, "", expected, found, "is the file complete? export the model again");
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// Mapping

enum class Kind : std::uint8_t { kActivation, kWeight, kStatic };

struct TensorKind {
  Kind kind = Kind::kActivation;
  std::vector<std::string> roots;  ///< weights: the learned tensors (graph inputs, initializers) it derives from
};

/// An op to add: its type, name, fields and data type, before it is emitted.
struct Planned {
  OpType type = OpType::kElementwise;
  std::string name;
  std::string group;
  std::vector<std::pair<const char*, double>> f;
  /// Learned tensors this op reads without weights of its own: (root, elements read).
  std::vector<std::pair<std::string, double>> loose;
};

double& field(Planned& p, const char* key) {
  for (auto& [k, v] : p.f)
    if (std::strcmp(k, key) == 0) return v;
  p.f.emplace_back(key, 0.0);
  return p.f.back().second;
}

double get_field(const Planned& p, const char* key) {
  for (const auto& [k, v] : p.f)
    if (std::strcmp(k, key) == 0) return v;
  JG_ASSERT(false, "onnx import: op " + p.name + " lacks field " + key);
  return 0;
}

Op& emit(GraphBuilder& b, const Planned& p, DType dt) {
  auto g = [&](const char* k) { return get_field(p, k); };
  Op* op = nullptr;
  switch (p.type) {
    case OpType::kGemm:
      op = &b.add(p.type, p.name, {{"m", g("m")}, {"n", g("n")}, {"k", g("k")}}, dt);
      break;
    case OpType::kConv2d:
      op = &b.add(p.type, p.name,
                  {{"n", g("n")}, {"c_in", g("c_in")}, {"h", g("h")}, {"w", g("w")}, {"c_out", g("c_out")}}, dt);
      break;
    case OpType::kPool:
      op = &b.add(p.type, p.name, {{"n", g("n")}, {"c", g("c")}, {"h", g("h")}, {"w", g("w")}}, dt);
      break;
    case OpType::kElementwise:
    case OpType::kSoftmax:
      op = &b.add(p.type, p.name, {{"elements", g("elements")}}, dt);
      break;
    case OpType::kLayerNorm:
    case OpType::kBatchNorm:
      op = &b.add(p.type, p.name, {{"elements", g("elements")}, {"features", g("features")}}, dt);
      break;
    case OpType::kEmbedding:
      op = &b.add(p.type, p.name, {{"tokens", g("tokens")}, {"dim", g("dim")}, {"vocab", g("vocab")}}, dt);
      break;
    default:
      JG_ASSERT(false, "onnx import: unexpected op type for " + p.name);
  }
  const auto& spec = op_fields(p.type);
  for (const auto& [k, v] : p.f) {
    std::size_t i = 0;
    while (i < spec.size() && std::strcmp(spec[i].name, k) != 0) ++i;
    JG_ASSERT(i < spec.size(), "onnx import: op type " + std::string(op_type_name(p.type)) + " has no field " + k);
    JG_ASSERT(std::isfinite(v) && v >= 0,
              "onnx import: field " + std::string(k) + " of " + p.name + " is " + std::to_string(v));
    op->d[i] = v;
  }
  return *op;
}

/// Group label of a node from its torch-export scope name (see import_onnx in the header).
std::string group_of(const std::string& node_name) {
  if (node_name.size() < 2 || node_name[0] != '/') return "";
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = node_name.find('/', start);
    if (slash == std::string::npos) break;  // the last component is the op's own name
    if (slash > start) parts.push_back(node_name.substr(start, slash - start));
    start = slash + 1;
  }
  auto indexed = [](const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1]))) --i;
    return i < s.size() && i >= 2 && (s[i - 1] == '.' || s[i - 1] == '_');
  };
  for (const auto& p : parts)
    if (indexed(p)) return p;
  return parts.empty() ? "" : parts.front();
}

// Per-element arithmetic of elementwise ONNX ops, in FLOP-equivalents per output element:
// add/compare/select count 1; a transcendental function (exp, log, sqrt, erf, tanh...) counts 4,
// the ratio of FP32 to special-function-unit throughput of NVIDIA SMs (NVIDIA CUDA C++
// Programming Guide, "Arithmetic Instructions" throughput table: 128 vs 16-32 results per clock
// per SM); composites add their parts (sigmoid = exp + add + divide = 6).
const std::unordered_map<std::string, double>& elementwise_flops() {
  static const std::unordered_map<std::string, double> k = [] {
    const std::vector<std::pair<double, std::vector<std::string>>> classes = {
        {1, {"Add", "Sub", "Mul", "Div", "Mod", "Neg", "Abs", "Sign", "Floor", "Ceil", "Round"}},
        {1, {"Max", "Min", "Sum", "Mean", "Relu", "ThresholdedRelu", "Trilu", "Where"}},
        {1, {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "IsNaN", "IsInf"}},
        {1, {"And", "Or", "Xor", "Not", "BitShift"}},
        {2, {"LeakyRelu", "PRelu", "Clip", "Shrink", "Softsign"}},
        {3, {"HardSigmoid"}},
        {4,
         {"HardSwish", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Tanh", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
          "Sinh", "Cosh", "Asinh", "Acosh", "Atanh"}},
        {6, {"Sigmoid", "Elu"}},
        {7, {"Selu", "Celu"}},
        {8, {"Gelu", "Pow"}},  // Pow: exp(b·log a); a constant exponent 2 counts 1 (see map_node)
        {9, {"Softplus"}},
        {15, {"Mish"}},
    };
    std::unordered_map<std::string, double> m;
    for (const auto& [flops, ops] : classes)
      for (const auto& op : ops) m[op] = flops;
    return m;
  }();
  return k;
}

// Reductions: counted over their input elements.
const std::unordered_map<std::string, double>& reduction_flops() {
  static const std::unordered_map<std::string, double> k = {
      {"ReduceMean", 1},   {"ReduceSum", 1},       {"ReduceMax", 1}, {"ReduceMin", 1},
      {"ReduceProd", 1},   {"ReduceL1", 2},        {"ReduceL2", 2},  {"ReduceSumSquare", 2},
      {"ReduceLogSum", 1}, {"ReduceLogSumExp", 5}, {"ArgMax", 1},    {"ArgMin", 1},
  };
  return k;
}

// Copies: data movement with no arithmetic (elementwise, 0 flops, counted over the outputs).
const std::set<std::string>& copy_ops() {
  static const std::set<std::string> k = {"Transpose",      "Concat",
                                          "Split",          "Slice",
                                          "Gather",         "GatherElements",
                                          "GatherND",       "Expand",
                                          "Tile",           "Pad",
                                          "Cast",           "CastLike",
                                          "DepthToSpace",   "SpaceToDepth",
                                          "ScatterND",      "ScatterElements",
                                          "Scatter",        "ReverseSequence",
                                          "Compress",       "OneHot",
                                          "SplitToSequence"};
  return k;
}

// Metadata: no data moves (views, shape queries, constants, inference-time no-ops).
const std::set<std::string>& free_ops() {
  static const std::set<std::string> k = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity",
                                          "Dropout", "Shape",   "Size",    "Constant",  "ConstantOfShape"};
  return k;
}

DType dtype_of_elem(std::int32_t elem, DType fallback) {
  switch (elem) {
    case ox::TensorProto::FLOAT:
      return DType::kFp32;
    case ox::TensorProto::FLOAT16:
      return DType::kFp16;
    case ox::TensorProto::BFLOAT16:
      return DType::kBf16;
    case ox::TensorProto::DOUBLE:
      return DType::kFp64;
    case ox::TensorProto::INT8:
    case ox::TensorProto::UINT8:
      return DType::kInt8;
    default:
      return fallback;
  }
}

class Importer {
 public:
  Importer(std::string path, const OnnxOptions& options) : m_path(std::move(path)), m_opt(options) {}

  Graph run(OnnxSummary& summary) {
    m_model = parse_model(m_path);
    ox::GraphProto& g = *m_model.mutable_graph();
    for (const auto& o : m_model.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") summary.opset = o.version();
    summary.producer =
        m_model.producer_name() + (m_model.producer_version().empty() ? "" : " " + m_model.producer_version());
    summary.nodes = static_cast<std::size_t>(g.node_size());
    for (const auto& n : g.node()) m_orig.push_back(default_domain(n) ? n.op_type() : n.domain() + "." + n.op_type());

    classify_inputs(g);
    set_dims(g);
    // Shape inference and folding of shape arithmetic until nothing more folds (each round
    // can reveal the shapes that the next Shape ops need: one round per dependent Reshape).
    for (int round = 0; round < 1000; ++round) {
      infer_shapes(m_model, m_path);
      m_shapes = collect_shapes(g);
      if (!fold_round(g, m_shapes, m_consts)) break;
    }

    std::string stem = std::filesystem::path(m_path).stem().string();
    GraphBuilder b(stem.empty() ? "onnx" : stem, "");
    b.stage(std::string(stage_kind_name(m_opt.kind)), m_opt.kind, m_opt.device, m_opt.repeat);
    m_dtype = m_opt.dtype ? *m_opt.dtype : detect_dtype(g);

    std::unordered_set<std::string> graph_outputs;
    for (const auto& o : g.output()) graph_outputs.insert(o.name());
    for (const auto& n : g.node())
      for (const auto& in : n.input())
        if (!in.empty()) ++m_consumers[in];
    for (const auto& o : graph_outputs) ++m_consumers[o];

    for (int i = 0; i < g.node_size(); ++i) map_node(g.node(i), static_cast<std::size_t>(i), summary);

    // Emit: a learned tensor that no op with weights reads becomes an embedding op before the
    // first op that reads it (its parameters are counted; its rows are read).
    std::unordered_set<std::string> emitted;
    for (const auto& p : m_plan) {
      b.group(p.group);
      for (const auto& [root, read] : p.loose) {
        if (m_attached.count(root) || !emitted.insert(root).second) continue;
        auto it = m_shapes.find(root);
        if (it == m_shapes.end() || !it->second.known) continue;
        const double dim = it->second.dims.empty() ? 1 : static_cast<double>(it->second.dims.back());
        const double total = numel(it->second.dims);
        if (dim <= 0 || total <= 0) continue;
        Planned e;
        e.type = OpType::kEmbedding;
        e.name = root;
        e.f = {{"tokens", std::max(1.0, std::round(read / dim))}, {"dim", dim}, {"vocab", total / dim}};
        emit(b, e, m_dtype);
        ++summary.unattached_parameters;
        ++summary.ops;
      }
      emit(b, p, m_dtype);
      ++summary.ops;
    }
    b.group("");
    for (const auto& w : m_warnings) b.warn(w);
    Graph out = b.finish();
    for (const auto& [k, v] : m_used_dims) out.params[k] = v;
    out.description = "ONNX model " + m_path + " (opset " + std::to_string(summary.opset) +
                      (summary.producer.empty() ? "" : ", " + summary.producer) + "): " + describe(summary);
    return out;
  }

 private:
  // Which graph inputs are data and which are learned tensors (see the header).
  void classify_inputs(const ox::GraphProto& g) {
    std::unordered_set<std::string> inits;
    for (const auto& t : g.initializer()) {
      inits.insert(t.name());
      const double n = numel(std::vector<std::int64_t>(t.dims().begin(), t.dims().end()));
      if (is_float_type(t.data_type()) && n > 1)
        m_kinds[t.name()] = {Kind::kWeight, {t.name()}};
      else
        m_kinds[t.name()] = {Kind::kStatic, {}};
    }
    bool first = true;
    for (int i = 0; i < g.input_size(); ++i) {
      const auto& in = g.input(i);
      if (inits.count(in.name())) continue;
      bool symbolic = !in.type().tensor_type().has_shape();
      for (const auto& d : in.type().tensor_type().shape().dim())
        if (!d.has_dim_value()) symbolic = true;
      if (first || symbolic) {
        m_kinds[in.name()] = {Kind::kActivation, {}};
        m_data_inputs.push_back(i);
      } else if (is_float_type(in.type().tensor_type().elem_type())) {
        m_kinds[in.name()] = {Kind::kWeight, {in.name()}};
      } else {
        m_kinds[in.name()] = {Kind::kStatic, {}};
      }
      first = false;
    }
  }

  // Gives the data inputs' symbolic dims their values; clears other symbolic dims.
  void set_dims(ox::GraphProto& g) {
    std::vector<std::string> symbols;
    for (int i : m_data_inputs)
      for (const auto& d : g.input(i).type().tensor_type().shape().dim())
        if (d.has_dim_param() && std::find(symbols.begin(), symbols.end(), d.dim_param()) == symbols.end())
          symbols.push_back(d.dim_param());
    for (int i : m_data_inputs) {
      auto* in = g.mutable_input(i);
      if (!in->type().tensor_type().has_shape())
        fail(m_path, "graph.input[" + std::to_string(i) + "]", "a model input with a known rank and dims",
             "input '" + in->name() + "' without a shape",
             "export the model with an example input of the intended shape");
      auto* shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
      for (int k = 0; k < shape->dim_size(); ++k) {
        auto* d = shape->mutable_dim(k);
        const std::string key = "graph.input[" + std::to_string(i) + "].shape.dim[" + std::to_string(k) + "]";
        if (d->has_dim_value()) continue;
        if (!d->has_dim_param())
          fail(m_path, key, "a fixed size or a named dynamic dim",
               "dim " + std::to_string(k) + " of input '" + in->name() + "' has neither",
               "export the model with named dynamic axes (torch.onnx.export(..., dynamic_axes=...)) or fixed shapes");
        const std::string name = d->dim_param();
        auto it = m_opt.dims.find(name);
        if (it == m_opt.dims.end()) {
          std::vector<std::string> given;
          for (const auto& [k2, v] : m_opt.dims) given.push_back(k2 + "=" + fmt_num(v));
          fail(m_path, key, "a value for dim '" + name + "' (set it with --set " + name + "=N)",
               "no value: the model leaves dim '" + name + "' of input '" + in->name() + "' dynamic",
               "symbolic dims of this model: " + join(symbols) +
                   (given.empty() ? "" : "; values given: " + join(given)));
        }
        const double v = it->second;
        if (!(v >= 1) || v != std::floor(v) || v > 9e15)
          fail(m_path, key, "a positive whole number for dim '" + name + "'", fmt_num(v));
        d->set_dim_value(static_cast<std::int64_t>(v));
        m_used_dims[name] = v;
      }
    }
    // Outputs and recorded value_info: substitute known names, forget the others (inference
    // recomputes them).
    auto fix = [&](ox::ValueInfoProto& vi) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
      auto* shape = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
      for (auto& d : *shape->mutable_dim()) {
        if (!d.has_dim_param()) continue;
        auto it = m_used_dims.find(d.dim_param());
        if (it != m_used_dims.end())
          d.set_dim_value(static_cast<std::int64_t>(it->second));
        else
          d.clear_dim_param();
      }
    };
    for (auto& vi : *g.mutable_output()) fix(vi);
    for (auto& vi : *g.mutable_value_info()) fix(vi);
    for (int i = 0; i < g.input_size(); ++i)
      if (std::find(m_data_inputs.begin(), m_data_inputs.end(), i) == m_data_inputs.end()) fix(*g.mutable_input(i));
  }

  DType detect_dtype(const ox::GraphProto& g) {
    for (int i : m_data_inputs) {
      const auto e = g.input(i).type().tensor_type().elem_type();
      if (is_float_type(e) || e == ox::TensorProto::INT8 || e == ox::TensorProto::UINT8)
        return dtype_of_elem(e, DType::kFp32);
    }
    for (const auto& in : g.input())
      if (kind_of(in.name()).kind == Kind::kWeight)
        return dtype_of_elem(in.type().tensor_type().elem_type(), DType::kFp32);
    for (const auto& t : g.initializer())
      if (kind_of(t.name()).kind == Kind::kWeight) return dtype_of_elem(t.data_type(), DType::kFp32);
    return DType::kFp32;
  }

  TensorKind kind_of(const std::string& name) const {
    auto it = m_kinds.find(name);
    if (it != m_kinds.end()) return it->second;
    return {Kind::kWeight, {name}};  // defined nowhere: an absent parameter
  }

  /// Key path of node i (the ONNX protobuf field path) and how messages name it.
  static std::string node_key(std::size_t i) { return "graph.node[" + std::to_string(i) + "]"; }
  std::string node_text(std::size_t i, const std::string& name) const {
    return "node '" + name + "' (" + m_orig[i] + ")";
  }

  /// The known shape of `tensor`, read by node i; ConfigError if inference left it unknown.
  const Shape& need(const std::string& tensor, std::size_t i, const std::string& name) const {
    auto it = m_shapes.find(tensor);
    if (it != m_shapes.end() && it->second.known) return it->second;
    std::string found = node_text(i, name) + ": no inferred shape for its tensor '" + tensor + "'";
    if (it != m_shapes.end() && !it->second.dims.empty()) {
      std::vector<std::string> d;
      for (auto x : it->second.dims) d.push_back(x < 0 ? "?" : std::to_string(x));
      found = node_text(i, name) + ": its tensor '" + tensor + "' has shape [" + join(d, ",") + "] with unknown dims";
      if (!it->second.unknown_dim.empty()) found += " (symbolic '" + it->second.unknown_dim + "')";
    }
    fail(m_path, node_key(i), "a tensor shape that ONNX shape inference infers (after the dims are set)", found,
         "ops from custom domains and shapes computed from data are not inferred: export with static shapes or "
         "simplify the model (python3 -m onnxsim)");
  }

  void attach(const TensorKind& k) {
    for (const auto& r : k.roots) m_attached.insert(r);
  }

  void map_node(const ox::NodeProto& n, std::size_t i, OnnxSummary& summary) {
    const std::string& type = m_orig[i];
    const std::string name = n.name().empty() ? type + "_" + std::to_string(i) : n.name();
    const std::string group = group_of(n.name());

    std::vector<TensorKind> in;
    bool any_act = false, any_weight = false;
    std::vector<std::string> roots;
    for (const auto& t : n.input()) {
      if (t.empty()) {
        in.push_back({Kind::kStatic, {}});
        continue;
      }
      in.push_back(kind_of(t));
      if (in.back().kind == Kind::kActivation) any_act = true;
      if (in.back().kind == Kind::kWeight) {
        any_weight = true;
        roots.insert(roots.end(), in.back().roots.begin(), in.back().roots.end());
      }
    }
    auto set_outputs = [&](const TensorKind& k) {
      for (const auto& o : n.output())
        if (!o.empty()) m_kinds[o] = k;
    };

    const bool custom = !default_domain(n);
    if (!custom && (n.op_type() == "Constant" || type == "Shape" || type == "Size" || type == "ConstantOfShape")) {
      set_outputs({Kind::kStatic, {}});
      ++summary.free[type];
      return;
    }
    if (!custom && free_ops().count(type)) {
      set_outputs(in.empty() ? TensorKind{Kind::kStatic, {}} : in[0]);
      ++summary.free[type];
      return;
    }
    if (!any_act && !n.input().empty()) {
      // Over weights and constants only: folded at export or load time, no work per inference.
      set_outputs(any_weight ? TensorKind{Kind::kWeight, roots} : TensorKind{Kind::kStatic, {}});
      ++summary.free[type];
      return;
    }
    set_outputs({Kind::kActivation, {}});

    Planned p;
    p.name = name;
    p.group = group;
    // Learned inputs of an op without weights of its own.
    auto loose = [&]() { loose_inputs(n, in, p); };
    auto plan = [&]() {
      ++summary.mapped[type];
      m_plan.push_back(p);
    };
    auto out_elements = [&]() {
      double e = 0;
      for (const auto& o : n.output())
        if (!o.empty()) e += numel(need(o, i, name).dims);
      return e;
    };
    // Operands: the activations read (a learned input is a fused bias or read by its own
    // embedding op; constants are scalars or small broadcast tensors).
    auto operands = [&]() {
      double ops = 0;
      for (const auto& k : in) ops += k.kind == Kind::kActivation ? 1 : 0;
      return std::max(1.0, ops);
    };

    if (custom) {
      unsupported(n, i, name, type, summary, p, in);
      return;
    }
    if (type == "Conv" || type == "ConvTranspose") {
      if (conv(n, i, name, type == "ConvTranspose", in, p)) {
        plan();
        return;
      }
      unsupported(n, i, name, type, summary, p, in);
      return;
    }
    if (type == "Gemm") {
      gemm(n, i, name, in, p);
      plan();
      return;
    }
    if (type == "MatMul") {
      matmul(n, i, name, in, p);
      plan();
      return;
    }
    if (type == "Add" && fuse_bias(n, in)) {
      ++summary.fused[type];
      return;
    }
    if (type == "Gather" && in.size() == 2 && in[0].kind == Kind::kWeight && in[1].kind == Kind::kActivation &&
        attr_i(n, "axis", 0) == 0) {
      const Shape& table = need(n.input(0), i, name);
      const Shape& ix = need(n.input(1), i, name);
      if (!table.dims.empty() && table.dims[0] > 0) {
        p.type = OpType::kEmbedding;
        const double vocab = static_cast<double>(table.dims[0]);
        p.f = {{"tokens", numel(ix.dims)}, {"dim", numel(table.dims) / vocab}, {"vocab", vocab}};
        attach(in[0]);
        plan();
        return;
      }
    }
    if (auto it = elementwise_flops().find(type); it != elementwise_flops().end()) {
      const double out = out_elements();
      double flops = it->second;
      if (type == "Pow" && n.input_size() > 1) {
        auto c = m_consts.find(n.input(1));
        if (c != m_consts.end() && c->second.v.size() == 1) {
          const double e = c->second.v[0];
          flops = e == 2 || e == 1 ? 1 : e == 3 ? 2 : e == 0.5 ? 4 : 8;
        }
      }
      p.f = {{"elements", out}, {"operands", operands()}, {"flops_per_element", flops}};
      loose();
      plan();
      return;
    }
    if (auto it = reduction_flops().find(type); it != reduction_flops().end()) {
      p.f = {{"elements", numel(need(n.input(0), i, name).dims)}, {"operands", 1}, {"flops_per_element", it->second}};
      loose();
      plan();
      return;
    }
    if (copy_ops().count(type)) {
      p.f = {{"elements", out_elements()}, {"operands", 1}, {"flops_per_element", 0}};
      loose();
      plan();
      return;
    }
    if (type == "Resize" || type == "Upsample") {
      const std::string mode = attr_s(n, "mode", "nearest");
      // Per output element: nearest 1 (index arithmetic), (bi)linear 8 (4 taps x 2 flops, as
      // the resize estimator), cubic 32 (16 taps x 2).
      const double flops = mode == "linear" || mode == "bilinear" ? 8 : mode == "cubic" ? 32 : 1;
      p.f = {{"elements", out_elements()}, {"operands", 1}, {"flops_per_element", flops}};
      loose();
      plan();
      return;
    }
    if (type == "MaxPool" || type == "AveragePool" || type == "LpPool" || type == "GlobalAveragePool" ||
        type == "GlobalMaxPool" || type == "GlobalLpPool") {
      if (pool(n, i, name, type.rfind("Global", 0) == 0, p)) {
        loose();
        plan();
        return;
      }
      unsupported(n, i, name, type, summary, p, in);
      return;
    }
    if (type == "BatchNormalization") {
      const Shape& x = need(n.input(0), i, name);
      p.type = OpType::kBatchNorm;
      p.f = {{"elements", numel(x.dims)}, {"features", x.dims.size() > 1 ? static_cast<double>(x.dims[1]) : 1}};
      for (std::size_t k = 1; k < in.size(); ++k) attach(in[k]);
      plan();
      return;
    }
    if (type == "LayerNormalization" || type == "InstanceNormalization") {
      const Shape& x = need(n.input(0), i, name);
      double features = x.dims.size() > 1 ? static_cast<double>(x.dims[1]) : 1;  // instance norm: channels
      if (type == "LayerNormalization") {
        const auto axis = norm_axis(attr_i(n, "axis", -1), x.dims.size());
        features = 1;
        for (std::size_t k = static_cast<std::size_t>(std::max<std::int64_t>(axis, 0)); k < x.dims.size(); ++k)
          features *= static_cast<double>(x.dims[k]);
      }
      // Learned vectors: scale and shift, or the scale alone when the bias input is absent.
      const bool shift = type == "InstanceNormalization" || (n.input_size() > 2 && !n.input(2).empty());
      p.type = OpType::kLayerNorm;
      p.f = {{"elements", numel(x.dims)}, {"features", features}, {"scales", shift ? 2.0 : 1.0}};
      for (std::size_t k = 1; k < in.size(); ++k) attach(in[k]);
      plan();
      return;
    }
    if (type == "Softmax" || type == "LogSoftmax" || type == "Hardmax") {
      p.type = OpType::kSoftmax;
      p.f = {{"elements", numel(need(n.input(0), i, name).dims)}};
      plan();
      return;
    }
    unsupported(n, i, name, type, summary, p, in);
  }

  /// Learned inputs of an op without weights of its own: read whole (elements of their shape).
  void loose_inputs(const ox::NodeProto& n, const std::vector<TensorKind>& in, Planned& p) const {
    for (int k = 0; k < n.input_size(); ++k)
      if (in[static_cast<std::size_t>(k)].kind == Kind::kWeight) {
        auto it = m_shapes.find(n.input(k));
        const double read = it != m_shapes.end() && it->second.known ? numel(it->second.dims) : 1;
        for (const auto& r : in[static_cast<std::size_t>(k)].roots) p.loose.emplace_back(r, read);
      }
  }

  void unsupported(const ox::NodeProto& n, std::size_t i, const std::string& name, const std::string& type,
                   OnnxSummary& summary, Planned& p, const std::vector<TensorKind>& in) {
    const std::string what = "unsupported ONNX node '" + name + "' (" + type + ") at node index " + std::to_string(i);
    if (m_opt.strict)
      fail(m_path, node_key(i), "an ONNX op that joulegraph maps to ops (strict mode)", what,
           "without strict mode it is counted as elementwise over its output, with a warning");
    double elements = 0;
    for (const auto& o : n.output())
      if (!o.empty()) elements += numel(need(o, i, name).dims);
    double ops = 0;
    for (const auto& k : in) ops += k.kind == Kind::kActivation ? 1 : 0;
    p.type = OpType::kElementwise;
    p.f = {{"elements", elements}, {"operands", std::max(1.0, ops)}, {"flops_per_element", 1}};
    loose_inputs(n, in, p);
    m_warnings.push_back(what + ": counted as elementwise over its output");
    ++summary.unsupported[type];
    m_plan.push_back(p);
  }

  // Conv -> conv2d. A 1-D convolution has h = 1; a 3-D one folds its output depth into the batch
  // and its kernel depth into the input channels (n = N·od, c_in = C·kd: the same MACs and
  // weights). Strides, pads and dilations are kept when they are the same on both axes and give
  // the inferred output size; otherwise the op takes the equivalent geometry stride 1, padding 0,
  // input h = oh + kh - 1, w = ow + kw - 1 (the same MACs and weights; input bytes differ a
  // little).
  // ConvTranspose -> the conv2d whose data gradient it is, i.e. with input and output swapped:
  // c_in = C_out, c_out = C_in, output size = the ConvTranspose's input size H x W, stride 1
  // (h = H + kh - 1). MACs N·H·W·C_in·(C_out/g)·kh·kw and weights C_in·(C_out/g)·kh·kw are
  // exact. Its bias (C_out values, not the swapped conv2d's c_out = C_in) is counted as a
  // learned tensor read by an embedding op.
  bool conv(const ox::NodeProto& n, std::size_t i, const std::string& name, bool transposed,
            const std::vector<TensorKind>& in, Planned& p) {
    const Shape& x = need(n.input(0), i, name);
    const Shape& y = need(n.output(0), i, name);
    const std::size_t spatial = x.dims.size() >= 2 ? x.dims.size() - 2 : 0;
    if (spatial < 1 || spatial > 3 || y.dims.size() != x.dims.size()) return false;
    std::vector<std::int64_t> kernel = attr_ints(n, "kernel_shape");
    if (kernel.empty()) {
      const Shape& w = need(n.input(1), i, name);
      kernel.assign(w.dims.begin() + 2, w.dims.end());
    }
    if (kernel.size() != spatial) return false;
    const double groups = static_cast<double>(attr_i(n, "group", 1));
    const double batch = static_cast<double>(x.dims[0]);
    const bool bias = n.input_size() > 2 && !n.input(2).empty();
    auto d = [](const std::vector<std::int64_t>& v, std::size_t k) { return static_cast<double>(v[k]); };
    // Axes: the last two spatial axes become (h, w); a leading third one is folded.
    const std::vector<std::int64_t>& in_sp = transposed ? y.dims : x.dims;   // the conv2d's input
    const std::vector<std::int64_t>& out_sp = transposed ? x.dims : y.dims;  // the conv2d's output
    double c_in = transposed ? d(y.dims, 1) : d(x.dims, 1);
    const double c_out = transposed ? d(x.dims, 1) : d(y.dims, 1);
    double nn = batch, kh = 1, kw = 1, oh = 1, ow = 1, h = 1, w = 1;
    if (spatial == 1) {
      kw = d(kernel, 0);
      ow = d(out_sp, 2);
    } else {
      kh = d(kernel, spatial - 2);
      kw = d(kernel, spatial - 1);
      oh = d(out_sp, spatial);
      ow = d(out_sp, spatial + 1);
      h = d(in_sp, spatial);
      w = d(in_sp, spatial + 1);
      if (spatial == 3) {
        nn *= d(out_sp, 2);
        c_in *= d(kernel, 0);
      }
    }
    double stride = 1, pad = 0, dil = 1;
    bool direct = false;
    if (spatial == 2 && !transposed) {
      auto strides = attr_ints(n, "strides"), pads = attr_ints(n, "pads"), dils = attr_ints(n, "dilations");
      if (strides.empty()) strides = {1, 1};
      if (pads.empty()) pads = {0, 0, 0, 0};
      if (dils.empty()) dils = {1, 1};
      const bool same = strides.size() == 2 && strides[0] == strides[1] && dils.size() == 2 && dils[0] == dils[1] &&
                        pads.size() == 4 && std::all_of(pads.begin(), pads.end(), [&](auto v) { return v == pads[0]; });
      if (same) {
        stride = static_cast<double>(strides[0]);
        pad = static_cast<double>(pads[0]);
        dil = static_cast<double>(dils[0]);
        direct = conv_out(h, kh, stride, pad, dil) == oh && conv_out(w, kw, stride, pad, dil) == ow;
      }
    }
    if (!direct) {
      stride = 1;
      pad = 0;
      dil = 1;
      h = oh + kh - 1;
      w = ow + kw - 1;
    }
    p.type = OpType::kConv2d;
    p.f = {{"n", nn},        {"c_in", c_in},    {"h", h},           {"w", w},
           {"c_out", c_out}, {"kh", kh},        {"kw", kw},         {"stride", stride},
           {"padding", pad}, {"dilation", dil}, {"groups", groups}, {"bias", bias && !transposed ? 1.0 : 0.0}};
    if (n.input_size() > 1) attach(in[1]);
    if (bias) {
      if (!transposed) {
        attach(in[2]);
      } else {
        auto it = m_shapes.find(n.input(2));
        const double read = it != m_shapes.end() && it->second.known ? numel(it->second.dims) : 1;
        for (const auto& r : in[2].roots) p.loose.emplace_back(r, read);
      }
    }
    return true;
  }

  // Gemm: Y[M,N] = A·B (+ C). B learned: weights = 1; A learned (W·x): the transposed product
  // Y^T = B^T·A^T with the weight as B; neither: weights = 0. A learned C is the bias; an
  // activation C adds an elementwise op.
  void gemm(const ox::NodeProto& n, std::size_t i, const std::string& name, const std::vector<TensorKind>& in,
            Planned& p) {
    const Shape& y = need(n.output(0), i, name);
    const Shape& a = need(n.input(0), i, name);
    if (y.dims.size() != 2 || a.dims.size() != 2)
      fail(m_path, node_key(i), "Gemm operands of rank 2",
           node_text(i, name) + ": A of rank " + std::to_string(a.dims.size()) + ", Y of rank " +
               std::to_string(y.dims.size()));
    const double mm = static_cast<double>(y.dims[0]), nn = static_cast<double>(y.dims[1]);
    const double k = static_cast<double>(attr_i(n, "transA", 0) != 0 ? a.dims[0] : a.dims[1]);
    p.type = OpType::kGemm;
    double weights = 0, fuse_n = -1;
    if (in[1].kind == Kind::kWeight) {
      p.f = {{"m", mm}, {"n", nn}, {"k", k}};
      weights = 1;
      fuse_n = nn;
      attach(in[1]);
    } else if (in[0].kind == Kind::kWeight) {
      p.f = {{"m", nn}, {"n", mm}, {"k", k}};
      weights = 1;
      attach(in[0]);
    } else {
      p.f = {{"m", mm}, {"n", nn}, {"k", k}};
    }
    double bias = 0;
    bool add_c = false;
    if (n.input_size() > 2 && !n.input(2).empty()) {
      if (in[2].kind == Kind::kWeight) {
        bias = 1;
        attach(in[2]);
      } else {
        add_c = true;
      }
    }
    p.f.insert(p.f.end(), {{"count", 1}, {"weights", weights}, {"bias", bias}});
    if (fuse_n > 0 && bias == 0) m_fusable[n.output(0)] = {m_plan.size(), fuse_n};
    if (add_c) {
      Planned c;
      c.type = OpType::kElementwise;
      c.name = name + ".add_c";
      c.group = p.group;
      c.f = {
          {"elements", mm * nn}, {"operands", in[2].kind == Kind::kActivation ? 2.0 : 1.0}, {"flops_per_element", 1}};
      m_plan.push_back(p);
      p = c;  // plan() adds the bias add after the product
    }
  }

  // MatMul with numpy semantics: [..., M, K]·[..., K, N]. A learned B (or A): weights = 1 and
  // count = the weight's own batch dims; two activations: weights = 0, count = the product of
  // the output's batch dims (attention Q·K^T and A·V: batch x heads).
  void matmul(const ox::NodeProto& n, std::size_t i, const std::string& name, const std::vector<TensorKind>& in,
              Planned& p) {
    const Shape& a = need(n.input(0), i, name);
    const Shape& b = need(n.input(1), i, name);
    const Shape& y = need(n.output(0), i, name);
    if (a.dims.empty() || b.dims.empty())
      fail(m_path, node_key(i), "MatMul operands of rank 1 or more", node_text(i, name) + ": a scalar operand");
    const double k = static_cast<double>(a.dims.back());
    const double mm = a.dims.size() >= 2 ? static_cast<double>(a.dims[a.dims.size() - 2]) : 1;
    const double nn = b.dims.size() >= 2 ? static_cast<double>(b.dims.back()) : 1;
    const double out = numel(y.dims);
    auto batch_of = [](const Shape& s) {
      double c = 1;
      for (std::size_t j = 0; j + 2 < s.dims.size(); ++j) c *= static_cast<double>(s.dims[j]);
      return c;
    };
    p.type = OpType::kGemm;
    if (in[1].kind == Kind::kWeight) {
      const double count = batch_of(b);
      p.f = {{"m", out / (nn * count)}, {"n", nn}, {"k", k}, {"count", count}, {"weights", 1}, {"bias", 0}};
      attach(in[1]);
      if (count == 1) m_fusable[n.output(0)] = {m_plan.size(), nn};
    } else if (in[0].kind == Kind::kWeight) {
      const double count = batch_of(a);
      p.f = {{"m", out / (mm * count)}, {"n", mm}, {"k", k}, {"count", count}, {"weights", 1}, {"bias", 0}};
      attach(in[0]);
    } else {
      const double count = out / (mm * nn);
      p.f = {{"m", mm}, {"n", nn}, {"k", k}, {"count", count}, {"weights", 0}, {"bias", 0}};
    }
  }

  // An Add of a learned vector of N values to the only use of a learned-weight product's output
  // (torch exports Linear on 3-D input as MatMul + Add) is that product's bias.
  bool fuse_bias(const ox::NodeProto& n, const std::vector<TensorKind>& in) {
    if (n.input_size() != 2) return false;
    for (int s = 0; s < 2; ++s) {
      const std::string& prod = n.input(s);
      const auto& other = in[1 - s];
      auto f = m_fusable.find(prod);
      if (f == m_fusable.end() || other.kind != Kind::kWeight) continue;
      auto c = m_consumers.find(prod);
      if (c == m_consumers.end() || c->second != 1) continue;
      auto sh = m_shapes.find(n.input(1 - s));
      if (sh == m_shapes.end() || !sh->second.known || numel(sh->second.dims) != f->second.second) continue;
      field(m_plan[f->second.first], "bias") = 1;
      attach(other);
      m_fusable.erase(f);
      return true;
    }
    return false;
  }

  // Pools: kept as written when square, same on both axes and matching the inferred output;
  // otherwise the equivalent window k = sqrt(kh·kw) at stride 1 over an input of the output's
  // size + k - 1 (same outputs and window reads). Global pools: one window over the whole map.
  bool pool(const ox::NodeProto& n, std::size_t i, const std::string& name, bool global, Planned& p) {
    const Shape& x = need(n.input(0), i, name);
    const Shape& y = need(n.output(0), i, name);
    if (x.dims.size() < 3 || y.dims.size() != x.dims.size()) return false;
    const std::size_t spatial = x.dims.size() - 2;
    double in_sp = 1, out_sp = 1;
    for (std::size_t k = 2; k < x.dims.size(); ++k) {
      in_sp *= static_cast<double>(x.dims[k]);
      out_sp *= static_cast<double>(y.dims[k]);
    }
    p.type = OpType::kPool;
    const double nn = static_cast<double>(x.dims[0]), c = static_cast<double>(x.dims[1]);
    if (global) {
      const double k = std::sqrt(in_sp);
      p.f = {{"n", nn}, {"c", c}, {"h", k}, {"w", k}, {"kernel", k}, {"stride", 1}, {"padding", 0}};
      return true;
    }
    auto kernel = attr_ints(n, "kernel_shape");
    if (kernel.size() != spatial) return false;
    auto strides = attr_ints(n, "strides"), pads = attr_ints(n, "pads"), dils = attr_ints(n, "dilations");
    if (strides.empty()) strides.assign(spatial, 1);
    if (pads.empty()) pads.assign(2 * spatial, 0);
    const bool undilated = std::all_of(dils.begin(), dils.end(), [](auto v) { return v == 1; });
    if (spatial == 2 && kernel[0] == kernel[1] && strides[0] == strides[1] && undilated && pads.size() == 4 &&
        std::all_of(pads.begin(), pads.end(), [&](auto v) { return v == pads[0]; })) {
      const double k = static_cast<double>(kernel[0]), s = static_cast<double>(strides[0]);
      const double pd = static_cast<double>(pads[0]);
      const double h = static_cast<double>(x.dims[2]), w = static_cast<double>(x.dims[3]);
      const double oh = static_cast<double>(y.dims[2]), ow = static_cast<double>(y.dims[3]);
      if (conv_out(h, k, s, pd, 1) == oh && conv_out(w, k, s, pd, 1) == ow)
        p.f = {{"n", nn}, {"c", c}, {"h", h}, {"w", w}, {"kernel", k}, {"stride", s}, {"padding", pd}};
      else
        p.f = {{"n", nn}, {"c", c}, {"h", oh + k - 1}, {"w", ow + k - 1}, {"kernel", k}, {"stride", 1}, {"padding", 0}};
      return true;
    }
    double window = 1;
    for (auto k : kernel) window *= static_cast<double>(k);
    const double k = std::sqrt(window), side = std::sqrt(out_sp);
    p.f = {{"n", nn}, {"c", c}, {"h", side + k - 1}, {"w", side + k - 1}, {"kernel", k}, {"stride", 1}, {"padding", 0}};
    return true;
  }

  std::string m_path;
  const OnnxOptions& m_opt;
  ox::ModelProto m_model;
  std::vector<std::string> m_orig;  ///< node op types before folding
  std::vector<int> m_data_inputs;
  std::map<std::string, double> m_used_dims;
  Shapes m_shapes;
  std::unordered_map<std::string, Value> m_consts;
  std::unordered_map<std::string, TensorKind> m_kinds;
  std::unordered_map<std::string, int> m_consumers;
  std::unordered_map<std::string, std::pair<std::size_t, double>> m_fusable;  ///< product output -> (plan index, n)
  std::unordered_set<std::string> m_attached;
  std::vector<Planned> m_plan;
  std::vector<std::string> m_warnings;
  DType m_dtype = DType::kFp32;
};

std::string counts(const std::map<std::string, std::size_t>& m) {
  if (m.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [k, v] : m) parts.push_back(k + " " + std::to_string(v));
  return join(parts);
}

}  // namespace

std::string describe(const OnnxSummary& s) {
  std::string out = std::to_string(s.nodes) + " nodes -> " + std::to_string(s.ops) + " ops; free: " + counts(s.free);
  if (!s.fused.empty()) out += "; fused: " + counts(s.fused);
  if (s.unattached_parameters > 0)
    out += "; learned tensors read as tables: " + std::to_string(s.unattached_parameters);
  out += "; unsupported: " + counts(s.unsupported);
  return out;
}

Graph import_onnx(const std::string& path, const OnnxOptions& options, OnnxSummary* summary) {
  OnnxSummary local;
  Importer imp(path, options);
  Graph g = imp.run(summary ? *summary : local);
  return g;
}

}  // namespace jg::wl
