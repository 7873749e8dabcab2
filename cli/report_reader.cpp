// Reading a JSON report back (check-budget, diff). One of the few translation units that include
// nlohmann-json. Errors name the line and column of the offending value, found by a small scanner
// over the text, since the parser keeps no positions.
#include "cli/report_reader.hpp"

#include <cctype>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <variant>

#include "engine/core/error.hpp"
#include "engine/report/report.hpp"

namespace jg::cli {

namespace {

using nlohmann::json;
using Step = std::variant<std::string, std::size_t>;
using Path = std::vector<Step>;

/// Finds where the value at a key path starts in (valid) JSON text; where the path stops
/// existing, the start of the deepest container that does.
class Locator {
 public:
  explicit Locator(const std::string& text) : m_t(text) {}

  std::size_t find(const Path& path) {
    m_i = 0;
    ws();
    for (const Step& step : path) {
      const std::size_t here = m_i;
      const bool found = std::holds_alternative<std::string>(step) ? enter_key(std::get<std::string>(step))
                                                                   : enter_index(std::get<std::size_t>(step));
      if (!found) return here;
    }
    return m_i;
  }

 private:
  void ws() {
    while (m_i < m_t.size() && std::isspace(static_cast<unsigned char>(m_t[m_i]))) ++m_i;
  }
  void skip_string() {
    for (++m_i; m_i < m_t.size() && m_t[m_i] != '"'; ++m_i)
      if (m_t[m_i] == '\\') ++m_i;
    ++m_i;
  }
  void skip_value() {
    ws();
    if (m_i >= m_t.size()) return;
    if (m_t[m_i] == '"') return skip_string();
    if (m_t[m_i] == '{' || m_t[m_i] == '[') {
      int depth = 0;
      do {
        const char c = m_t[m_i];
        if (c == '"') {
          skip_string();
          continue;
        }
        depth += (c == '{' || c == '[') ? 1 : (c == '}' || c == ']') ? -1 : 0;
        ++m_i;
      } while (depth > 0 && m_i < m_t.size());
      return;
    }
    while (m_i < m_t.size() && !std::strchr(",}] \t\r\n", m_t[m_i])) ++m_i;
  }
  /// After the separator that follows a member or element; false at the container's end.
  bool next() {
    ws();
    if (m_i < m_t.size() && m_t[m_i] == ',') {
      ++m_i;
      ws();
      return true;
    }
    return false;
  }
  bool enter_key(const std::string& key) {
    if (m_i >= m_t.size() || m_t[m_i] != '{') return false;
    ++m_i;
    ws();
    while (m_i < m_t.size() && m_t[m_i] == '"') {
      const std::size_t k0 = m_i + 1;
      skip_string();
      std::string k = m_t.substr(k0, m_i - 1 - k0);
      if (k.find('\\') != std::string::npos) k = json::parse("\"" + k + "\"").get<std::string>();
      ws();
      ++m_i;  // ':'
      ws();
      if (k == key) return true;
      skip_value();
      if (!next()) break;
    }
    return false;
  }
  bool enter_index(std::size_t index) {
    if (m_i >= m_t.size() || m_t[m_i] != '[') return false;
    ++m_i;
    ws();
    for (std::size_t n = 0; m_i < m_t.size() && m_t[m_i] != ']'; ++n) {
      if (n == index) return true;
      skip_value();
      if (!next()) break;
    }
    return false;
  }
  const std::string& m_t;
  std::size_t m_i = 0;
};

std::string path_text(const Path& path) {
  std::string s;
  for (const Step& step : path) {
    if (const auto* k = std::get_if<std::string>(&step))
      s += (s.empty() ? "" : ".") + *k;
    else
      s += "[" + std::to_string(std::get<std::size_t>(step)) + "]";
  }
  return s;
}

std::string describe(const json& j) {
  if (j.is_string()) return "the string " + j.dump();
  if (j.is_number()) return "the number " + j.dump();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_null()) return "null";
  return j.is_object() ? "an object" : "an array";
}

const std::string kHint = "write reports with `joulegraph estimate --format json --out FILE`";

class Reader {
 public:
  Reader(std::string path, std::string text) : m_path(std::move(path)), m_text(std::move(text)), m_loc(m_text) {}

  [[nodiscard]] core::SourceLoc where(const Path& at) {
    return core::SourceLoc::at_byte(m_path, m_text, m_loc.find(at));
  }
  [[noreturn]] void fail(const Path& at, const std::string& expected, const std::string& found) {
    throw core::ConfigError(
        {core::SourceLoc::at_byte(m_path, m_text, m_loc.find(at)), path_text(at), expected, found, kHint});
  }
  const json& member(const json& obj, const Path& at, const std::string& key, json::value_t type) {
    Path p = at;
    p.emplace_back(key);
    const auto it = obj.find(key);
    if (it == obj.end()) fail(p, std::string("a key '") + key + "'", "it is missing");
    const bool ok = type == json::value_t::number_float ? it->is_number() : it->type() == type;
    if (!ok) fail(p, std::string("a JSON ") + json(type).type_name(), describe(*it));
    return *it;
  }
  double number(const json& obj, const Path& at, const std::string& key) {
    return member(obj, at, key, json::value_t::number_float).get<double>();
  }
  std::optional<double> optional_number(const json& obj, const Path& at, const std::string& key) {
    if (!obj.contains(key)) return std::nullopt;
    return number(obj, at, key);
  }
  std::string string(const json& obj, const Path& at, const std::string& key) {
    return member(obj, at, key, json::value_t::string).get<std::string>();
  }
  const json& object(const json& obj, const Path& at, const std::string& key) {
    return member(obj, at, key, json::value_t::object);
  }
  const json& array(const json& obj, const Path& at, const std::string& key) {
    return member(obj, at, key, json::value_t::array);
  }
  /// Energy at the report's boundary, time and carbon of `totals` or a stage.
  RunFigures figures(const json& obj, const Path& at, const std::string& boundary) {
    RunFigures f;
    Path b = at;
    b.emplace_back("boundaries");
    f.energy_j = number(object(obj, at, "boundaries"), b, boundary + "_j");
    f.time_s = number(obj, at, "time_s");
    f.co2e_g = optional_number(obj, at, "co2e_g");
    f.co2e_embodied_g = optional_number(obj, at, "co2e_embodied_g");
    return f;
  }

 private:
  std::string m_path, m_text;
  Locator m_loc;
};

}  // namespace

ReportData read_report(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw core::ConfigError({{path, 0, 0, {}}, "", "a JSON report file", "no such file", kHint});
  std::string text = core::read_text_file(path);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw core::ConfigError(
        {core::SourceLoc::at_byte(path, text, e.byte > 0 ? e.byte - 1 : 0), "", "a joulegraph JSON report",
         text.find_first_not_of(" \t\r\n") == std::string::npos ? "an empty file" : core::json_parse_message(e.what()),
         kHint});
  }
  Reader r(path, std::move(text));
  if (!doc.is_object()) r.fail({}, "a JSON object (a joulegraph report)", describe(doc));
  const double version = r.number(doc, {}, "schema_version");
  if (version != report::kSchemaVersion)
    r.fail({"schema_version"}, "schema_version " + std::to_string(report::kSchemaVersion),
           describe(doc["schema_version"]));
  ReportData d;
  d.path = path;
  d.platform = r.string(doc, {}, "platform");
  d.workload = r.string(doc, {}, "workload");
  d.boundary = r.string(doc, {}, "boundary");
  d.boundary_loc = r.where({"boundary"});
  if (d.boundary != "device" && d.boundary != "node" && d.boundary != "wall" && d.boundary != "facility")
    r.fail({"boundary"}, "one of device, node, wall, facility", describe(doc["boundary"]));
  d.total = r.figures(r.object(doc, {}, "totals"), {"totals"}, d.boundary);
  const json& stages = r.array(doc, {}, "stages");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Path at{"stages", i};
    const json& s = stages[i];
    if (!s.is_object()) r.fail(at, "a stage object", describe(s));
    ReportData::Stage st;
    st.name = r.string(s, at, "name");
    st.kind = r.string(s, at, "kind");
    st.figures = r.figures(s, at, d.boundary);
    Path cp = at;
    cp.emplace_back("components");
    for (const auto& [id, c] : r.object(s, at, "components").items()) {
      Path p = cp;
      p.emplace_back(id);
      if (!c.is_object()) r.fail(p, "an object with energy_j", describe(c));
      st.components.push_back({id, r.number(c, p, "energy_j"), 0});
    }
    Path op = at;
    op.emplace_back("ops");
    const json& ops = r.array(s, at, "ops");
    for (std::size_t k = 0; k < ops.size(); ++k) {
      Path p = op;
      p.emplace_back(k);
      if (!ops[k].is_object()) r.fail(p, "an op object", describe(ops[k]));
      st.ops.push_back({r.string(ops[k], p, "name"), r.number(ops[k], p, "energy_j"), r.number(ops[k], p, "time_s")});
    }
    d.stages.push_back(std::move(st));
  }
  return d;
}

}  // namespace jg::cli
