#include "engine/core/params.hpp"

#include <cmath>
#include <sstream>

namespace jg::core {

ParamSpec quantity_param(std::string name, Dim dim, std::string default_text, std::string doc, std::string source) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Quantity;
  s.dim = dim;
  s.default_text = std::move(default_text);
  s.min_si = 0.0;
  s.doc = std::move(doc);
  s.source = std::move(source);
  return s;
}

ParamSpec required_quantity(std::string name, Dim dim, std::string doc) {
  ParamSpec s = quantity_param(std::move(name), dim, "", std::move(doc));
  s.required = true;
  return s;
}

ParamSpec number_param(std::string name, std::string default_text, double min, double max, std::string doc,
                       std::string source) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Number;
  s.default_text = std::move(default_text);
  s.min_si = min;
  s.max_si = max;
  s.doc = std::move(doc);
  s.source = std::move(source);
  return s;
}

ParamSpec integer_param(std::string name, std::string default_text, double min, double max, std::string doc) {
  ParamSpec s = number_param(std::move(name), std::move(default_text), min, max, std::move(doc));
  s.type = ParamType::Integer;
  return s;
}

ParamSpec choice_param(std::string name, std::vector<std::string> choices, std::string default_text, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::String;
  s.choices = std::move(choices);
  s.default_text = std::move(default_text);
  s.doc = std::move(doc);
  return s;
}

double ParamValues::si(const std::string& name) const {
  auto it = m_num.find(name);
  JG_ASSERT(it != m_num.end(), "parameter '" + name + "' read but not declared or not set");
  return it->second;
}
std::int64_t ParamValues::integer(const std::string& name) const { return static_cast<std::int64_t>(si(name)); }
const std::string& ParamValues::str(const std::string& name) const {
  auto it = m_str.find(name);
  JG_ASSERT(it != m_str.end(), "string parameter '" + name + "' read but not set");
  return it->second;
}
bool ParamValues::flag(const std::string& name) const { return si(name) != 0.0; }
bool ParamValues::has(const std::string& name) const {
  return m_num.count(name) || m_str.count(name) || m_tables.count(name);
}
const std::vector<std::pair<std::string, ParamValues>>& ParamValues::children(const std::string& name) const {
  static const std::vector<std::pair<std::string, ParamValues>> kEmpty;
  auto it = m_tables.find(name);
  return it == m_tables.end() ? kEmpty : it->second;
}
const SourceLoc* ParamValues::loc(const std::string& name) const {
  auto it = m_locs.find(name);
  return it == m_locs.end() ? nullptr : &it->second;
}

bool is_citation_key(const std::string& key) { return key == "source" || key == "sources"; }

namespace {

std::string range_text(const ParamSpec& s) {
  auto fmt = [&](double v) {
    if (s.type == ParamType::Quantity) return format_quantity(v, s.dim);
    std::ostringstream os;
    os << v;
    return os.str();
  };
  bool lo = std::isfinite(s.min_si), hi = std::isfinite(s.max_si);
  if (lo && hi) return "between " + fmt(s.min_si) + " and " + fmt(s.max_si);
  if (lo) return (s.min_exclusive ? "greater than " : "at least ") + fmt(s.min_si);
  if (hi) return "at most " + fmt(s.max_si);
  return "";
}

void check_range(const ParamSpec& s, double v, const ConfigNode& node) {
  bool below = s.min_exclusive ? !(v > s.min_si) : v < s.min_si;
  if (below || v > s.max_si) {
    std::string what = s.type == ParamType::Quantity ? core::with_article(dim_noun(s.dim)) : std::string("a number");
    node.fail(what + " " + range_text(s), node.describe());
  }
}

void store_default(ParamValues& out, const ParamSpec& s) {
  if (s.default_text.empty()) return;
  switch (s.type) {
    case ParamType::Quantity:
      out.m_num[s.name] = parse_quantity(s.default_text).si;
      break;
    case ParamType::Integer:
    case ParamType::Number:
      out.m_num[s.name] = std::stod(s.default_text);
      break;
    case ParamType::Bool:
      out.m_num[s.name] = s.default_text == "true" ? 1.0 : 0.0;
      break;
    case ParamType::String:
      out.m_str[s.name] = s.default_text;
      break;
    case ParamType::TableOf:
      break;
  }
}

}  // namespace

ParamValues read_params(const ConfigNode& table, const std::vector<ParamSpec>& specs,
                        const std::vector<std::string>& extra_keys) {
  if (!table.is_table()) table.fail("a table", table.describe());
  ParamValues out;
  std::vector<std::string> names;
  for (const auto& s : specs) names.push_back(s.name);
  for (const auto& [key, node] : table.entries()) {
    if (is_citation_key(key)) {
      if (key == "source" && !node.is_string()) node.fail("a citation string", node.describe());
      continue;
    }
    bool known = false;
    for (const auto& s : specs) known = known || s.name == key;
    for (const auto& e : extra_keys) known = known || e == key;
    if (!known) {
      std::vector<std::string> all = names;
      all.insert(all.end(), extra_keys.begin(), extra_keys.end());
      node.fail_unknown_key("one of the keys this table accepts", key, all);
    }
  }
  for (const auto& s : specs) {
    const ConfigNode* node = table.find(s.name);
    if (!node) {
      if (s.required)
        throw ConfigError({table.loc(), table.path().empty() ? s.name : table.path() + "." + s.name,
                           "required key '" + s.name + "' (" + s.doc + ")", "it is missing",
                           s.type == ParamType::Quantity ? "e.g. " + s.name + " = " + example_for(s.dim) : ""});
      store_default(out, s);
      continue;
    }
    out.m_locs[s.name] = node->loc();
    switch (s.type) {
      case ParamType::Quantity: {
        double v = node->as_quantity(s.dim).si;
        check_range(s, v, *node);
        out.m_num[s.name] = v;
        break;
      }
      case ParamType::Integer: {
        double v = static_cast<double>(node->as_int());
        check_range(s, v, *node);
        out.m_num[s.name] = v;
        break;
      }
      case ParamType::Number: {
        double v = node->as_number();
        check_range(s, v, *node);
        out.m_num[s.name] = v;
        break;
      }
      case ParamType::Bool:
        out.m_num[s.name] = node->as_bool() ? 1.0 : 0.0;
        break;
      case ParamType::String: {
        const std::string& v = node->as_string();
        if (!s.choices.empty()) {
          bool ok = false;
          for (const auto& c : s.choices) ok = ok || c == v;
          if (!ok) node->fail("one of the allowed values", node->describe(), did_you_mean(v, s.choices));
        }
        out.m_str[s.name] = v;
        break;
      }
      case ParamType::TableOf: {
        auto& kids = out.m_tables[s.name];
        for (const auto& [ck, cn] : node->entries()) {
          if (is_citation_key(ck)) continue;
          if (!s.choices.empty()) {
            bool ok = false;
            for (const auto& c : s.choices) ok = ok || c == ck;
            if (!ok) cn.fail("one of the allowed names", "unknown name '" + ck + "'", did_you_mean(ck, s.choices));
          }
          kids.emplace_back(ck, read_params(cn, s.sub));
        }
        break;
      }
    }
  }
  return out;
}

ParamValues defaults_of(const std::vector<ParamSpec>& specs) {
  ParamValues out;
  for (const auto& s : specs) store_default(out, s);
  return out;
}

std::string describe_params(const std::vector<ParamSpec>& specs, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out;
  for (const auto& s : specs) {
    std::string type;
    switch (s.type) {
      case ParamType::Quantity:
        type = dim_noun(s.dim) + " [" + dim_name(s.dim) + "]";
        break;
      case ParamType::Integer:
        type = "integer";
        break;
      case ParamType::Number:
        type = "number";
        break;
      case ParamType::Bool:
        type = "true|false";
        break;
      case ParamType::String:
        type = "string";
        break;
      case ParamType::TableOf:
        type = "table of tables";
        break;
    }
    out += pad + s.name + " : " + type;
    if (s.required)
      out += ", required";
    else if (!s.default_text.empty())
      out += ", default " + s.default_text;
    std::string r = range_text(s);
    if (!r.empty() && s.type != ParamType::Quantity) out += ", " + r;
    if (!s.choices.empty()) {
      out += ", one of:";
      for (const auto& c : s.choices) out += " " + c;
    }
    out += "\n" + pad + "    " + s.doc + "\n";
    if (!s.source.empty()) out += pad + "    source: " + s.source + "\n";
    if (s.type == ParamType::TableOf) out += describe_params(s.sub, indent + 4);
  }
  return out;
}

}  // namespace jg::core
