// NeuralPower-style polynomial Lasso: monomial features of a configuration, standardized
// like scikit-learn's StandardScaler, Lasso by cyclic coordinate descent (the same updates
// as scikit-learn's enet_coordinate_descent with l1_ratio = 1), and the polynomial degree
// and penalty chosen by k-fold cross-validation on the error in the target's own units.
// Plain loops suffice here (a few hundred rows, tens of features): no Eigen.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "calib/fit.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

/// Feature columns stored column by column (coordinate descent walks columns).
struct ColumnMajor {
  std::size_t n = 0, p = 0;
  std::vector<double> a;  ///< a[j * n + i]
  [[nodiscard]] const double* col(std::size_t j) const { return a.data() + j * n; }
};

/// Mean and population standard deviation of each feature over some rows (StandardScaler).
/// A feature that does not vary gets scale 1 and takes no part in the fit.
struct Scaler {
  std::vector<double> mean, scale;
  std::vector<bool> constant;
};

Scaler fit_scaler(const Design& f, const std::vector<std::size_t>& rows) {
  const std::size_t p = f.cols();
  Scaler s;
  s.mean.assign(p, 0.0);
  s.scale.assign(p, 1.0);
  s.constant.assign(p, false);
  const auto n = static_cast<double>(rows.size());
  for (std::size_t j = 0; j < p; ++j) {
    double sum = 0;
    for (std::size_t r : rows) sum += f.at(r, j);
    const double m = sum / n;
    double ss = 0;
    for (std::size_t r : rows) ss += (f.at(r, j) - m) * (f.at(r, j) - m);
    const double sd = std::sqrt(ss / n);
    s.mean[j] = m;
    s.constant[j] = !(sd > 1e-12 * std::abs(m));
    s.scale[j] = s.constant[j] ? 1.0 : sd;
  }
  return s;
}

ColumnMajor standardize(const Design& f, const std::vector<std::size_t>& rows, const Scaler& s) {
  ColumnMajor cm;
  cm.n = rows.size();
  cm.p = f.cols();
  cm.a.assign(cm.n * cm.p, 0.0);
  for (std::size_t j = 0; j < cm.p; ++j) {
    if (s.constant[j]) continue;  // stays zero: coordinate descent skips it, its coefficient is 0
    for (std::size_t i = 0; i < cm.n; ++i) cm.a[j * cm.n + i] = (f.at(rows[i], j) - s.mean[j]) / s.scale[j];
  }
  return cm;
}

/// Coordinate descent for 1/(2n) |y - Xw - b0|^2 + alpha |w|_1, starting from `w` (warm start).
/// X and y are centered here (as scikit-learn does); b0 = mean(y) - mean(X) w.
///
/// The updates are scikit-learn's cyclic ones: for each feature j in turn,
///   rho_j = x_j'(y - X w + x_j w_j),  w_j = sign(rho_j) max(|rho_j| - n alpha, 0) / x_j'x_j,
/// evaluated through the Gram matrix G = X'X (rho_j = x_j'y - (G w)_j + G_jj w_j), which costs
/// O(features) per update instead of O(rows). G w is kept up to date incrementally and rebuilt
/// every kRebuild sweeps so that rounding cannot drift.
void coordinate_descent(const ColumnMajor& x, const std::vector<double>& y, double alpha, int max_iter, double tol,
                        std::vector<double>& w, double& intercept) {
  constexpr int kRebuild = 64;
  const std::size_t n = x.n, p = x.p;
  JG_ASSERT(y.size() == n, "lasso: target and features differ in row count");
  JG_ASSERT(w.size() == p, "lasso: warm start of the wrong size");
  const auto dn = static_cast<double>(n);
  double y_mean = 0;
  for (double v : y) y_mean += v;
  y_mean /= dn;
  std::vector<double> x_mean(p, 0.0), xc(n * p);
  for (std::size_t j = 0; j < p; ++j) {
    const double* c = x.col(j);
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += c[i];
    x_mean[j] = s / dn;
    for (std::size_t i = 0; i < n; ++i) xc[j * n + i] = c[i] - x_mean[j];
  }
  std::vector<double> gram(p * p), xty(p, 0.0), gw(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    const double* cj = xc.data() + j * n;
    for (std::size_t i = 0; i < n; ++i) xty[j] += cj[i] * (y[i] - y_mean);
    for (std::size_t k = 0; k <= j; ++k) {
      const double* ck = xc.data() + k * n;
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) s += cj[i] * ck[i];
      gram[j * p + k] = gram[k * p + j] = s;
    }
  }
  auto rebuild = [&] {
    for (std::size_t j = 0; j < p; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < p; ++k) s += gram[j * p + k] * w[k];
      gw[j] = s;
    }
  };
  const double threshold = alpha * dn;
  for (int iter = 0; iter < max_iter; ++iter) {
    if (iter % kRebuild == 0) rebuild();
    double w_max = 0, dw_max = 0;
    for (std::size_t j = 0; j < p; ++j) {
      const double gjj = gram[j * p + j];
      if (gjj == 0) {
        w[j] = 0;
        continue;
      }
      const double old = w[j];
      const double rho = xty[j] - gw[j] + gjj * old;
      const double shrunk = std::max(std::abs(rho) - threshold, 0.0);
      const double now = shrunk == 0 ? 0.0 : std::copysign(shrunk, rho) / gjj;
      if (now != old) {
        const double delta = now - old;
        const double* gj = gram.data() + j * p;  // G is symmetric: row j is column j
        for (std::size_t k = 0; k < p; ++k) gw[k] += delta * gj[k];
        w[j] = now;
      }
      dw_max = std::max(dw_max, std::abs(now - old));
      w_max = std::max(w_max, std::abs(now));
    }
    if (dw_max <= tol * w_max) break;
  }
  intercept = y_mean;
  for (std::size_t j = 0; j < p; ++j) intercept -= x_mean[j] * w[j];
}

void check_lasso_settings(double alpha, int max_iter, double tol) {
  if (!(alpha >= 0) || !std::isfinite(alpha))
    throw core::ModelError("lasso penalty alpha must be a finite number >= 0, got " + std::to_string(alpha));
  if (max_iter < 1) throw core::ModelError("lasso needs max_iter >= 1, got " + std::to_string(max_iter));
  if (!(tol >= 0)) throw core::ModelError("lasso needs tol >= 0, got " + std::to_string(tol));
}

/// Non-decreasing index tuples of length `deg` over `k` columns, in lexicographic order.
void monomials(std::size_t k, int deg, std::vector<std::size_t>& cur, std::vector<std::vector<std::size_t>>& out) {
  if (cur.size() == static_cast<std::size_t>(deg)) {
    out.push_back(cur);
    return;
  }
  for (std::size_t c = cur.empty() ? 0 : cur.back(); c < k; ++c) {
    cur.push_back(c);
    monomials(k, deg, cur, out);
    cur.pop_back();
  }
}

double monomial_value(const double* row, const std::vector<int>& powers) {
  double v = 1.0;
  for (std::size_t c = 0; c < powers.size(); ++c)
    for (int e = 0; e < powers[c]; ++e) v *= row[c];
  return v;
}

std::vector<double> log_spaced_alphas(double alpha_max) {
  constexpr int kCount = 20;
  std::vector<double> a(kCount);
  for (int i = 0; i < kCount; ++i) a[static_cast<std::size_t>(i)] = alpha_max * std::pow(10.0, -4.0 * i / (kCount - 1));
  return a;
}

}  // namespace

Design polynomial_features(const Design& d, int degree, std::vector<std::vector<int>>* powers) {
  if (degree < 1) throw core::ModelError("polynomial degree must be >= 1, got " + std::to_string(degree));
  if (d.cols() == 0) throw core::ModelError("polynomial features of a design without columns");
  JG_ASSERT(d.x.size() == d.rows() * d.cols(), "design x does not match rows x columns");
  const std::size_t k = d.cols();
  std::vector<std::vector<int>> pw;
  for (int deg = 1; deg <= degree; ++deg) {
    std::vector<std::vector<std::size_t>> tuples;
    std::vector<std::size_t> cur;
    monomials(k, deg, cur, tuples);
    for (const auto& t : tuples) {
      std::vector<int> e(k, 0);
      for (std::size_t c : t) ++e[c];
      pw.push_back(std::move(e));
    }
  }
  Design out;
  out.target = d.target;
  out.y = d.y;
  for (const auto& e : pw) {
    std::string name;
    for (std::size_t c = 0; c < k; ++c) {
      if (e[c] == 0) continue;
      if (!name.empty()) name.append("*");
      name.append(d.columns[c]);
      if (e[c] > 1) name.append("^").append(std::to_string(e[c]));
    }
    out.columns.push_back(std::move(name));
  }
  out.x.reserve(d.rows() * pw.size());
  for (std::size_t r = 0; r < d.rows(); ++r) {
    const double* row = d.x.data() + r * k;
    for (const auto& e : pw) out.x.push_back(monomial_value(row, e));
  }
  if (powers) *powers = std::move(pw);
  return out;
}

void lasso(const Design& standardized, double alpha, int max_iter, double tol, std::vector<double>& coef,
           double& intercept) {
  check_lasso_settings(alpha, max_iter, tol);
  JG_ASSERT(standardized.x.size() == standardized.rows() * standardized.cols(),
            "design x does not match rows x columns");
  ColumnMajor cm;
  cm.n = standardized.rows();
  cm.p = standardized.cols();
  if (cm.n == 0) throw core::ModelError("lasso on a design without rows");
  cm.a.resize(cm.n * cm.p);
  for (std::size_t i = 0; i < cm.n; ++i)
    for (std::size_t j = 0; j < cm.p; ++j) cm.a[j * cm.n + i] = standardized.at(i, j);
  coef.assign(cm.p, 0.0);
  coordinate_descent(cm, standardized.y, alpha, max_iter, tol, coef, intercept);
}

double PolyLassoModel::predict(const double* row) const {
  JG_ASSERT(powers.size() == coef.size() && mean.size() == coef.size() && scale.size() == coef.size(),
            "polynomial lasso model with inconsistent feature vectors");
  double s = intercept;
  for (std::size_t f = 0; f < coef.size(); ++f)
    if (coef[f] != 0) s += coef[f] * (monomial_value(row, powers[f]) - mean[f]) / scale[f];
  return log_target ? std::exp(s) : s;
}

std::size_t PolyLassoModel::nonzero() const {
  return static_cast<std::size_t>(std::count_if(coef.begin(), coef.end(), [](double c) { return c != 0; }));
}

PolyLassoModel fit_poly_lasso(const Design& d, const PolyLassoOptions& o) {
  const std::size_t n = d.rows();
  if (o.degrees.empty()) throw core::ModelError("polynomial lasso needs at least one degree to try");
  for (int deg : o.degrees)
    if (deg < 1) throw core::ModelError("polynomial degree must be >= 1, got " + std::to_string(deg));
  if (o.folds < 2) throw core::ModelError("cross-validation needs at least 2 folds, got " + std::to_string(o.folds));
  if (n < o.folds)
    throw core::ModelError(std::to_string(n) + " rows cannot be split into " + std::to_string(o.folds) + " folds");
  for (double a : o.alphas) check_lasso_settings(a, o.max_iter, o.tol);
  check_lasso_settings(0, o.max_iter, o.tol);
  for (std::size_t r = 0; r < n; ++r) {
    if (!std::isfinite(d.y[r]))
      throw core::ModelError("target '" + d.target + "' is not finite in row " + std::to_string(r));
    if (o.log_target && !(d.y[r] > 0))
      throw core::ModelError("log_target needs a positive target, but '" + d.target + "' is " + std::to_string(d.y[r]) +
                             " in row " + std::to_string(r));
  }
  for (double v : d.x)
    if (!std::isfinite(v)) throw core::ModelError("polynomial lasso input contains a non-finite value");

  std::vector<double> t(n);
  for (std::size_t r = 0; r < n; ++r) t[r] = o.log_target ? std::log(d.y[r]) : d.y[r];
  auto back = [&](double v) { return o.log_target ? std::exp(v) : v; };

  const auto folds = k_folds(n, o.folds, o.seed);
  std::vector<std::size_t> all(n);
  for (std::size_t r = 0; r < n; ++r) all[r] = r;

  struct Candidate {
    int degree;
    double alpha;
    std::vector<double> oof;  // out-of-fold predictions, original units
    double mse;
  };
  std::vector<Candidate> cands;
  for (int deg : o.degrees) {
    const Design f = polynomial_features(d, deg);
    std::vector<double> alphas = o.alphas;
    if (alphas.empty()) {
      const Scaler s = fit_scaler(f, all);
      const ColumnMajor z = standardize(f, all, s);
      double t_mean = 0;
      for (double v : t) t_mean += v;
      t_mean /= static_cast<double>(n);
      double alpha_max = 0;
      for (std::size_t j = 0; j < z.p; ++j) {
        double dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += z.col(j)[i] * (t[i] - t_mean);
        alpha_max = std::max(alpha_max, std::abs(dot) / static_cast<double>(n));
      }
      // A target no feature correlates with: every alpha gives all-zero coefficients.
      alphas = log_spaced_alphas(alpha_max > 0 ? alpha_max : 1.0);
    }
    // Largest penalty first, so that each fit warm-starts from a sparser one.
    std::stable_sort(alphas.begin(), alphas.end(), std::greater<>());
    const std::size_t first = cands.size();
    for (double a : alphas) cands.push_back({deg, a, std::vector<double>(n, 0.0), 0.0});
    for (const auto& test : folds) {
      std::vector<std::size_t> train;
      std::vector<bool> is_test(n, false);
      for (std::size_t r : test) is_test[r] = true;
      for (std::size_t r = 0; r < n; ++r)
        if (!is_test[r]) train.push_back(r);
      const Scaler s = fit_scaler(f, train);
      const ColumnMajor ztrain = standardize(f, train, s);
      const ColumnMajor ztest = standardize(f, test, s);
      std::vector<double> ttrain(train.size());
      for (std::size_t i = 0; i < train.size(); ++i) ttrain[i] = t[train[i]];
      std::vector<double> w(f.cols(), 0.0);
      double b0 = 0;
      for (std::size_t ai = 0; ai < alphas.size(); ++ai) {
        coordinate_descent(ztrain, ttrain, alphas[ai], o.max_iter, o.tol, w, b0);
        for (std::size_t i = 0; i < test.size(); ++i) {
          double v = b0;
          for (std::size_t j = 0; j < ztest.p; ++j) v += w[j] * ztest.col(j)[i];
          cands[first + ai].oof[test[i]] = back(v);
        }
      }
    }
  }
  std::size_t best = 0;
  double best_mse = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < cands.size(); ++c) {
    double ss = 0;
    for (std::size_t r = 0; r < n; ++r) ss += (cands[c].oof[r] - d.y[r]) * (cands[c].oof[r] - d.y[r]);
    cands[c].mse = ss / static_cast<double>(n);
    if (cands[c].mse < best_mse) {
      best_mse = cands[c].mse;
      best = c;
    }
  }

  PolyLassoModel m;
  m.degree = cands[best].degree;
  m.alpha = cands[best].alpha;
  m.log_target = o.log_target;
  const Design f = polynomial_features(d, m.degree, &m.powers);
  m.features = f.columns;
  const Scaler s = fit_scaler(f, all);
  m.mean = s.mean;
  m.scale = s.scale;
  const ColumnMajor z = standardize(f, all, s);
  m.coef.assign(f.cols(), 0.0);
  coordinate_descent(z, t, m.alpha, o.max_iter, o.tol, m.coef, m.intercept);
  m.cv = metrics(d.y, cands[best].oof);
  return m;
}

}  // namespace jg::calib
