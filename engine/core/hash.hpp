// SHA-256 (FIPS 180-4) for provenance: reports carry the hash of every input they were made from.
#pragma once

#include <string>
#include <string_view>

namespace jg::core {

/// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view data);

}  // namespace jg::core
