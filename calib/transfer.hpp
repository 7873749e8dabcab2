// Transfer of a power-mode model to a new workload (PowerTrain, Prashanthi S.K. et al., FGCS
// 2024, with joulegraph's analytical model in place of PowerTrain's neural network): the
// analytical model predicts time and power at every mode; a correction, linear in the
// normalized knob values, on log(measured / modelled) is fitted on a reference workload
// measured at many modes and carried to the new workload as the prior of a Bayesian linear
// regression, updated with the few modes measured on it. The posterior gives each mode's
// prediction interval, which drives the uncertainty-based choice of the next mode to measure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace jg::calib {

/// One power mode: its normalized knob values (each in [0, 1]), the model's figures and, when
/// measured, the meter's.
struct ModePoint {
  std::vector<double> x;
  double model_time_s = 0, model_power_w = 0;
  double time_s = 0, power_w = 0;  ///< measured; 0 when not
};

/// Prior of the correction weights (intercept, then one slope per knob) in log space.
struct TransferPrior {
  double intercept_sd = 1.0;  ///< a workload's own model bias may differ a lot (assumption)
  double slope_sd = 0.2;      ///< its clock sensitivities less (assumption)
  double noise_sd = 0.03;     ///< floor of the measurement noise, log scale (assumption: ~3 % repeatability)
};

/// A fitted correction for time and one for power.
class TransferModel {
 public:
  /// `knobs`: normalized knob values per mode. Reference rows (many measured modes of another
  /// workload; may be empty: prior mean zero) and the new workload's measured rows (may be empty).
  TransferModel(std::size_t knobs, const std::vector<ModePoint>& reference, const std::vector<ModePoint>& measured,
                const TransferPrior& prior = {});
  struct Prediction {
    double time_s, power_w;
    double time_lo, time_hi, power_lo, power_hi;  ///< 90 % prediction intervals
  };
  [[nodiscard]] Prediction predict(const ModePoint& p) const;
  /// Predictive variance of log time plus that of log power: where a new measurement tells most.
  [[nodiscard]] double uncertainty(const ModePoint& p) const;
  /// Correction weights (intercept first) for time and power.
  std::vector<double> w_time, w_power;

 private:
  std::vector<double> cov_time_, cov_power_;  ///< posterior covariances, row-major
  double noise_time_ = 0, noise_power_ = 0;
};

enum class Strategy { kRandom, kMaximin, kUncertainty };
const char* strategy_name(Strategy s);

/// The order in which `strategy` would measure the pool's modes, first `n` picks.
std::vector<std::size_t> choose_modes(Strategy s, const std::vector<ModePoint>& reference,
                                      const std::vector<ModePoint>& pool, std::size_t n, std::uint64_t seed,
                                      const TransferPrior& prior = {});

/// Mean absolute percentage errors (fractions) of time and power on the pool's modes not in `fit`.
struct TransferError {
  double time_mape = 0, power_mape = 0;
  std::size_t held_out = 0;
};
TransferError held_out_error(const TransferModel& m, const std::vector<ModePoint>& pool,
                             const std::vector<std::size_t>& fit);

}  // namespace jg::calib
