// The configuration tree (DESIGN.md §2): TOML is parsed once, in config.cpp (the only file that
// includes toml11), into ConfigNode, which keeps each value's file position and key path so that
// every later check can report file:line:column and the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/core/quantity.hpp"

namespace jg::core {

class ConfigNode {
 public:
  enum class Kind { Table, Array, String, Integer, Float, Bool };

  ConfigNode() = default;
  ConfigNode(Kind k, SourceLoc loc, std::string path) : m_kind(k), m_loc(std::move(loc)), m_path(std::move(path)) {}

  [[nodiscard]] Kind kind() const { return m_kind; }
  [[nodiscard]] const SourceLoc& loc() const { return m_loc; }
  /// Dotted key path from the document root, arrays indexed: "stage[1].op[0].m".
  [[nodiscard]] const std::string& path() const { return m_path; }
  /// Last path component ("m" for "stage[1].op[0].m").
  [[nodiscard]] std::string key() const;

  [[nodiscard]] bool is_table() const { return m_kind == Kind::Table; }
  [[nodiscard]] bool is_array() const { return m_kind == Kind::Array; }
  [[nodiscard]] bool is_string() const { return m_kind == Kind::String; }
  [[nodiscard]] bool is_number() const { return m_kind == Kind::Integer || m_kind == Kind::Float; }

  // Table access. Entries are kept in file order.
  [[nodiscard]] const ConfigNode* find(std::string_view key) const;
  [[nodiscard]] const ConfigNode& at(std::string_view key) const;  ///< ConfigError if missing
  [[nodiscard]] const std::vector<std::pair<std::string, ConfigNode>>& entries() const;
  ConfigNode& set(const std::string& key, ConfigNode value);  ///< insert or replace
  [[nodiscard]] ConfigNode* find_mut(std::string_view key);
  void erase(std::string_view key);  ///< no-op if absent
  /// Deep merge: tables merge key by key (recursively), anything else in `overlay` replaces
  /// what is here (arrays are replaced whole). Used for `extends` and `from`.
  void merge(const ConfigNode& overlay);
  // Array access.
  [[nodiscard]] const std::vector<ConfigNode>& items() const;
  void push(ConfigNode value);

  // Typed reads; each throws ConfigError naming this node when the type is wrong.
  [[nodiscard]] const std::string& as_string() const;
  [[nodiscard]] std::int64_t as_int() const;
  [[nodiscard]] double as_number() const;  ///< integer or float
  [[nodiscard]] bool as_bool() const;
  [[nodiscard]] ParsedQuantity as_quantity(const Dim& expected) const;
  template <class Q>
  [[nodiscard]] Q as() const {
    return Q(as_quantity(Q::dim()).si);
  }

  /// Throws ConfigError at this node.
  [[noreturn]] void fail(const std::string& expected, const std::string& found, const std::string& hint = {}) const;
  /// Throws ConfigError for an unknown key whose value is this node, with the caret on the key
  /// and a "did you mean" over `valid`.
  [[noreturn]] void fail_unknown_key(const std::string& expected, const std::string& key,
                                     const std::vector<std::string>& valid) const;
  /// Throws for the first key of this table not in `valid` (fail_unknown_key, naming `expected`),
  /// or if this is not a table.
  void check_keys(const std::vector<std::string>& valid, const std::string& expected) const;
  /// Words for what this node holds: "the string \"x\"", "the integer 3", "a table".
  [[nodiscard]] std::string describe() const;

  // Scalar payloads (valid for the matching kind).
  std::string m_str;
  std::int64_t m_int = 0;
  double m_float = 0.0;
  bool m_bool = false;

 private:
  [[nodiscard]] std::string format_quantity_plain() const;
  Kind m_kind = Kind::Table;
  SourceLoc m_loc;
  std::string m_path;
  std::vector<std::pair<std::string, ConfigNode>> m_entries;
  std::vector<ConfigNode> m_items;
};

const char* kind_name(ConfigNode::Kind k);

/// Parses a TOML file. Syntax errors become ConfigError with the position.
ConfigNode parse_toml_file(const std::string& path);
/// Parses TOML text; `name` is used as the file name in messages.
ConfigNode parse_toml_text(const std::string& text, const std::string& name);

/// Applies "--set a.b.c=value": creates tables on the way, parses value as bool, integer,
/// float, or else keeps it a string. Throws ConfigError on a malformed assignment.
void apply_override(ConfigNode& root, std::string_view assignment);

/// Reads a whole file; ConfigError naming the file if it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace jg::core
