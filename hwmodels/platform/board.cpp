// board.static: what a device draws besides its modelled parts (voltage regulators, fans,
// uncore, board logic): a static power while busy and an idle power.
#include "engine/core/component.hpp"
#include "hwmodels/models.hpp"

namespace jg::hw {

using namespace jg::core;
namespace {

class Board final : public ComponentModel {
 public:
  explicit Board(const ParamValues& p) {
    m_static = p.get<Power>("static_power");
    m_idle = p.has("idle_power") ? p.get<Power>("idle_power") : m_static;
  }
  std::string_view kind() const override { return "board.static"; }
  Role role() const override { return Role::kBoard; }
};

}  // namespace

core::ModelInfo board_info() {
  return {"board.static",
          Role::kBoard,
          "rest of a device (regulators, fans, uncore): static power while busy, idle power otherwise",
          {quantity_param("static_power", dims::kPower, "0 W", "power while the device is busy"),
           quantity_param("idle_power", dims::kPower, "", "power while idle (default: static_power)")},
          "model = \"board.static\"\nstatic_power = \"30 W\"\nidle_power = \"25 W\"\n",
          [](const ParamValues& p) { return std::make_unique<Board>(p); }};
}

}  // namespace jg::hw
