// ONNX importer, model preparation (see onnx_import.hpp and onnx_internal.hpp): tensor shapes
// from the graph's value infos and initializers, small constant values read from tensors and
// Constant nodes, folding of shape arithmetic (a node whose inputs are all known small
// constants, or a Shape/Size of a tensor of known shape, becomes a Constant node), and the call
// into ONNX shape inference. onnx_import.cpp alternates the last two until nothing more folds.

// First: it defines ONNX_NAMESPACE and ONNX_ML (when the build does not) before any ONNX header.
#include "workloads/importers/onnx_internal.hpp"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

namespace jg::wl::onnx_detail {

namespace {

// ---------------------------------------------------------------------------------------------
// Shapes and small constant values

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

// ---------------------------------------------------------------------------------------------
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
  if ((!axes.empty() && axes.size() != starts.size()) || (!steps.empty() && steps.size() != starts.size()))
    return std::nullopt;
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
  if (op == "Mod") {
    // fmod = 1: C fmod (sign of the dividend; required for floats); 0: Python-style floor mod.
    if (attr_i(n, "fmod", 0) != 0) return binary([](double a, double b) { return std::fmod(a, b); }, x.type);
    return binary([](double a, double b) { return a - std::floor(a / b) * b; }, x.type);
  }
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
    for (auto d : r.dims)
      if (d < 0) return std::nullopt;
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
    if (!all_present(3) || x.v.empty() || in[1]->v.empty() || in[2]->v.empty()) return std::nullopt;
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

}  // namespace

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

}  // namespace jg::wl::onnx_detail
