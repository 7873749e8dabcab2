// The model zoo: parameter counts and MACs against published figures (each with its source in
// workloads/zoo/models/*.toml), pipeline structure, scaling invariants, and every model on
// every platform kind.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/eval/evaluator.hpp"
#include "tests/test_support.hpp"
#include "workloads/ops/estimate.hpp"
#include "workloads/zoo/zoo.hpp"

namespace jg {
namespace {

using wl::OpType;
using wl::zoo::hp;
using wl::zoo::Model;
using wl::zoo::ModelArgs;

double macs_of(const wl::Graph& g, std::size_t stage = 0) {
  double macs = 0;
  for (const auto& op : g.stages[stage].ops) macs += wl::estimate(op, core::HierarchyView{}).macs;
  return macs;
}

/// A zoo workload document with parameter overrides, built for target `t`.
wl::Graph zoo_graph(const std::string& name, const std::vector<std::string>& sets,
                    const wl::zoo::Target& t = wl::zoo::Target{}) {
  const Model* m = wl::zoo::find_model(name);
  EXPECT_NE(m, nullptr) << name;
  core::ConfigNode root = core::parse_toml_text(wl::zoo::spec_text(*m, t), "<zoo:" + name + ">");
  for (const auto& s : sets) core::apply_override(root, "params." + s);
  return wl::load_workload(root);
}

TEST(Zoo, HasTheModelsTheIssueNames) {
  for (const char* name : {"resnet18",      "resnet50",     "vgg16",       "mobilenetv2",  "efficientnet-b0",
                           "vit-b16",       "unet3d",       "retinanet",   "ssd-resnet34", "rnnt",
                           "bert-base",     "bert-large",   "gpt2",        "gpt-j-6b",     "gpt3-175b",
                           "t5-11b",        "meena-2.6b",   "gshard-600b", "switch-1.5t",  "opt-175b",
                           "bloom-176b",    "llama-7b",     "llama-13b",   "llama-33b",    "llama-65b",
                           "llama2-7b",     "llama2-13b",   "llama2-70b",  "llama3.1-8b",  "llama3.1-70b",
                           "llama3.1-405b", "mixtral-8x7b", "qwen3-8b",    "qwen3-14b",    "qwen3-32b",
                           "qwen3-30b-a3b", "gemma3-12b",   "gemma3-27b",  "dlrm",         "stable-diffusion-xl"})
    EXPECT_NE(wl::zoo::find_model(name), nullptr) << name;
  EXPECT_EQ(wl::zoo::find_model("ResNet-50"), wl::zoo::find_model("resnet50"));  // aliases, any case
}

// Every model's forward graph carries the published parameter count (and MACs where published)
// within the tolerance its registry entry states and justifies.
TEST(Zoo, ParametersAndMacsMatchPublishedFigures) {
  for (const auto& m : wl::zoo::models()) {
    SCOPED_TRACE(m.name);
    ASSERT_FALSE(m.published.source.empty());
    ModelArgs a;
    a.batch = 1;
    const wl::Graph g = wl::zoo::forward_graph(m, a);
    const double params = wl::zoo::forward_parameters(g);
    EXPECT_NEAR(params / m.published.params, 1.0, m.published.tolerance)
        << "graph " << params << " vs published " << m.published.params << " (" << m.published.source << ")";
    if (m.published.active_params > 0) {
      // Per token only top_k of the experts' weights are used.
      const double experts = hp(m, "experts", 0), k = hp(m, "top_k", 0);
      double active = 0;
      for (const auto& op : g.stages[0].ops) {
        const bool expert = g.names[op.name].find(".experts.") != std::string::npos;
        active += wl::op_parameters(op) * (expert ? k / experts : 1.0);
      }
      EXPECT_NEAR(active / m.published.active_params, 1.0, std::max(0.03, m.published.tolerance));
    }
    if (m.published.macs_per_sample > 0) {
      EXPECT_NEAR(macs_of(g) / m.published.macs_per_sample, 1.0, std::max(0.02, m.published.tolerance))
          << "at " << m.published.at;
    }
  }
}

// MACs scale linearly with the batch (no per-batch constant hides in a forward pass).
TEST(Zoo, MacsScaleWithBatch) {
  for (const char* name : {"resnet50", "bert-base", "llama2-7b", "mixtral-8x7b"}) {
    const Model& m = *wl::zoo::find_model(name);
    ModelArgs one, eight;
    eight.batch = 8;
    EXPECT_NEAR(macs_of(wl::zoo::forward_graph(m, eight)) / macs_of(wl::zoo::forward_graph(m, one)), 8.0, 1e-9) << name;
  }
}

// Training compute of dense decoders: 2 FLOPs per MAC over forward and backward ~ 6 x params x
// tokens (Kaplan et al. 2020). The rest is attention, 6 x L x S x d per token with the causal
// half counted (12·L·S·d / 2), and the embedding rows that do no MACs; both are < 10 % here.
TEST(Zoo, TrainingFlopsAreSixTimesParametersTimesTokens) {
  for (const char* name : {"gpt3-175b", "llama2-70b", "opt-175b", "llama-7b", "bloom-176b"}) {
    SCOPED_TRACE(name);
    const Model& m = *wl::zoo::find_model(name);
    const double seq = m.default_seq, batch = 4;
    const wl::Graph g = zoo_graph(name, {"mode=train", "batch=4", "host="});
    ASSERT_EQ(g.stages[0].name, "train");
    const double flops = 2 * macs_of(g, 0);
    const double params = wl::zoo::forward_parameters(g);
    const double tokens = batch * seq;
    const double ratio = flops / (6 * params * tokens);
    // The attention term explains the excess: 6·L·S·d per token (causal half of 12·L·S·d).
    const double attention =
        6 * hp(m, "layers", 0) * seq * hp(m, "heads", 0) * hp(m, "head_dim", hp(m, "d_model", 0) / hp(m, "heads", 1));
    EXPECT_NEAR(ratio, 1.0, 0.10);
    EXPECT_NEAR(flops / tokens, 6 * params + attention, 0.05 * flops / tokens);
  }
}

TEST(Zoo, TrainingStageHasGradientsOptimizerAndCollectives) {
  const wl::Graph g =
      zoo_graph("llama2-7b", {"mode=train", "batch=8", "data_parallel=8", "accumulation=2", "steps=10", "host="});
  ASSERT_EQ(g.stages.size(), 2u);
  const auto& train = g.stages[0];
  const auto& update = g.stages[1];
  EXPECT_EQ(train.repeat, 20);  // steps x accumulation
  EXPECT_EQ(update.repeat, 10);
  std::size_t bwd_data = 0, bwd_weight = 0;
  for (const auto& op : train.ops) {
    bwd_data += op.pass == wl::Pass::kBackwardData;
    bwd_weight += op.pass == wl::Pass::kBackwardWeight;
  }
  EXPECT_GT(bwd_data, 0u);
  EXPECT_GT(bwd_weight, 0u);
  ASSERT_EQ(update.ops.size(), 2u);
  EXPECT_EQ(update.ops[0].type, OpType::kCollective);  // data-parallel gradient all-reduce
  EXPECT_EQ(update.ops[0].d[1], 8);
  EXPECT_EQ(update.ops[1].type, OpType::kOptimizer);
  EXPECT_EQ(update.ops[1].d[1], 2);  // AdamW keeps two fp32 states
  EXPECT_EQ(update.ops[1].d[3], 1);  // fp16 training keeps fp32 master weights
  // Gradients of the micro-batch: half the batch per pass with accumulation 2.
  const wl::Graph one = zoo_graph("llama2-7b", {"mode=train", "batch=4", "host="});
  EXPECT_NEAR(macs_of(g, 0) / macs_of(one, 0), 1.0, 1e-9);
}

TEST(Zoo, RecomputationRunsTheForwardPassAgain) {
  const wl::Graph base = zoo_graph("bert-base", {"mode=train", "host="});
  const wl::Graph re = zoo_graph("bert-base", {"mode=train", "host=", "recompute=1"});
  // Backward is about twice the forward: recomputation adds one forward, 3 -> 4 units.
  EXPECT_NEAR(macs_of(re, 0) / macs_of(base, 0), 4.0 / 3.0, 0.02);
  EXPECT_LT(re.footprints[0].activations_bytes, base.footprints[0].activations_bytes / 4);
}

// Selective recomputation runs the attention cores again, nothing else: the extra MACs are
// exactly the forward score and context products, and the activations kept fall by exactly their
// outputs and the softmax's.
TEST(Zoo, SelectiveRecomputationRunsOnlyTheAttentionCoresAgain) {
  const std::vector<std::string> common = {"mode=train", "host=", "batch=2", "seq=512"};
  auto with = [&](const std::string& mode) {
    auto s = common;
    s.push_back("recompute=" + mode);
    return zoo_graph("gpt2", s);
  };
  const wl::Graph none = with("none"), sel = with("selective"), full = with("full");
  double core_macs = 0, core_bytes = 0;
  int chains = 0;
  for (const auto& op : none.stages[0].ops) {
    if (op.pass != wl::Pass::kForward) continue;
    if (op.type == wl::OpType::kGemm && op.d[4] == 0) core_macs += wl::estimate(op, core::HierarchyView{}).macs;
    if ((op.type == wl::OpType::kGemm && op.d[4] == 0) ||
        (op.type == wl::OpType::kSoftmax && op.d[0] > 0 && none.names[op.name].find("lm_head") == std::string::npos)) {
      core_bytes += wl::op_output_elements(op) * core::dtype_bytes(op.dtype);
      if (op.type == wl::OpType::kSoftmax) ++chains;
    }
  }
  EXPECT_EQ(chains, 12);  // one attention core per layer
  EXPECT_GT(core_macs, 0);
  EXPECT_NEAR(macs_of(sel) - macs_of(none), core_macs, 1e-9 * core_macs);
  EXPECT_GT(macs_of(full), macs_of(sel));
  EXPECT_NEAR(none.footprints[0].activations_bytes - sel.footprints[0].activations_bytes, core_bytes,
              1e-9 * core_bytes);
  EXPECT_LT(full.footprints[0].activations_bytes, sel.footprints[0].activations_bytes);
  // 0 and 1 still mean none and full.
  EXPECT_EQ(macs_of(with("0")), macs_of(none));
  EXPECT_EQ(macs_of(with("1")), macs_of(full));
}

TEST(Zoo, ServingHasPrefillAndDecodeWithKvCacheReads) {
  const wl::Graph g =
      zoo_graph("llama2-7b", {"batch=4", "requests=8", "input_tokens=512", "output_tokens=129", "host="});
  ASSERT_EQ(g.stages.size(), 2u);
  EXPECT_EQ(g.stages[0].name, "prefill");
  EXPECT_EQ(g.stages[0].repeat, 2);        // 8 requests in batches of 4
  EXPECT_EQ(g.stages[1].repeat, 2 * 128);  // one decode step per further token
  // A decode step's attention reads the whole cache: keys of 512 + 129/2 tokens on average.
  bool found = false;
  for (const auto& op : g.stages[1].ops)
    if (g.names[op.name] == "layers.0.attention.scores") {
      found = true;
      EXPECT_DOUBLE_EQ(op.d[1], 512 + 64.5 + 1);
      EXPECT_EQ(op.d[3], 4 * 32);  // batch x kv heads
    }
  EXPECT_TRUE(found);
  // The KV cache: batch x (in + out) x layers x 2 x kv_heads x head_dim x 2 bytes.
  EXPECT_DOUBLE_EQ(g.footprints[0].kv_cache_bytes, 4.0 * (512 + 129) * 32 * 2 * 32 * 128 * 2);
}

TEST(Zoo, MixtureOfExpertsUsesTopKOfTheExperts) {
  const Model& m = *wl::zoo::find_model("mixtral-8x7b");
  ModelArgs a;
  a.seq = 16;
  const wl::Graph g = wl::zoo::forward_graph(m, a);
  double expert_macs = 0, expert_params = 0;
  for (const auto& op : g.stages[0].ops)
    if (g.names[op.name].find(".experts.") != std::string::npos) {
      expert_macs += wl::estimate(op, core::HierarchyView{}).macs;
      expert_params += wl::op_parameters(op);
    }
  // Each of the 16 tokens passes through top_k = 2 of the 8 experts.
  EXPECT_NEAR(expert_macs, 16 * 2.0 / 8.0 * expert_params, 1e-6 * expert_macs);
}

// ----- on hardware ---------------------------------------------------------------------------

eval::Ledger run(const hw::Platform& p, const wl::Graph& g) { return eval::evaluate(p, g); }

wl::zoo::Target target(const std::string& device, const std::string& host, const std::string& dtype, double n = 1,
                       bool storage = true) {
  wl::zoo::Target t;
  t.device = device;
  t.host = host;
  t.dtype = dtype;
  t.instances = n;
  t.storage = storage;
  return t;
}

TEST(ZooOnHardware, EnergyOfNRequestsIsNTimesOne) {
  const hw::Platform p = test::load_library_platform("h100-sxm5-80gb");
  const auto t = target("gpu", "", "fp16");
  const double e8 = run(p, zoo_graph("llama2-7b", {"requests=8", "batch=8"}, t)).energy_j;
  const double e80 = run(p, zoo_graph("llama2-7b", {"requests=80", "batch=8"}, t)).energy_j;
  EXPECT_NEAR(e80 / e8, 10.0, 1e-9);
  const double v1 = run(p, zoo_graph("resnet50", {"requests=100"}, t)).energy_j;
  const double v3 = run(p, zoo_graph("resnet50", {"requests=300"}, t)).energy_j;
  EXPECT_NEAR(v3 / v1, 3.0, 1e-9);
}

TEST(ZooOnHardware, BiggerBatchNeverRaisesEnergyPerSampleOnComputeBoundModels) {
  const hw::Platform p = test::load_library_platform("a100-sxm4-80gb");
  const auto t = target("gpu", "", "fp16");
  for (const char* name : {"resnet50", "vgg16", "bert-large"}) {
    double last = 1e300;
    for (int b = 1; b <= 256; b *= 2) {
      const double e = run(p, zoo_graph(name, {"batch=" + std::to_string(b), "requests=1024"}, t)).energy_j / 1024;
      EXPECT_LE(e, last * (1 + 1e-12)) << name << " batch " << b;
      last = e;
    }
  }
}

TEST(ZooOnHardware, DataloaderOverlapHidesTheShorterStage) {
  const hw::Platform p = test::load_library_platform("dgx-a100");
  const auto t = target("gpu", "cpu", "fp16", 8);
  const wl::Graph g = zoo_graph("resnet50", {"mode=train", "batch=256", "steps=10"}, t);
  ASSERT_EQ(g.stages[0].overlaps, "train");
  const eval::Ledger led = run(p, g);
  const auto& pre = led.stages[0];
  const auto& train = led.stages[1];
  EXPECT_NEAR(pre.overlap_s, std::min(pre.time_s, train.time_s), 1e-12);
  double sum = 0;
  for (const auto& s : led.stages) sum += s.time_s;
  EXPECT_NEAR(led.time_s, sum - pre.overlap_s, 1e-9 * sum);
  EXPECT_GT(pre.overlap_credit_j + train.overlap_credit_j, 0);
}

TEST(ZooOnHardware, ParallelismAddsCollectivesAndBubbles) {
  const hw::Platform p = test::load_library_platform("dgx-a100");
  const auto t = target("gpu", "", "bf16", 8);
  const auto base = run(p, zoo_graph("llama2-7b", {"mode=train", "batch=32", "seq=1024", "steps=2"}, t));
  const auto tp =
      run(p, zoo_graph("llama2-7b",
                       {"mode=train", "batch=32", "seq=1024", "steps=2", "data_parallel=4", "tensor_parallel=2"}, t));
  const auto pp = run(p, zoo_graph("llama2-7b",
                                   {"mode=train", "batch=32", "seq=1024", "steps=2", "data_parallel=4",
                                    "pipeline_parallel=2", "microbatches=4"},
                                   t));
  EXPECT_GT(tp.stages[0].time_s, base.stages[0].time_s);                      // tensor-parallel all-reduces
  EXPECT_NEAR(pp.stages[0].bubble_s / pp.stages[0].time_s, 1.0 / 5.0, 1e-9);  // (p-1)/(m+p-1)
  EXPECT_GT(pp.stages[0].energy_j, base.stages[0].energy_j);
  // The gradient all-reduce moves bytes over NVLink.
  const auto ce = base.component_energy(base.stages[1]);
  std::size_t nv = 0;
  while (base.component_ids[nv] != "nvlink") ++nv;
  EXPECT_GT(ce[nv], 0);
}

// A node's tensor-parallel group all-reduces only its own pipeline stage's layers: over all L
// layers of the graph, each all-reduce carries the replica's activations / pp (hand-computed).
TEST(Zoo, TensorParallelAllReducesCoverOnePipelineStage) {
  const wl::Graph g =
      zoo_graph("llama2-7b", {"mode=train", "batch=8", "seq=1024", "steps=1", "data_parallel=2", "tensor_parallel=2",
                              "pipeline_parallel=2", "microbatches=4", "host=", "dtype=bf16"});
  int count = 0;
  for (const auto& st : g.stages)
    for (const auto& op : st.ops)
      if (op.type == wl::OpType::kCollective && g.names[op.name].rfind("tp.", 0) == 0) {
        ++count;
        EXPECT_DOUBLE_EQ(op.d[0], 8.0 * 1024 / 2 / 2 * 4096 * 2);  // tokens / dp / pp x d_model x 2 B
      }
  EXPECT_EQ(count, 32 * 4);  // two forward and two backward all-reduces per layer
}

// Two DGX H100 nodes training with twice the batch do each node's share in the same time as one
// node alone, at twice the energy; only the gradient all-reduce grows, by its InfiniBand phase.
TEST(ZooOnHardware, MultiNodeTrainingSplitsTheBatchAndCrossesTheNetwork) {
  const hw::Platform p = test::load_library_platform("dgx-h100");
  const auto t = target("gpu", "cpu", "bf16", 8);
  const std::vector<std::string> common = {"mode=train", "seq=2048", "steps=3"};
  auto with = [&](std::vector<std::string> sets) {
    sets.insert(sets.end(), common.begin(), common.end());
    return run(p, zoo_graph("llama2-7b", sets, t));
  };
  const auto one = with({"batch=64", "data_parallel=8"});
  const auto two = with({"batch=128", "data_parallel=16", "nodes=2"});
  const auto four = with({"batch=256", "data_parallel=32", "nodes=4"});
  ASSERT_EQ(one.stages.size(), 3u);  // preprocess, train, update
  EXPECT_DOUBLE_EQ(two.nodes, 2);
  for (std::size_t s : {0u, 1u}) {  // the dataloader and the forward/backward: per node the same
    EXPECT_NEAR(two.stages[s].time_s, one.stages[s].time_s, 1e-12 * one.stages[s].time_s);
    EXPECT_NEAR(two.stages[s].energy_j, 2 * one.stages[s].energy_j, 1e-9 * one.stages[s].energy_j);
  }
  // The all-reduce: inside the node 2(L-1)/L of the gradients on one node and on many; across
  // nodes 2(n-1)/n of a 1/8 shard, so the update stage grows with n, sub-linearly.
  auto ib_j = [](const eval::Ledger& L) {
    double e = 0;
    for (const auto& s : L.stages) {
      const auto ce = L.component_energy(s);
      for (std::size_t c = 0; c < ce.size(); ++c)
        if (L.component_ids[c] == "ib") e += ce[c];
    }
    return e;
  };
  EXPECT_EQ(ib_j(one), 0.0);
  EXPECT_GT(ib_j(two), 0.0);
  EXPECT_GT(two.stages[2].time_s, one.stages[2].time_s);
  EXPECT_GT(four.stages[2].time_s, two.stages[2].time_s);
  // Bytes across: 2 (n-1)/n x P x 2 B / 8 per GPU, 8 GPUs, 3 steps.
  const double params = wl::zoo::forward_parameters(zoo_graph("llama2-7b", {"mode=infer", "batch=1"}, t));
  const auto& ib = p.components[static_cast<std::size_t>(p.network_link(p.find_device("gpu")))];
  const double e_bit = ib.model->actions()[0].energy_j;
  for (const auto& [L, n] : {std::pair{&two, 2.0}, std::pair{&four, 4.0}}) {
    const double bytes_per_node = 2 * (n - 1) / n * params * 2 / 8 * 8 * 3;
    EXPECT_NEAR(ib_j(*L), n * bytes_per_node * 8 * e_bit, 1e-6 * ib_j(*L)) << n << " nodes";
  }
  // Energy per sample rises only by the communication: under 5 % here.
  EXPECT_GT(four.energy_j / 256, one.energy_j / 64);
  EXPECT_LT(four.energy_j / 256, 1.05 * one.energy_j / 64);
  // Memory per GPU is the same: the same shard of the same model.
  EXPECT_NEAR(
      eval::check_memory(p, zoo_graph("llama2-7b", {"mode=train", "batch=128", "data_parallel=16", "nodes=2"}, t))[0]
          .need_bytes,
      eval::check_memory(p, zoo_graph("llama2-7b", {"mode=train", "batch=64", "data_parallel=8"}, t))[0].need_bytes,
      1e-6);
}

// Pipeline stages over nodes send activations over the network; a platform without a network
// link is an error naming what to add, not a silent single-node estimate.
TEST(ZooOnHardware, PipelineStagesOnDifferentNodesUseTheNetwork) {
  const auto t = target("gpu", "", "bf16", 8);
  const wl::Graph g = zoo_graph("llama2-13b",
                                {"mode=train", "batch=64", "seq=2048", "steps=1", "data_parallel=4",
                                 "tensor_parallel=4", "pipeline_parallel=2", "nodes=2"},
                                t);
  bool found = false;
  for (const auto& st : g.stages)
    for (const auto& op : st.ops)
      if (op.type == wl::OpType::kCollective && g.names[op.name] == "pp.send_activations") {
        found = true;
        EXPECT_EQ(op.d[4], 2);
      } else if (op.type == wl::OpType::kCollective && g.names[op.name] == "dp.gradient_all_reduce") {
        EXPECT_EQ(op.d[4], 1);  // the data-parallel group sits inside one node
      }
  EXPECT_TRUE(found);
  EXPECT_GT(run(test::load_library_platform("dgx-h100"), g).energy_j, 0);
  EXPECT_THROW(run(test::load_library_platform("poweredge-xe8545"), g), core::ConfigError);
}

// Fewer dataloader workers never make preprocessing faster; with too few the dataloader is
// no longer hidden under the training step.
TEST(ZooOnHardware, DataloaderWorkersBoundPreprocessingTime) {
  const hw::Platform p = test::load_library_platform("dgx-a100");
  const auto t = target("gpu", "cpu", "fp16", 8);
  double last = 0;
  for (int w : {256, 64, 16, 4, 1}) {
    const auto L =
        run(p, zoo_graph("resnet50", {"mode=train", "batch=256", "steps=5", "workers=" + std::to_string(w)}, t));
    EXPECT_GE(L.stages[0].time_s, last * (1 - 1e-12)) << w << " workers";
    last = L.stages[0].time_s;
  }
  const auto all = run(p, zoo_graph("resnet50", {"mode=train", "batch=256", "steps=5"}, t));
  const auto one = run(p, zoo_graph("resnet50", {"mode=train", "batch=256", "steps=5", "workers=1"}, t));
  EXPECT_LT(all.stages[0].time_s, all.stages[1].time_s);  // hidden under training
  EXPECT_GT(one.stages[0].time_s, one.stages[1].time_s);  // exposed: the step waits for data
  EXPECT_GT(one.time_s, all.time_s);
}

// Requests arriving at a rate: when they come slower than the platform serves them, the wall
// time is requests / rate and the platform idles for the rest, at idle power; when they come
// faster, nothing changes (the estimate is back to back).
TEST(ZooOnHardware, RequestRateAddsIdleWaitingWhenArrivalsAreSlow) {
  const hw::Platform p = test::load_library_platform("h100-sxm5-80gb");
  const auto t = target("gpu", "", "fp16");
  const std::vector<std::string> base = {"requests=64", "batch=8", "output_tokens=32"};
  auto with = [&](const std::string& rate) {
    auto sets = base;
    sets.push_back("rate=" + rate);
    return run(p, zoo_graph("llama2-7b", sets, t));
  };
  const auto fast = with("0");
  const auto busy_s = fast.time_s;
  ASSERT_GT(busy_s, 0);
  // Arrivals 100x faster than service: no wait.
  const auto quick = with(std::to_string(64 / busy_s * 100));
  EXPECT_DOUBLE_EQ(quick.energy_j, fast.energy_j);
  // One request per second: 64 s in all.
  const auto slow = with("1");
  EXPECT_NEAR(slow.time_s, 64.0, 1e-9);
  EXPECT_NEAR(slow.stages.back().wait_s, 64.0 - busy_s, 1e-9);
  EXPECT_NEAR(slow.energy_j - fast.energy_j, p.idle_power_w() * (64.0 - busy_s), 1e-6 * slow.energy_j);
  // Slower arrivals only add idle energy.
  EXPECT_GT(with("0.5").energy_j, slow.energy_j);
}

// The serving engine's host work per decode step: engine_step_s + engine_seq_s x sequences per
// replica, waited out by the GPUs at busy static power; prefill is untouched.
TEST(ZooOnHardware, EngineOverheadWaitsEachDecodeStep) {
  const hw::Platform p = test::load_library_platform("h100-sxm5-80gb");
  const auto t = target("gpu", "", "fp16");
  const std::vector<std::string> base = {"requests=16", "batch=8", "output_tokens=33"};
  auto with = [&](const std::string& step, const std::string& seq) {
    auto sets = base;
    sets.insert(sets.end(), {"engine_step_s=" + step, "engine_seq_s=" + seq});
    return zoo_graph("llama2-7b", sets, t);
  };
  const wl::Graph g = with("0.002", "0.0005");
  EXPECT_EQ(g.stages[0].host_wait_s, 0.0);
  EXPECT_DOUBLE_EQ(g.stages[1].host_wait_s, 0.002 + 0.0005 * 8);
  const auto none = run(p, with("0", "0")), waits = run(p, g);
  const double steps = 2 * 32;  // 16 requests in batches of 8, 32 steps after the first token
  EXPECT_NEAR(waits.stages[1].host_wait_s, steps * 0.006, 1e-12);
  EXPECT_NEAR(waits.time_s - none.time_s, steps * 0.006, 1e-9);
  EXPECT_NEAR(waits.energy_j - none.energy_j, waits.stages[1].host_wait_j, 1e-9 * waits.energy_j);
  EXPECT_GT(waits.stages[1].host_wait_j, p.idle_power_w() * steps * 0.006);  // busy static > idle
  // Two replicas of the same batch split it: half the sequences each, so less to wait for.
  auto sets = base;
  sets.insert(sets.end(), {"engine_seq_s=0.001", "data_parallel=2"});
  EXPECT_DOUBLE_EQ(zoo_graph("llama2-7b", sets, t).stages[1].host_wait_s, 0.001 * 4);
}

// Every zoo model runs on every shipped platform kind: CPU server, GPU, Jetson, FPGA, node;
// where its footprint exceeds the device memory the check says so (a status, not an error).
TEST(ZooOnHardware, EveryModelRunsOnEveryPlatformKindOrReportsItDoesNotFit) {
  struct Case {
    const char* platform;
    wl::zoo::Target t;
  };
  const std::vector<Case> cases = {{"xeon-8480", target("cpu", "", "bf16")},
                                   {"a100-sxm4-80gb", target("gpu", "", "fp16")},
                                   {"jetson-agx-orin-64gb", target("gpu", "cpu", "fp16")},
                                   {"alveo-u250", target("fpga", "", "int8", 1, false)},
                                   {"dgx-h100", target("gpu", "cpu", "fp16", 8)}};
  for (const auto& c : cases) {
    const hw::Platform p = test::load_library_platform(c.platform);
    std::size_t fit = 0, not_fit = 0;
    for (const auto& m : wl::zoo::models()) {
      SCOPED_TRACE(std::string(c.platform) + " / " + m.name);
      const wl::Graph g = zoo_graph(m.name, {"requests=2", "batch=1"}, c.t);
      const auto checks = eval::check_memory(p, g);
      ASSERT_FALSE(checks.empty());
      checks[0].fits() ? ++fit : ++not_fit;
      const eval::Ledger led = run(p, g);
      EXPECT_GT(led.energy_j, 0);
      EXPECT_TRUE(std::isfinite(led.energy_j));
    }
    EXPECT_GT(fit, 0u) << c.platform;
    if (std::string(c.platform) != "xeon-8480") {
      EXPECT_GT(not_fit, 0u) << c.platform;  // e.g. gpt3-175b
    }
  }
}

}  // namespace
}  // namespace jg
