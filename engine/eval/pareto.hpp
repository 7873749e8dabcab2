// Choosing among evaluated design points: the Pareto front of two figures to minimize, and the
// best point under limits (PowerTrain's "fastest under a power budget").
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace jg::eval {

/// Indices of the points that no other point dominates, minimizing both x and y (a point
/// dominates another when it is no worse in both and better in one), ordered by x ascending
/// (ties by y, then index). Identical points are all kept: none dominates the other.
std::vector<std::size_t> pareto_front(const std::vector<double>& x, const std::vector<double>& y);

/// A design point's figures.
struct Figures {
  double time_s = 0;
  double energy_j = 0;
  [[nodiscard]] double avg_power_w() const { return time_s > 0 ? energy_j / time_s : 0.0; }
  [[nodiscard]] double edp_js() const { return energy_j * time_s; }
};

enum class Objective { kTime, kEnergy, kEdp };
double objective_value(const Figures& f, Objective o);

/// Limits a point must meet; 0: none.
struct Limits {
  double max_power_w = 0;
  double deadline_s = 0;
  [[nodiscard]] bool met_by(const Figures& f) const;
};

/// The best feasible point (ties broken by the lower index); the runner-up, the best point whose
/// objective is strictly worse (points tying with the best differ only in settings that do not
/// change the figures); how many points tie with the best and how many meet the limits.
struct Choice {
  std::optional<std::size_t> best, next;
  std::size_t ties = 0;  ///< feasible points with the best's objective value, the best included
  std::size_t feasible = 0;
};
Choice choose(const std::vector<Figures>& points, Objective o, const Limits& limits);

}  // namespace jg::eval
