#include "workloads/zoo/zoo.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/config.hpp"
#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"

namespace jg::wl::zoo {

using namespace jg::core;

namespace {

using ForwardFn = void (*)(GraphBuilder&, const Model&, const ModelArgs&);

ForwardFn builder_named(const std::string& name) {
  static const std::map<std::string, ForwardFn> kBuilders = {
      {"resnet", resnet},
      {"vgg", vgg},
      {"mobilenetv2", mobilenetv2},
      {"efficientnet_b0", efficientnet_b0},
      {"unet3d", unet3d},
      {"retinanet", retinanet},
      {"ssd_resnet34", ssd_resnet34},
      {"stable_diffusion_xl", stable_diffusion_xl},
      {"rnnt", rnnt},
      {"dlrm", dlrm},
      {"transformer", transformer},
  };
  auto it = kBuilders.find(name);
  return it == kBuilders.end() ? nullptr : it->second;
}

Domain domain_named(const ConfigNode& n) {
  static const std::vector<std::string> kDomains = {"vision", "language", "speech", "recommendation", "generative"};
  auto it = std::find(kDomains.begin(), kDomains.end(), n.as_string());
  if (it == kDomains.end()) n.fail("a domain", n.describe(), did_you_mean(n.as_string(), kDomains));
  return static_cast<Domain>(it - kDomains.begin());
}

std::vector<Model> load_models() {
  std::vector<Model> out;
  for (const auto& file : model_files()) {
    ConfigNode root = parse_toml_text(file.text, std::string("<zoo:") + file.name + ".toml>");
    for (const auto& t : root.at("model").items()) {
      Model m;
      m.name = t.at("name").as_string();
      if (const ConfigNode* a = t.find("aliases"))
        for (const auto& x : a->items()) m.aliases.push_back(x.as_string());
      m.description = t.at("description").as_string();
      m.domain = domain_named(t.at("domain"));
      const ConfigNode& b = t.at("builder");
      m.forward = builder_named(b.as_string());
      if (!m.forward) b.fail("a zoo builder", b.describe());
      if (const ConfigNode* l = t.find("llm")) m.llm = l->as_bool();
      if (const ConfigNode* x = t.find("default_image")) m.default_image = x->as_number();
      if (const ConfigNode* x = t.find("default_seq")) m.default_seq = x->as_number();
      m.source = t.at("source").as_string();
      if (const ConfigNode* hp = t.find("hp"))
        for (const auto& [k, v] : hp->entries()) {
          if (v.is_string())
            m.hp_text[k] = v.as_string();
          else if (v.kind() == ConfigNode::Kind::Bool)
            m.hp[k] = v.as_bool() ? 1 : 0;
          else
            m.hp[k] = v.as_number();
        }
      const ConfigNode& p = t.at("published");
      m.published.params = p.at("params").as_number();
      if (const ConfigNode* x = p.find("active_params")) m.published.active_params = x->as_number();
      if (const ConfigNode* x = p.find("macs_per_sample")) m.published.macs_per_sample = x->as_number();
      if (const ConfigNode* x = p.find("at")) m.published.at = x->as_string();
      if (const ConfigNode* x = p.find("tolerance")) m.published.tolerance = x->as_number();
      m.published.source = p.at("source").as_string();
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace

const std::vector<Model>& models() {
  static const std::vector<Model> kModels = load_models();
  return kModels;
}

const Model* find_model(const std::string& name) {
  const std::string want = to_lower(name);
  for (const auto& m : models()) {
    if (m.name == want) return &m;
    for (const auto& a : m.aliases)
      if (to_lower(a) == want) return &m;
  }
  return nullptr;
}

double forward_parameters(const Graph& g) {
  double p = 0;
  for (const auto& st : g.stages)
    for (const auto& op : st.ops)
      if (op.pass == Pass::kForward && op.name < g.names.size() &&
          g.names[op.name].find(".recompute") == std::string::npos)
        p += op_parameters(op);
  return p;
}

Graph forward_graph(const Model& m, const ModelArgs& a) {
  GraphBuilder b(m.name, m.description);
  b.stage("forward", a.training ? StageKind::kTraining : StageKind::kInference, "gpu");
  m.forward(b, m, a);
  return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Pipelines

namespace {

/// The workload's [params], read with errors that point at the key.
struct Params {
  const ConfigNode& t;
  double num(const char* key) const { return t.at(key).as_number(); }
  double positive(const char* key) const {
    const ConfigNode& n = t.at(key);
    const double v = n.as_number();
    if (!(v > 0) || !std::isfinite(v)) n.fail("a positive number", n.describe());
    return v;
  }
  double nonnegative(const char* key) const {
    const ConfigNode& n = t.at(key);
    const double v = n.as_number();
    if (!(v >= 0) || !std::isfinite(v)) n.fail("a number, 0 or more", n.describe());
    return v;
  }
  double whole(const char* key) const {
    const ConfigNode& n = t.at(key);
    const double v = n.as_number();
    if (v < 1 || std::floor(v) != v) n.fail("a whole number, at least 1", n.describe());
    return v;
  }
  bool flag(const char* key) const {
    const ConfigNode& n = t.at(key);
    if (n.kind() == ConfigNode::Kind::Bool) return n.as_bool();
    const double v = n.as_number();
    if (v != 0 && v != 1) n.fail("0 or 1 (or true/false)", n.describe());
    return v != 0;
  }
  std::string text(const char* key) const { return t.at(key).as_string(); }
  /// none | selective | full, with 0 and 1 (or false and true) for none and full.
  Recompute recompute(const char* key) const {
    const ConfigNode& n = t.at(key);
    if (n.kind() == ConfigNode::Kind::String) {
      const auto it = std::find(kRecomputeNames.begin(), kRecomputeNames.end(), n.as_string());
      if (it == kRecomputeNames.end())
        n.fail("none, selective or full (or 0 / 1)", n.describe(), did_you_mean(n.as_string(), kRecomputeNames));
      return static_cast<Recompute>(it - kRecomputeNames.begin());
    }
    return flag(key) ? Recompute::kFull : Recompute::kNone;
  }
  std::string choice(const char* key, const std::vector<std::string>& allowed) const {
    const ConfigNode& n = t.at(key);
    const std::string& v = n.as_string();
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
      n.fail("one of the values listed", n.describe(), did_you_mean(v, allowed));
    return v;
  }
  DType dtype(const char* key) const {
    const ConfigNode& n = t.at(key);
    if (auto d = parse_dtype(n.as_string())) return *d;
    n.fail("a data type", n.describe(),
           did_you_mean(n.as_string(), std::vector<std::string>(kDTypeNames.begin(), kDTypeNames.end())));
  }
};

constexpr double kTokenIdBytes = 8;  // int64 token ids, as PyTorch dataloaders hand them over

struct Pipeline {
  const Model& m;
  Params p;
  GraphBuilder b;
  std::string mode, device, host;
  DType dtype;
  double batch, dp, tp, pp;
  // Nodes: the graph is one node's share (batch / nodes samples); collectives know how many
  // nodes their ranks span. Ranks are ordered tensor-parallel innermost, then data-parallel,
  // then pipeline-parallel (Megatron-LM), so tensor parallelism stays inside a node and
  // pipeline stages are split over nodes first.
  double nodes = 1, dp_nodes = 1, pp_nodes = 1;

  Pipeline(const Model& model, const ConfigNode& params) : m(model), p{params}, b(model.name, model.description) {
    mode = p.choice("mode", m.llm ? std::vector<std::string>{"train", "infer", "serve"}
                                  : std::vector<std::string>{"train", "infer"});
    device = p.text("device");
    host = p.text("host");
    dtype = p.dtype("dtype");
    batch = p.positive("batch");
    dp = p.whole("data_parallel");
    tp = p.whole("tensor_parallel");
    pp = p.whole("pipeline_parallel");
    if ((tp > 1 || pp > 1) && m.forward != transformer)
      params.at(tp > 1 ? "tensor_parallel" : "pipeline_parallel")
          .fail("1: tensor and pipeline parallelism are modelled for transformer models", "a degree above 1",
                "use data_parallel");
    if (mode != "train" && pp > 1)
      params.at("pipeline_parallel")
          .fail("1 for inference and serving (pipeline parallelism is modelled for training)", "a degree above 1",
                "use tensor_parallel, or data_parallel for replicas");
    nodes = p.whole("nodes");
    if (nodes > 1) {
      const double ranks = dp * tp * pp, per_node = ranks / nodes;
      if (std::fmod(ranks, nodes) != 0 || std::fmod(per_node, tp) != 0)
        params.at("nodes").fail(
            "a node count dividing data_parallel x tensor_parallel x pipeline_parallel, with the tensor-parallel "
            "ranks inside one node",
            "nodes = " + format_number(nodes) + " for " + format_number(ranks) + " ranks (tensor_parallel " +
                format_number(tp) + ")",
            "raise data_parallel or pipeline_parallel to use more nodes");
      // Pipeline stages take whole nodes first; data-parallel groups span the rest.
      pp_nodes = std::min(pp, nodes);
      if (std::fmod(pp, pp_nodes) != 0 || std::fmod(nodes, pp_nodes) != 0)
        params.at("nodes").fail("a node count that divides, or is a multiple of, pipeline_parallel",
                                "nodes = " + format_number(nodes) + ", pipeline_parallel = " + format_number(pp));
      dp_nodes = nodes / pp_nodes;
    }
  }

  [[nodiscard]] double layers() const { return hp(m, "layers", 0) + hp(m, "enc_layers", 0) + hp(m, "dec_layers", 0); }
  [[nodiscard]] double d_model() const { return hp(m, "d_model", 0); }
  [[nodiscard]] double image() const { return m.default_image > 0 ? p.positive("image") : 0; }
  [[nodiscard]] double seq() const { return m.default_seq > 0 ? p.positive("seq") : 0; }

  /// The host's work for one batch of `samples`: read, decode, resize, normalize, copy (vision);
  /// read, tokenize, copy (language); read and copy (the rest).
  void preprocess(const std::string& name, double repeat, double samples, double tokens_per_sample,
                  const std::string& overlaps) {
    Stage& st = b.stage(name, StageKind::kPreprocessing, host, repeat);
    st.overlaps = overlaps;
    st.workers = p.num("workers");
    if (st.workers < 0 || std::floor(st.workers) != st.workers)
      p.t.at("workers").fail("a whole number of dataloader workers (host cores), 0 for all",
                             p.t.at("workers").describe());
    b.group("dataloader");
    if (m.domain == Domain::kVision) {
      const double side = image(), jpeg = p.positive("jpeg_bytes"), src = p.positive("src_pixels");
      if (p.flag("storage")) b.add(OpType::kDataLoad, "read_jpeg", {{"bytes", samples * jpeg}}, DType::kFp32);
      b.add(OpType::kDecode, "decode_jpeg", {{"pixels", samples * src}, {"bytes_in", samples * jpeg}}, DType::kFp32);
      b.add(OpType::kResize, "resize_crop", {{"in_pixels", samples * src}, {"out_pixels", samples * side * side}},
            DType::kFp32);
      b.add(OpType::kElementwise, "normalize", {{"elements", samples * 3 * side * side}, {"flops_per_element", 2}},
            DType::kFp32);
      b.add(OpType::kElementwise, "collate_pin", {{"elements", samples * 3 * side * side}, {"flops_per_element", 0}},
            DType::kFp32);
      b.copy(OpType::kH2D, "copy_to_" + device, device, samples * 3 * side * side * dtype_bytes(dtype));
    } else if (m.domain == Domain::kLanguage && tokens_per_sample > 0) {
      const double text = samples * tokens_per_sample * p.positive("text_bytes_per_token");
      if (p.flag("storage")) b.add(OpType::kDataLoad, "read_text", {{"bytes", text}}, DType::kFp32);
      // Tokenization as scalar work per input byte, producing int64 ids (8 bytes per token).
      b.add(OpType::kDecode, "tokenize",
            {{"pixels", samples * tokens_per_sample},
             {"bytes_in", text},
             {"channels", kTokenIdBytes},
             {"ops_per_pixel", p.positive("tokenize_ops_per_token")}},
            DType::kFp32);
      b.copy(OpType::kH2D, "copy_to_" + device, device, samples * tokens_per_sample * kTokenIdBytes);
    } else {
      const double bytes = samples * p.positive("sample_bytes");
      if (p.flag("storage")) b.add(OpType::kDataLoad, "read_samples", {{"bytes", bytes}}, DType::kFp32);
      b.copy(OpType::kH2D, "copy_to_" + device, device, bytes);
    }
  }

  /// Tensor-parallel all-reduces (Megatron-LM: two per layer in the forward pass, two in the
  /// backward) of the activations of `tokens` tokens. The graph is one node's share: a
  /// tensor-parallel group holds only its pipeline stage's layers / pp of the layers, so each
  /// layer's all-reduce carries 1 / pp of a replica's activations on average.
  void tp_collectives(const std::string& name, double tokens, double per_layer) {
    if (tp <= 1) return;
    b.group("tensor_parallel");
    const double bytes = tokens / dp / pp * d_model() * dtype_bytes(dtype);
    for (int l = 0; l < static_cast<int>(layers()); ++l)
      for (int i = 0; i < per_layer; ++i)
        b.add(OpType::kCollective, name + "." + std::to_string(l) + "." + std::to_string(i),
              {{"bytes", bytes}, {"ranks", tp}}, dtype);
  }

  Footprint footprint(double params, double activations, double kv_cache, bool training, bool mixed,
                      const std::string& optimizer) const {
    Footprint f;
    f.device = device;
    const double shard = tp * pp;  // weights are split over tensor- and pipeline-parallel ranks
    const double eb = dtype_bytes(dtype);
    f.weights_bytes = params * eb / shard;
    if (training) {
      f.gradients_bytes = params * eb / shard;
      const double states = optimizer == "adam" || optimizer == "adamw" ? 2 : optimizer == "momentum" ? 1 : 0;
      f.optimizer_bytes = params * (4 * states + (mixed && eb < 4 ? 4 : 0)) / shard;
    }
    f.activations_bytes = activations / (dp * tp);
    f.kv_cache_bytes = kv_cache / (dp * tp);  // `batch` counts the sequences of all replicas
    return f;
  }

  static double attention_core_bytes(const Stage& st) {
    const std::vector<bool> core = attention_core(st);
    double bytes = 0;
    for (std::size_t i = 0; i < st.ops.size(); ++i)
      if (core[i]) bytes += op_output_elements(st.ops[i]) * dtype_bytes(st.ops[i].dtype);
    return bytes;
  }

  static double output_bytes(const Stage& st, std::size_t from) {
    double bytes = 0;
    for (std::size_t i = from; i < st.ops.size(); ++i)
      if (st.ops[i].pass == Pass::kForward) bytes += op_output_elements(st.ops[i]) * dtype_bytes(st.ops[i].dtype);
    return bytes;
  }

  void train() {
    const double steps = p.positive("steps"), accumulation = p.whole("accumulation");
    const double micro = batch / accumulation;  // samples per forward/backward pass, all ranks
    const double tokens_per_sample = seq();
    TrainOptions opt;
    opt.optimizer = p.choice("optimizer", kOptimizers);
    opt.mixed_precision = p.flag("mixed_precision");
    opt.recompute = p.recompute("recompute");
    if (!host.empty()) preprocess("preprocess", steps * accumulation, micro / nodes, tokens_per_sample, "train");
    Stage& st = b.stage("train", StageKind::kTraining, device, steps * accumulation);
    if (pp > 1) {
      const double mb = p.whole("microbatches");
      st.bubble = (pp - 1) / (mb + pp - 1);
    }
    ModelArgs a{micro / nodes, image(), tokens_per_sample, 0, false, true, dtype};
    m.forward(b, m, a);
    const double params = forward_parameters(b.graph());
    const double activations = output_bytes(b.current(), 0) * nodes;  // all ranks
    const double core_bytes = attention_core_bytes(b.current()) * nodes;
    tp_collectives("tp.forward_all_reduce", micro * std::max(1.0, tokens_per_sample), 2);
    b.add_backward("none", opt.mixed_precision, opt.recompute);
    tp_collectives("tp.backward_all_reduce", micro * std::max(1.0, tokens_per_sample), 2);
    if (pp > 1) {
      // Activations forward and their gradients backward across each pipeline boundary.
      b.group("pipeline_parallel");
      const double bytes = micro / dp * std::max(1.0, tokens_per_sample) * d_model() * dtype_bytes(dtype);
      b.add(OpType::kCollective, "pp.send_activations",
            {{"bytes", 2 * bytes}, {"ranks", 2}, {"kind", 4}, {"nodes", pp_nodes > 1 ? 2 : 1}}, dtype);
    }
    // Once per step: the data-parallel gradient all-reduce, then the optimizer update.
    b.stage("update", StageKind::kTraining, device, steps);
    if (dp > 1) {
      b.group("data_parallel");
      b.add(OpType::kCollective, "dp.gradient_all_reduce",
            {{"bytes", params / (tp * pp) * dtype_bytes(dtype)}, {"ranks", dp}, {"nodes", dp_nodes}}, dtype);
    }
    b.group("optimizer");
    append_update(b.graph(), b.current(), opt, params, dtype);
    // Activations kept for the backward pass: with full recomputation only each layer's input;
    // with selective recomputation all but the attention cores' outputs.
    double kept = activations;
    if (opt.recompute == Recompute::kFull && layers() > 0) kept = activations / layers() * 2;
    if (opt.recompute == Recompute::kSelective) kept -= core_bytes;
    b.graph().footprints.push_back(footprint(params, kept, 0, true, opt.mixed_precision, opt.optimizer));
  }

  void infer() {
    const double requests = p.positive("requests"), batches = requests / batch;
    if (!host.empty()) preprocess("preprocess", batches, batch / nodes, seq(), "infer");
    b.stage("infer", StageKind::kInference, device, batches);
    m.forward(b, m, ModelArgs{batch / nodes, image(), seq(), 0, false, false, dtype});
    if (p.flag("fuse")) fuse_epilogues(b.current());
    const double params = forward_parameters(b.graph());
    tp_collectives("tp.all_reduce", batch * std::max(1.0, seq()), 2);
    b.graph().footprints.push_back(footprint(params, 0, 0, false, false, "none"));
  }

  void serve() {
    const double requests = p.positive("requests"), batches = requests / batch;
    const double in = p.positive("input_tokens"), out = p.whole("output_tokens");
    if (!host.empty()) preprocess("tokenize", batches, batch / nodes, in, "prefill");
    b.stage("prefill", StageKind::kInference, device, batches);
    m.forward(b, m, ModelArgs{batch / nodes, 0, in, 0, false, false, dtype});
    if (p.flag("fuse")) fuse_epilogues(b.current());
    const double params = forward_parameters(b.graph());
    tp_collectives("tp.all_reduce", batch * in, 2);
    // Decode: one step per output token after the first (which prefill produces). Attention
    // cost is linear in the cached length, so one step at the mean length, repeated, is exact.
    if (out > 1) {
      b.stage("decode", StageKind::kInference, device, batches * (out - 1));
      m.forward(b, m, ModelArgs{batch / nodes, 0, 1, in + out / 2, true, false, dtype});
      if (p.flag("fuse")) fuse_epilogues(b.current());
      tp_collectives("tp.all_reduce", batch, 2);
      // The serving engine's host work between steps (scheduling, sampling, detokenizing), which
      // each replica's GPUs wait for: a fixed part and a part per running sequence.
      b.current().host_wait_s = p.nonnegative("engine_step_s") + p.nonnegative("engine_seq_s") * batch / dp;
    }
    // KV cache at its largest: every sequence of a batch at full length.
    double kv = 0;
    const double heads = hp(m, "heads", 1), head_dim = hp(m, "head_dim", d_model() / heads);
    kv = batch * (in + out) * layers() * 2 * hp(m, "kv_heads", heads) * head_dim * dtype_bytes(dtype);
    b.graph().footprints.push_back(footprint(params, 0, kv, false, false, "none"));
  }

  Graph build() {
    if (mode == "train")
      train();
    else if (mode == "serve")
      serve();
    else
      infer();
    Graph g = b.finish();
    g.nodes = nodes;
    const double rate = p.num("rate");
    if (rate < 0 || !std::isfinite(rate))
      p.t.at("rate").fail("requests per second, 0 or more", p.t.at("rate").describe());
    if (rate > 0 && mode == "train")
      p.t.at("rate").fail("0 for training (requests arrive when inferring or serving)", p.t.at("rate").describe());
    if (rate > 0) g.min_time_s = p.positive("requests") / rate;
    for (const auto& [k, v] : p.t.entries())
      if (v.is_number()) g.params[k] = v.as_number();
    return g;
  }
};

}  // namespace

std::string spec_text(const Model& m, const Target& target) {
  const bool vision = m.domain == Domain::kVision;
  const bool language = m.domain == Domain::kLanguage;
  std::string mode = m.llm ? "serve" : "infer";
  std::string s = "# Zoo workload: " + m.description + "\nschema_version = 1\nzoo = \"" + m.name + "\"\n\n[params]\n";
  auto line = [&](const std::string& k, const std::string& v, const std::string& doc) {
    s += k + " = " + v + std::string(k.size() + v.size() < 28 ? 28 - k.size() - v.size() : 1, ' ') + "# " + doc + "\n";
  };
  auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
  auto num = [](double v) { return format_number(v); };
  line("mode", quoted(mode), m.llm ? "train | infer | serve (prefill + decode)" : "train | infer");
  line("device", quoted(target.device), "device the model runs on");
  line("host", quoted(target.host), "device preprocessing runs on (\"\": none)");
  line("dtype", quoted(target.dtype), "compute data type");
  line("storage", num(target.storage ? 1 : 0), "read the dataset from the host's storage (0: from page cache)");
  line("batch",
       num(m.llm      ? 8
           : language ? 32
           : vision   ? 32
                      : 1),
       "samples per step or batch (all data-parallel ranks together); concurrent sequences when serving");
  if (m.default_image > 0) line("image", num(m.default_image), "input side in pixels");
  if (m.default_seq > 0) line("seq", num(m.default_seq), "tokens per sequence (train / infer)");
  line("requests", num(1000), "samples (infer) or requests (serve) in all");
  line("rate", num(0), "infer/serve: requests arriving per second (0: back to back)");
  line("fuse", num(1),
       "infer/serve: compiled runtime (TensorRT, vLLM): activations, bias, residual adds, softmax and batchnorm "
       "fused into the matrix op before them, attention (scores, softmax, context) one kernel whose scores stay on "
       "chip (0: eager, every op its own DRAM round trip)");
  if (m.llm) {
    line("input_tokens", num(1024), "serve: prompt tokens per request");
    line("output_tokens", num(256), "serve: generated tokens per request");
    line("engine_step_s", num(0),
         "serve: host seconds per decode step the GPUs wait for (0: scheduling overlapped with the GPU)");
    line("engine_seq_s", num(0), "serve: host seconds per running sequence per decode step the GPUs wait for");
  }
  line("steps", num(100), "train: optimizer steps");
  line("accumulation", num(1), "train: micro-batches per step (gradient accumulation)");
  line("optimizer", quoted(language ? "adamw" : "momentum"), "train: sgd | momentum | adam | adamw | none");
  line("mixed_precision", num(target.dtype == "fp32" ? 0 : 1), "train: fp32 master weights beside low-precision ones");
  line("recompute", quoted("none"),
       "train: activation recomputation: none | selective (attention cores) | full (0 / 1: none / full)");
  line("data_parallel", num(target.instances), "ranks holding a model replica (serving: replicas)");
  line("tensor_parallel", num(1), "ranks splitting each layer (transformers)");
  line("pipeline_parallel", num(1), "ranks holding consecutive layers (transformers)");
  line("microbatches", num(8), "train with pipeline_parallel > 1: micro-batches per step");
  line("nodes", num(1), "identical nodes the ranks are spread over (energy for all)");
  line("workers", num(0), "dataloader workers: host cores preprocessing uses (0: all)");
  if (vision) {
    line("jpeg_bytes", num(110e3), "mean ImageNet JPEG: ~140 GB / 1.28 M images");
    line("src_pixels", num(187500), "mean decoded ImageNet image, ~500 x 375");
  } else if (language) {
    line("text_bytes_per_token", num(4), "UTF-8 bytes per BPE token (~4 for English: assumption)");
    line("tokenize_ops_per_token", num(1000), "host ops per token (~3 M tokens/s/core class: assumption)");
  } else {
    line("sample_bytes", num(m.domain == Domain::kRecommendation ? 160 : 240e3), "bytes read per sample");
  }
  return s;
}

Graph build_workload(const ConfigNode& root) {
  const ConfigNode& z = root.at("zoo");
  const Model* m = find_model(z.as_string());
  if (!m) {
    std::vector<std::string> names;
    for (const auto& x : models()) names.push_back(x.name);
    z.fail("the name of a zoo model", z.describe(), did_you_mean(z.as_string(), names));
  }
  static const std::vector<std::string> kTop = {"schema_version", "name", "description", "zoo", "params"};
  for (const auto& [k, v] : root.entries())
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) v.fail_unknown_key("a zoo workload key", k, kTop);
  // Missing parameters take the model's defaults.
  ConfigNode defaults = parse_toml_text(spec_text(*m, Target{}), "<zoo:" + m->name + " defaults>");
  if (const ConfigNode* given = root.find("params")) {
    for (const auto& [k, v] : given->entries())
      if (!defaults.at("params").find(k)) {
        std::vector<std::string> names;
        for (const auto& e : defaults.at("params").entries()) names.push_back(e.first);
        v.fail_unknown_key("a parameter of zoo model '" + m->name + "'", k, names);
      }
    defaults.merge(root);  // the given values win
  }
  Graph g = Pipeline(*m, defaults.at("params")).build();
  if (const ConfigNode* n = root.find("name")) g.name = n->as_string();
  return g;
}

}  // namespace jg::wl::zoo
