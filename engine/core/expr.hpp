// Arithmetic expressions over named parameters, for workload sizes such as "batch * 196".
// Grammar: expr = term (('+'|'-') term)*; term = unary (('*'|'/'|'%') unary)*;
// unary = '-' unary | power; power = atom ('^' unary)?; atom = number | name | '(' expr ')' |
// name '(' expr (',' expr)* ')' with functions min, max, ceil, floor, sqrt.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jg::core {

class ExprError : public std::invalid_argument {
 public:
  ExprError(const std::string& what, std::size_t column) : std::invalid_argument(what), m_column(column) {}
  [[nodiscard]] std::size_t column() const { return m_column; }  ///< 1-based position in the text

 private:
  std::size_t m_column;
};

/// Looks a name up; returns false if it is unknown.
using ExprLookup = std::function<bool(std::string_view name, double& value)>;

double eval_expr(std::string_view text, const ExprLookup& lookup);

}  // namespace jg::core
