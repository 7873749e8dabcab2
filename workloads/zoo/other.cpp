// Forward builders of the zoo's recurrent and recommendation models of MLPerf: RNN-T (speech)
// and DLRM (recommendation). Their parameters and MACs are derived in
// models/count_torchvision.py and recorded in models/other.toml.
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "workloads/zoo/zoo.hpp"

namespace jg::wl::zoo {
namespace {

/// Adds matrix and elementwise ops named "<group>.<name>" in the pass's dtype. `tied`: the op
/// reuses the weights of an earlier op (a recurrent step): trained, counted once.
struct Ops {
  GraphBuilder& b;
  core::DType dtype;
  std::string g;

  void group(const std::string& label) {
    g = label;
    b.group(label);
  }
  Op& add(OpType t, const std::string& name, std::initializer_list<std::pair<const char*, double>> f, bool tied) {
    Op& op = b.add(t, g + "." + name, f, dtype);
    op.tied = tied;
    return op;
  }
  void linear(const std::string& name, double rows, double in, double out, bool bias, bool tied = false) {
    add(OpType::kGemm, name, {{"m", rows}, {"n", out}, {"k", in}, {"weights", 1}, {"bias", bias ? 1.0 : 0.0}}, tied);
  }
  void ew(const std::string& name, double elements, double operands = 1, double flops = 1) {
    add(OpType::kElementwise, name, {{"elements", elements}, {"operands", operands}, {"flops_per_element", flops}},
        false);
  }
  /// A stack of fully connected layers with bias; ReLU after each but the last when `last_relu`
  /// is false.
  void mlp(double rows, const std::vector<double>& widths, bool last_relu) {
    for (std::size_t i = 1; i < widths.size(); ++i) {
      const std::string id = "fc" + std::to_string(i - 1);
      linear(id, rows, widths[i - 1], widths[i], true);
      if (last_relu || i + 1 < widths.size()) ew(id + ".relu", rows * widths[i]);
    }
  }
};

// LSTM gate arithmetic per pre-activation value (4 per hidden unit): adding the input and
// recurrent projections, 3 sigmoids and 2 tanh, c = f*c + i*g, h = o*tanh(c): ~6 flops.
constexpr double kGateFlops = 6;

/// One LSTM time step of hidden size h on the recurrent projection (W_hh h + b_hh) of `rows` rows.
void lstm_step(Ops& o, const std::string& name, double rows, double h, bool tied) {
  o.linear(name + ".recurrent", rows, h, 4 * h, true, tied);
  o.ew(name + ".gates", rows * 4 * h, 2, kGateFlops);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RNN-T of MLPerf (mlcommons/inference speech_recognition/rnnt: model_separable_rnnt.py, the
// rnnt config and decoders.py). Input: 80 log-mel features of 10 ms frames, spliced by 3 into
// 240-feature frames of 30 ms (a.seq or default_seq of them). Encoder: 2 LSTM layers of 1024,
// time stacking by 2 (2048 features), 3 LSTM layers of 1024. Prediction net: embedding of the 28
// non-blank symbols (320), 2 LSTM layers of 320. Joint: Linear(1024 + 320, 512), ReLU,
// Linear(512, 29). Greedy decoding as in decoders.py: every joint evaluation follows a
// prediction step; one evaluation per emitted symbol and one (blank) per encoder frame.
// Sequential steps are separate ops (one row per sequence: the weights are re-read every step,
// as on the hardware); the input projections of the encoder run over all frames at once.

void rnnt(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Ops o{b, a.dtype, ""};
  const double n = a.batch, frames = a.seq > 0 ? a.seq : m.default_seq;
  const double h = hp(m, "encoder_hidden", 1024), stack = hp(m, "stack_time", 2);
  const double pred = hp(m, "pred_hidden", 320), joint = hp(m, "joint_hidden", 512);
  const double classes = hp(m, "classes", 29);
  const int pre = static_cast<int>(hp(m, "pre_layers", 2)), post = static_cast<int>(hp(m, "post_layers", 3));
  const int pred_layers = static_cast<int>(hp(m, "pred_layers", 2));
  // Encoder.
  double in = hp(m, "features", 240), steps = std::ceil(frames);
  for (int l = 0; l < pre + post; ++l) {
    if (l == pre) {  // StackTime: concatenate `stack` consecutive frames (a copy)
      o.group("encoder.stack_time");
      steps = std::ceil(steps / stack);
      in = stack * h;
      o.ew("stack", n * steps * in, 1, 0);
    }
    o.group(l < pre ? "encoder.pre_rnn." + std::to_string(l) : "encoder.post_rnn." + std::to_string(l - pre));
    o.linear("input", n * steps, in, 4 * h, true);  // W_ih x + b_ih, all frames at once
    for (int t = 0; t < static_cast<int>(steps); ++t) lstm_step(o, "t" + std::to_string(t), n, h, t > 0);
    in = h;
  }
  // Greedy decoding: `symbols` characters (hp symbols_per_second of speech, 30 ms per frame).
  const double symbols = std::round(hp(m, "symbols_per_second", 14) * frames * hp(m, "frame_seconds", 0.03));
  const int evals = static_cast<int>(steps + symbols);
  for (int e = 0; e < evals; ++e) {
    const bool tied = e > 0;
    o.group("prediction");
    const std::string p = "step" + std::to_string(e);
    o.add(OpType::kEmbedding, p + ".embed", {{"tokens", n}, {"dim", pred}, {"vocab", classes - 1}}, tied);
    for (int l = 0; l < pred_layers; ++l) {
      const std::string id = p + ".lstm" + std::to_string(l);
      o.linear(id + ".input", n, pred, 4 * pred, true, tied);
      lstm_step(o, id, n, pred, tied);
    }
    o.group("joint");
    o.linear(p + ".fc1", n, h + pred, joint, true, tied);
    o.ew(p + ".relu", n * joint);
    o.linear(p + ".fc2", n, joint, classes, true, tied);
  }
}

// ---------------------------------------------------------------------------------------------
// DLRM of MLPerf on Criteo 1TB, embedding dim 128, bottom MLP 13-512-256-128, top MLP
// 1024-1024-512-256-1 + sigmoid. hp version 1: MLPerf inference v0.7-v2.1 (recommendation/dlrm,
// dlrm_s_pytorch.py with --max-ind-range 40000000): one-hot lookups, dot interaction of the 27
// vectors (128 + 351 features). version 2: DLRM-DCNv2 of MLPerf inference and training v3.0+
// (recommendation/dlrm_v2, torchrec DLRM_DCN): multi-hot embedding bags pooled by sum, tables
// capped at 40 M rows, a 3-layer low-rank (512) cross network on the 27 x 128 concatenation.

void dlrm(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  // Table rows in feature order: v1 from dlrm_s_pytorch.py (ln_emb for --max-ind-range 40000000),
  // v2 and its multi-hot sizes from the dlrm_v2 run scripts (--num_embeddings_per_feature,
  // --multi_hot_sizes).
  static constexpr std::array<double, 26> kRowsV1 = {
      39884406, 39043, 17289, 7420, 20263, 3,  7120,     1543,     63,       38532951, 2953546, 403346, 10,
      2208,     11938, 155,   4,    976,   14, 39979771, 25641295, 39664984, 585935,   12972,   108,    36};
  static constexpr std::array<double, 26> kRowsV2 = {
      40000000, 39060, 17295, 7424, 20265, 3,  7122,     1543,     63,       40000000, 3067956, 405282, 10,
      2209,     11938, 155,   4,    976,   14, 40000000, 40000000, 40000000, 590152,   12973,   108,    36};
  static constexpr std::array<double, 26> kHotV2 = {3, 2, 1, 2, 6, 1, 1,  1,   1,  7,  3, 8, 1,
                                                    6, 9, 5, 1, 1, 1, 12, 100, 27, 10, 3, 1, 1};
  constexpr double kDim = 128, kLowRank = 512, kCrossLayers = 3;
  const bool dcn = hp(m, "version", 2) >= 2;
  const auto& rows = dcn ? kRowsV2 : kRowsV1;
  Ops o{b, a.dtype, ""};
  const double n = a.batch, tables = rows.size(), vectors = tables + 1;
  o.group("bottom_mlp");
  o.mlp(n, {13, 512, 256, kDim}, true);
  o.group("embeddings");
  for (std::size_t t = 0; t < rows.size(); ++t)
    o.add(OpType::kEmbedding, "table" + std::to_string(t),
          {{"tokens", n * (dcn ? kHotV2[t] : 1)}, {"dim", kDim}, {"vocab", rows[t]}}, false);
  double top_in = vectors * kDim;
  o.group("interaction");
  if (dcn) {
    const double hot = std::accumulate(kHotV2.begin(), kHotV2.end(), 0.0);
    o.ew("sum_pooling", n * tables * kDim, hot / tables, hot / tables);
    o.ew("concat", n * top_in, 1, 0);
    for (int l = 0; l < kCrossLayers; ++l) {  // x_{l+1} = x_0 * (W (V x_l) + b) + x_l
      const std::string id = "cross" + std::to_string(l);
      o.linear(id + ".V", n, top_in, kLowRank, false);
      o.linear(id + ".W", n, kLowRank, top_in, true);
      o.ew(id + ".mix", n * top_in, 3, 2);
    }
  } else {
    // Pairwise dot products of the 27 vectors (one batched product; the upper triangle is kept).
    o.add(OpType::kGemm, "dot", {{"m", vectors}, {"n", vectors}, {"k", kDim}, {"count", n}, {"weights", 0}}, false);
    top_in = kDim + vectors * (vectors - 1) / 2;
    o.ew("concat", n * top_in, 1, 0);
  }
  o.group("top_mlp");
  o.mlp(n, {top_in, 1024, 1024, 512, 256, 1}, false);
  o.ew("sigmoid", n, 1, 3);
}

}  // namespace jg::wl::zoo
