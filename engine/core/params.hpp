// Parameter specs (DESIGN.md §3): each model declares its parameters once; the same list
// validates input (unknown keys get "did you mean"), fills defaults, and prints
// `joulegraph describe`.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/config.hpp"
#include "engine/core/units.hpp"

namespace jg::core {

enum class ParamType { Quantity, Integer, Number, String, Bool, TableOf };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Quantity;
  Dim dim{};  ///< for Quantity
  bool required = false;
  std::string default_text;  ///< default as a user would write it ("1.41 GHz", "16", "fp16"); empty: none
  double min_si = -std::numeric_limits<double>::infinity();  ///< inclusive bounds, SI (numbers, quantities)
  double max_si = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;        ///< true: value must be > min_si
  std::vector<std::string> choices;  ///< String: allowed values; TableOf: allowed child keys (empty: any)
  std::vector<ParamSpec> sub;        ///< TableOf: the spec of each child table
  std::string doc;                   ///< one line, with the equation or meaning
  std::string source;                ///< citation of the default, or "assumption: ..."
};

/// Builders that keep declarations one line each.
ParamSpec quantity_param(std::string name, Dim dim, std::string default_text, std::string doc, std::string source = {});
ParamSpec required_quantity(std::string name, Dim dim, std::string doc);
ParamSpec number_param(std::string name, std::string default_text, double min, double max, std::string doc,
                       std::string source = {});
ParamSpec integer_param(std::string name, std::string default_text, double min, double max, std::string doc);
ParamSpec choice_param(std::string name, std::vector<std::string> choices, std::string default_text, std::string doc);

/// Validated values of one table. Quantities and numbers are stored in SI.
class ParamValues {
 public:
  [[nodiscard]] double si(const std::string& name) const;
  [[nodiscard]] std::int64_t integer(const std::string& name) const;
  [[nodiscard]] const std::string& str(const std::string& name) const;
  [[nodiscard]] bool flag(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& name) const;
  template <class Q>
  [[nodiscard]] Q get(const std::string& name) const {
    return Q(si(name));
  }
  /// Children of a TableOf parameter, in file order.
  [[nodiscard]] const std::vector<std::pair<std::string, ParamValues>>& children(const std::string& name) const;
  /// Where a value came from (file position or "default").
  [[nodiscard]] const SourceLoc* loc(const std::string& name) const;

  std::map<std::string, double> m_num;
  std::map<std::string, std::string> m_str;
  std::map<std::string, std::vector<std::pair<std::string, ParamValues>>> m_tables;
  std::map<std::string, SourceLoc> m_locs;
};

/// Keys accepted everywhere for citations: `source` (string) and `sources` (table of strings).
bool is_citation_key(const std::string& key);

/// Reads `table` against `specs`: unknown keys (besides citation keys and `extra_keys`) are
/// errors with a "did you mean"; required keys must be present; types, units, ranges and
/// choices are checked. Throws ConfigError.
ParamValues read_params(const ConfigNode& table, const std::vector<ParamSpec>& specs,
                        const std::vector<std::string>& extra_keys = {});

/// Fills a ParamValues from defaults only (for built-in construction in tests and benches).
ParamValues defaults_of(const std::vector<ParamSpec>& specs);

/// Text block describing the specs: name, type/unit, default, range, doc, source.
std::string describe_params(const std::vector<ParamSpec>& specs, int indent = 2);

}  // namespace jg::core
