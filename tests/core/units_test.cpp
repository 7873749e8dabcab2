#include "engine/core/units.hpp"

#include <gtest/gtest.h>

#include "engine/core/quantity.hpp"

namespace jg::core {
namespace {

using namespace literals;

TEST(Units, QuantitiesAreOneDouble) {
  static_assert(sizeof(Energy) == sizeof(double));
  static_assert(sizeof(Bandwidth) == sizeof(double));
}

TEST(Units, DerivedDimensionsCompose) {
  // 700 W for 2 s is 1400 J.
  Energy e = 700_W * 2_s;
  EXPECT_DOUBLE_EQ(e.si(), 1400.0);
  // 18 pJ per bit over 1 GiB: 18e-12 * 8 * 2^30 J.
  Energy dram = 18_pJ_per_bit * 1_GiB;
  EXPECT_DOUBLE_EQ(dram.si(), 18e-12 * 8.0 * 1073741824.0);
  // Data over bandwidth is a time: 3.35 TB/s moves 6.7 TB in 2 s.
  Time t = DataSize(6.7e12 * 8) / Bandwidth(3.35e12 * 8);
  EXPECT_DOUBLE_EQ(t.si(), 2.0);
  // Ratio of like quantities is a plain number.
  double r = 1.41_GHz / 705_MHz;
  EXPECT_DOUBLE_EQ(r, 2.0);
}

TEST(Units, LiteralsScale) {
  EXPECT_DOUBLE_EQ((1.0_kJ).si(), 1000.0);
  EXPECT_DOUBLE_EQ((3.5_pJ).si(), 3.5e-12);
  EXPECT_DOUBLE_EQ((250_mW).si(), 0.25);
  EXPECT_DOUBLE_EQ((4_us).si(), 4e-6);
  EXPECT_DOUBLE_EQ((1_B).si(), 8.0);
  EXPECT_DOUBLE_EQ((2_KiB).si(), 2 * 1024 * 8.0);
}

TEST(Units, DimNames) {
  EXPECT_EQ(dim_name(dims::kEnergyPerBit), "J/bit");
  EXPECT_EQ(dim_name(dims::kPower), "W");
  EXPECT_EQ(dim_name(Dim{0, 1}), "m");
}

}  // namespace
}  // namespace jg::core
