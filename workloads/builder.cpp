#include "workloads/builder.hpp"

#include <cmath>
#include <cstring>

#include "engine/core/error.hpp"

namespace jg::wl {

GraphBuilder::GraphBuilder(std::string name, std::string description) {
  g_.name = std::move(name);
  g_.description = std::move(description);
}

Stage& GraphBuilder::stage(const std::string& name, StageKind kind, const std::string& device, double repeat) {
  Stage s;
  s.name = name;
  s.kind = kind;
  s.device = device;
  s.repeat = repeat;
  s.loc.file = "<" + g_.name + ">";
  s.device_path = "stage '" + name + "'.device";
  g_.stages.push_back(std::move(s));
  group_ = 0;
  return g_.stages.back();
}

Stage& GraphBuilder::current() {
  JG_ASSERT(!g_.stages.empty(), "GraphBuilder: an op was added before any stage");
  return g_.stages.back();
}

void GraphBuilder::group(const std::string& label) {
  if (label.empty()) {
    group_ = 0;
    return;
  }
  // Consecutive ops share labels: look at the most recent one first.
  if (g_.groups[group_] == label) return;
  for (std::size_t i = g_.groups.size(); i-- > 1;)
    if (g_.groups[i] == label) {
      group_ = static_cast<std::uint32_t>(i);
      return;
    }
  g_.groups.push_back(label);
  group_ = static_cast<std::uint32_t>(g_.groups.size() - 1);
}

Op& GraphBuilder::add(OpType type, const std::string& name,
                      std::initializer_list<std::pair<const char*, double>> fields, core::DType dtype) {
  Stage& st = current();
  Op op;
  op.type = type;
  op.dtype = dtype;
  const auto& spec = op_fields(type);
  std::array<bool, kOpDims> given{};
  for (const auto& [key, value] : fields) {
    std::size_t i = 0;
    while (i < spec.size() && std::strcmp(spec[i].name, key) != 0) ++i;
    JG_ASSERT(i < spec.size(), "GraphBuilder: op type " + std::string(op_type_name(type)) + " has no field '" +
                                   std::string(key) + "' (op " + name + ")");
    JG_ASSERT(std::isfinite(value) && value >= 0,
              "GraphBuilder: field '" + std::string(key) + "' of op " + name + " is " + std::to_string(value));
    op.d[i] = value;
    given[i] = true;
  }
  for (std::size_t i = 0; i < spec.size(); ++i) {
    JG_ASSERT(given[i] || !spec[i].required, "GraphBuilder: op " + name + " (" + std::string(op_type_name(type)) +
                                                 ") lacks its required field '" + spec[i].name + "'");
    if (!given[i]) op.d[i] = spec[i].default_value;
  }
  g_.names.push_back(name);
  op.name = static_cast<std::uint32_t>(g_.names.size() - 1);
  op.group = group_;
  OpSite site;
  site.loc.file = st.loc.file;
  site.path = "stage '" + st.name + "' op '" + name + "'";
  site.name = name;
  g_.sites.push_back(std::move(site));
  st.op_site.push_back(static_cast<std::uint32_t>(g_.sites.size() - 1));
  st.ops.push_back(op);
  return st.ops.back();
}

Op& GraphBuilder::copy(OpType type, const std::string& name, const std::string& peer, double bytes) {
  JG_ASSERT(type == OpType::kH2D || type == OpType::kD2H, "GraphBuilder::copy: not a copy op");
  Op& op = add(type, name, {{"bytes", bytes}}, core::DType::kFp32);
  g_.peers.push_back(peer);
  op.peer = static_cast<std::int32_t>(g_.peers.size() - 1);
  return op;
}

void GraphBuilder::add_backward(const std::string& optimizer, bool mixed_precision, Recompute recompute) {
  append_backward(g_, current(), TrainOptions{optimizer, mixed_precision, recompute});
}

void GraphBuilder::warn(const std::string& message) { g_.warnings.push_back(message); }

Graph GraphBuilder::finish() { return std::move(g_); }

}  // namespace jg::wl
