#include "engine/eval/pareto.hpp"

#include <algorithm>
#include <stdexcept>

namespace jg::eval {

std::vector<std::size_t> pareto_front(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("pareto_front: x and y differ in length");
  struct P {
    double x, y;
    std::size_t i;
  };
  std::vector<P> pts(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) pts[i] = {x[i], y[i], i};
  std::sort(pts.begin(), pts.end(), [](const P& a, const P& b) {
    if (a.x != b.x) return a.x < b.x;
    if (a.y != b.y) return a.y < b.y;
    return a.i < b.i;
  });
  // Sweeping x upwards, a point is on the front when its y is below every y seen so far, or
  // when it repeats the last kept point exactly (equal points do not dominate each other).
  std::vector<std::size_t> front;
  const P* last = nullptr;
  for (const P& p : pts) {
    if (!last || p.y < last->y || (p.x == last->x && p.y == last->y)) {
      front.push_back(p.i);
      last = &p;
    }
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
