// The one translation unit that includes toml11.
#include "engine/core/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <toml.hpp>

namespace jg::core {

namespace {
// The unit a bare number most likely meant, for the hint of a missing unit.
std::string likely_unit(const Dim& d, double v) {
  const double a = std::fabs(v);
  if (d == dims::kFrequency) return a >= 1e5 ? "Hz" : a >= 10 ? "MHz" : "GHz";
  if (d == dims::kPower) return a < 1e-2 ? "kW" : "W";
  if (d == dims::kEnergy) return a >= 1e3 ? "J" : "pJ";
  if (d == dims::kTime) return a >= 1e3 ? "us" : "s";
  if (d == dims::kData) return a >= 1024 ? "B" : "GiB";
  if (d == dims::kBandwidth) return "GB/s";
  if (d == dims::kEnergyPerBit) return "pJ/b";
  if (d == dims::kVoltage) return a >= 10 ? "mV" : "V";
  std::string ex = example_for(d);
  std::string unit = ex.substr(ex.find(' ') + 1);
  if (!unit.empty() && unit.back() == '"') unit.pop_back();
  return unit;
}
}  // namespace

std::string ConfigNode::key() const {
  auto dot = m_path.find_last_of('.');
  return dot == std::string::npos ? m_path : m_path.substr(dot + 1);
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  if (m_kind != Kind::Table) return nullptr;
  for (const auto& [k, v] : m_entries)
    if (k == key) return &v;
  return nullptr;
}

const ConfigNode& ConfigNode::at(std::string_view key) const {
  if (m_kind != Kind::Table) fail("a table", describe());
  if (const ConfigNode* n = find(key)) return *n;
  std::vector<std::string> names;
  for (const auto& e : m_entries) names.push_back(e.first);
  throw ConfigError({m_loc, m_path.empty() ? std::string(key) : m_path + "." + std::string(key),
                     "required key '" + std::string(key) + "'", "it is missing",
                     names.empty() ? std::string() : "keys present here: " + [&] {
                       std::string s;
                       for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
                       return s;
                     }()});
}

const std::vector<std::pair<std::string, ConfigNode>>& ConfigNode::entries() const {
  if (m_kind != Kind::Table) fail("a table", describe());
  return m_entries;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value) {
  JG_ASSERT(m_kind == Kind::Table, "set on a non-table");
  for (auto& [k, v] : m_entries)
    if (k == key) return v = std::move(value);
  m_entries.emplace_back(key, std::move(value));
  return m_entries.back().second;
}

ConfigNode* ConfigNode::find_mut(std::string_view key) {
  if (m_kind != Kind::Table) return nullptr;
  for (auto& [k, v] : m_entries)
    if (k == key) return &v;
  return nullptr;
}

void ConfigNode::erase(std::string_view key) {
  if (m_kind != Kind::Table) return;
  std::erase_if(m_entries, [&](const auto& e) { return e.first == key; });
}

void ConfigNode::merge(const ConfigNode& overlay) {
  JG_ASSERT(m_kind == Kind::Table && overlay.m_kind == Kind::Table, "merge of non-tables");
  for (const auto& [k, v] : overlay.m_entries) {
    ConfigNode* here = find_mut(k);
    if (here && here->is_table() && v.is_table())
      here->merge(v);
    else
      set(k, v);
  }
}

const std::vector<ConfigNode>& ConfigNode::items() const {
  if (m_kind != Kind::Array) fail("an array", describe());
  return m_items;
}

void ConfigNode::push(ConfigNode value) {
  JG_ASSERT(m_kind == Kind::Array, "push on a non-array");
  m_items.push_back(std::move(value));
}

const std::string& ConfigNode::as_string() const {
  if (m_kind != Kind::String) fail("a string", describe());
  return m_str;
}

std::int64_t ConfigNode::as_int() const {
  if (m_kind == Kind::Integer) return m_int;
  if (m_kind == Kind::Float && m_float == std::floor(m_float) && std::fabs(m_float) < 9e15)
    return static_cast<std::int64_t>(m_float);
  fail("an integer", describe());
}

double ConfigNode::as_number() const {
  if (m_kind == Kind::Integer) return static_cast<double>(m_int);
  if (m_kind == Kind::Float) return m_float;
  fail("a number", describe());
}

bool ConfigNode::as_bool() const {
  if (m_kind != Kind::Bool) fail("true or false", describe());
  return m_bool;
}

ParsedQuantity ConfigNode::as_quantity(const Dim& expected) const {
  const std::string want = with_article(dim_noun(expected)) + " such as " + example_for(expected);
  if (is_number()) {
    if (expected == dims::kNone) return {as_number(), dims::kNone};
    fail(want, describe() + " (a bare number has no unit)",
         "write the unit in a string, e.g. \"" + format_quantity_plain() + " " + likely_unit(expected, as_number()) +
             "\"");
  }
  if (m_kind != Kind::String) fail(want, describe());
  ParsedQuantity q;
  try {
    q = parse_quantity(m_str);
  } catch (const QuantitySyntaxError& e) {
    fail(want, describe(), e.what());
  }
  if (!(q.dim == expected))
    fail(want, describe() + ", a " + dim_noun(q.dim),
         "the unit must measure " + dim_noun(expected) + " (" + dim_name(expected) + ")");
  return q;
}

std::string ConfigNode::format_quantity_plain() const {
  std::ostringstream os;
  os << (m_kind == Kind::Integer ? static_cast<double>(m_int) : m_float);
  return os.str();
}

void ConfigNode::fail(const std::string& expected, const std::string& found, const std::string& hint) const {
  throw ConfigError({m_loc, m_path, expected, found, hint});
}

void ConfigNode::check_keys(const std::vector<std::string>& valid, const std::string& expected) const {
  if (!is_table()) fail("a table of " + expected, describe());
  for (const auto& [k, v] : entries())
    if (std::find(valid.begin(), valid.end(), k) == valid.end()) v.fail_unknown_key(expected, k, valid);
}

void ConfigNode::fail_unknown_key(const std::string& expected, const std::string& key,
                                  const std::vector<std::string>& valid) const {
  SourceLoc at = m_loc;
  // toml11 locates values; move the caret back to the key when the key is on the same line.
  const std::size_t before = at.column > 0 ? at.column - 1 : at.line_text.size();
  const std::size_t k = at.line_text.rfind(key, before);
  if (k != std::string::npos) at.column = static_cast<std::uint32_t>(k + 1);
  throw ConfigError({at, m_path, expected, "unknown key '" + key + "'", did_you_mean(key, valid)});
}

const char* kind_name(ConfigNode::Kind k) {
  switch (k) {
    case ConfigNode::Kind::Table:
      return "a table";
    case ConfigNode::Kind::Array:
      return "an array";
    case ConfigNode::Kind::String:
      return "a string";
    case ConfigNode::Kind::Integer:
      return "an integer";
    case ConfigNode::Kind::Float:
      return "a float";
    case ConfigNode::Kind::Bool:
      return "a boolean";
  }
  return "?";
}

std::string ConfigNode::describe() const {
  switch (m_kind) {
    case Kind::String:
      return "the string \"" + m_str + "\"";
    case Kind::Integer:
      return "the integer " + std::to_string(m_int);
    case Kind::Float:
      return "the number " + format_quantity_plain();
    case Kind::Bool:
      return m_bool ? "true" : "false";
    default:
      return kind_name(m_kind);
  }
}

namespace {

using TomlValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

SourceLoc to_loc(const toml::source_location& l, const std::string& file) {
  return SourceLoc{file, static_cast<std::uint32_t>(l.line()), static_cast<std::uint32_t>(l.column()), l.line_str()};
}

ConfigNode convert(const TomlValue& v, const std::string& file, const std::string& path) {
  SourceLoc loc = to_loc(v.location(), file);
  switch (v.type()) {
    case toml::value_t::boolean: {
      ConfigNode n(ConfigNode::Kind::Bool, loc, path);
      n.m_bool = v.as_boolean();
      return n;
    }
    case toml::value_t::integer: {
      ConfigNode n(ConfigNode::Kind::Integer, loc, path);
      n.m_int = v.as_integer();
      return n;
    }
    case toml::value_t::floating: {
      ConfigNode n(ConfigNode::Kind::Float, loc, path);
      n.m_float = v.as_floating();
      return n;
    }
    case toml::value_t::string: {
      ConfigNode n(ConfigNode::Kind::String, loc, path);
      n.m_str = v.as_string().str;
      return n;
    }
    case toml::value_t::offset_datetime:
    case toml::value_t::local_datetime:
    case toml::value_t::local_date:
    case toml::value_t::local_time: {
      ConfigNode n(ConfigNode::Kind::String, loc, path);
      std::ostringstream os;
      os << v;
      n.m_str = os.str();
      return n;
    }
    case toml::value_t::array: {
      ConfigNode n(ConfigNode::Kind::Array, loc, path);
      std::size_t i = 0;
      for (const auto& item : v.as_array()) n.push(convert(item, file, path + "[" + std::to_string(i++) + "]"));
      return n;
    }
    case toml::value_t::table: {
      ConfigNode n(ConfigNode::Kind::Table, loc, path);
      // toml11 keeps keys sorted; restore the order of the file from source positions.
      std::vector<std::pair<std::string, ConfigNode>> kids;
      for (const auto& [k, item] : v.as_table())
        kids.emplace_back(k, convert(item, file, path.empty() ? k : path + "." + k));
      std::stable_sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) {
        return std::pair(a.second.loc().line, a.second.loc().column) <
               std::pair(b.second.loc().line, b.second.loc().column);
      });
      for (auto& [k, item] : kids) n.set(k, std::move(item));
      return n;
    }
    case toml::value_t::empty:
      break;
  }
  return ConfigNode(ConfigNode::Kind::Table, loc, path);
}

// toml11's message starts with "[error] toml::function: what went wrong" and repeats the
// position with a caret; keep what went wrong.
std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.rfind("[error] ", 0) == 0) line = line.substr(8);
  if (line.rfind("toml::", 0) == 0 && line.find(": ") != std::string::npos) line = line.substr(line.find(": ") + 2);
  return line;
}

// The caret column toml11 drew under the offending text ("   |     ^--- ..."), 0 if none.
std::uint32_t caret_column(const std::string& s) {
  std::size_t pos = 0;
  while ((pos = s.find('\n', pos)) != std::string::npos) {
    ++pos;
    const std::size_t bar = s.find(" | ", pos);
    const std::size_t eol = s.find('\n', pos);
    if (bar == std::string::npos || (eol != std::string::npos && bar > eol)) continue;
    const std::size_t caret = s.find('^', bar);
    if (caret != std::string::npos && (eol == std::string::npos || caret < eol))
      return static_cast<std::uint32_t>(caret - (bar + 3) + 1);
  }
  return 0;
}

ConfigNode parse_stream(std::istream& is, const std::string& name) {
  try {
    TomlValue root = toml::parse<toml::discard_comments, std::map, std::vector>(is, name);
    ConfigNode n = convert(root, name, "");
    return n;
  } catch (const toml::syntax_error& e) {
    SourceLoc loc = to_loc(e.location(), name);
    if (std::uint32_t c = caret_column(e.what()); c > 0) loc.column = c;
    throw ConfigError({loc, "", "valid TOML (https://toml.io)", first_line(e.what()),
                       "check quotes, brackets and '=' at the caret; values with units are strings: "
                       "clock = \"1.41 GHz\""});
  } catch (const toml::exception& e) {
    throw ConfigError({to_loc(e.location(), name), "", "valid TOML", first_line(e.what()), ""});
  } catch (const std::runtime_error& e) {
    throw ConfigError({SourceLoc{name, 0, 0, {}}, "", "valid TOML", first_line(e.what()), ""});
  }
}

}  // namespace

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError({SourceLoc{path, 0, 0, {}}, "", "a readable file", "it cannot be opened", "check the path"});
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

ConfigNode parse_toml_file(const std::string& path) {
  std::string text = read_text_file(path);
  return parse_toml_text(text, path);
}

ConfigNode parse_toml_text(const std::string& text, const std::string& name) {
  std::istringstream is(text);
  return parse_stream(is, name);
}

void apply_override(ConfigNode& root, std::string_view assignment) {
  const SourceLoc loc{"<--set " + std::string(assignment) + ">", 0, 0, {}};
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw ConfigError({loc, "", "key=value", "'" + std::string(assignment) + "'", "e.g. --set batch=64"});
  std::string key(assignment.substr(0, eq));
  std::string value(assignment.substr(eq + 1));
  ConfigNode* node = &root;
  std::string path;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ConfigError({loc, key, "a dotted key such as devices.gpu.clock", "an empty key part", ""});
    path = path.empty() ? part : path + "." + part;
    if (dot == std::string::npos) {
      ConfigNode leaf;
      char* end = nullptr;
      long long iv = std::strtoll(value.c_str(), &end, 10);
      if (!value.empty() && *end == '\0') {
        leaf = ConfigNode(ConfigNode::Kind::Integer, loc, path);
        leaf.m_int = iv;
      } else {
        double dv = std::strtod(value.c_str(), &end);
        if (!value.empty() && *end == '\0') {
          leaf = ConfigNode(ConfigNode::Kind::Float, loc, path);
          leaf.m_float = dv;
        } else if (value == "true" || value == "false") {
          leaf = ConfigNode(ConfigNode::Kind::Bool, loc, path);
          leaf.m_bool = value == "true";
        } else {
          leaf = ConfigNode(ConfigNode::Kind::String, loc, path);
          leaf.m_str = value;
        }
      }
      node->set(part, std::move(leaf));
      return;
    }
    // "name[i]" selects the i-th table of an array of tables, e.g. devices.gpu.cache[1].capacity.
    std::size_t index = std::string::npos;
    if (auto lb = part.find('['); lb != std::string::npos && part.back() == ']') {
      char* end = nullptr;
      index = std::strtoul(part.c_str() + lb + 1, &end, 10);
      if (end != part.c_str() + part.size() - 1)
        throw ConfigError({loc, path, "an index such as cache[1]", "'" + part + "'", ""});
      part = part.substr(0, lb);
    }
    ConfigNode* next = const_cast<ConfigNode*>(node->find(part));
    if (index != std::string::npos) {
      if (!next || !next->is_array() || index >= next->items().size())
        throw ConfigError({loc, path, "an existing array element",
                           next && next->is_array()
                               ? "an array of " + std::to_string(next->items().size()) + " elements"
                               : std::string("no array named '") + part + "'",
                           ""});
      next = const_cast<ConfigNode*>(&next->items()[index]);
    }
    if (!next) next = &node->set(part, ConfigNode(ConfigNode::Kind::Table, loc, path));
    if (!next->is_table()) throw ConfigError({loc, path, "a table to set a key inside", next->describe(), ""});
    node = next;
    start = dot + 1;
  }
}

}  // namespace jg::core
