// Forward builder of the transformer family (zoo.hpp): encoder (BERT), decoder (GPT, LLaMA,
// Qwen, Gemma, Mixtral and the other MoE models), encoder-decoder (T5, Meena) and ViT, from the
// hyperparameters of workloads/zoo/models/transformers.toml.
//
// Counting conventions (the tests check them against published figures):
// - MACs: every linear layer m·n·k; attention scores Q·K^T and context P·V as batched products
//   without learned weights. Causal self-attention counts the lower triangle only, (S+1)/2 keys
//   per query on average, as FlashAttention-style kernels compute (Kaplan et al. 2020, eq. 2.2,
//   count the same n_ctx/2 per token).
// - An LLM decode step (ModelArgs::decode) runs one token per sequence against `context` cached
//   keys and values, which it reads from DRAM (the B operand of the score and context products),
//   and appends its own key and value to the cache.
// - Prefill and inference compute logits for the last token of each sequence only; training
//   computes them for every token.
#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg::wl::zoo {

namespace {

struct Hp {
  const Model& m;
  double operator()(const char* key, double fallback) const { return hp(m, key, fallback); }
  double need(const char* key) const {
    auto it = m.hp.find(key);
    JG_ASSERT(it != m.hp.end(), "zoo model " + m.name + " lacks hyperparameter '" + key + "'");
    return it->second;
  }
  std::string text(const char* key, const std::string& fallback) const {
    auto it = m.hp_text.find(key);
    return it == m.hp_text.end() ? fallback : it->second;
  }
};

struct Shape {
  double batch = 1;  // sequences
  double q = 1;      // query tokens per sequence in this pass
  double kv = 1;     // key/value tokens each query attends to (before the causal discount)
  bool causal = false;
  bool decode = false;
  [[nodiscard]] double tokens() const { return batch * q; }
};

class TransformerBuilder {
 public:
  TransformerBuilder(GraphBuilder& b, const Model& m, const ModelArgs& a)
      : b_(b),
        hp_{m},
        dt_(a.dtype),
        d_(hp_.need("d_model")),
        heads_(hp_.need("heads")),
        kv_heads_(hp_("kv_heads", heads_)),
        hd_(hp_("head_dim", d_ / heads_)),
        ffn_(hp_("ffn", 4 * d_)),
        attn_bias_(hp_("attn_bias", hp_("bias", 0)) != 0),
        mlp_bias_(hp_("mlp_bias", hp_("bias", 0)) != 0),
        rms_(hp_.text("norm", "layernorm") == "rmsnorm"),
        gated_(hp_.text("mlp", "plain") == "gated") {}

  void norm(const std::string& name, double tokens) {
    b_.add(OpType::kLayerNorm, name, {{"elements", tokens * d_}, {"features", d_}, {"scales", rms_ ? 1.0 : 2.0}}, dt_);
  }

  void linear(const std::string& name, double rows, double out, double in, bool bias) {
    b_.add(OpType::kGemm, name, {{"m", rows}, {"n", out}, {"k", in}, {"bias", bias ? 1.0 : 0.0}}, dt_);
  }

  /// Self- or cross-attention. For cross-attention `mem_tokens` encoder tokens per sequence
  /// provide keys and values (projected here).
  void attention(const std::string& p, const Shape& s, bool cross = false, double mem_tokens = 0, double window = 0) {
    const double t = s.tokens();
    const double q_dim = heads_ * hd_, kv_dim = kv_heads_ * hd_;
    if (cross) {
      linear(p + ".q", t, q_dim, d_, attn_bias_);
      linear(p + ".kv", s.batch * mem_tokens, 2 * kv_dim, d_, attn_bias_);
    } else {
      linear(p + ".qkv", t, q_dim + 2 * kv_dim, d_, attn_bias_);
    }
    if (hp_("qk_norm", 0) != 0) {
      b_.add(OpType::kLayerNorm, p + ".q_norm", {{"elements", t * q_dim}, {"features", hd_}, {"scales", 1}}, dt_);
      b_.add(OpType::kLayerNorm, p + ".k_norm", {{"elements", t * kv_dim}, {"features", hd_}, {"scales", 1}}, dt_);
    }
    if (rope_) {
      const double rotary = hp_("rotary_dim", 0) > 0 ? hp_("rotary_dim", 0) / hd_ : 1.0;
      b_.add(OpType::kElementwise, p + ".rope", {{"elements", t * (q_dim + kv_dim) * rotary}, {"flops_per_element", 3}},
             dt_);
    }
    double keys = cross ? mem_tokens : s.kv;
    if (window > 0) keys = std::min(keys, window);
    // Causal: query i sees i+1 keys, (S+1)/2 on average over a full sequence. A decode step's
    // single query sees all cached keys.
    if (s.causal && !s.decode && !cross) keys = (std::min(s.kv, window > 0 ? window : s.kv) + 1) / 2;
    const double group = heads_ / kv_heads_;  // queries sharing one key/value head (GQA)
    if (s.decode && !cross)
      b_.add(OpType::kElementwise, p + ".kv_append", {{"elements", t * 2 * kv_dim}, {"flops_per_element", 0}}, dt_);
    b_.add(OpType::kGemm, p + ".scores",
           {{"m", s.q * group}, {"n", keys}, {"k", hd_}, {"count", s.batch * kv_heads_}, {"weights", 0}}, dt_);
    b_.add(OpType::kSoftmax, p + ".softmax", {{"elements", s.batch * heads_ * s.q * keys}}, dt_);
    b_.add(OpType::kGemm, p + ".context",
           {{"m", s.q * group}, {"n", hd_}, {"k", keys}, {"count", s.batch * kv_heads_}, {"weights", 0}}, dt_);
    linear(p + ".out", t, d_, q_dim, attn_bias_);
  }

  void mlp(const std::string& p, double tokens, double hidden) {
    linear(p + (gated_ ? ".gate_up" : ".up"), tokens, (gated_ ? 2 : 1) * hidden, d_, mlp_bias_);
    // GELU ~8 flops (tanh form), SiLU·up ~5: assumption, order of the instruction counts.
    b_.add(OpType::kElementwise, p + ".act",
           {{"elements", tokens * hidden}, {"operands", gated_ ? 2.0 : 1.0}, {"flops_per_element", gated_ ? 5.0 : 8.0}},
           dt_);
    linear(p + ".down", tokens, d_, hidden, mlp_bias_);
  }

  /// Mixture of experts: a router, then every expert's MLP over its share of the routed tokens
  /// (top_k per token, balanced routing), as one batched product per matrix over the experts.
  void moe(const std::string& p, double tokens) {
    const double experts = hp_.need("experts"), k = hp_.need("top_k");
    const double hidden = hp_("expert_ffn", 0) > 0 ? hp_("expert_ffn", 0) : ffn_;
    linear(p + ".router", tokens, experts, d_, false);
    b_.add(OpType::kSoftmax, p + ".router_softmax", {{"elements", tokens * experts}}, dt_);
    const double per_expert = tokens * k / experts;
    const double up = (gated_ ? 2 : 1) * hidden;
    b_.add(OpType::kGemm, p + ".experts.up",
           {{"m", per_expert}, {"n", up}, {"k", d_}, {"count", experts}, {"bias", mlp_bias_ ? 1.0 : 0.0}}, dt_);
    b_.add(OpType::kElementwise, p + ".experts.act",
           {{"elements", tokens * k * hidden}, {"operands", gated_ ? 2.0 : 1.0}, {"flops_per_element", 5}}, dt_);
    b_.add(OpType::kGemm, p + ".experts.down",
           {{"m", per_expert}, {"n", d_}, {"k", hidden}, {"count", experts}, {"bias", mlp_bias_ ? 1.0 : 0.0}}, dt_);
    b_.add(OpType::kElementwise, p + ".combine", {{"elements", tokens * k * d_}, {"flops_per_element", 2}}, dt_);
  }

  void residual(const std::string& name, double tokens) {
    b_.add(OpType::kElementwise, name, {{"elements", tokens * d_}, {"operands", 2}}, dt_);
  }

  bool is_moe_layer(int layer) const {
    if (hp_("experts", 0) <= 0) return false;
    if (layer < hp_("dense_layers", 0)) return false;
    return (layer + 1) % static_cast<int>(hp_("moe_every", 1)) == 0;
  }

  double window_of(int layer) const {
    const double w = hp_("sliding_window", 0);
    const double every = hp_("global_every", 0);  // every n-th layer attends globally
    if (w <= 0) return 0;
    if (every > 0 && (layer + 1) % static_cast<int>(every) == 0) return 0;
    return w;
  }

  void block(const std::string& p, int layer, const Shape& s, bool cross, double mem_tokens, double ffn) {
    const double t = s.tokens();
    const bool sandwich = hp_("sandwich_norm", 0) != 0;
    b_.group(p + ".attention");
    norm(p + ".attention.norm", t);
    attention(p + ".attention", s, false, 0, window_of(layer));
    if (sandwich) norm(p + ".attention.post_norm", t);
    const bool parallel = hp_("parallel_block", 0) != 0;
    if (!parallel) residual(p + ".attention.residual", t);
    if (cross) {
      b_.group(p + ".cross_attention");
      norm(p + ".cross_attention.norm", t);
      attention(p + ".cross_attention", s, true, mem_tokens);
      residual(p + ".cross_attention.residual", t);
    }
    b_.group(p + ".mlp");
    if (!parallel) norm(p + ".mlp.norm", t);
    if (is_moe_layer(layer))
      moe(p + ".mlp", t);
    else
      mlp(p + ".mlp", t, ffn);
    if (sandwich) norm(p + ".mlp.post_norm", t);
    residual(p + ".mlp.residual", t);
  }

  /// Token (and position, type) embeddings. `tied`: the table is another stack's (T5's shared
  /// vocabulary): looked up and trained, not counted again.
  void embeddings(const std::string& p, double tokens, double vocab, bool tied) {
    b_.group(p + "embedding");
    Op& tok =
        b_.add(OpType::kEmbedding, p + "embedding.tokens", {{"tokens", tokens}, {"dim", d_}, {"vocab", vocab}}, dt_);
    tok.tied = tied;
    if (hp_("embed_scale", 0) != 0)
      b_.add(OpType::kElementwise, p + "embedding.scale", {{"elements", tokens * d_}, {"flops_per_element", 1}}, dt_);
    if (hp_("max_pos", 0) > 0)
      b_.add(OpType::kEmbedding, p + "embedding.positions",
             {{"tokens", tokens}, {"dim", d_}, {"vocab", hp_("max_pos", 0)}}, dt_);
    if (hp_("type_vocab", 0) > 0)
      b_.add(OpType::kEmbedding, p + "embedding.types",
             {{"tokens", tokens}, {"dim", d_}, {"vocab", hp_("type_vocab", 0)}}, dt_);
    if (hp_("max_pos", 0) > 0 || hp_("type_vocab", 0) > 0)
      b_.add(OpType::kElementwise, p + "embedding.sum", {{"elements", tokens * d_}, {"operands", 2}}, dt_);
    if (hp_("embed_norm", 0) != 0) norm(p + "embedding.norm", tokens);
  }

  void stack(const std::string& p, int layers, const Shape& s, bool cross, double mem_tokens, double ffn) {
    if (hp_("rel_buckets", 0) > 0) {
      // T5 relative position bias: one table per stack, looked up for every query-key pair.
      b_.group(p + "relative_bias");
      b_.add(OpType::kEmbedding, p + "relative_bias",
             {{"tokens", s.q * s.kv}, {"dim", hp_("rel_heads", heads_)}, {"vocab", hp_("rel_buckets", 0)}}, dt_);
    }
    for (int l = 0; l < layers; ++l) block(p + "layers." + std::to_string(l), l, s, cross, mem_tokens, ffn);
    if (hp_("final_norm", 1) != 0) {
      b_.group(p + "norm");
      norm(p + "final_norm", s.tokens());
    }
  }

  void lm_head(double rows, double vocab) {
    if (hp_("lm_head", 1) == 0) return;
    b_.group("lm_head");
    Op& head = b_.add(OpType::kGemm, "lm_head", {{"m", rows}, {"n", vocab}, {"k", d_}}, dt_);
    head.tied = hp_("tied", 0) != 0;
    if (hp_("lm_head_bias", 0) != 0) {
      // The bias is the head's own even when the matrix is tied.
      if (head.tied)
        b_.add(OpType::kEmbedding, "lm_head.bias", {{"tokens", rows}, {"dim", 1}, {"vocab", vocab}}, dt_);
      else
        head.d[5] = 1;
    }
    b_.add(OpType::kSoftmax, "lm_head.softmax", {{"elements", rows * vocab}}, dt_);
  }

  void vit(const ModelArgs& a, double image) {
    const double patch = hp_.need("patch"), n = a.batch;
    const double side = std::floor(image / patch), seq = side * side + 1;
    b_.group("embedding");
    b_.add(OpType::kConv2d, "embedding.patches",
           {{"n", n},
            {"c_in", hp_("channels", 3)},
            {"h", image},
            {"w", image},
            {"c_out", d_},
            {"kh", patch},
            {"kw", patch},
            {"stride", patch},
            {"bias", 1}},
           dt_);
    b_.add(OpType::kEmbedding, "embedding.class_token", {{"tokens", n}, {"dim", d_}, {"vocab", 1}}, dt_);
    b_.add(OpType::kEmbedding, "embedding.positions", {{"tokens", n * seq}, {"dim", d_}, {"vocab", seq}}, dt_);
    b_.add(OpType::kElementwise, "embedding.sum", {{"elements", n * seq * d_}, {"operands", 2}}, dt_);
    stack("encoder.", static_cast<int>(hp_.need("layers")), Shape{n, seq, seq, false, false}, false, 0, ffn_);
    b_.group("head");
    linear("head", n, hp_("classes", 1000), d_, true);
  }

  void build(const Model& m, const ModelArgs& a) {
    const std::string arch = hp_.text("arch", "decoder");
    if (arch == "vit") {
      vit(a, a.image > 0 ? a.image : m.default_image);
      return;
    }
    const double seq = a.seq > 0 ? a.seq : m.default_seq;
    Shape s{a.batch, seq, seq, arch == "decoder", false};
    if (a.decode) s = Shape{a.batch, 1, a.context + 1, true, true};
    const double vocab = hp_.need("vocab");
    if (arch == "encoder-decoder") {
      // The encoder runs over the input once (not in decode steps, which read its cached
      // output); the decoder over the output, sharing the vocabulary unless dec_vocab is set.
      const double dec_vocab = hp_("dec_vocab", 0);
      if (!a.decode) {
        embeddings("encoder.", a.batch * seq, vocab, false);
        stack("encoder.", static_cast<int>(hp_.need("enc_layers")), Shape{a.batch, seq, seq, false, false}, false, 0,
              hp_("enc_ffn", ffn_));
      }
      embeddings("decoder.", s.tokens(), dec_vocab > 0 ? dec_vocab : vocab, dec_vocab <= 0 && !a.decode);
      stack("decoder.", static_cast<int>(hp_.need("dec_layers")), s, true, seq, hp_("dec_ffn", ffn_));
      lm_head(a.decode || !a.training ? a.batch : s.tokens(), dec_vocab > 0 ? dec_vocab : vocab);
      return;
    }
    embeddings("", s.tokens(), vocab, false);
    stack("", static_cast<int>(hp_.need("layers")), s, false, 0, ffn_);
    if (hp_("pooler", 0) != 0) {
      b_.group("pooler");
      linear("pooler", a.batch, d_, d_, true);
      b_.add(OpType::kElementwise, "pooler.tanh", {{"elements", a.batch * d_}, {"flops_per_element", 8}}, dt_);
    }
    if (arch == "decoder") lm_head(a.decode || !a.training ? a.batch : s.tokens(), vocab);
  }

 private:
  GraphBuilder& b_;
  Hp hp_;
  core::DType dt_;
  double d_, heads_, kv_heads_, hd_, ffn_;
  bool attn_bias_, mlp_bias_, rms_, gated_;
  // RoPE unless positions are learned or relative (T5) or ALiBi (BLOOM: pos = "alibi").
  bool rope_ = hp_("max_pos", 0) == 0 && hp_("rel_buckets", 0) == 0 && hp_.text("pos", "rope") == "rope";
};

}  // namespace

void transformer(GraphBuilder& b, const Model& m, const ModelArgs& a) { TransformerBuilder(b, m, a).build(m, a); }

}  // namespace jg::wl::zoo
