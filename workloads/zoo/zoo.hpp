// The model zoo (workloads/zoo): named models that become complete workload graphs, with a
// preprocessing stage on the host, training (forward, backward, optimizer, distributed
// collectives) and inference or LLM serving (prefill and decode with a KV cache).
//
// Each model has a forward builder that adds the ops of one forward pass of a batch to the
// builder's current stage; the pipeline code (zoo.cpp) wraps it into stages.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/config.hpp"
#include "engine/core/dtype.hpp"
#include "engine/core/embedded.hpp"
#include "workloads/builder.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::wl::zoo {

/// Shape of one forward pass.
struct ModelArgs {
  double batch = 1;       ///< samples (images, sequences) in the pass
  double image = 0;       ///< square input side in pixels (vision); 0: the model's default
  double seq = 0;         ///< tokens per sequence (language); 0: the model's default
  double context = 0;     ///< decode: tokens already in the KV cache (attention length); 0: none
  bool decode = false;    ///< LLM decode step: one new token per sequence attending to `context` cached tokens
  bool training = false;  ///< a training pass (logits for every token) rather than inference
  core::DType dtype = core::DType::kFp16;
};

enum class Domain : std::uint8_t { kVision, kLanguage, kSpeech, kRecommendation, kGenerative };

/// Published figures a model's graph is checked against (tests), with their source.
struct Published {
  double params = 0;           ///< total parameters
  double active_params = 0;    ///< MoE: parameters used per token (0: same as params)
  double macs_per_sample = 0;  ///< forward MACs per sample at `at` (0: not published / not checked)
  std::string at;              ///< the input the MACs figure refers to, e.g. "224x224", "seq 128"
  double tolerance = 0.02;     ///< relative tolerance the tests accept, justified in `source`
  std::string source;
};

struct Model {
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  Domain domain = Domain::kVision;
  double default_image = 0;  ///< vision: default input side
  double default_seq = 0;    ///< language: default sequence length
  bool llm = false;          ///< autoregressive decoder: serves with prefill + decode
  /// Adds the forward ops of one pass to b.current(), under group labels (layers/blocks).
  void (*forward)(GraphBuilder& b, const Model& m, const ModelArgs& a) = nullptr;
  /// Architecture hyperparameters for data-driven builders (transformers), by key.
  std::map<std::string, double> hp;
  std::map<std::string, std::string> hp_text;
  Published published;
  std::string source;  ///< architecture source (paper, model card)
};

/// A hyper-parameter of the model's [hp] table, or `fallback` where the table does not set it.
inline double hp(const Model& m, const char* key, double fallback) {
  auto it = m.hp.find(key);
  return it == m.hp.end() ? fallback : it->second;
}

/// The registry files (workloads/zoo/models/*.toml), embedded at build time.
const std::vector<core::EmbeddedText>& model_files();

/// Every zoo model, in `joulegraph list workloads` order.
const std::vector<Model>& models();
/// By canonical name or alias (case-insensitive); nullptr if none.
const Model* find_model(const std::string& name);

/// Parameters of the forward graph of `m` (sum of op_parameters over forward ops, counting
/// each shared/tied weight once as the builder marks it).
double forward_parameters(const Graph& g);

/// One forward pass of `m` as a single-stage graph on device "gpu" (for counting and tests).
Graph forward_graph(const Model& m, const ModelArgs& a);

/// Where a zoo workload runs: the defaults its parameter table starts from.
struct Target {
  std::string device = "gpu";
  std::string host = "cpu";  ///< "" for no preprocessing stage
  std::string dtype = "fp16";
  double instances = 1;  ///< the device's count: the default data-parallel degree
  bool storage = true;   ///< the host has storage to read the dataset from
};

/// The workload document of a zoo model with every parameter at its default, commented
/// (`joulegraph describe MODEL` prints it; a user may save and edit it).
std::string spec_text(const Model& m, const Target& target);

/// Builds the pipeline graph of a workload document with a `zoo = "NAME"` key: the model's
/// forward pass wrapped in preprocessing, training or inference/serving stages per [params].
/// Throws ConfigError naming the key on bad input.
Graph build_workload(const core::ConfigNode& root);

// Forward builders, by family (vision.cpp, diffusion.cpp, transformer.cpp, other.cpp).
void resnet(GraphBuilder& b, const Model& m, const ModelArgs& a);
void vgg(GraphBuilder& b, const Model& m, const ModelArgs& a);
void mobilenetv2(GraphBuilder& b, const Model& m, const ModelArgs& a);
void efficientnet_b0(GraphBuilder& b, const Model& m, const ModelArgs& a);
void unet3d(GraphBuilder& b, const Model& m, const ModelArgs& a);
void retinanet(GraphBuilder& b, const Model& m, const ModelArgs& a);
void ssd_resnet34(GraphBuilder& b, const Model& m, const ModelArgs& a);
void stable_diffusion_xl(GraphBuilder& b, const Model& m, const ModelArgs& a);
void rnnt(GraphBuilder& b, const Model& m, const ModelArgs& a);
void dlrm(GraphBuilder& b, const Model& m, const ModelArgs& a);
void transformer(GraphBuilder& b, const Model& m, const ModelArgs& a);  ///< ViT, BERT, GPT, T5, LLaMA, MoE

}  // namespace jg::wl::zoo
