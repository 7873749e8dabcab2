#include "engine/core/dtype.hpp"

namespace jg::core {

std::optional<DType> parse_dtype(std::string_view s) {
  for (std::size_t i = 0; i < kDTypeCount; ++i)
    if (kDTypeNames[i] == s) return static_cast<DType>(i);
  return std::nullopt;
}

}  // namespace jg::core
