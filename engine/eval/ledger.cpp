#include "engine/eval/ledger.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"

namespace jg::eval {

std::vector<double> Ledger::component_energy(const StageResult& s) const {
  std::vector<double> out(component_ids.size(), 0.0);
  for (std::size_t i = 0; i < slots.size(); ++i)
    out[static_cast<std::size_t>(slots[i].component)] += s.slot_energy_j[i];
  return out;
}

namespace {
bool close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({1e-30, std::fabs(a), std::fabs(b)}); }
}  // namespace

void Ledger::check_invariants() const {
  double total = 0, time = 0;
  for (const auto& s : stages) {
    double slots_sum = 0, ops_e = 0, ops_t = 0;
    for (std::size_t i = 0; i < s.slot_energy_j.size(); ++i) {
      double e = s.slot_energy_j[i];
      JG_ASSERT(std::isfinite(e) && e >= 0, "stage " + s.name + " slot " +
                                                component_ids[static_cast<std::size_t>(slots[i].component)] + "." +
                                                slots[i].action + " has energy " + std::to_string(e));
      slots_sum += e;
    }
    for (const auto& o : s.ops) {
      JG_ASSERT(std::isfinite(o.energy_j) && o.energy_j >= 0 && o.time_s >= 0,
                "op with negative energy or time in " + s.name);
      ops_e += o.energy_j;
      ops_t += o.time_s;
    }
    JG_ASSERT(close(slots_sum, s.energy_j), "stage " + s.name + ": slots sum to " + std::to_string(slots_sum) +
                                                " J, stage total is " + std::to_string(s.energy_j) + " J");
    const double parts = ops_e + s.bubble_j + s.host_wait_j + s.wait_j - s.overlap_credit_j;
    JG_ASSERT(close(parts, s.energy_j), "stage " + s.name +
                                            ": ops, bubble, host waits, wait and overlap credit sum to " +
                                            std::to_string(parts) + " J");
    const double parts_t = ops_t + s.bubble_s + s.host_wait_s + s.wait_s;
    JG_ASSERT(close(parts_t, s.time_s),
              "stage " + s.name + ": op times, bubble, host waits and wait sum to " + std::to_string(parts_t) + " s");
    total += s.energy_j;
    time += s.time_s - s.overlap_s;
  }
  JG_ASSERT(close(total, energy_j),
            "stages sum to " + std::to_string(total) + " J, total is " + std::to_string(energy_j));
  JG_ASSERT(close(time, time_s), "stage times do not sum to the total time");
}

}  // namespace jg::eval
