// Parsing and printing of quantities written with units ("3.9 pJ/b", "700 W", "1.41 GHz",
// "2.0 TB/s", "80 GiB"). Parsing checks the dimension; printing auto-scales for people.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/core/units.hpp"

namespace jg::core {

/// A number with its dimension, value in SI base units.
struct ParsedQuantity {
  double si = 0.0;
  Dim dim{};
};

/// Thrown by parse_quantity when the text is not a quantity. The config layer turns it into a
/// ConfigError with the file position.
class QuantitySyntaxError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses "<number> <unit expression>". Units: J Wh W s min h Hz B b bit op V A g %; SI prefixes
/// f p n u µ m k K M G T P and binary Ki Mi Gi Ti Pi; '/' and '*' combine atoms, '^N' raises.
/// "a/b/c" means a/(b*c). A bare number parses as dimensionless.
ParsedQuantity parse_quantity(std::string_view text);

/// Parses and checks the dimension; throws QuantitySyntaxError naming expected and found.
template <class Q>
Q parse_as(std::string_view text) {
  ParsedQuantity p = parse_quantity(text);
  if (!(p.dim == Q::dim()))
    throw QuantitySyntaxError("'" + std::string(text) + "' is " + dim_name(p.dim) + ", not " + dim_name(Q::dim()));
  return Q(p.si);
}

/// Example literal for a dimension, used in hints ("1.41 GHz" for a frequency).
std::string example_for(const Dim& d);
/// Noun for a dimension ("frequency", "energy per bit"), or its SI spelling.
std::string dim_noun(const Dim& d);
/// "a frequency", "an energy".
std::string with_article(const std::string& noun);

/// Auto-scaled text for people, e.g. 1.234e-3 J -> "1.234 mJ", 3.35e12*8 bit/s -> "3.35 TB/s".
std::string format_quantity(double si, const Dim& d, int significant = 4);
/// A plain number: integers without a decimal point, others with up to 6 significant digits.
std::string format_number(double v);
template <Dim D>
std::string format(Quantity<D> q, int significant = 4) {
  return format_quantity(q.si(), D, significant);
}

}  // namespace jg::core
