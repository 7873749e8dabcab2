#include "hwmodels/models.hpp"

namespace jg::hw {

const core::Registry& builtin_registry() {
  static const core::Registry kRegistry = [] {
    core::Registry r;
    r.add(pe_array_info());
    r.add(cache_sram_info());
    for (auto& d : dram_infos()) r.add(std::move(d));
    r.add(pcie_info());
    r.add(nvlink_info());
    r.add(network_info());
    r.add(ssd_info());
    r.add(board_info());
    return r;
  }();
  return kRegistry;
}

}  // namespace jg::hw
