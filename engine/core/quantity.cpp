#include "engine/core/quantity.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace jg::core {
namespace {

struct Base {
  std::string_view name;
  double scale;
  Dim dim;
};
// Base units accepted after an optional prefix. Bytes are 8 bits.
constexpr std::array kBases = {
    Base{"J", 1.0, dims::kEnergy},
    Base{"Wh", 3600.0, dims::kEnergy},
    Base{"W", 1.0, dims::kPower},
    Base{"s", 1.0, dims::kTime},
    Base{"min", 60.0, dims::kTime},
    Base{"h", 3600.0, dims::kTime},
    Base{"d", 86400.0, dims::kTime},
    Base{"day", 86400.0, dims::kTime},
    Base{"days", 86400.0, dims::kTime},
    Base{"year", kSecondsPerYear, dims::kTime},
    Base{"years", kSecondsPerYear, dims::kTime},
    Base{"Hz", 1.0, dims::kFrequency},
    Base{"B", 8.0, dims::kData},
    Base{"b", 1.0, dims::kData},
    Base{"bit", 1.0, dims::kData},
    Base{"bits", 1.0, dims::kData},
    Base{"bps", 1.0, dims::kBandwidth},
    Base{"op", 1.0, dims::kOps},
    Base{"ops", 1.0, dims::kOps},
    Base{"flop", 1.0, dims::kOps},
    Base{"FLOP", 1.0, dims::kOps},
    Base{"V", 1.0, dims::kVoltage},
    Base{"A", 1.0, dims::kCurrent},
    Base{"g", 1e-3, dims::kMass},
    Base{"gCO2e", 1e-3, dims::kMass},
    Base{"t", 1e3, dims::kMass},
    Base{"tCO2e", 1e3, dims::kMass},
    Base{"%", 0.01, dims::kNone},
};
struct Prefix {
  std::string_view name;
  double scale;
};
constexpr std::array kPrefixes = {
    Prefix{"Ki", 1024.0},
    Prefix{"Mi", 1048576.0},
    Prefix{"Gi", 1073741824.0},
    Prefix{"Ti", 1099511627776.0},
    Prefix{"Pi", 1125899906842624.0},
    Prefix{"µ", 1e-6},
    Prefix{"μ", 1e-6},  // micro sign and Greek mu
    Prefix{"f", 1e-15},
    Prefix{"p", 1e-12},
    Prefix{"n", 1e-9},
    Prefix{"u", 1e-6},
    Prefix{"m", 1e-3},
    Prefix{"k", 1e3},
    Prefix{"K", 1e3},
    Prefix{"M", 1e6},
    Prefix{"G", 1e9},
    Prefix{"T", 1e12},
    Prefix{"P", 1e15},
};

Dim scale_dim(Dim d, int k) { return {d.kg * k, d.m * k, d.s * k, d.a * k, d.bit * k, d.op * k}; }

bool lookup_base(std::string_view s, double& scale, Dim& dim) {
  for (const auto& b : kBases)
    if (b.name == s) {
      scale = b.scale;
      dim = b.dim;
      return true;
    }
  return false;
}

// Parses one atom such as "GHz", "KiB", "s^2"; returns false if unknown.
bool parse_atom(std::string_view atom, double& scale, Dim& dim) {
  int power = 1;
  if (auto caret = atom.find('^'); caret != std::string_view::npos) {
    std::string_view ps = atom.substr(caret + 1);
    auto [ptr, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), power);
    if (ec != std::errc() || ptr != ps.data() + ps.size()) return false;
    atom = atom.substr(0, caret);
  }
  double s = 1.0;
  Dim d{};
  bool ok = lookup_base(atom, s, d);
  if (!ok) {
    for (const auto& p : kPrefixes) {
      if (atom.size() > p.name.size() && atom.substr(0, p.name.size()) == p.name &&
          lookup_base(atom.substr(p.name.size()), s, d)) {
        s *= p.scale;
        ok = true;
        break;
      }
    }
  }
  if (!ok) return false;
  scale = std::pow(s, power);
  dim = scale_dim(d, power);
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string with_article(const std::string& noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + noun;
}

std::string dim_name(const Dim& d) {
  // Prefer the familiar derived units.
  struct Named {
    Dim d;
    const char* n;
  };
  static const Named kNamed[] = {
      {dims::kNone, "1"},           {dims::kTime, "s"},
      {dims::kFrequency, "Hz"},     {dims::kEnergy, "J"},
      {dims::kPower, "W"},          {dims::kVoltage, "V"},
      {dims::kCurrent, "A"},        {dims::kData, "bit"},
      {dims::kBandwidth, "bit/s"},  {dims::kEnergyPerBit, "J/bit"},
      {dims::kOps, "op"},           {dims::kOpsRate, "op/s"},
      {dims::kEnergyPerOp, "J/op"}, {dims::kMass, "kg"},
  };
  for (const auto& n : kNamed)
    if (n.d == d) return n.n;
  std::string s;
  auto add = [&](int e, const char* u) {
    if (e == 0) return;
    if (!s.empty()) s += "*";
    s += u;
    if (e != 1) s += "^" + std::to_string(e);
  };
  add(d.kg, "kg");
  add(d.m, "m");
  add(d.s, "s");
  add(d.a, "A");
  add(d.bit, "bit");
  add(d.op, "op");
  return s;
}

std::string dim_noun(const Dim& d) {
  struct Named {
    Dim d;
    const char* n;
  };
  static const Named kNamed[] = {
      {dims::kNone, "plain number"},
      {dims::kTime, "time"},
      {dims::kFrequency, "frequency"},
      {dims::kEnergy, "energy"},
      {dims::kPower, "power"},
      {dims::kVoltage, "voltage"},
      {dims::kData, "data size"},
      {dims::kBandwidth, "bandwidth"},
      {dims::kEnergyPerBit, "energy per bit"},
      {dims::kOps, "operation count"},
      {dims::kOpsRate, "operation rate"},
      {dims::kEnergyPerOp, "energy per operation"},
      {dims::kMass, "mass"},
      {dims::kCurrent, "current"},
  };
  for (const auto& n : kNamed)
    if (n.d == d) return n.n;
  return "quantity in " + dim_name(d);
}

std::string example_for(const Dim& d) {
  struct Ex {
    Dim d;
    const char* e;
  };
  static const Ex kEx[] = {
      {dims::kTime, "\"2.5 ms\""},
      {dims::kFrequency, "\"1.41 GHz\""},
      {dims::kEnergy, "\"18 pJ\""},
      {dims::kPower, "\"700 W\""},
      {dims::kVoltage, "\"0.9 V\""},
      {dims::kData, "\"40 MiB\""},
      {dims::kBandwidth, "\"2.0 TB/s\""},
      {dims::kEnergyPerBit, "\"3.9 pJ/b\""},
      {dims::kEnergyPerOp, "\"0.4 pJ/op\""},
      {dims::kOpsRate, "\"312 Top/s\""},
      {dims::kMass, "\"420 g\""},
      {dims::kNone, "1.5"},
  };
  for (const auto& e : kEx)
    if (e.d == d) return e.e;
  return "\"1 " + dim_name(d) + "\"";
}

ParsedQuantity parse_quantity(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) throw QuantitySyntaxError("empty text where a quantity was expected");
  // strtod needs a terminated buffer; copy the text once.
  std::string buf(t);
  char* end = nullptr;
  double v = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str()) throw QuantitySyntaxError("'" + buf + "' does not start with a number");
  if (!std::isfinite(v)) throw QuantitySyntaxError("'" + buf + "' is not a finite number");
  std::string_view units = trim(std::string_view(buf).substr(std::size_t(end - buf.c_str())));
  ParsedQuantity out{v, dims::kNone};
  bool divide = false;
  while (!units.empty()) {
    // Separators: '/', '*', ' ' and the middle dot '·' (2 bytes in UTF-8, searched as a
    // sequence so that the micro sign, which shares its first byte, is not taken for it).
    std::size_t n = std::min(units.find_first_of("/* "), units.find("·"));
    std::string_view atom = units.substr(0, n);
    if (atom.empty()) throw QuantitySyntaxError("'" + buf + "' has an empty unit");
    double s = 1.0;
    Dim d{};
    if (!parse_atom(atom, s, d))
      throw QuantitySyntaxError("unknown unit '" + std::string(atom) + "' in '" + buf +
                                "' (units: J Wh W s min h d day(s) year(s) Hz B b bit op V A g %, with prefixes "
                                "p n u m k M G T P Ki Mi Gi Ti)");
    if (divide) {
      out.si /= s;
      out.dim = out.dim - d;
    } else {
      out.si *= s;
      out.dim = out.dim + d;
    }
    if (n == std::string_view::npos) break;
    std::string_view sep = units.substr(n);
    // Separator: '/', '*', '·' (2 bytes in UTF-8), or spaces around them.
    sep = trim(sep);
    if (sep.substr(0, 1) == "/") {
      divide = true;
      sep.remove_prefix(1);
    } else if (sep.substr(0, 1) == "*") {
      sep.remove_prefix(1);
    } else if (sep.substr(0, 2) == "·") {
      sep.remove_prefix(2);
    } else
      throw QuantitySyntaxError("'" + buf + "': expected '/' or '*' between units");
    units = trim(sep);
    if (units.empty()) throw QuantitySyntaxError("'" + buf + "' ends with an operator");
  }
  return out;
}

std::string format_quantity(double si, const Dim& d, int significant) {
  struct Unit {
    Dim d;
    const char* name;
    double scale;
  };
  // The unit each dimension is shown in, and its scale relative to SI.
  static const Unit kUnits[] = {
      {dims::kEnergy, "J", 1.0},      {dims::kPower, "W", 1.0},          {dims::kTime, "s", 1.0},
      {dims::kFrequency, "Hz", 1.0},  {dims::kVoltage, "V", 1.0},        {dims::kData, "B", 8.0},
      {dims::kBandwidth, "B/s", 8.0}, {dims::kEnergyPerBit, "J/b", 1.0}, {dims::kOps, "op", 1.0},
      {dims::kOpsRate, "op/s", 1.0},  {dims::kEnergyPerOp, "J/op", 1.0}, {dims::kMass, "g", 1e-3},
  };
  const char* unit = nullptr;
  double v = si;
  for (const auto& u : kUnits)
    if (u.d == d) {
      unit = u.name;
      v = si / u.scale;
      break;
    }
  char out[64];
  if (!unit) {
    std::snprintf(out, sizeof out, "%.*g %s", significant, si, dim_name(d).c_str());
    return out;
  }
  static const struct {
    double f;
    const char* p;
  } kScale[] = {{1e15, "P"}, {1e12, "T"}, {1e9, "G"},  {1e6, "M"},   {1e3, "k"},  {1.0, ""},
                {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}};
  double a = std::fabs(v);
  const char* prefix = "";
  double f = 1.0;
  if (a != 0.0) {
    for (const auto& s : kScale) {
      if (a >= s.f * 0.9995) {
        f = s.f;
        prefix = s.p;
        break;
      }
      f = s.f;
      prefix = s.p;
    }
  }
  // Times over two minutes read better in minutes and hours.
  if (d == dims::kTime && a >= 120.0) {
    if (a >= 7200.0) {
      f = 3600.0;
      std::snprintf(out, sizeof out, "%.*g h", significant, v / f);
    } else
      std::snprintf(out, sizeof out, "%.*g min", significant, v / 60.0);
    return out;
  }
  std::snprintf(out, sizeof out, "%.*g %s%s", significant, v / f, prefix, unit);
  return out;
}

std::string format_number(double v) {
  char buf[64];
  if (std::abs(v) < 1e15 && v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace jg::core
