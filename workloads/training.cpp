// Training graphs: the backward pass and the optimizer update generated from a stage's forward
// ops (shared by the TOML loader, the model zoo and the ONNX importer), and the activation
// sizes training keeps for the backward pass.
#include "workloads/graph.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::wl {

using namespace jg::core;

const std::vector<std::string> kOptimizers = {"sgd", "momentum", "adam", "adamw", "none"};
const std::vector<std::string> kRecomputeNames = {"none", "selective", "full"};

std::vector<bool> attention_core(const Stage& st) {
  const auto weightless_gemm = [](const Op& op) {
    return op.pass == Pass::kForward && op.type == OpType::kGemm && op.d[4] == 0;
  };
  std::vector<bool> core(st.ops.size(), false);
  for (std::size_t i = 0; i + 2 < st.ops.size(); ++i) {
    const Op &s = st.ops[i], &m = st.ops[i + 1], &c = st.ops[i + 2];
    if (weightless_gemm(s) && m.type == OpType::kSoftmax && m.pass == Pass::kForward && weightless_gemm(c))
      core[i] = core[i + 1] = core[i + 2] = true;
  }
  return core;
}

void append_backward(Graph& g, Stage& st, const TrainOptions& t) {
  auto name_index = [&](const std::string& n) {
    g.names.push_back(n);
    return static_cast<std::uint32_t>(g.names.size() - 1);
  };
  const std::size_t n = st.ops.size();
  const std::vector<bool> core = attention_core(st);
  double params = 0;
  DType weight_dtype = DType::kFp32;
  if (t.recompute != Recompute::kNone) {
    // Activation checkpointing: the whole forward pass (full) or its attention core (selective)
    // runs again before the backward pass.
    for (std::size_t i = 0; i < n; ++i) {
      Op f = st.ops[i];
      const bool moves_data = f.type == OpType::kDataLoad || f.type == OpType::kDecode || f.type == OpType::kResize ||
                              f.type == OpType::kH2D || f.type == OpType::kD2H || f.type == OpType::kCollective;
      if (f.pass != Pass::kForward || moves_data) continue;
      if (t.recompute == Recompute::kSelective && !core[i]) continue;
      const std::string base = g.names[f.name];
      f.name = name_index(base + ".recompute");
      st.ops.push_back(f);
      st.op_site.push_back(st.op_site[i]);
    }
  }
  for (std::size_t i = n; i-- > 0;) {
    Op f = st.ops[i];
    if (f.pass != Pass::kForward) continue;
    const double p = op_parameters(f);
    if (p > 0) weight_dtype = f.dtype;
    params += p;
    const std::string base = g.names[f.name];  // a copy: name_index() grows g.names
    auto push = [&](Op b, Pass pass, const char* suffix) {
      b.pass = pass;
      b.name = name_index(base + suffix);
      st.ops.push_back(b);
      st.op_site.push_back(st.op_site[i]);
    };
    switch (f.type) {
      case OpType::kGemm:
        push(f, Pass::kBackwardData, ".bwd_data");
        if (f.d[4] != 0) push(f, Pass::kBackwardWeight, ".bwd_weight");
        break;
      case OpType::kConv2d:
        push(f, Pass::kBackwardData, ".bwd_data");
        push(f, Pass::kBackwardWeight, ".bwd_weight");
        break;
      case OpType::kPool:
      case OpType::kElementwise:
      case OpType::kSoftmax:
      case OpType::kLayerNorm:
      case OpType::kBatchNorm:
      case OpType::kEmbedding:
        push(f, Pass::kBackwardData, ".bwd");
        break;
      default:
        break;  // data movement and collectives have no gradient
    }
  }
  append_update(g, st, t, params, weight_dtype);
}

void append_update(Graph& g, Stage& st, const TrainOptions& t, double params, DType weight_dtype) {
  if (t.optimizer == "none" || params <= 0) return;
  Op u;
  u.type = OpType::kOptimizer;
  u.pass = Pass::kUpdate;
  // The update reads gradients and writes weights in the weights' own type; with mixed
  // precision the fp32 master weights are read and written too.
  u.dtype = t.mixed_precision ? weight_dtype : DType::kFp32;
  u.d[0] = params;
  const bool adam = t.optimizer == "adam" || t.optimizer == "adamw";
  u.d[1] = adam ? 2 : t.optimizer == "momentum" ? 1 : 0;
  u.d[2] = t.optimizer == "adamw" ? 13 : adam ? 12 : t.optimizer == "momentum" ? 3 : 2;
  u.d[3] = t.mixed_precision && dtype_bytes(weight_dtype) < 4 ? 1 : 0;
  g.names.push_back("optimizer." + t.optimizer);
  u.name = static_cast<std::uint32_t>(g.names.size() - 1);
  st.ops.push_back(u);
  g.sites.push_back({});
  g.sites.back().path = "stage '" + st.name + "' optimizer";
  st.op_site.push_back(static_cast<std::uint32_t>(g.sites.size() - 1));
}

double op_output_elements(const Op& op) {
  const auto& d = op.d;
  switch (op.type) {
    case OpType::kGemm:
      return d[0] * d[1] * d[3];
    case OpType::kConv2d:
      return d[0] * d[4] * conv_out(d[2], d[5], d[7], d[8], d[9]) * conv_out(d[3], d[6], d[7], d[8], d[9]);
    case OpType::kPool:
      return d[0] * d[1] * conv_out(d[2], d[4], d[5], d[6], 1) * conv_out(d[3], d[4], d[5], d[6], 1);
    case OpType::kElementwise:
    case OpType::kSoftmax:
    case OpType::kLayerNorm:
    case OpType::kBatchNorm:
      return d[0];
    case OpType::kEmbedding:
      return d[0] * d[1];
    default:
      return 0.0;
  }
}

std::size_t fuse_epilogues(Stage& st) {
  std::size_t n = 0;
  bool after_matrix = false;
  // Attention chains first: scores = Q·K^T (weightless), softmax, context = P·V (weightless).
  const std::vector<bool> core = attention_core(st);
  for (std::size_t i = 0; i + 2 < st.ops.size(); ++i) {
    if (!core[i + 1] || st.ops[i + 1].type != OpType::kSoftmax) continue;  // the middle of a chain
    st.ops[i].on_chip |= kOnChipOutput;
    st.ops[i + 2].on_chip |= kOnChipInputA;
    ++n;
  }
  for (Op& op : st.ops) {
    if (op.pass != Pass::kForward) {
      after_matrix = false;
      continue;
    }
    if (op.type == OpType::kGemm || op.type == OpType::kConv2d) {
      after_matrix = true;
    } else if (after_matrix &&
               (op.type == OpType::kElementwise || op.type == OpType::kSoftmax || op.type == OpType::kBatchNorm)) {
      op.fused = true;
      ++n;
    } else {
      after_matrix = false;
    }
  }
  return n;
}

}  // namespace jg::wl
