#include "calib/transfer.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace jg::calib {

namespace {

Eigen::VectorXd features(const ModePoint& p) {
  Eigen::VectorXd f(static_cast<Eigen::Index>(p.x.size() + 1));
  f(0) = 1.0;
  for (std::size_t i = 0; i < p.x.size(); ++i) f(static_cast<Eigen::Index>(i + 1)) = p.x[i];
  return f;
}

struct Posterior {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
  double noise = 0;
};

/// Bayesian linear regression y = w'f + e, w ~ N(m0, diag(s0^2)), e ~ N(0, noise^2).
Posterior posterior(const std::vector<Eigen::VectorXd>& f, const std::vector<double>& y, const Eigen::VectorXd& m0,
                    const Eigen::VectorXd& s0, double noise) {
  const Eigen::Index k = m0.size();
  Eigen::MatrixXd prec = Eigen::MatrixXd::Zero(k, k);
  for (Eigen::Index i = 0; i < k; ++i) prec(i, i) = 1.0 / (s0(i) * s0(i));
  Eigen::VectorXd b = prec * m0;
  const double inv = 1.0 / (noise * noise);
  for (std::size_t r = 0; r < f.size(); ++r) {
    prec += inv * f[r] * f[r].transpose();
    b += inv * y[r] * f[r];
  }
  Posterior p;
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(prec);
  p.mean = ldlt.solve(b);
  p.cov = ldlt.solve(Eigen::MatrixXd::Identity(k, k));
  p.noise = noise;
  return p;
}

/// The reference workload's correction: the posterior under a vague prior, and the residual
/// spread (the noise level the target's fit assumes, floored by the prior's).
Posterior reference_fit(const std::vector<ModePoint>& ref, std::size_t knobs, bool time, const TransferPrior& pr) {
  const Eigen::Index k = static_cast<Eigen::Index>(knobs + 1);
  Posterior p;
  p.mean = Eigen::VectorXd::Zero(k);
  p.noise = pr.noise_sd;
  if (ref.empty()) return p;
  std::vector<Eigen::VectorXd> f;
  std::vector<double> y;
  for (const auto& r : ref) {
    f.push_back(features(r));
    y.push_back(time ? std::log(r.time_s / r.model_time_s) : std::log(r.power_w / r.model_power_w));
  }
  const Posterior q = posterior(f, y, Eigen::VectorXd::Zero(k), Eigen::VectorXd::Constant(k, 10.0), pr.noise_sd);
  double ss = 0;
  for (std::size_t r = 0; r < f.size(); ++r) ss += std::pow(y[r] - q.mean.dot(f[r]), 2);
  const double dof = std::max<double>(1.0, static_cast<double>(f.size()) - static_cast<double>(k));
  p.mean = q.mean;
  p.noise = std::max(pr.noise_sd, std::sqrt(ss / dof));
  return p;
}

std::vector<double> to_vec(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }
std::vector<double> to_vec(const Eigen::MatrixXd& m) { return {m.data(), m.data() + m.size()}; }

double quad(const std::vector<double>& cov, const Eigen::VectorXd& f) {
  const Eigen::Index k = f.size();
  const Eigen::Map<const Eigen::MatrixXd> c(cov.data(), k, k);
  return f.dot(c * f);
}

}  // namespace

TransferModel::TransferModel(std::size_t knobs, const std::vector<ModePoint>& reference,
                             const std::vector<ModePoint>& measured, const TransferPrior& prior) {
  for (const auto* set : {&reference, &measured})
    for (const auto& p : *set)
      if (p.x.size() != knobs) throw std::invalid_argument("TransferModel: modes with different knob counts");
  const Eigen::Index k = static_cast<Eigen::Index>(knobs + 1);
  Eigen::VectorXd s0 = Eigen::VectorXd::Constant(k, prior.slope_sd);
  s0(0) = prior.intercept_sd;
  std::vector<Eigen::VectorXd> f;
  for (const auto& m : measured) f.push_back(features(m));
  for (int which = 0; which < 2; ++which) {
    const bool time = which == 0;
    const Posterior ref = reference_fit(reference, knobs, time, prior);
    std::vector<double> y;
    for (const auto& m : measured)
      y.push_back(time ? std::log(m.time_s / m.model_time_s) : std::log(m.power_w / m.model_power_w));
    const Posterior p = posterior(f, y, ref.mean, s0, ref.noise);
    (time ? w_time : w_power) = to_vec(p.mean);
    (time ? cov_time_ : cov_power_) = to_vec(p.cov);
    (time ? noise_time_ : noise_power_) = p.noise;
  }
}

TransferModel::Prediction TransferModel::predict(const ModePoint& p) const {
  const Eigen::VectorXd f = features(p);
  if (static_cast<std::size_t>(f.size()) != w_time.size())
    throw std::invalid_argument("TransferModel::predict: a mode with another knob count");
  const Eigen::Map<const Eigen::VectorXd> wt(w_time.data(), f.size()), wp(w_power.data(), f.size());
  const double mt = wt.dot(f), mp = wp.dot(f);
  const double st = std::sqrt(noise_time_ * noise_time_ + quad(cov_time_, f));
  const double sp = std::sqrt(noise_power_ * noise_power_ + quad(cov_power_, f));
  const double z = 1.6449;  // two-sided 90 %
  Prediction r{};
  r.time_s = p.model_time_s * std::exp(mt);
  r.power_w = p.model_power_w * std::exp(mp);
  r.time_lo = p.model_time_s * std::exp(mt - z * st);
  r.time_hi = p.model_time_s * std::exp(mt + z * st);
  r.power_lo = p.model_power_w * std::exp(mp - z * sp);
  r.power_hi = p.model_power_w * std::exp(mp + z * sp);
  return r;
}

double TransferModel::uncertainty(const ModePoint& p) const {
  const Eigen::VectorXd f = features(p);
  return quad(cov_time_, f) + quad(cov_power_, f);
}

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kMaximin:
      return "maximin";
    case Strategy::kUncertainty:
      return "uncertainty";
  }
  return "?";
}

std::vector<std::size_t> choose_modes(Strategy s, const std::vector<ModePoint>& reference,
                                      const std::vector<ModePoint>& pool, std::size_t n, std::uint64_t seed,
                                      const TransferPrior& prior) {
  n = std::min(n, pool.size());
  std::vector<std::size_t> picked;
  std::vector<char> used(pool.size(), 0);
  if (s == Strategy::kRandom) {
    std::vector<std::size_t> order(pool.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(seed);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);  // Fisher-Yates
    order.resize(n);
    return order;
  }
  auto dist2 = [&](std::size_t a, std::size_t b) {
    double d = 0;
    for (std::size_t j = 0; j < pool[a].x.size(); ++j) d += std::pow(pool[a].x[j] - pool[b].x[j], 2);
    return d;
  };
  if (s == Strategy::kMaximin) {
    // First the mode nearest the centre of the normalized cube, then always the mode farthest
    // from every mode chosen so far (greedy maximin, ties to the lower index).
    std::size_t first = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < pool.size(); ++i) {
      double d = 0;
      for (double v : pool[i].x) d += (v - 0.5) * (v - 0.5);
      if (d < best) {
        best = d;
        first = i;
      }
    }
    std::vector<double> near(pool.size(), std::numeric_limits<double>::infinity());
    std::size_t next = first;
    while (picked.size() < n) {
      const std::size_t last = next;
      picked.push_back(last);
      used[last] = 1;
      double far = -1;
      for (std::size_t i = 0; i < pool.size(); ++i) {
        near[i] = std::min(near[i], dist2(i, last));
        if (!used[i] && near[i] > far) {
          far = near[i];
          next = i;
        }
      }
    }
    return picked;
  }
  // Uncertainty: measure next where the current model's prediction interval is widest. The
  // posterior covariance does not depend on the measured values, so the pool's own rows serve.
  while (picked.size() < n) {
    std::vector<ModePoint> fit;
    for (std::size_t i : picked) fit.push_back(pool[i]);
    const TransferModel m(pool.front().x.size(), reference, fit, prior);
    std::size_t next = 0;
    double widest = -1;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      if (used[i]) continue;
      const double u = m.uncertainty(pool[i]);
      if (u > widest) {
        widest = u;
        next = i;
      }
    }
    picked.push_back(next);
    used[next] = 1;
  }
  return picked;
}

TransferError held_out_error(const TransferModel& m, const std::vector<ModePoint>& pool,
                             const std::vector<std::size_t>& fit) {
  std::vector<char> in_fit(pool.size(), 0);
  for (std::size_t i : fit) in_fit[i] = 1;
  TransferError e;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (in_fit[i]) continue;
    const auto p = m.predict(pool[i]);
    e.time_mape += std::fabs(p.time_s - pool[i].time_s) / pool[i].time_s;
    e.power_mape += std::fabs(p.power_w - pool[i].power_w) / pool[i].power_w;
    ++e.held_out;
  }
  if (e.held_out) {
    e.time_mape /= static_cast<double>(e.held_out);
    e.power_mape /= static_cast<double>(e.held_out);
  }
  return e;
}

}  // namespace jg::calib
