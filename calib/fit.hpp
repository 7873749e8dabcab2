// Fitters (Eigen inside fit.cpp and lasso.cpp only): linear models of energy or power on
// activity columns, with honest error on data the fit did not see.
//
// - fit_linear: OLS, non-negative least squares (Lawson-Hanson; energies are physical) or
//   ridge. Rank deficiency is a ModelError naming the collinear columns. Coefficients carry
//   standard errors (from sigma^2 (X'X)^-1, restricted to the free set for NNLS) and the fit
//   carries metrics on held-out rows and a 90 % prediction interval.
// - fit_poly_lasso: NeuralPower-style polynomial features of a configuration, standardized,
//   Lasso by coordinate descent, degree and penalty chosen by k-fold cross-validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jg::calib {

/// Rows of observations: features and a target, row-major.
struct Design {
  std::vector<std::string> columns;  ///< feature names
  std::vector<std::string> units;    ///< per column, the unit of its coefficient ("J/bit", "W", ...); may be empty
  std::string target = "energy_j";
  std::vector<double> x;  ///< rows() x columns.size(), row-major
  std::vector<double> y;
  [[nodiscard]] std::size_t rows() const { return y.size(); }
  [[nodiscard]] std::size_t cols() const { return columns.size(); }
  [[nodiscard]] double at(std::size_t r, std::size_t c) const { return x[r * columns.size() + c]; }
  void add_row(const std::vector<double>& features, double target_value);
  /// The rows listed, in that order.
  [[nodiscard]] Design subset(const std::vector<std::size_t>& rows) const;
};

/// Error of predictions against observations. MAPE and RMSPE skip observations equal to zero.
struct Metrics {
  std::size_t n = 0;
  double mape = 0;           ///< mean |pred - obs| / |obs|, as a fraction
  double rmspe = 0;          ///< sqrt(mean ((pred - obs) / obs)^2), as a fraction
  double rmse = 0;           ///< in the target's unit
  double r2 = 0;             ///< 1 - SS_res / SS_tot
  double pi90_coverage = 0;  ///< share of observations inside their 90 % prediction interval (NaN if none given)
};
Metrics metrics(const std::vector<double>& observed, const std::vector<double>& predicted,
                const std::vector<double>& lo = {}, const std::vector<double>& hi = {});

/// Splits 0..n-1 into k folds after a seeded shuffle (std::mt19937_64, Fisher-Yates with our
/// own index draw, so the split is the same on every platform).
std::vector<std::vector<std::size_t>> k_folds(std::size_t n, std::size_t k, std::uint64_t seed);
/// A held-out split: every `every`-th row (offset `offset`) tests, the rest trains (keeps time
/// order spread across both).
void interleaved_split(std::size_t n, std::size_t every, std::size_t offset, std::vector<std::size_t>& train,
                       std::vector<std::size_t>& test);

enum class LinearMethod : std::uint8_t { kOls, kNnls, kRidge };

struct LinearOptions {
  LinearMethod method = LinearMethod::kNnls;
  double ridge_lambda = 0;  ///< ridge penalty on standardized columns (method kRidge)
  bool intercept = false;   ///< add a constant column named "intercept" (unit: the target's)
};

struct Coefficient {
  std::string name, unit;
  double value = 0;
  double std_error = 0;  ///< NaN where not defined (a coefficient NNLS held at zero)
};

struct LinearModel {
  std::vector<Coefficient> coef;  ///< in column order (intercept last when added)
  LinearMethod method = LinearMethod::kNnls;
  bool intercept = false;
  double sigma = 0;         ///< residual standard deviation on the training rows
  std::size_t dof = 0;      ///< training rows - free coefficients
  std::vector<double> cov;  ///< coefficient covariance, row-major (for prediction intervals)
  Metrics train;
  [[nodiscard]] double predict(const double* row) const;
  /// 90 % prediction interval of one new observation: t_{0.95,dof} sigma sqrt(1 + x' C x / sigma^2).
  [[nodiscard]] double half_width90(const double* row) const;
};

/// Fits on all rows of `d`. ModelError if a column is all zero or columns are collinear
/// (the message names them), or there are fewer rows than columns.
LinearModel fit_linear(const Design& d, const LinearOptions& o);

/// Fits on `train`, evaluates on `test`: the model and its held-out metrics.
struct HeldOut {
  LinearModel model;
  Metrics test;
  std::size_t train_rows = 0, test_rows = 0;
  /// Relative errors (pred - obs)/obs on the test rows: their 5th and 95th percentiles, an
  /// empirical 90 % band an estimate can carry.
  double rel_lo = 0, rel_hi = 0;
};
HeldOut fit_held_out(const Design& d, const LinearOptions& o, const std::vector<std::size_t>& train,
                     const std::vector<std::size_t>& test);

/// The p-quantile of `v` (linear interpolation between order statistics); NaN if empty.
double percentile(std::vector<double> v, double p);

/// The 5th and 95th percentiles of the relative errors (predicted - observed) / observed,
/// observations equal to zero left out: an empirical 90 % band an estimate can carry.
std::pair<double, double> relative_error_band90(const std::vector<double>& observed,
                                                const std::vector<double>& predicted);

/// Student t quantile (two-sided 90 %: p = 0.95) for `dof` degrees of freedom.
double student_t_quantile(double p, double dof);

// ----- NeuralPower-style polynomial Lasso ------------------------------------------------------

struct PolyLassoOptions {
  std::vector<int> degrees = {1, 2, 3};
  std::vector<double> alphas;  ///< empty: 20 values log-spaced from alpha_max down to 1e-4 alpha_max
  std::size_t folds = 5;
  std::uint64_t seed = 1;
  bool log_target = false;  ///< fit log(y) (runtimes spanning decades), predict exp
  int max_iter = 10000;
  double tol = 1e-7;
};

struct PolyLassoModel {
  int degree = 1;
  double alpha = 0;
  bool log_target = false;
  std::vector<std::string> features;     ///< monomial names, e.g. "c_in*k^2"
  std::vector<std::vector<int>> powers;  ///< per feature, the exponent of each input column
  std::vector<double> mean, scale;       ///< standardization of the features
  std::vector<double> coef;              ///< on standardized features
  double intercept = 0;
  Metrics cv;  ///< pooled over the cross-validation folds at the chosen degree and alpha
  [[nodiscard]] double predict(const double* row) const;  ///< row: the input columns
  [[nodiscard]] std::size_t nonzero() const;
};

/// Polynomial features of the columns of `d` up to `degree` (all monomials, no constant).
Design polynomial_features(const Design& d, int degree, std::vector<std::vector<int>>* powers = nullptr);

/// Lasso (objective 1/(2n) |y - Xb - b0|^2 + alpha |b|_1, as scikit-learn) on standardized
/// features by cyclic coordinate descent.
void lasso(const Design& standardized, double alpha, int max_iter, double tol, std::vector<double>& coef,
           double& intercept);

PolyLassoModel fit_poly_lasso(const Design& d, const PolyLassoOptions& o);

}  // namespace jg::calib
