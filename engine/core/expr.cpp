#include "engine/core/expr.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace jg::core {
namespace {

class Parser {
 public:
  Parser(std::string_view t, const ExprLookup& l) : m_t(t), m_lookup(l) {}
  double run() {
    double v = expr();
    skip();
    if (m_i != m_t.size()) fail("unexpected '" + std::string(1, m_t[m_i]) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const { throw ExprError(msg, m_i + 1); }
  void skip() {
    while (m_i < m_t.size() && std::isspace(static_cast<unsigned char>(m_t[m_i]))) ++m_i;
  }
  bool eat(char c) {
    skip();
    if (m_i < m_t.size() && m_t[m_i] == c) {
      ++m_i;
      return true;
    }
    return false;
  }
  double expr() {
    double v = term();
    while (true) {
      if (eat('+'))
        v += term();
      else if (eat('-'))
        v -= term();
      else
        return v;
    }
  }
  double term() {
    double v = unary();
    while (true) {
      if (eat('*'))
        v *= unary();
      else if (eat('/')) {
        std::size_t at = m_i;
        double d = unary();
        if (d == 0.0) {
          m_i = at;
          fail("division by zero");
        }
        v /= d;
      } else if (eat('%')) {
        double d = unary();
        if (d == 0.0) fail("modulo by zero");
        v = std::fmod(v, d);
      } else
        return v;
    }
  }
  double unary() {
    if (eat('-')) return -unary();
    double b = atom();
    if (eat('^')) return std::pow(b, unary());
    return b;
  }
  double atom() {
    skip();
    if (m_i >= m_t.size()) fail("expression ends too early");
    char c = m_t[m_i];
    if (c == '(') {
      ++m_i;
      double v = expr();
      if (!eat(')')) fail("missing ')'");
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::string buf(m_t.substr(m_i));
      char* end = nullptr;
      double v = std::strtod(buf.c_str(), &end);
      m_i += static_cast<std::size_t>(end - buf.c_str());
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = m_i;
      while (m_i < m_t.size() && (std::isalnum(static_cast<unsigned char>(m_t[m_i])) || m_t[m_i] == '_')) ++m_i;
      std::string_view name = m_t.substr(start, m_i - start);
      if (eat('(')) return call(name, start);
      double v = 0.0;
      if (!m_lookup || !m_lookup(name, v)) {
        m_i = start;
        fail("unknown name '" + std::string(name) + "'");
      }
      return v;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }
  double call(std::string_view name, std::size_t start) {
    double a = expr();
    double b = 0.0;
    bool two = eat(',');
    if (two) b = expr();
    if (!eat(')')) fail("missing ')'");
    if (name == "min" && two) return std::min(a, b);
    if (name == "max" && two) return std::max(a, b);
    if (name == "ceil" && !two) return std::ceil(a);
    if (name == "floor" && !two) return std::floor(a);
    if (name == "sqrt" && !two) return std::sqrt(a);
    m_i = start;
    fail("unknown function '" + std::string(name) + "' (known: min(a,b), max(a,b), ceil(x), floor(x), sqrt(x))");
  }

  std::string_view m_t;
  const ExprLookup& m_lookup;
  std::size_t m_i = 0;
};

}  // namespace

double eval_expr(std::string_view text, const ExprLookup& lookup) { return Parser(text, lookup).run(); }

}  // namespace jg::core
