#include "engine/core/config.hpp"

#include <gtest/gtest.h>

namespace jg::core {
namespace {

TEST(Config, KeepsFileOrderPathsAndPositions) {
  ConfigNode root = parse_toml_text("zeta = 1\nalpha = \"2 W\"\n[t]\nb = [1, 2]\n", "mem.toml");
  ASSERT_EQ(root.entries().size(), 3u);
  EXPECT_EQ(root.entries()[0].first, "zeta");  // file order, not sorted
  EXPECT_EQ(root.entries()[1].first, "alpha");
  const ConfigNode& b = root.at("t").at("b");
  EXPECT_EQ(b.path(), "t.b");
  EXPECT_EQ(b.items()[1].path(), "t.b[1]");
  EXPECT_EQ(root.at("alpha").loc().line, 2u);
  EXPECT_EQ(root.at("alpha").loc().column, 9u);
  EXPECT_DOUBLE_EQ(root.at("alpha").as<Power>().si(), 2.0);
}

TEST(Config, BareNumberForADimensionedKeySuggestsAUnit) {
  ConfigNode root = parse_toml_text("clock = 1410\n", "f.toml");
  try {
    (void)root.at("clock").as<Frequency>();
    FAIL();
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("f.toml:1:9"), std::string::npos) << m;
    EXPECT_NE(m.find("key 'clock'"), std::string::npos) << m;
    EXPECT_NE(m.find("a bare number has no unit"), std::string::npos) << m;
    EXPECT_NE(m.find("\"1410 MHz\""), std::string::npos) << m;
  }
}

TEST(Config, SyntaxErrorsNameTheLine) {
  try {
    parse_toml_text("a = 1\nb = = 2\n", "broken.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.detail().loc.file, "broken.toml");
    EXPECT_EQ(e.detail().loc.line, 2u);
  }
}

TEST(Config, OverridesCreateAndReplace) {
  ConfigNode root = parse_toml_text("[params]\nbatch = 32\n", "w.toml");
  apply_override(root, "params.batch=64");
  apply_override(root, "devices.gpu.clock=1.2 GHz");
  apply_override(root, "flag=true");
  apply_override(root, "ratio=0.5");
  EXPECT_EQ(root.at("params").at("batch").as_int(), 64);
  EXPECT_EQ(root.at("devices").at("gpu").at("clock").as_string(), "1.2 GHz");
  EXPECT_TRUE(root.at("flag").as_bool());
  EXPECT_DOUBLE_EQ(root.at("ratio").as_number(), 0.5);
  EXPECT_THROW(apply_override(root, "novalue"), ConfigError);
  EXPECT_THROW(apply_override(root, "params.batch.x=1"), ConfigError);
}

TEST(Config, MissingFileIsAConfigError) { EXPECT_THROW(parse_toml_file("/nonexistent/joulegraph.toml"), ConfigError); }

}  // namespace
}  // namespace jg::core
