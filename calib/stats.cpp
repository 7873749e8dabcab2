// Designs, error metrics, splits, percentiles and the Student t quantile (no Eigen: the
// linear fitters are in fit.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "calib/fit.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ----- Student t -----

/// Continued fraction of the regularized incomplete beta (modified Lentz), valid for x < (a+1)/(a+b+2).
double beta_cf(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= 100000; ++m) {
    const double dm = static_cast<double>(m);
    // Even term: m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double num = dm * (b - dm) * x / ((a + 2 * dm - 1) * (a + 2 * dm));
    d = 1.0 + num * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    f *= d * c;
    // Odd term: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    num = -(a + dm) * (a + b + dm) * x / ((a + 2 * dm) * (a + 2 * dm + 1));
    d = 1.0 + num * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    f *= delta;
    if (std::abs(delta - 1.0) < kEps) return f;
  }
  JG_ASSERT(false, "incomplete beta continued fraction did not converge");
  return f;
}

/// Regularized incomplete beta I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_cf(a, b, x) / a;
  return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

/// Upper-tail normal quantile: z with P(Z > z) = q, q in (0, 0.5].
double normal_upper_quantile(double q) {
  double lo = 0, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 0; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (0.5 * std::erfc(mid / std::sqrt(2.0)) > q) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/// Upper-tail t quantile: t > 0 with P(T > t) = q, q in (0, 0.5).
double t_upper_quantile(double q, double nu) {
  if (std::isinf(nu)) return normal_upper_quantile(q);
  if (nu >= 1e5) {
    // Cornish-Fisher expansion in 1/nu (error O(nu^-3)).
    const double z = normal_upper_quantile(q), z2 = z * z;
    const double g1 = (z2 + 1) * z / 4;
    const double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
    return z + g1 / nu + g2 / (nu * nu);
  }
  // P(T > t) = I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2), increasing in x: bisect on x.
  const double a = nu / 2, target = 2 * q;
  double lo = 0, hi = 1;  // I_lo < target <= I_hi
  for (int i = 0; i < 2000; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (incomplete_beta(a, 0.5, mid) < target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double x = 0.5 * (lo + hi);
  return std::sqrt(nu * (1.0 - x) / x);
}

}  // namespace

// ----- Design -----

void Design::add_row(const std::vector<double>& features, double target_value) {
  JG_ASSERT(features.size() == columns.size(), "add_row with " + std::to_string(features.size()) + " features for " +
                                                   std::to_string(columns.size()) + " columns");
  JG_ASSERT(x.size() == y.size() * columns.size(), "design x and y disagree on the row count");
  x.insert(x.end(), features.begin(), features.end());
  y.push_back(target_value);
}

Design Design::subset(const std::vector<std::size_t>& rows_wanted) const {
  Design out;
  out.columns = columns;
  out.units = units;
  out.target = target;
  out.x.reserve(rows_wanted.size() * cols());
  out.y.reserve(rows_wanted.size());
  for (std::size_t r : rows_wanted) {
    JG_ASSERT(r < rows(), "subset row " + std::to_string(r) + " of " + std::to_string(rows()));
    const auto first = x.begin() + static_cast<std::ptrdiff_t>(r * cols());
    out.x.insert(out.x.end(), first, first + static_cast<std::ptrdiff_t>(cols()));
    out.y.push_back(y[r]);
  }
  return out;
}

// ----- Metrics and splits -----

Metrics metrics(const std::vector<double>& observed, const std::vector<double>& predicted,
                const std::vector<double>& lo, const std::vector<double>& hi) {
  JG_ASSERT(observed.size() == predicted.size(), "metrics: observed and predicted differ in length");
  const bool intervals = !lo.empty() || !hi.empty();
  if (intervals)
    JG_ASSERT(lo.size() == observed.size() && hi.size() == observed.size(),
              "metrics: interval bounds differ in length from the observations");
  Metrics m;
  m.n = observed.size();
  if (m.n == 0) {
    m.mape = m.rmspe = m.rmse = m.r2 = m.pi90_coverage = kNaN;
    return m;
  }
  double abs_rel = 0, sq_rel = 0, sq = 0, mean = 0;
  std::size_t nonzero = 0, inside = 0;
  for (std::size_t i = 0; i < m.n; ++i) {
    const double e = predicted[i] - observed[i];
    sq += e * e;
    mean += observed[i];
    if (observed[i] != 0) {
      const double rel = e / observed[i];
      abs_rel += std::abs(rel);
      sq_rel += rel * rel;
      ++nonzero;
    }
    if (intervals && observed[i] >= lo[i] && observed[i] <= hi[i]) ++inside;
  }
  const double n = static_cast<double>(m.n);
  mean /= n;
  double ss_tot = 0;
  for (double o : observed) ss_tot += (o - mean) * (o - mean);
  m.mape = nonzero ? abs_rel / static_cast<double>(nonzero) : kNaN;
  m.rmspe = nonzero ? std::sqrt(sq_rel / static_cast<double>(nonzero)) : kNaN;
  m.rmse = std::sqrt(sq / n);
  m.r2 = ss_tot > 0 ? 1.0 - sq / ss_tot : kNaN;
  m.pi90_coverage = intervals ? static_cast<double>(inside) / n : kNaN;
  return m;
}

std::vector<std::vector<std::size_t>> k_folds(std::size_t n, std::size_t k, std::uint64_t seed) {
  if (k == 0 || k > n)
    throw core::ModelError("cannot split " + std::to_string(n) + " rows into " + std::to_string(k) +
                           " folds: need 1 <= folds <= rows");
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (std::size_t i = n; i-- > 1;) {
    const auto j = static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  std::vector<std::vector<std::size_t>> folds(k);
  std::size_t pos = 0;
  for (std::size_t f = 0; f < k; ++f) {
    const std::size_t size = n / k + (f < n % k ? 1 : 0);
    folds[f].assign(order.begin() + static_cast<std::ptrdiff_t>(pos),
                    order.begin() + static_cast<std::ptrdiff_t>(pos + size));
    std::sort(folds[f].begin(), folds[f].end());
    pos += size;
  }
  return folds;
}

void interleaved_split(std::size_t n, std::size_t every, std::size_t offset, std::vector<std::size_t>& train,
                       std::vector<std::size_t>& test) {
  if (every == 0) throw core::ModelError("a held-out split needs every >= 1 (every N-th window tests)");
  train.clear();
  test.clear();
  const std::size_t phase = offset % every;
  for (std::size_t i = 0; i < n; ++i) (i % every == phase ? test : train).push_back(i);
}

double student_t_quantile(double p, double dof) {
  JG_ASSERT(p > 0 && p < 1, "student_t_quantile needs p in (0, 1), got " + std::to_string(p));
  JG_ASSERT(!std::isnan(dof), "student_t_quantile with NaN degrees of freedom");
  if (dof <= 0) return kNaN;  // no degrees of freedom: no interval
  if (p == 0.5) return 0;
  // half_width90 asks for the same quantile for every row: remember the last answer.
  thread_local double last_p = kNaN, last_dof = kNaN, last_t = kNaN;
  if (p == last_p && dof == last_dof) return last_t;
  const double t = p > 0.5 ? t_upper_quantile(1 - p, dof) : -t_upper_quantile(p, dof);
  last_p = p;
  last_dof = dof;
  last_t = t;
  return t;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::pair<double, double> relative_error_band90(const std::vector<double>& observed,
                                                const std::vector<double>& predicted) {
  std::vector<double> rel;
  for (std::size_t i = 0; i < observed.size(); ++i)
    if (observed[i] != 0) rel.push_back((predicted[i] - observed[i]) / observed[i]);
  return {percentile(rel, 0.05), percentile(rel, 0.95)};
}

}  // namespace jg::calib
