// Plan: a graph's op activities estimated once, re-evaluated at many operating points
// (evaluator.hpp). Per stage the dynamic energy is (units per slot, fixed) x (coefficient at the
// point); the op-time sum depends only on the stage device's clock, online units and memory
// clock and is kept per distinct triple, so a sweep over a Jetson's power modes sums each
// stage's op times once per GPU (or CPU) setting rather than once per mode.
#include <bit>
#include <cstdint>
#include <unordered_map>

#include "engine/core/error.hpp"
#include "engine/eval/evaluator_internal.hpp"
#include "workloads/ops/estimate.hpp"

namespace jg::eval {

using namespace detail;

namespace {

struct Key {
  double clock_hz, units, memory_clock;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (double x : {k.clock_hz, k.units, k.memory_clock}) {
      h ^= std::bit_cast<std::uint64_t>(x) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return static_cast<std::size_t>(h);
  }
};

/// Op-time sum of one repetition of a stage, and per component its busy time beyond the
/// default set.
struct Timing {
  double time_s = 0;
  std::vector<double> extra_s;
};

struct StagePlan {
  int device = -1;
  Bound structure;
  std::vector<core::OpActivity> activity;  // per op
  std::vector<double> units;               // per slot: units charged over one repetition
};

/// What every copy of a plan shares.
struct Shared {
  const wl::Graph* graph = nullptr;
  EvalOptions options;
  Layout layout;
  std::size_t components = 0;
  std::vector<StagePlan> stages;
  Shared(const hw::Platform& p, const wl::Graph& g, const EvalOptions& opt) : graph(&g), options(opt), layout(p, opt) {}
};

/// Above this many kept timings per stage (a sweep over power caps throttles to ever new clocks)
/// the memo starts again rather than grow without bound.
constexpr std::size_t kMaxMemo = 1 << 16;

}  // namespace

struct Plan::Impl {
  std::shared_ptr<const Shared> shared;
  mutable std::vector<Bound> bound;  // per stage: the structure, bound at the latest point
  mutable std::vector<std::unordered_map<Key, Timing, KeyHash>> memo;
};

Plan::Plan(const hw::Platform& p, const wl::Graph& g, const EvalOptions& opt) : impl_(std::make_unique<Impl>()) {
  JG_ASSERT(!opt.activity, "a Plan does not support activity mode");
  validate_binding(p, g);
  auto sh = std::make_shared<Shared>(p, g, opt);
  sh->components = p.components.size();
  for (const auto& st : g.stages) {
    StagePlan sp;
    sp.device = p.find_device(st.device);
    sp.structure = bind_structure(p, sh->layout, g, sp.device);
    sp.units.assign(sh->layout.count, 0.0);
    sp.activity.reserve(st.ops.size());
    for (const auto& op : st.ops) {
      sp.activity.push_back(wl::estimate(op, sp.structure.view));
      charge_op(op, sp.activity.back(), sp.structure, [&](std::size_t slot, double u) {
        if (u != 0.0) sp.units[slot] += u;
      });
    }
    sh->stages.push_back(std::move(sp));
  }
  for (const auto& sp : sh->stages) impl_->bound.push_back(sp.structure);
  impl_->memo.resize(sh->stages.size());
  impl_->shared = std::move(sh);
}

Plan::Plan(const Plan& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Plan& Plan::operator=(const Plan& o) {
  impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
Plan::Plan(Plan&&) noexcept = default;
Plan& Plan::operator=(Plan&&) noexcept = default;
Plan::~Plan() = default;

Ledger Plan::evaluate(const hw::Platform& p) const {
  const Shared& sh = *impl_->shared;
  const wl::Graph& g = *sh.graph;
  const Layout& L = sh.layout;
  JG_ASSERT(p.components.size() == sh.components, "Plan::evaluate on a platform of another structure");
  return run_stages(
      p, g, sh.options, L, L,
      [&](std::size_t si, int di, double f_hz, const Layout&) {
        const wl::Stage& st = g.stages[si];
        const StagePlan& sp = sh.stages[si];
        const hw::Device& d = p.devices[static_cast<std::size_t>(di)];
        Bound& b = impl_->bound[si];
        bind_point(b, p, L, g, di, f_hz, st.workers);
        auto& memo = impl_->memo[si];
        const Key key{f_hz, d.active_units, d.memory_clock_ratio};
        auto it = memo.find(key);
        if (it == memo.end()) {
          if (memo.size() >= kMaxMemo) memo.clear();
          Timing t;
          t.extra_s.assign(sh.components, 0.0);
          for (std::size_t i = 0; i < st.ops.size(); ++i) {
            const OpTime ot = op_time(st.ops[i], sp.activity[i], b, L);
            t.time_s += ot.t;
            for (const int x : {ot.extra, ot.extra2})
              if (x >= 0) t.extra_s[static_cast<std::size_t>(x)] += ot.t;
          }
          it = memo.emplace(key, std::move(t)).first;
        }
        std::vector<double> dyn(L.count);
        for (std::size_t s = 0; s < L.count; ++s) dyn[s] = sp.units[s] * b.coef[s];
        return finish_stage(p, L, b, st, di, f_hz, std::move(dyn), it->second.time_s, it->second.extra_s, {});
      },
      false);
}

}  // namespace jg::eval
