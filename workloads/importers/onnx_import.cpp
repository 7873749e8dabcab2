// ONNX importer (see onnx_import.hpp). The only translation unit that includes ONNX and protobuf.
//
// Steps: read and parse the ModelProto; decide which graph inputs are data and which are learned
// tensors; give the data inputs' symbolic dims their values; then alternate ONNX shape inference
// with folding of shape arithmetic (a node whose inputs are all known small constants, or a
// Shape/Size of a tensor of known shape, becomes a Constant node) until nothing more folds, so
// that Reshape targets computed from Shape ops get static values; finally walk the nodes in
// their (topological) order, classify every tensor as an activation, a learned tensor (weight)
// or a constant, and map each node that reads an activation to ops.
#include "workloads/importers/onnx_import.hpp"

// The Debian ONNX package is built with ONNX_ML and the namespace "onnx" (its CMake targets
// export these definitions; they are repeated here so the file also compiles without them).
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#ifndef ONNX_ML
#define ONNX_ML 1
#endif

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
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
using core::ConfigError;
using core::DType;

// ---------------------------------------------------------------------------------------------
// Errors

[[noreturn]] void fail(const std::string& path, const std::string& key, const std::string& expected,
                       const std::string& found, const std::string& hint = "") {
  core::SourceLoc loc;
  loc.file = path;
  throw ConfigError({loc, key, expected, found, hint});
}

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
// Shapes and small constant values

struct Shape {
  std::vector<std::int64_t> dims;  ///< -1 where unknown
  bool known = false;              ///< a shape with every dim known
  std::int32_t elem = 0;           ///< TensorProto::DataType
  std::string unknown_dim;         ///< the first symbolic dim's name, if any
};
using Shapes = std::unordered_map<std::string, Shape>;

double numel(const std::vector<std::int64_t>& dims) {
  double n = 1;
  for (auto d : dims) n *= static_cast<double>(d);
  return n;
}

void add_value_info(Shapes& shapes, const ox::ValueInfoProto& vi) {
  if (!vi.type().has_tensor_type()) return;
  const auto& tt = vi.type().tensor_type();
  Shape s;
  s.elem = tt.elem_type();
  if (tt.has_shape()) {
    s.known = true;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        s.dims.push_back(d.dim_value());
      } else {
        s.known = false;
        s.dims.push_back(-1);
        if (s.unknown_dim.empty() && d.has_dim_param()) s.unknown_dim = d.dim_param();
      }
    }
  }
  auto it = shapes.find(vi.name());
  if (it == shapes.end() || (!it->second.known && s.known)) shapes[vi.name()] = s;
}

Shapes collect_shapes(const ox::GraphProto& g) {
  Shapes shapes;
  for (const auto& vi : g.input()) add_value_info(shapes, vi);
  for (const auto& vi : g.value_info()) add_value_info(shapes, vi);
  for (const auto& vi : g.output()) add_value_info(shapes, vi);
  for (const auto& t : g.initializer()) {
    Shape s;
    s.known = true;
    s.elem = t.data_type();
    for (auto d : t.dims()) s.dims.push_back(d);
    shapes.emplace(t.name(), s);
  }
  return shapes;
}

bool is_float_type(std::int32_t t) {
  return t == ox::TensorProto::FLOAT || t == ox::TensorProto::FLOAT16 || t == ox::TensorProto::BFLOAT16 ||
         t == ox::TensorProto::DOUBLE;
}

bool is_int_type(std::int32_t t) {
  switch (t) {
    case ox::TensorProto::INT8:
    case ox::TensorProto::UINT8:
    case ox::TensorProto::INT16:
    case ox::TensorProto::UINT16:
    case ox::TensorProto::INT32:
    case ox::TensorProto::UINT32:
    case ox::TensorProto::INT64:
    case ox::TensorProto::UINT64:
    case ox::TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

/// A small tensor with known values (shape arithmetic), values held as doubles.
struct Value {
  std::vector<std::int64_t> dims;
  std::vector<double> v;
  std::int32_t type = ox::TensorProto::INT64;
};

/// Largest tensor folded to a constant: shape arithmetic is tiny; masks and tables are not folded.
constexpr double kMaxFold = 4096;

std::int64_t to_i64(double x) {
  if (x >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
  if (x <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(x);
}

template <class T>
bool decode_raw(const std::string& raw, std::size_t n, std::vector<double>& out) {
  if (raw.size() != n * sizeof(T)) return false;
  for (std::size_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<double>(x));
  }
  return true;
}

std::optional<Value> from_tensor(const ox::TensorProto& t) {
  if (t.data_location() == ox::TensorProto::EXTERNAL) return std::nullopt;
  Value r;
  r.type = t.data_type();
  for (auto d : t.dims()) r.dims.push_back(d);
  const double nd = numel(r.dims);
  if (nd > kMaxFold) return std::nullopt;
  const auto n = static_cast<std::size_t>(nd);
  const std::string& raw = t.raw_data();
  const bool has_raw = t.has_raw_data();
  bool ok = true;
  switch (t.data_type()) {
    case ox::TensorProto::FLOAT:
      if (has_raw)
        ok = decode_raw<float>(raw, n, r.v);
      else
        for (float x : t.float_data()) r.v.push_back(x);
      break;
    case ox::TensorProto::DOUBLE:
      if (has_raw)
        ok = decode_raw<double>(raw, n, r.v);
      else
        for (double x : t.double_data()) r.v.push_back(x);
      break;
    case ox::TensorProto::INT64:
      if (has_raw)
        ok = decode_raw<std::int64_t>(raw, n, r.v);
      else
        for (auto x : t.int64_data()) r.v.push_back(static_cast<double>(x));
      break;
    case ox::TensorProto::INT32:
    case ox::TensorProto::INT16:
    case ox::TensorProto::INT8:
    case ox::TensorProto::UINT16:
    case ox::TensorProto::UINT8:
    case ox::TensorProto::BOOL:
      if (has_raw) {
        switch (t.data_type()) {
          case ox::TensorProto::INT32:
            ok = decode_raw<std::int32_t>(raw, n, r.v);
            break;
          case ox::TensorProto::INT16:
            ok = decode_raw<std::int16_t>(raw, n, r.v);
            break;
          case ox::TensorProto::INT8:
            ok = decode_raw<std::int8_t>(raw, n, r.v);
            break;
          case ox::TensorProto::UINT16:
            ok = decode_raw<std::uint16_t>(raw, n, r.v);
            break;
          default:
            ok = decode_raw<std::uint8_t>(raw, n, r.v);
            break;
        }
      } else {
        for (auto x : t.int32_data()) r.v.push_back(x);
      }
      break;
    case ox::TensorProto::UINT32:
    case ox::TensorProto::UINT64:
      if (has_raw && t.data_type() == ox::TensorProto::UINT32)
        ok = decode_raw<std::uint32_t>(raw, n, r.v);
      else if (has_raw)
        ok = decode_raw<std::uint64_t>(raw, n, r.v);
      else
        for (auto x : t.uint64_data()) r.v.push_back(static_cast<double>(x));
      break;
    default:
      return std::nullopt;
  }
  if (!ok || r.v.size() != n) return std::nullopt;
  return r;
}

bool foldable_type(std::int32_t t) {
  return t == ox::TensorProto::FLOAT || t == ox::TensorProto::DOUBLE || is_int_type(t);
}

ox::TensorProto to_tensor(const Value& v) {
  ox::TensorProto t;
  t.set_data_type(v.type);
  for (auto d : v.dims) t.add_dims(d);
  for (double x : v.v) {
    switch (v.type) {
      case ox::TensorProto::FLOAT:
        t.add_float_data(static_cast<float>(x));
        break;
      case ox::TensorProto::DOUBLE:
        t.add_double_data(x);
        break;
      case ox::TensorProto::INT64:
        t.add_int64_data(to_i64(x));
        break;
      case ox::TensorProto::UINT32:
      case ox::TensorProto::UINT64:
        t.add_uint64_data(static_cast<std::uint64_t>(std::max(0.0, x)));
        break;
      default:  // int32, int16, int8, uint16, uint8, bool
        t.add_int32_data(static_cast<std::int32_t>(x));
        break;
    }
  }
  return t;
}

/// Value converted to `type` (ints truncate toward zero, bool is x != 0).
double convert(double x, std::int32_t type) {
  if (type == ox::TensorProto::BOOL) return x != 0 ? 1 : 0;
  if (type == ox::TensorProto::FLOAT) return static_cast<float>(x);
  if (is_int_type(type)) return std::trunc(x);
  return x;
}

// Attributes

const ox::AttributeProto* attr(const ox::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
std::int64_t attr_i(const ox::NodeProto& n, const char* name, std::int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}
std::vector<std::int64_t> attr_ints(const ox::NodeProto& n, const char* name) {
  const auto* a = attr(n, name);
  std::vector<std::int64_t> r;
  if (a)
    for (auto x : a->ints()) r.push_back(x);
  return r;
}
std::string attr_s(const ox::NodeProto& n, const char* name, const std::string& def) {
  const auto* a = attr(n, name);
  return a ? a->s() : def;
}

std::optional<Value> constant_value(const ox::NodeProto& n) {
  for (const auto& a : n.attribute()) {
    Value v;
    if (a.name() == "value" && a.has_t()) return from_tensor(a.t());
    if (a.name() == "value_int") {
      v.v = {static_cast<double>(a.i())};
      return v;
    }
    if (a.name() == "value_ints") {
      for (auto x : a.ints()) v.v.push_back(static_cast<double>(x));
      v.dims = {static_cast<std::int64_t>(v.v.size())};
      return v;
    }
    if (a.name() == "value_float") {
      v.type = ox::TensorProto::FLOAT;
      v.v = {a.f()};
      return v;
    }
    if (a.name() == "value_floats") {
      v.type = ox::TensorProto::FLOAT;
      for (auto x : a.floats()) v.v.push_back(x);
      v.dims = {static_cast<std::int64_t>(v.v.size())};
      return v;
    }
  }
  return std::nullopt;
}

// Folding of shape arithmetic

std::optional<std::vector<std::int64_t>> broadcast_dims(const std::vector<const std::vector<std::int64_t>*>& all) {
  std::size_t rank = 0;
  for (const auto* d : all) rank = std::max(rank, d->size());
  std::vector<std::int64_t> out(rank, 1);
  for (const auto* d : all) {
    const std::size_t off = rank - d->size();
    for (std::size_t i = 0; i < d->size(); ++i) {
      const std::int64_t a = (*d)[i];
      std::int64_t& o = out[off + i];
      if (a == o || a == 1) continue;
      if (o == 1)
        o = a;
      else
        return std::nullopt;
    }
  }
  return out;
}

/// Applies f elementwise with numpy broadcasting; `extra` joins the broadcast (Expand's shape).
std::optional<Value> nary(const std::vector<const Value*>& in, std::int32_t type,
                          const std::function<double(const std::vector<double>&)>& f,
                          const std::vector<std::int64_t>* extra = nullptr) {
  std::vector<const std::vector<std::int64_t>*> all;
  for (const auto* v : in) all.push_back(&v->dims);
  if (extra) all.push_back(extra);
  auto dims = broadcast_dims(all);
  if (!dims || numel(*dims) > kMaxFold) return std::nullopt;
  Value r;
  r.dims = *dims;
  r.type = type;
  const std::size_t rank = dims->size(), n = static_cast<std::size_t>(numel(*dims));
  std::vector<std::int64_t> idx(rank, 0);
  std::vector<double> args(in.size());
  for (std::size_t e = 0; e < n; ++e) {
    for (std::size_t k = 0; k < in.size(); ++k) {
      const auto& d = in[k]->dims;
      const std::size_t off = rank - d.size();
      std::size_t flat = 0;
      for (std::size_t j = 0; j < d.size(); ++j)
        flat = flat * static_cast<std::size_t>(d[j]) + (d[j] == 1 ? 0 : static_cast<std::size_t>(idx[off + j]));
      args[k] = in[k]->v[flat];
    }
    const double y = convert(f(args), type);
    if (!std::isfinite(y)) return std::nullopt;
    r.v.push_back(y);
    for (std::size_t j = rank; j-- > 0;) {
      if (++idx[j] < (*dims)[j]) break;
      idx[j] = 0;
    }
  }
  return r;
}

std::int64_t norm_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

std::vector<std::int64_t> ints_of(const Value& v) {
  std::vector<std::int64_t> r;
  for (double x : v.v) r.push_back(to_i64(x));
  return r;
}

/// Axes of Squeeze/Unsqueeze/Reduce*: the second input (opset 13+) or the `axes` attribute.
std::vector<std::int64_t> axes_of(const ox::NodeProto& n, const std::vector<const Value*>& in) {
  if (in.size() > 1 && in[1]) return ints_of(*in[1]);
  return attr_ints(n, "axes");
}

std::optional<Value> fold_slice(const ox::NodeProto& n, const std::vector<const Value*>& in) {
  const Value& x = *in[0];
  const std::size_t rank = x.dims.size();
  std::vector<double> starts, ends, axes, steps;
  if (in.size() >= 3) {
    if (!in[1] || !in[2]) return std::nullopt;
    starts = in[1]->v;
    ends = in[2]->v;
    if (in.size() > 3 && in[3]) axes = in[3]->v;
    if (in.size() > 4 && in[4]) steps = in[4]->v;
  } else {
    for (auto s : attr_ints(n, "starts")) starts.push_back(static_cast<double>(s));
    for (auto e : attr_ints(n, "ends")) ends.push_back(static_cast<double>(e));
    for (auto a : attr_ints(n, "axes")) axes.push_back(static_cast<double>(a));
  }
  if (starts.size() != ends.size()) return std::nullopt;
  std::vector<double> start(rank, 0), step(rank, 1);
  std::vector<std::int64_t> count(x.dims.begin(), x.dims.end());
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::int64_t a = norm_axis(axes.empty() ? static_cast<std::int64_t>(i) : to_i64(axes[i]), rank);
    if (a < 0 || a >= static_cast<std::int64_t>(rank)) return std::nullopt;
    const double dim = static_cast<double>(x.dims[a]);
    const double st = steps.empty() ? 1 : steps[i];
    if (st == 0) return std::nullopt;
    double s = starts[i], e = ends[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = std::clamp(s, 0.0, dim);
      e = std::clamp(e, 0.0, dim);
    } else {
      s = std::clamp(s, 0.0, dim - 1);
      e = std::clamp(e, -1.0, dim - 1);
    }
    start[a] = s;
    step[a] = st;
    count[a] = static_cast<std::int64_t>(std::max(0.0, std::ceil((e - s) / st)));
  }
  Value r;
  r.type = x.type;
  r.dims = count;
  const std::size_t total = static_cast<std::size_t>(numel(count));
  std::vector<std::int64_t> idx(rank, 0);
  for (std::size_t e = 0; e < total; ++e) {
    std::size_t flat = 0;
    for (std::size_t j = 0; j < rank; ++j)
      flat = flat * static_cast<std::size_t>(x.dims[j]) + static_cast<std::size_t>(start[j] + idx[j] * step[j]);
    r.v.push_back(x.v[flat]);
    for (std::size_t j = rank; j-- > 0;) {
      if (++idx[j] < count[j]) break;
      idx[j] = 0;
    }
  }
  return r;
}

/// The value of node `n` from constant inputs `in` (nullptr: absent optional input), or nothing.
std::optional<Value> fold(const ox::NodeProto& n, const std::vector<const Value*>& in, const Shapes& shapes) {
  const std::string& op = n.op_type();
  auto all_present = [&](std::size_t k) {
    if (in.size() < k) return false;
    for (std::size_t i = 0; i < k; ++i)
      if (!in[i]) return false;
    return true;
  };
  if (op == "Shape" || op == "Size") {
    auto it = shapes.find(n.input(0));
    if (it == shapes.end() || !it->second.known) return std::nullopt;
    const auto& d = it->second.dims;
    Value r;
    if (op == "Size") {
      r.v = {numel(d)};
      return r;
    }
    const auto rank = static_cast<std::int64_t>(d.size());
    std::int64_t s = attr_i(n, "start", 0), e = attr_i(n, "end", rank);
    if (s < 0) s += rank;
    if (e < 0) e += rank;
    s = std::clamp<std::int64_t>(s, 0, rank);
    e = std::clamp<std::int64_t>(e, s, rank);
    for (std::int64_t i = s; i < e; ++i) r.v.push_back(static_cast<double>(d[i]));
    r.dims = {e - s};
    return r;
  }
  if (!all_present(1)) return std::nullopt;
  const Value& x = *in[0];
  auto unary = [&](const std::function<double(double)>& f, std::int32_t type) {
    return nary({&x}, type, [&](const std::vector<double>& a) { return f(a[0]); });
  };
  auto binary = [&](const std::function<double(double, double)>& f, std::int32_t type) -> std::optional<Value> {
    if (!all_present(2)) return std::nullopt;
    return nary({in[0], in[1]}, type, [&](const std::vector<double>& a) { return f(a[0], a[1]); });
  };
  const bool ints = is_int_type(x.type);
  const std::int32_t kBool = ox::TensorProto::BOOL;
  if (op == "Identity") return x;
  if (op == "Cast") {
    const auto to = static_cast<std::int32_t>(attr_i(n, "to", x.type));
    return unary([](double v) { return v; }, to);
  }
  if (op == "Neg") return unary([](double v) { return -v; }, x.type);
  if (op == "Abs") return unary([](double v) { return std::fabs(v); }, x.type);
  if (op == "Sqrt") return unary([](double v) { return std::sqrt(v); }, x.type);
  if (op == "Floor") return unary([](double v) { return std::floor(v); }, x.type);
  if (op == "Ceil") return unary([](double v) { return std::ceil(v); }, x.type);
  if (op == "Reciprocal") return unary([](double v) { return 1 / v; }, x.type);
  if (op == "Not") return unary([](double v) { return v == 0 ? 1 : 0; }, kBool);
  if (op == "Add") return binary([](double a, double b) { return a + b; }, x.type);
  if (op == "Sub") return binary([](double a, double b) { return a - b; }, x.type);
  if (op == "Mul") return binary([](double a, double b) { return a * b; }, x.type);
  if (op == "Div") return binary([ints](double a, double b) { return ints ? std::trunc(a / b) : a / b; }, x.type);
  if (op == "Mod") return binary([](double a, double b) { return a - std::floor(a / b) * b; }, x.type);
  if (op == "Pow") return binary([](double a, double b) { return std::pow(a, b); }, x.type);
  if (op == "Equal") return binary([](double a, double b) { return a == b ? 1 : 0; }, kBool);
  if (op == "Less") return binary([](double a, double b) { return a < b ? 1 : 0; }, kBool);
  if (op == "Greater") return binary([](double a, double b) { return a > b ? 1 : 0; }, kBool);
  if (op == "LessOrEqual") return binary([](double a, double b) { return a <= b ? 1 : 0; }, kBool);
  if (op == "GreaterOrEqual") return binary([](double a, double b) { return a >= b ? 1 : 0; }, kBool);
  if (op == "And") return binary([](double a, double b) { return a != 0 && b != 0 ? 1 : 0; }, kBool);
  if (op == "Or") return binary([](double a, double b) { return a != 0 || b != 0 ? 1 : 0; }, kBool);
  if (op == "Max" || op == "Min") {
    for (const auto* v : in)
      if (!v) return std::nullopt;
    const bool mx = op == "Max";
    return nary(in, x.type, [mx](const std::vector<double>& a) {
      return mx ? *std::max_element(a.begin(), a.end()) : *std::min_element(a.begin(), a.end());
    });
  }
  if (op == "Where") {
    if (!all_present(3)) return std::nullopt;
    return nary({in[0], in[1], in[2]}, in[1]->type,
                [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; });
  }
  if (op == "Expand") {
    if (!all_present(2)) return std::nullopt;
    const auto shape = ints_of(*in[1]);
    return nary(
        {&x}, x.type, [](const std::vector<double>& a) { return a[0]; }, &shape);
  }
  if (op == "ConstantOfShape") {
    Value r;
    r.dims = ints_of(x);
    if (numel(r.dims) > kMaxFold) return std::nullopt;
    r.type = ox::TensorProto::FLOAT;
    double fill = 0;
    if (const auto* a = attr(n, "value"); a && a->has_t()) {
      auto v = from_tensor(a->t());
      if (!v || v->v.empty()) return std::nullopt;
      r.type = v->type;
      fill = v->v[0];
    }
    r.v.assign(static_cast<std::size_t>(numel(r.dims)), fill);
    return r;
  }
  if (op == "Range") {
    if (!all_present(3)) return std::nullopt;
    const double start = x.v.at(0), limit = in[1]->v.at(0), delta = in[2]->v.at(0);
    if (delta == 0) return std::nullopt;
    const double count = std::max(0.0, std::ceil((limit - start) / delta));
    if (count > kMaxFold) return std::nullopt;
    Value r;
    r.type = x.type;
    r.dims = {static_cast<std::int64_t>(count)};
    for (std::int64_t i = 0; i < r.dims[0]; ++i) r.v.push_back(start + static_cast<double>(i) * delta);
    return r;
  }
  if (op == "Unsqueeze") {
    auto axes = axes_of(n, in);
    const std::size_t out_rank = x.dims.size() + axes.size();
    for (auto& a : axes) a = norm_axis(a, out_rank);
    Value r = x;
    r.dims.clear();
    std::size_t next = 0;
    for (std::size_t i = 0; i < out_rank; ++i) {
      if (std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end())
        r.dims.push_back(1);
      else if (next < x.dims.size())
        r.dims.push_back(x.dims[next++]);
      else
        return std::nullopt;
    }
    return r;
  }
  if (op == "Squeeze") {
    auto axes = axes_of(n, in);
    for (auto& a : axes) a = norm_axis(a, x.dims.size());
    Value r = x;
    r.dims.clear();
    for (std::size_t i = 0; i < x.dims.size(); ++i) {
      const bool listed = std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
      if ((axes.empty() && x.dims[i] == 1) || listed) continue;
      r.dims.push_back(x.dims[i]);
    }
    return r;
  }
  if (op == "Reshape" || op == "Flatten") {
    Value r = x;
    if (op == "Flatten") {
      const auto axis = norm_axis(attr_i(n, "axis", 1), x.dims.size());
      double outer = 1;
      for (std::int64_t i = 0; i < axis; ++i) outer *= static_cast<double>(x.dims[i]);
      r.dims = {static_cast<std::int64_t>(outer), static_cast<std::int64_t>(numel(x.dims) / outer)};
      return r;
    }
    if (!all_present(2)) return std::nullopt;
    auto shape = ints_of(*in[1]);
    const bool allowzero = attr_i(n, "allowzero", 0) != 0;
    double known = 1;
    int infer = -1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allowzero && i < x.dims.size()) shape[i] = x.dims[i];
      if (shape[i] == -1)
        infer = static_cast<int>(i);
      else
        known *= static_cast<double>(shape[i]);
    }
    if (infer >= 0)
      shape[static_cast<std::size_t>(infer)] = known > 0 ? static_cast<std::int64_t>(numel(x.dims) / known) : 0;
    if (numel(shape) != numel(x.dims)) return std::nullopt;
    r.dims = shape;
    return r;
  }
  if (op == "Concat") {
    for (const auto* v : in)
      if (!v || v->dims.size() != x.dims.size()) return std::nullopt;
    if (x.dims.empty()) return std::nullopt;
    const auto axis = norm_axis(attr_i(n, "axis", 0), x.dims.size());
    Value r;
    r.type = x.type;
    r.dims = x.dims;
    r.dims[axis] = 0;
    for (const auto* v : in) r.dims[axis] += v->dims[axis];
    double outer = 1;
    for (std::int64_t i = 0; i < axis; ++i) outer *= static_cast<double>(x.dims[i]);
    for (std::size_t o = 0; o < static_cast<std::size_t>(outer); ++o)
      for (const auto* v : in) {
        const auto chunk = static_cast<std::size_t>(numel(v->dims) / outer);
        r.v.insert(r.v.end(), v->v.begin() + static_cast<std::ptrdiff_t>(o * chunk),
                   v->v.begin() + static_cast<std::ptrdiff_t>((o + 1) * chunk));
      }
    return r;
  }
  if (op == "Gather") {
    if (!all_present(2) || x.dims.empty()) return std::nullopt;
    const auto axis = norm_axis(attr_i(n, "axis", 0), x.dims.size());
    const Value& ix = *in[1];
    double outer = 1, inner = 1;
    for (std::int64_t i = 0; i < axis; ++i) outer *= static_cast<double>(x.dims[i]);
    for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < x.dims.size(); ++i)
      inner *= static_cast<double>(x.dims[i]);
    const std::int64_t dim = x.dims[axis];
    Value r;
    r.type = x.type;
    r.dims.assign(x.dims.begin(), x.dims.begin() + axis);
    r.dims.insert(r.dims.end(), ix.dims.begin(), ix.dims.end());
    r.dims.insert(r.dims.end(), x.dims.begin() + axis + 1, x.dims.end());
    if (numel(r.dims) > kMaxFold) return std::nullopt;
    for (std::size_t o = 0; o < static_cast<std::size_t>(outer); ++o)
      for (double jd : ix.v) {
        std::int64_t j = to_i64(jd);
        if (j < 0) j += dim;
        if (j < 0 || j >= dim) return std::nullopt;
        for (std::size_t i = 0; i < static_cast<std::size_t>(inner); ++i)
          r.v.push_back(
              x.v[(o * static_cast<std::size_t>(dim) + static_cast<std::size_t>(j)) * static_cast<std::size_t>(inner) +
                  i]);
      }
    return r;
  }
  if (op == "Slice") return fold_slice(n, in);
  return std::nullopt;
}

/// Turns node `n` into a Constant node producing `v` (its output name stays).
void make_constant(ox::NodeProto& n, const Value& v) {
  n.clear_input();
  n.clear_attribute();
  n.set_op_type("Constant");
  n.clear_domain();
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(ox::AttributeProto::TENSOR);
  *a->mutable_t() = to_tensor(v);
}

bool default_domain(const ox::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

/// One folding round over the graph (in topological order); returns whether a node was folded.
/// `consts` receives every known constant value (Constant nodes, integer and scalar initializers).
bool fold_round(ox::GraphProto& g, const Shapes& shapes, std::unordered_map<std::string, Value>& consts) {
  consts.clear();
  for (const auto& t : g.initializer())
    if (!is_float_type(t.data_type()) || numel(std::vector<std::int64_t>(t.dims().begin(), t.dims().end())) <= 1)
      if (auto v = from_tensor(t)) consts[t.name()] = std::move(*v);
  bool changed = false;
  for (auto& n : *g.mutable_node()) {
    if (!default_domain(n) || n.output_size() != 1) continue;
    if (n.op_type() == "Constant") {
      if (auto v = constant_value(n)) consts[n.output(0)] = std::move(*v);
      continue;
    }
    std::vector<const Value*> in;
    bool ready = n.input_size() > 0;
    for (int i = 0; i < n.input_size() && ready; ++i) {
      const std::string& name = n.input(i);
      if (name.empty()) {
        in.push_back(nullptr);
        continue;
      }
      auto it = consts.find(name);
      if (it != consts.end())
        in.push_back(&it->second);
      else if (i == 0 && (n.op_type() == "Shape" || n.op_type() == "Size"))
        in.push_back(nullptr);
      else
        ready = false;
    }
    if (!ready) continue;
    auto v = fold(n, in, shapes);
    if (!v || !foldable_type(v->type)) continue;
    consts[n.output(0)] = *v;
    make_constant(n, *v);
    changed = true;
  }
  return changed;
}

void infer_shapes(ox::ModelProto& model, const std::string& path) {
  try {
    ox::shape_inference::InferShapes(model, ox::OpSchemaRegistry::Instance(),
                                     ox::ShapeInferenceOptions(/*check_type=*/true, /*error_mode=*/1,
                                                               /*enable_data_propagation=*/true));
  } catch (const std::exception& e) {
    std::string what = e.what();
    while (!what.empty() && std::isspace(static_cast<unsigned char>(what.back()))) what.pop_back();
    fail(path, "", "a model whose tensor shapes ONNX shape inference can infer", "ONNX shape inference failed: " + what,
         "check that the dims set match the model (e.g. the image size it was exported for); "
         "python3 -c \"import onnx; onnx.checker.check_model('MODEL', full_check=True)\" shows the same error");
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping

enum class Kind : std::uint8_t { kActivation, kWeight, kStatic };

struct TensorKind {
  Kind kind = Kind::kActivation;
  std::vector<std::string> roots;  ///< weights: the learned tensors (graph inputs, initializers) it derives from
};

/// An op to add, with the node it came from.
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
    auto loose = [&]() {
      for (int k = 0; k < n.input_size(); ++k)
        if (in[k].kind == Kind::kWeight) {
          auto it = m_shapes.find(n.input(k));
          const double read = it != m_shapes.end() && it->second.known ? numel(it->second.dims) : 1;
          for (const auto& r : in[k].roots) p.loose.emplace_back(r, read);
        }
    };
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

  void unsupported(const ox::NodeProto& n, std::size_t i, const std::string& name, const std::string& type,
                   OnnxSummary& summary, Planned& p, const std::vector<TensorKind>& in) {
    const std::string& op_type = type;
    const std::string what =
        "unsupported ONNX node '" + name + "' (" + op_type + ") at node index " + std::to_string(i);
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
    for (int k = 0; k < n.input_size(); ++k)
      if (in[k].kind == Kind::kWeight)
        for (const auto& r : in[k].roots) p.loose.emplace_back(r, 1);
    m_warnings.push_back(what + ": counted as elementwise over its output");
    ++summary.unsupported[op_type];
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
