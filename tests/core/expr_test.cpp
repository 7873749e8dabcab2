#include "engine/core/expr.hpp"

#include <gtest/gtest.h>

#include <map>

namespace jg::core {
namespace {

double ev(const char* text) {
  std::map<std::string, double, std::less<>> vars = {{"batch", 32}, {"image", 224}};
  return eval_expr(text, [&](std::string_view n, double& v) {
    auto it = vars.find(n);
    if (it == vars.end()) return false;
    v = it->second;
    return true;
  });
}

TEST(Expr, ArithmeticAndPrecedence) {
  EXPECT_DOUBLE_EQ(ev("batch * 196"), 6272);
  EXPECT_DOUBLE_EQ(ev("batch * 64 * (image/2)^2"), 32.0 * 64 * 112 * 112);
  EXPECT_DOUBLE_EQ(ev("1 + 2 * 3"), 7);
  EXPECT_DOUBLE_EQ(ev("-2^2"), -4);
  EXPECT_DOUBLE_EQ(ev("2^3^2"), 512);  // right-associative
  EXPECT_DOUBLE_EQ(ev("max(batch, 64) + min(1, 2) + ceil(2.1) + floor(2.9) + sqrt(16)"), 64 + 1 + 3 + 2 + 4);
  EXPECT_DOUBLE_EQ(ev("110e3"), 110000);
  EXPECT_DOUBLE_EQ(ev("7 % 4"), 3);
}

TEST(Expr, ErrorsCarryTheColumn) {
  try {
    ev("batch * imag");
    FAIL();
  } catch (const ExprError& e) {
    EXPECT_EQ(e.column(), 9u);
    EXPECT_NE(std::string(e.what()).find("unknown name 'imag'"), std::string::npos);
  }
  EXPECT_THROW(ev("(1 + 2"), ExprError);
  EXPECT_THROW(ev("1 / 0"), ExprError);
  EXPECT_THROW(ev("1 +"), ExprError);
  EXPECT_THROW(ev("foo(1)"), ExprError);
  EXPECT_THROW(ev("1 2"), ExprError);
}

}  // namespace
}  // namespace jg::core
