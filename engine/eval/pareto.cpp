#include "engine/eval/pareto.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace jg::eval {

std::vector<std::size_t> pareto_front(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("pareto_front: x and y differ in length");
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (x[a] != x[b]) return x[a] < x[b];
    if (y[a] != y[b]) return y[a] < y[b];
    return a < b;
  });
  // Sweeping x upwards, a point is on the front when its y is below every y seen so far, or
  // when it repeats the last kept point exactly (equal points do not dominate each other).
  std::vector<std::size_t> front;
  for (std::size_t i : order) {
    if (front.empty() || y[i] < y[front.back()] || (x[i] == x[front.back()] && y[i] == y[front.back()]))
      front.push_back(i);
  }
  return front;
}

double objective_value(const Figures& f, Objective o) {
  switch (o) {
    case Objective::kTime:
      return f.time_s;
    case Objective::kEnergy:
      return f.energy_j;
    case Objective::kEdp:
      return f.edp_js();
  }
  return f.time_s;
}

bool Limits::met_by(const Figures& f) const {
  return (max_power_w <= 0 || f.avg_power_w() <= max_power_w) && (deadline_s <= 0 || f.time_s <= deadline_s);
}

Choice choose(const std::vector<Figures>& points, Objective o, const Limits& limits) {
  Choice c;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!limits.met_by(points[i])) continue;
    ++c.feasible;
    if (!c.best || objective_value(points[i], o) < objective_value(points[*c.best], o)) c.best = i;
  }
  if (!c.best) return c;
  const double v = objective_value(points[*c.best], o);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!limits.met_by(points[i])) continue;
    const double vi = objective_value(points[i], o);
    if (vi == v)
      ++c.ties;
    else if (!c.next || vi < objective_value(points[*c.next], o))
      c.next = i;
  }
  return c;
}

}  // namespace jg::eval
