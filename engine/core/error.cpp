#include "engine/core/error.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace jg::core {

std::string SourceLoc::str() const {
  std::string s = file.empty() ? "<input>" : file;
  // Appended piecewise: GCC 12 raises a false -Wrestrict on ":" + std::to_string(...).
  if (line > 0) {
    s.append(":").append(std::to_string(line));
    if (column > 0) s.append(":").append(std::to_string(column));
  }
  return s;
}

SourceLoc SourceLoc::at_byte(const std::string& file, const std::string& text, std::size_t at) {
  at = std::min(at, text.size());
  // Past a final newline there is no line: point at the end of the last one.
  while (at > 0 && at == text.size() && (text[at - 1] == '\n' || text[at - 1] == '\r')) --at;
  const std::size_t line_start = at == 0 ? 0 : text.rfind('\n', at - 1) + 1;  // npos + 1 == 0
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string::npos) line_end = text.size();
  std::string line_text = text.substr(line_start, line_end - line_start);
  if (!line_text.empty() && line_text.back() == '\r') line_text.pop_back();
  const auto clamp = [](std::size_t v) {
    return static_cast<std::uint32_t>(std::min<std::size_t>(v, std::numeric_limits<std::uint32_t>::max()));
  };
  const auto newlines =
      static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  return {file, clamp(1 + newlines), clamp(at - line_start + 1), line_text.size() <= 400 ? line_text : std::string()};
}

std::string json_parse_message(const std::string& what) {
  const std::size_t at = what.find("parse error");
  const std::size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

std::string format_config_error(const ConfigError::Detail& d) {
  std::string msg = "error: " + d.loc.str() + ":";
  if (!d.key_path.empty()) msg += " key '" + d.key_path + "':";
  msg += "\n";
  if (!d.loc.line_text.empty() && d.loc.line > 0) {
    std::string lineno = std::to_string(d.loc.line);
    msg += "  " + lineno + " | " + d.loc.line_text + "\n";
    if (d.loc.column > 0)
      msg += "  " + std::string(lineno.size(), ' ') + " | " + std::string(d.loc.column - 1, ' ') + "^\n";
  }
  if (!d.expected.empty()) msg += "  expected: " + d.expected + "\n";
  if (!d.found.empty()) msg += "  found:    " + d.found + "\n";
  if (!d.hint.empty()) msg += "  hint:     " + d.hint + "\n";
  return msg;
}

ConfigError::ConfigError(Detail d) : std::runtime_error(format_config_error(d)), m_detail(std::move(d)) {}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t n) {
  const std::string want = to_lower(name);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) scored.emplace_back(edit_distance(want, to_lower(c)), c);
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored) {
    if (out.size() == n) break;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

}  // namespace jg::core
