#include "engine/core/params.hpp"

#include <gtest/gtest.h>

namespace jg::core {
namespace {

std::vector<ParamSpec> specs() {
  return {required_quantity("capacity", dims::kData, "total capacity"),
          quantity_param("e_read", dims::kEnergyPerBit, "3.9 pJ/b", "energy per bit read", "a citation"),
          number_param("efficiency", "0.8", 0.01, 1.0, "achieved / peak"),
          choice_param("mode", {"fast", "slow"}, "fast", "a mode")};
}

TEST(Params, DefaultsAndValues) {
  ConfigNode t = parse_toml_text("capacity = \"40 MiB\"\nsource = \"datasheet\"\n", "p.toml");
  ParamValues v = read_params(t, specs());
  EXPECT_DOUBLE_EQ(v.si("capacity"), 40.0 * 1048576 * 8);
  EXPECT_DOUBLE_EQ(v.si("e_read"), 3.9e-12);
  EXPECT_DOUBLE_EQ(v.si("efficiency"), 0.8);
  EXPECT_EQ(v.str("mode"), "fast");
  EXPECT_EQ(v.loc("capacity")->line, 1u);
}

std::string error_of(const std::string& text) {
  try {
    read_params(parse_toml_text(text, "p.toml"), specs());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Params, UnknownKeyGetsDidYouMean) {
  std::string m = error_of("capacity = \"1 MiB\"\ncapacty = 3\n");
  EXPECT_NE(m.find("p.toml:2:"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'capacty'"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'capacity'?"), std::string::npos) << m;
}

TEST(Params, MissingRequiredKey) {
  std::string m = error_of("e_read = \"1 pJ/b\"\n");
  EXPECT_NE(m.find("required key 'capacity'"), std::string::npos) << m;
  EXPECT_NE(m.find("it is missing"), std::string::npos) << m;
}

TEST(Params, RangeDimensionAndChoice) {
  EXPECT_NE(error_of("capacity = \"-1 MiB\"\n").find("at least 0 B"), std::string::npos);
  EXPECT_NE(error_of("capacity = \"1 W\"\n").find("a data size"), std::string::npos);
  EXPECT_NE(error_of("capacity = \"1 MiB\"\nefficiency = 1.5\n").find("between 0.01 and 1"), std::string::npos);
  EXPECT_NE(error_of("capacity = \"1 MiB\"\nmode = \"fsat\"\n").find("did you mean 'fast'?"), std::string::npos);
}

TEST(Params, DescribeListsUnitsDefaultsAndSources) {
  std::string d = describe_params(specs());
  EXPECT_NE(d.find("capacity : data size [bit], required"), std::string::npos) << d;
  EXPECT_NE(d.find("default 3.9 pJ/b"), std::string::npos) << d;
  EXPECT_NE(d.find("source: a citation"), std::string::npos) << d;
}

TEST(Params, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(nearest_name("hbm3", std::vector<std::string>{"hbm2", "ddr4", "gddr6"}), "hbm2");
  EXPECT_EQ(nearest_name("zzzzzz", std::vector<std::string>{"hbm2", "ddr4"}), "");
}

}  // namespace
}  // namespace jg::core
