// Strongly typed physical quantities (DESIGN.md §3).
//
// A Quantity<D> stores one double in SI base units (kg, m, s, A), with information in bits and
// work in operations as extra base dimensions. sizeof(Quantity<D>) == sizeof(double); every
// operation is constexpr and inlines to plain arithmetic.
#pragma once

#include <cmath>
#include <compare>
#include <string>

namespace jg::core {

/// Exponents of the base dimensions: mass, length, time, current, information (bit), work (op).
struct Dim {
  int kg = 0, m = 0, s = 0, a = 0, bit = 0, op = 0;
  constexpr bool operator==(const Dim&) const = default;
  constexpr Dim operator+(const Dim& o) const { return {kg + o.kg, m + o.m, s + o.s, a + o.a, bit + o.bit, op + o.op}; }
  constexpr Dim operator-(const Dim& o) const { return {kg - o.kg, m - o.m, s - o.s, a - o.a, bit - o.bit, op - o.op}; }
};

namespace dims {
inline constexpr Dim kNone{};
inline constexpr Dim kTime{0, 0, 1};
inline constexpr Dim kFrequency{0, 0, -1};
inline constexpr Dim kEnergy{1, 2, -2};
inline constexpr Dim kPower{1, 2, -3};
inline constexpr Dim kCurrent{0, 0, 0, 1};
inline constexpr Dim kVoltage{1, 2, -3, -1};
inline constexpr Dim kData{0, 0, 0, 0, 1};
inline constexpr Dim kBandwidth{0, 0, -1, 0, 1};
inline constexpr Dim kEnergyPerBit{1, 2, -2, 0, -1};
inline constexpr Dim kOps{0, 0, 0, 0, 0, 1};
inline constexpr Dim kOpsRate{0, 0, -1, 0, 0, 1};
inline constexpr Dim kEnergyPerOp{1, 2, -2, 0, 0, -1};
inline constexpr Dim kMass{1};
}  // namespace dims

/// Human-readable SI spelling of a dimension, e.g. "J/b" or "kg*m^2*s^-2".
std::string dim_name(const Dim& d);

template <Dim D>
class Quantity {
 public:
  constexpr Quantity() = default;
  /// Value in SI base units (J, W, s, Hz, bit, bit/s, J/bit, V ...).
  constexpr explicit Quantity(double si) : m_si(si) {}
  [[nodiscard]] constexpr double si() const { return m_si; }
  static constexpr Dim dim() { return D; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(m_si + o.m_si); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(m_si - o.m_si); }
  constexpr Quantity operator-() const { return Quantity(-m_si); }
  constexpr Quantity& operator+=(Quantity o) {
    m_si += o.m_si;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    m_si -= o.m_si;
    return *this;
  }
  constexpr Quantity operator*(double k) const { return Quantity(m_si * k); }
  constexpr Quantity operator/(double k) const { return Quantity(m_si / k); }
  constexpr Quantity& operator*=(double k) {
    m_si *= k;
    return *this;
  }
  friend constexpr Quantity operator*(double k, Quantity q) { return Quantity(k * q.m_si); }
  /// Ratio of two like quantities is a plain number.
  constexpr double operator/(Quantity o) const { return m_si / o.m_si; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double m_si = 0.0;
};

template <Dim A, Dim B>
constexpr auto operator*(Quantity<A> a, Quantity<B> b) {
  if constexpr (A + B == dims::kNone)
    return a.si() * b.si();
  else
    return Quantity<A + B>(a.si() * b.si());
}
template <Dim A, Dim B>
requires(!(A == B)) constexpr auto operator/(Quantity<A> a, Quantity<B> b) { return Quantity<A - B>(a.si() / b.si()); }
template <Dim A>
constexpr auto operator/(double k, Quantity<A> a) {
  return Quantity<dims::kNone - A>(k / a.si());
}

using Time = Quantity<dims::kTime>;
using Frequency = Quantity<dims::kFrequency>;
using Energy = Quantity<dims::kEnergy>;
using Power = Quantity<dims::kPower>;
using Voltage = Quantity<dims::kVoltage>;
using DataSize = Quantity<dims::kData>;
using Bandwidth = Quantity<dims::kBandwidth>;
using EnergyPerBit = Quantity<dims::kEnergyPerBit>;
using Ops = Quantity<dims::kOps>;
using OpsRate = Quantity<dims::kOpsRate>;
using EnergyPerOp = Quantity<dims::kEnergyPerOp>;
using Mass = Quantity<dims::kMass>;  ///< kg (carbon dioxide equivalent masses)

static_assert(sizeof(Energy) == sizeof(double));

inline constexpr double kBitsPerByte = 8.0;
inline constexpr double kSecondsPerDay = 86400.0;
inline constexpr double kSecondsPerYear = 365 * kSecondsPerDay;  ///< a 365-day year

namespace literals {
// clang-format off
constexpr Energy operator""_J(long double v) { return Energy(double(v)); }
constexpr Energy operator""_J(unsigned long long v) { return Energy(double(v)); }
constexpr Energy operator""_kJ(long double v) { return Energy(double(v) * 1e3); }
constexpr Energy operator""_mJ(long double v) { return Energy(double(v) * 1e-3); }
constexpr Energy operator""_nJ(long double v) { return Energy(double(v) * 1e-9); }
constexpr Energy operator""_pJ(long double v) { return Energy(double(v) * 1e-12); }
constexpr Energy operator""_pJ(unsigned long long v) { return Energy(double(v) * 1e-12); }
constexpr Power operator""_W(long double v) { return Power(double(v)); }
constexpr Power operator""_W(unsigned long long v) { return Power(double(v)); }
constexpr Power operator""_mW(long double v) { return Power(double(v) * 1e-3); }
constexpr Power operator""_mW(unsigned long long v) { return Power(double(v) * 1e-3); }
constexpr Power operator""_kW(long double v) { return Power(double(v) * 1e3); }
constexpr Time operator""_s(long double v) { return Time(double(v)); }
constexpr Time operator""_s(unsigned long long v) { return Time(double(v)); }
constexpr Time operator""_ms(long double v) { return Time(double(v) * 1e-3); }
constexpr Time operator""_ms(unsigned long long v) { return Time(double(v) * 1e-3); }
constexpr Time operator""_us(long double v) { return Time(double(v) * 1e-6); }
constexpr Time operator""_us(unsigned long long v) { return Time(double(v) * 1e-6); }
constexpr Time operator""_ns(long double v) { return Time(double(v) * 1e-9); }
constexpr Frequency operator""_Hz(long double v) { return Frequency(double(v)); }
constexpr Frequency operator""_MHz(long double v) { return Frequency(double(v) * 1e6); }
constexpr Frequency operator""_MHz(unsigned long long v) { return Frequency(double(v) * 1e6); }
constexpr Frequency operator""_GHz(long double v) { return Frequency(double(v) * 1e9); }
constexpr Frequency operator""_GHz(unsigned long long v) { return Frequency(double(v) * 1e9); }
constexpr Voltage operator""_V(long double v) { return Voltage(double(v)); }
constexpr Voltage operator""_V(unsigned long long v) { return Voltage(double(v)); }
constexpr DataSize operator""_bit(unsigned long long v) { return DataSize(double(v)); }
constexpr DataSize operator""_B(unsigned long long v) { return DataSize(double(v) * 8.0); }
constexpr DataSize operator""_KiB(unsigned long long v) { return DataSize(double(v) * 8.0 * 1024.0); }
constexpr DataSize operator""_MiB(unsigned long long v) { return DataSize(double(v) * 8.0 * 1048576.0); }
constexpr DataSize operator""_GiB(unsigned long long v) { return DataSize(double(v) * 8.0 * 1073741824.0); }
constexpr DataSize operator""_GB(long double v) { return DataSize(double(v) * 8e9); }
constexpr DataSize operator""_GB(unsigned long long v) { return DataSize(double(v) * 8e9); }
constexpr Bandwidth operator""_GBps(long double v) { return Bandwidth(double(v) * 8e9); }
constexpr Bandwidth operator""_GBps(unsigned long long v) { return Bandwidth(double(v) * 8e9); }
constexpr Bandwidth operator""_TBps(long double v) { return Bandwidth(double(v) * 8e12); }
constexpr EnergyPerBit operator""_pJ_per_bit(long double v) { return EnergyPerBit(double(v) * 1e-12); }
constexpr EnergyPerBit operator""_pJ_per_bit(unsigned long long v) { return EnergyPerBit(double(v) * 1e-12); }
constexpr EnergyPerOp operator""_pJ_per_op(long double v) { return EnergyPerOp(double(v) * 1e-12); }
constexpr EnergyPerOp operator""_pJ_per_op(unsigned long long v) { return EnergyPerOp(double(v) * 1e-12); }
// clang-format on
}  // namespace literals

}  // namespace jg::core
