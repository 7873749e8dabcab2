#include "engine/core/quantity.hpp"

#include <gtest/gtest.h>

namespace jg::core {
namespace {

struct Case {
  const char* text;
  double si;
  Dim dim;
};

TEST(Quantity, ParsesTheIssueExamples) {
  const Case cases[] = {
      {"3.9 pJ/b", 3.9e-12, dims::kEnergyPerBit},
      {"700 W", 700.0, dims::kPower},
      {"1.41 GHz", 1.41e9, dims::kFrequency},
      {"2.0 TB/s", 2.0e12 * 8, dims::kBandwidth},
      {"18 pJ", 18e-12, dims::kEnergy},
      {"3.35 TB/s", 3.35e12 * 8, dims::kBandwidth},
      {"80 GiB", 80.0 * 1073741824.0 * 8, dims::kData},
      {"40 MB", 40e6 * 8, dims::kData},
      {"0.9 V", 0.9, dims::kVoltage},
      {"4 us", 4e-6, dims::kTime},
      {"4 µs", 4e-6, dims::kTime},
      {"2 h", 7200.0, dims::kTime},
      {"2 days", 172800.0, dims::kTime},
      {"5 years", 5 * 365 * 86400.0, dims::kTime},
      {"150 kg", 150.0, dims::kMass},
      {"1.5 kWh", 1.5 * 3.6e6, dims::kEnergy},
      {"64 Gbps", 64e9, dims::kBandwidth},
      {"0.4 pJ/op", 0.4e-12, dims::kEnergyPerOp},
      {"5%", 0.05, dims::kNone},
      {"312 Top/s", 312e12, dims::kOpsRate},
      {"1e3 ms", 1.0, dims::kTime},
      {"420 g/kWh", 0.42 / 3.6e6, dims::kMass - dims::kEnergy},
  };
  for (const auto& c : cases) {
    ParsedQuantity q = parse_quantity(c.text);
    EXPECT_NEAR(q.si, c.si, 1e-12 * std::abs(c.si)) << c.text;
    EXPECT_EQ(q.dim, c.dim) << c.text;
  }
}

TEST(Quantity, RejectsMalformedText) {
  for (const char* bad : {"", "GHz", "1.41 GHZ", "3 pJ//b", "3 pJ/", "7 furlongs", "1 W^x", "nan W"}) {
    EXPECT_THROW(parse_quantity(bad), QuantitySyntaxError) << bad;
  }
}

TEST(Quantity, ParseAsChecksTheDimension) {
  EXPECT_DOUBLE_EQ(parse_as<Power>("250 W").si(), 250.0);
  try {
    (void)parse_as<Frequency>("3 W");
    FAIL() << "a power was accepted as a frequency";
  } catch (const QuantitySyntaxError& e) {
    EXPECT_NE(std::string(e.what()).find("not Hz"), std::string::npos) << e.what();
  }
}

TEST(Quantity, FormatRoundTrips) {
  // Printing then parsing gives the value back to the printed precision.
  const Case cases[] = {{"", 1.234e-3, dims::kEnergy}, {"", 7.5e8, dims::kFrequency},
                        {"", 2.5e-6, dims::kTime},     {"", 3.35e12 * 8, dims::kBandwidth},
                        {"", 420.0, dims::kPower},     {"", 3.9e-12, dims::kEnergyPerBit},
                        {"", 0.0, dims::kEnergy}};
  for (const auto& c : cases) {
    std::string text = format_quantity(c.si, c.dim, 6);
    ParsedQuantity q = parse_quantity(text);
    EXPECT_NEAR(q.si, c.si, 1e-5 * std::abs(c.si)) << text;
    EXPECT_EQ(q.dim, c.dim) << text;
  }
  EXPECT_EQ(format_quantity(1.234e-3, dims::kEnergy), "1.234 mJ");
  EXPECT_EQ(format_quantity(56.94, dims::kEnergy), "56.94 J");
  EXPECT_EQ(format_quantity(1.41e9, dims::kFrequency), "1.41 GHz");
  EXPECT_EQ(format_quantity(7200.0, dims::kTime), "2 h");
}

}  // namespace
}  // namespace jg::core
