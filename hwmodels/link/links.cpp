// link.pcie and link.nvlink: point-to-point links between devices; link.network: a device's
// ports to other nodes. Time for a transfer of n
// bytes is n / (B · efficiency) with B the one-direction bandwidth; energy n·8·e_bit plus
// static power while a transfer is in flight and idle power otherwise.
#include "engine/core/quantity.hpp"
#include "hwmodels/memory_model.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {

using namespace jg::core;
namespace {

// Usable bytes per second per lane and direction after line encoding:
// gen1 2.5 GT/s 8b/10b, gen2 5 GT/s 8b/10b, gen3 8 GT/s 128b/130b, gen4 16 GT/s, gen5 32 GT/s
// (128b/130b), gen6 64 GT/s PAM4 with 242/256 FLIT efficiency.
// Source: PCI Express Base Specification revisions 1.0a-6.0 (signalling rates and encodings).
constexpr double kPcieLaneBytesPerS[] = {
    0.0, 0.25e9, 0.5e9, 8e9 / 8 * 128 / 130, 16e9 / 8 * 128 / 130, 32e9 / 8 * 128 / 130, 64e9 / 8 * 242 / 256};

// One-direction bandwidth per NVLink link, by generation: NVLink1 (P100) 20 GB/s, NVLink2
// (V100) 25 GB/s, NVLink3 (A100) 25 GB/s, NVLink4 (H100) 25 GB/s, NVLink5 (B200) 50 GB/s.
// Source: NVIDIA P100, V100, A100, H100 and Blackwell architecture whitepapers (aggregate
// 160/300/600/900/1800 GB/s over 4/6/12/18/18 links, both directions).
constexpr double kNvlinkBytesPerS[] = {0.0, 20e9, 25e9, 25e9, 25e9, 50e9};

std::vector<ParamSpec> common(const char* e_default, const char* e_source) {
  return {quantity_param("e_bit", dims::kEnergyPerBit, e_default, "energy per bit transferred", e_source),
          number_param("efficiency", "0.8", 0.01, 1.0, "achieved / raw bandwidth (protocol overhead)",
                       "assumption: TLP/DLLP overheads leave ~80% of the raw rate for large DMA; calibrate"),
          quantity_param("static_power", dims::kPower, "0 W", "power while a transfer is in flight"),
          quantity_param("idle_power", dims::kPower, "", "power while idle (default: static_power)")};
}

}  // namespace

core::ModelInfo pcie_info() {
  auto params = common("5 pJ/b",
                       "assumption: typical 16-32 GT/s SerDes figure (4-6 pJ/b); no citable value in "
                       "../shared/data/groundtruth/constants; calibrate");
  params.insert(params.begin(), {integer_param("gen", "4", 1, 6, "PCIe generation (1-6)"),
                                 integer_param("lanes", "16", 1, 32, "lane count (x1 ... x16)")});
  return {"link.pcie",
          Role::kLink,
          "PCI Express link: generation and lanes set the bandwidth",
          params,
          "model = \"link.pcie\"\ngen = 4\nlanes = 16\nconnects = [\"cpu\", \"gpu\"]\n",
          [](const ParamValues& p) {
            double bw = kPcieLaneBytesPerS[p.integer("gen")] * static_cast<double>(p.integer("lanes"));
            return std::make_unique<TransferModel>("link.pcie", Role::kLink, bw, p, "e_bit", "transfer_bit");
          }};
}

core::ModelInfo nvlink_info() {
  auto params = common("1.3 pJ/b",
                       "assumption: ground-referenced signalling ~1.2-1.3 pJ/b reported for NVIDIA "
                       "short-reach links; not in ../shared/data/groundtruth/constants; calibrate");
  params.insert(params.begin(), {integer_param("version", "4", 1, 5, "NVLink generation (1-5)"),
                                 integer_param("links", "18", 1, 72, "links between the two endpoints")});
  return {"link.nvlink",
          Role::kLink,
          "NVLink: generation and link count set the bandwidth",
          params,
          "model = \"link.nvlink\"\nversion = 3\nlinks = 12\nconnects = [\"gpu0\", \"gpu1\"]\n",
          [](const ParamValues& p) {
            double bw = kNvlinkBytesPerS[p.integer("version")] * static_cast<double>(p.integer("links"));
            return std::make_unique<TransferModel>("link.nvlink", Role::kLink, bw, p, "e_bit", "transfer_bit");
          }};
}

core::ModelInfo network_info() {
  auto params = common("60 pJ/b",
                       "assumption: per bit sent to another node, two adapter traversals (send, receive) at "
                       "~15 pJ/b each (the traffic-dependent share of a ~20-25 W 400 Gb/s adapter; the "
                       "adapters' standing power is a node part) plus one switch hop at ~30 pJ/b (a 64-port "
                       "400 Gb/s switch at ~750 W over 25.6 Tb/s); not in ../shared/data/groundtruth/constants; "
                       "calibrate");
  params[1] = number_param("efficiency", "0.9", 0.01, 1.0, "achieved / line rate for large messages",
                           "assumption: RDMA collectives reach ~90 % of the line rate on large messages "
                           "(InfiniBand/RoCE, 64b/66b encoding included in the line rate); calibrate");
  params.insert(params.begin(),
                required_quantity("bandwidth", dims::kBandwidth, "line rate of one port, one direction"));
  return {"link.network",
          Role::kLink,
          "network port to other nodes (InfiniBand, RoCE, Ethernet): carries the inter-node part of collectives",
          params,
          "model = \"link.network\"\nbandwidth = \"400 Gb/s\"\nconnects = [\"gpu\"]\n",
          [](const ParamValues& p) {
            return std::make_unique<TransferModel>("link.network", Role::kLink, p.si("bandwidth") / kBitsPerByte, p,
                                                   "e_bit", "transfer_bit", true);
          }};
}

core::ModelInfo ssd_info() {
  return {"storage.ssd",
          Role::kStorage,
          "solid-state drive: read bandwidth, energy per bit read, active and idle power",
          {required_quantity("bandwidth", dims::kBandwidth, "sequential read bandwidth"),
           quantity_param("e_read", dims::kEnergyPerBit, "0 pJ/b", "energy per bit read beyond static power"),
           number_param("efficiency", "0.9", 0.01, 1.0, "achieved / rated sequential bandwidth",
                        "assumption: large sequential reads; calibrate"),
           quantity_param("static_power", dims::kPower, "0 W", "power while reading"),
           quantity_param("idle_power", dims::kPower, "", "power while idle (default: static_power)")},
          "model = \"storage.ssd\"\nbandwidth = \"7 GB/s\"\ne_read = \"50 pJ/b\"\nattached_to = \"cpu\"\n",
          [](const ParamValues& p) {
            return std::make_unique<TransferModel>("storage.ssd", Role::kStorage, p.si("bandwidth") / kBitsPerByte, p,
                                                   "e_read", "read_bit");
          }};
}

}  // namespace jg::hw
