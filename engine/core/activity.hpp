// Activity: what a workload made the hardware do (DESIGN.md §1), in a platform-neutral
// vocabulary. Op estimators (workloads/) produce it from an op and a view of the memory
// hierarchy; the evaluator (engine/eval) maps it onto component actions.
#pragma once

#include <array>
#include <cstddef>

#include "engine/core/dtype.hpp"

namespace jg::core {

/// Innermost first: level 0 is the first cache, the last level is DRAM.
inline constexpr std::size_t kMaxMemLevels = 6;

/// What an op estimator needs to know of a device's memory hierarchy.
struct HierarchyView {
  double register_bytes = 0;  ///< operand storage of all compute units together (reuse tile at level 0)
  std::array<double, kMaxMemLevels> capacity_bytes{};  ///< per level; DRAM last
  std::size_t levels = 0;                              ///< number of levels including DRAM
  double instances = 1;                                ///< instances of the device (ranks of a collective)
};

/// Activity of one op on one device.
struct OpActivity {
  DType dtype = DType::kFp32;
  double macs = 0;          ///< multiply-accumulates on the matrix path (convolutions, GEMMs, matmuls)
  double vector_flops = 0;  ///< other arithmetic (elementwise, reductions, special functions)
  std::array<double, kMaxMemLevels> read_bytes{};   ///< bytes read at each memory level
  std::array<double, kMaxMemLevels> write_bytes{};  ///< bytes written at each memory level
  double link_bytes = 0;                            ///< bytes over the link to the op's peer device
  double peer_dram_read_bytes = 0;                  ///< bytes read from the peer device's DRAM (d2h)
  double peer_dram_write_bytes = 0;                 ///< bytes written into the peer device's DRAM (h2d)
  double storage_read_bytes = 0;                    ///< bytes read from storage attached to the device
  double host_ops = 0;                              ///< scalar integer work on a CPU (decode, tokenization) in ops
  double fabric_bytes = 0;   ///< bytes all instances send to each other (collectives), summed over instances
  double network_bytes = 0;  ///< bytes all instances send to other nodes (collectives), summed over instances
  double latency_s = 0;      ///< fixed time on top of the roofline (collective step latencies)
};

}  // namespace jg::core
