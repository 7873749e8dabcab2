// Numeric data types that compute units execute and tensors are stored in.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jg::core {

enum class DType : std::uint8_t { kFp64, kFp32, kTf32, kFp16, kBf16, kFp8, kInt8 };
inline constexpr std::size_t kDTypeCount = 7;
inline constexpr std::array<std::string_view, kDTypeCount> kDTypeNames = {"fp64", "fp32", "tf32", "fp16",
                                                                          "bf16", "fp8",  "int8"};
/// Storage bytes per element (tf32 is stored as fp32).
inline constexpr std::array<double, kDTypeCount> kDTypeBytes = {8, 4, 4, 2, 2, 1, 1};

constexpr std::string_view dtype_name(DType d) { return kDTypeNames[static_cast<std::size_t>(d)]; }
constexpr double dtype_bytes(DType d) { return kDTypeBytes[static_cast<std::size_t>(d)]; }
constexpr std::size_t index_of(DType d) { return static_cast<std::size_t>(d); }
std::optional<DType> parse_dtype(std::string_view s);

}  // namespace jg::core
