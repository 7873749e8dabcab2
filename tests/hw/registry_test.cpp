// Meta-test over the registry: every model has a kind of the form family.variant, a summary,
// documented parameters, and an example that constructs it.
#include <gtest/gtest.h>

#include <set>

#include "engine/core/config.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {
namespace {

TEST(Registry, EveryModelIsDocumentedAndItsExampleBuilds) {
  const auto& reg = builtin_registry();
  ASSERT_GE(reg.all().size(), 15u);
  std::set<std::string> kinds;
  for (const auto& m : reg.all()) {
    SCOPED_TRACE(m.kind);
    EXPECT_TRUE(kinds.insert(m.kind).second);
    EXPECT_NE(m.kind.find('.'), std::string::npos);
    EXPECT_FALSE(m.summary.empty());
    for (const auto& p : m.params) {
      EXPECT_FALSE(p.doc.empty()) << p.name;
      // A default that is not a plain placeholder must say where it comes from.
      if (p.type == core::ParamType::Quantity && !p.default_text.empty() &&
          core::parse_quantity(p.default_text).si != 0) {
        EXPECT_FALSE(p.source.empty()) << p.name << " default " << p.default_text << " has no source";
      }
    }
    core::ConfigNode t = core::parse_toml_text(m.example, m.kind + " example");
    std::vector<std::string> extra = {"model", "name", "connects", "attached_to"};
    auto values = core::read_params(t, m.params, extra);
    auto model = m.create(values);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->kind(), m.kind);
    EXPECT_EQ(model->role(), m.role);
  }
}

TEST(Registry, EveryDramStandardIsThere) {
  for (const char* k : {"dram.ddr4", "dram.ddr5", "dram.lpddr4", "dram.lpddr4x", "dram.lpddr5", "dram.gddr6",
                        "dram.hbm2", "dram.hbm2e", "dram.hbm3"})
    EXPECT_NE(builtin_registry().find(k), nullptr) << k;
}

}  // namespace
}  // namespace jg::hw
