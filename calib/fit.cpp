// Linear fitters (OLS, NNLS, ridge) with Eigen. Designs, metrics, splits and the Student t
// quantile are in stats.cpp.
//
// Numerics: every fit works on columns scaled to unit Euclidean norm (OLS, NNLS) or
// standardized (ridge), so that counters of 1e10 bits and times of 1e-2 s meet on equal
// terms; coefficients and covariances are mapped back to the original units at the end.
// Rank is decided by a column-pivoted QR on the unit-norm columns with a relative pivot
// threshold (kRankTol), and the dependent columns it finds are named in the error.
#include "calib/fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// A pivot of the QR on unit-norm columns below this fraction of the largest one means the
/// columns are (numerically) linearly dependent.
constexpr double kRankTol = 1e-10;
/// In a dependency found by the QR, a column whose (unit-norm) weight is below this takes no part.
constexpr double kDependencyWeight = 1e-6;

std::string fmt_g(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

/// The unit of a target named like "energy_j", "power_w" or "time_s"; empty if not recognised.
std::string target_unit(const std::string& target) {
  const auto us = target.rfind('_');
  if (us == std::string::npos) return {};
  const std::string suffix = target.substr(us + 1);
  if (suffix == "j") return "J";
  if (suffix == "w") return "W";
  if (suffix == "s") return "s";
  return {};
}

/// The fit's columns: the design's, then "intercept" when asked for.
struct Columns {
  std::vector<std::string> names, units;
  std::size_t p = 0;
};

Columns fit_columns(const Design& d, bool intercept) {
  Columns c;
  c.names = d.columns;
  c.units = d.units.size() == d.cols() ? d.units : std::vector<std::string>(d.cols());
  if (intercept) {
    c.names.emplace_back("intercept");
    c.units.push_back(target_unit(d.target));
  }
  c.p = c.names.size();
  return c;
}

MatrixXd design_matrix(const Design& d, bool intercept) {
  const std::size_t n = d.rows(), k = d.cols();
  MatrixXd X(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k + (intercept ? 1 : 0)));
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < k; ++c) X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = d.at(r, c);
    if (intercept) X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k)) = 1.0;
  }
  return X;
}

VectorXd target_vector(const Design& d) {
  VectorXd y(static_cast<Eigen::Index>(d.rows()));
  for (std::size_t r = 0; r < d.rows(); ++r) y(static_cast<Eigen::Index>(r)) = d.y[r];
  return y;
}

/// Inputs a fit cannot start from: non-finite cells, a zero column, too few rows.
void check_inputs(const Design& d, const Columns& c) {
  JG_ASSERT(d.x.size() == d.rows() * d.cols(), "design x has " + std::to_string(d.x.size()) + " cells for " +
                                                   std::to_string(d.rows()) + " rows x " + std::to_string(d.cols()) +
                                                   " columns");
  if (c.p == 0) throw core::ModelError("nothing to fit: the design has no columns and no intercept");
  for (std::size_t r = 0; r < d.rows(); ++r) {
    if (!std::isfinite(d.y[r]))
      throw core::ModelError("target '" + d.target + "' is not finite in window " + std::to_string(r));
    for (std::size_t k = 0; k < d.cols(); ++k)
      if (!std::isfinite(d.at(r, k)))
        throw core::ModelError("column " + quoted(d.columns[k]) + " is not finite in window " + std::to_string(r));
  }
  for (std::size_t k = 0; k < d.cols(); ++k) {
    bool all_zero = true;
    for (std::size_t r = 0; r < d.rows() && all_zero; ++r) all_zero = d.at(r, k) == 0.0;
    if (all_zero)
      throw core::ModelError("column " + quoted(d.columns[k]) + " is zero in every window: nothing to fit it from");
  }
  if (d.rows() < c.p)
    throw core::ModelError(std::to_string(d.rows()) + " windows for " + std::to_string(c.p) +
                           " coefficients: a fit needs at least as many windows as coefficients");
}

/// Explains the dependencies a rank-deficient pivoted QR of unit-norm columns found.
std::string describe_collinearity(const Eigen::ColPivHouseholderQR<MatrixXd>& qr, const VectorXd& scale,
                                  const Columns& c) {
  const Eigen::Index r = qr.rank(), p = qr.cols();
  const MatrixXd& qrm = qr.matrixQR();
  const auto& perm = qr.colsPermutation().indices();
  std::string out;
  for (Eigen::Index k = r; k < p; ++k) {
    // Unit-norm column perm[k] ~= sum_i z_i * unit-norm column perm[i], i < r.
    VectorXd z = qrm.topLeftCorner(r, r).triangularView<Eigen::Upper>().solve(qrm.block(0, k, r, 1));
    // The dependency sum_j g_j x_j = 0 in original units, over the columns taking part.
    std::vector<std::pair<std::size_t, double>> g;
    const auto dep = static_cast<std::size_t>(perm(k));
    g.emplace_back(dep, 1.0);
    for (Eigen::Index i = 0; i < r; ++i)
      if (std::abs(z(i)) > kDependencyWeight) {
        const auto col = static_cast<std::size_t>(perm(i));
        g.emplace_back(col, -z(i) * scale(perm(k)) / scale(perm(i)));
      }
    std::sort(g.begin(), g.end());
    std::string names;
    for (const auto& [col, w] : g) names += (names.empty() ? "" : ", ") + quoted(c.names[col]);
    std::string expr;
    if (g.size() == 1) {
      expr = c.names[dep] + " = 0";
    } else {
      // The first column (in design order) expressed through the others.
      const double gm = g.front().second;
      expr = c.names[g.front().first] + " =";
      bool first = true;
      for (std::size_t i = 1; i < g.size(); ++i) {
        const double w = -g[i].second / gm;
        if (first) {
          expr.append(w < 0 ? " -" : " ");
        } else {
          expr.append(w < 0 ? " - " : " + ");
        }
        expr.append(fmt_g(std::abs(w))).append("·").append(c.names[g[i].first]);
        first = false;
      }
    }
    if (!out.empty()) out.append("; ");
    out.append(g.size() == 1 ? "column " : "columns ")
        .append(names)
        .append(g.size() == 1 ? " is degenerate (" : " are collinear (")
        .append(expr)
        .append(")");
  }
  return out + ": add windows where they vary independently, fix one, or use ridge";
}

/// (A'A)^-1 of a full-column-rank A, through the pivoted QR of A.
MatrixXd inverse_gram(const MatrixXd& A) {
  Eigen::ColPivHouseholderQR<MatrixXd> qr(A);
  const Eigen::Index p = A.cols();
  MatrixXd R = qr.matrixQR().topLeftCorner(p, p).triangularView<Eigen::Upper>();
  MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(MatrixXd::Identity(p, p));
  MatrixXd M = Rinv * Rinv.transpose();
  // A P = Q R  =>  A'A = P R'R P'  =>  (A'A)^-1 = P R^-1 R^-T P'.
  return qr.colsPermutation() * M * qr.colsPermutation().transpose();
}

/// Lawson-Hanson non-negative least squares: min |A x - y| subject to x >= 0.
VectorXd nnls(const MatrixXd& A, const VectorXd& y, std::vector<bool>& free_set) {
  const Eigen::Index p = A.cols();
  free_set.assign(static_cast<std::size_t>(p), false);
  VectorXd x = VectorXd::Zero(p);
  const double tol = 1e-12 * std::max(y.norm(), std::numeric_limits<double>::min());
  const int max_iter = 3 * static_cast<int>(p);
  // Least squares on the free columns, zero elsewhere.
  auto solve_free = [&]() {
    std::vector<Eigen::Index> idx;
    for (Eigen::Index j = 0; j < p; ++j)
      if (free_set[static_cast<std::size_t>(j)]) idx.push_back(j);
    VectorXd z = VectorXd::Zero(p);
    if (idx.empty()) return z;
    MatrixXd sub(A.rows(), static_cast<Eigen::Index>(idx.size()));
    for (std::size_t i = 0; i < idx.size(); ++i) sub.col(static_cast<Eigen::Index>(i)) = A.col(idx[i]);
    VectorXd s = sub.colPivHouseholderQr().solve(y);
    for (std::size_t i = 0; i < idx.size(); ++i) z(idx[i]) = s(static_cast<Eigen::Index>(i));
    return z;
  };
  std::vector<bool> skip(static_cast<std::size_t>(p), false);  // rejected by rounding until x moves
  VectorXd w = A.transpose() * (y - A * x);
  int iter = 0;
  for (;;) {
    Eigen::Index t = -1;
    double best = tol;
    for (Eigen::Index j = 0; j < p; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      if (!free_set[uj] && !skip[uj] && w(j) > best) {
        best = w(j);
        t = j;
      }
    }
    if (t < 0) break;
    if (++iter > max_iter)
      throw core::ModelError("non-negative least squares did not converge in " + std::to_string(max_iter) +
                             " iterations: the columns are nearly collinear; fix one or use ridge");
    free_set[static_cast<std::size_t>(t)] = true;
    bool first = true;
    for (;;) {
      VectorXd z = solve_free();
      bool feasible = true;
      for (Eigen::Index j = 0; j < p; ++j)
        if (free_set[static_cast<std::size_t>(j)] && z(j) <= 0) feasible = false;
      if (feasible) {
        x = z;
        std::fill(skip.begin(), skip.end(), false);
        break;
      }
      if (first && z(t) <= 0) {
        // Exact arithmetic guarantees z_t > 0 here; rounding did not. Leave t out for now.
        free_set[static_cast<std::size_t>(t)] = false;
        skip[static_cast<std::size_t>(t)] = true;
        break;
      }
      first = false;
      // Step from x towards z until the first free coefficient reaches zero.
      double alpha = std::numeric_limits<double>::infinity();
      Eigen::Index hit = -1;
      for (Eigen::Index j = 0; j < p; ++j) {
        if (!free_set[static_cast<std::size_t>(j)] || z(j) > 0) continue;
        const double a = x(j) / (x(j) - z(j));
        if (a < alpha) {
          alpha = a;
          hit = j;
        }
      }
      JG_ASSERT(hit >= 0, "NNLS inner loop without a blocking coefficient");
      x += alpha * (z - x);
      x(hit) = 0;
      for (Eigen::Index j = 0; j < p; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        if (free_set[uj] && x(j) <= 0) {
          free_set[uj] = false;
          x(j) = 0;
        }
      }
    }
    w = A.transpose() * (y - A * x);
  }
  return x;
}

}  // namespace

// ----- Linear models -----

double LinearModel::predict(const double* row) const {
  const std::size_t k = coef.size() - (intercept ? 1 : 0);
  double s = intercept ? coef.back().value : 0.0;
  for (std::size_t j = 0; j < k; ++j) s += coef[j].value * row[j];
  return s;
}

double LinearModel::half_width90(const double* row) const {
  const std::size_t p = coef.size(), k = p - (intercept ? 1 : 0);
  JG_ASSERT(cov.size() == p * p, "linear model covariance is not " + std::to_string(p) + "x" + std::to_string(p));
  auto xj = [&](std::size_t j) { return j < k ? row[j] : 1.0; };
  double q = 0;
  for (std::size_t i = 0; i < p; ++i) {
    const double xi = xj(i);
    for (std::size_t j = 0; j < p; ++j) q += xi * cov[i * p + j] * xj(j);
  }
  // t sigma sqrt(1 + x'Cx / sigma^2), written so that sigma = 0 (a perfect fit) is no 0/0.
  return student_t_quantile(0.95, static_cast<double>(dof)) * std::sqrt(std::max(0.0, sigma * sigma + q));
}

LinearModel fit_linear(const Design& d, const LinearOptions& o) {
  const Columns c = fit_columns(d, o.intercept);
  check_inputs(d, c);
  if (o.method == LinearMethod::kRidge && !(o.ridge_lambda >= 0 && std::isfinite(o.ridge_lambda)))
    throw core::ModelError("ridge penalty must be a finite number >= 0, got " + fmt_g(o.ridge_lambda));

  const Eigen::Index n = static_cast<Eigen::Index>(d.rows()), p = static_cast<Eigen::Index>(c.p);
  const MatrixXd X = design_matrix(d, o.intercept);
  const VectorXd y = target_vector(d);

  // Rank, on unit-norm columns (ridge with a positive penalty accepts collinear columns).
  const VectorXd norms = X.colwise().norm().transpose();
  const MatrixXd U = X * norms.cwiseInverse().asDiagonal();
  const bool needs_rank = o.method != LinearMethod::kRidge || o.ridge_lambda == 0;
  if (needs_rank) {
    Eigen::ColPivHouseholderQR<MatrixXd> qr(U);
    qr.setThreshold(kRankTol);
    if (qr.rank() < p) throw core::ModelError(describe_collinearity(qr, norms, c));
  }

  LinearModel m;
  m.method = o.method;
  m.intercept = o.intercept;
  VectorXd b(p);
  std::vector<bool> free_set(c.p, true);
  MatrixXd cov_unit;  // covariance / sigma^2, original units
  if (o.method == LinearMethod::kOls) {
    b = U.colPivHouseholderQr().solve(y).cwiseQuotient(norms);
    const VectorXd inv_norm = norms.cwiseInverse();
    cov_unit = inv_norm.asDiagonal() * inverse_gram(U) * inv_norm.asDiagonal();
  } else if (o.method == LinearMethod::kNnls) {
    const VectorXd bu = nnls(U, y, free_set);
    b = bu.cwiseQuotient(norms);
    cov_unit = MatrixXd::Zero(p, p);
    std::vector<Eigen::Index> idx;
    for (Eigen::Index j = 0; j < p; ++j)
      if (free_set[static_cast<std::size_t>(j)]) idx.push_back(j);
    if (!idx.empty()) {
      const auto f = static_cast<Eigen::Index>(idx.size());
      MatrixXd sub(n, f);
      for (Eigen::Index i = 0; i < f; ++i) sub.col(i) = U.col(idx[static_cast<std::size_t>(i)]);
      const MatrixXd g = inverse_gram(sub);
      for (Eigen::Index i = 0; i < f; ++i)
        for (Eigen::Index j = 0; j < f; ++j) {
          const Eigen::Index a = idx[static_cast<std::size_t>(i)], bb = idx[static_cast<std::size_t>(j)];
          cov_unit(a, bb) = g(i, j) / (norms(a) * norms(bb));
        }
    }
  } else {
    // Ridge on standardized columns: with an intercept, (x - mean) / std; without, x / rms.
    // The intercept column is neither standardized nor penalized.
    const Eigen::Index k = static_cast<Eigen::Index>(d.cols());
    VectorXd mean = VectorXd::Zero(p), scale = VectorXd::Ones(p);
    MatrixXd Z = X;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (o.intercept) mean(j) = X.col(j).mean();
      const double s = std::sqrt((X.col(j).array() - mean(j)).square().mean());
      const bool constant = !(s > 1e-12 * std::abs(mean(j)));
      scale(j) = constant ? 1.0 : s;
      if (constant) {
        Z.col(j).setZero();  // constant beside the intercept: held at 0, like an NNLS coefficient
        free_set[static_cast<std::size_t>(j)] = false;
      } else {
        Z.col(j) = (X.col(j).array() - mean(j)) / scale(j);
      }
    }
    const double sqrt_lambda = std::sqrt(o.ridge_lambda);
    MatrixXd Za = MatrixXd::Zero(n + k, p);
    Za.topRows(n) = Z;
    for (Eigen::Index j = 0; j < k; ++j) Za(n + j, j) = sqrt_lambda;
    VectorXd ya = VectorXd::Zero(n + k);
    ya.head(n) = y;
    const VectorXd bz = Za.colPivHouseholderQr().solve(ya);
    // b = T bz: b_j = bz_j / s_j; intercept = bz_0 - sum mean_j bz_j / s_j.
    MatrixXd T = MatrixXd::Identity(p, p);
    for (Eigen::Index j = 0; j < k; ++j) {
      T(j, j) = 1.0 / scale(j);
      if (o.intercept) T(k, j) = -mean(j) / scale(j);
    }
    b = T * bz;
    const MatrixXd Ainv = inverse_gram(Za);  // (Z'Z + lambda D)^-1
    const MatrixXd cz = Ainv * (Z.transpose() * Z) * Ainv;
    cov_unit = T * cz * T.transpose();
  }

  // Residuals, sigma, degrees of freedom.
  const VectorXd pred = X * b;
  const double ss_res = (y - pred).squaredNorm();
  const auto n_free = static_cast<std::size_t>(std::count(free_set.begin(), free_set.end(), true));
  JG_ASSERT(d.rows() >= n_free, "more free coefficients than rows after the row check");
  m.dof = d.rows() - n_free;
  m.sigma = m.dof > 0 ? std::sqrt(ss_res / static_cast<double>(m.dof)) : 0.0;
  const double s2 = m.sigma * m.sigma;
  m.cov.assign(c.p * c.p, kNaN);
  if (m.dof > 0)
    for (Eigen::Index i = 0; i < p; ++i)
      for (Eigen::Index j = 0; j < p; ++j) m.cov[static_cast<std::size_t>(i * p + j)] = s2 * cov_unit(i, j);
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    Coefficient co;
    co.name = c.names[uj];
    co.unit = c.units[uj];
    co.value = b(j);
    co.std_error = (m.dof > 0 && free_set[uj]) ? std::sqrt(std::max(0.0, m.cov[uj * c.p + uj])) : kNaN;
    m.coef.push_back(std::move(co));
  }

  std::vector<double> obs(d.y), prd(d.rows()), lo, hi;
  for (std::size_t r = 0; r < d.rows(); ++r) prd[r] = pred(static_cast<Eigen::Index>(r));
  if (m.dof > 0) {
    lo.resize(d.rows());
    hi.resize(d.rows());
    for (std::size_t r = 0; r < d.rows(); ++r) {
      const double hw = m.half_width90(&d.x[r * d.cols()]);
      lo[r] = prd[r] - hw;
      hi[r] = prd[r] + hw;
    }
  }
  m.train = metrics(obs, prd, lo, hi);
  return m;
}

HeldOut fit_held_out(const Design& d, const LinearOptions& o, const std::vector<std::size_t>& train,
                     const std::vector<std::size_t>& test) {
  HeldOut h;
  h.model = fit_linear(d.subset(train), o);
  h.train_rows = train.size();
  h.test_rows = test.size();
  std::vector<double> obs, prd, lo, hi;
  for (std::size_t r : test) {
    JG_ASSERT(r < d.rows(), "held-out row " + std::to_string(r) + " of " + std::to_string(d.rows()));
    const double* row = d.x.data() + r * d.cols();
    const double p = h.model.predict(row);
    const double hw = h.model.half_width90(row);
    obs.push_back(d.y[r]);
    prd.push_back(p);
    lo.push_back(p - hw);
    hi.push_back(p + hw);
  }
  if (h.model.dof == 0) {  // no interval without degrees of freedom
    lo.clear();
    hi.clear();
  }
  h.test = metrics(obs, prd, lo, hi);
  std::tie(h.rel_lo, h.rel_hi) = relative_error_band90(obs, prd);
  return h;
}

}  // namespace jg::calib
