#include "calib/csv.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "engine/core/error.hpp"

namespace jg::calib::csv {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

/// A finite decimal number filling the whole text (blanks around it and a leading '+' allowed).
std::optional<double> to_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  // from_chars also reads "inf" and "nan": a trace value is finite
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// Splits one CSV line into fields (RFC 4180: a quoted field may hold commas, "" is a quote);
/// unquoted fields are trimmed. `cols` receives each field's 1-based column. Returns the column of
/// an unterminated quote, or 0.
std::uint32_t split_csv(std::string_view line, std::vector<std::string>& cells, std::vector<std::uint32_t>& cols) {
  cells.clear();
  cols.clear();
  const std::size_t n = line.size();
  std::size_t i = 0;
  while (true) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string cell;
    if (i < n && line[i] == '"') {
      const std::size_t open = i++;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell += line[i++];
      }
      if (!closed) return static_cast<std::uint32_t>(open + 1);
      while (i < n && line[i] != ',') ++i;  // blanks after the closing quote
      cols.push_back(static_cast<std::uint32_t>(open + 1));
    } else {
      std::size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = n;
      cell = std::string(trim(line.substr(i, end - i)));
      cols.push_back(static_cast<std::uint32_t>(i + 1));
      i = end;
    }
    cells.push_back(std::move(cell));
    if (i >= n) break;
    ++i;  // the comma
  }
  return 0;
}

std::size_t Table::column(const std::string& name) const {
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return c;
  std::string cols;
  for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
  throw core::ConfigError({{path, 1, 1, {}},
                           name,
                           "a column named '" + name + "'",
                           "the columns " + cols,
                           core::did_you_mean(name, header)});
}

double Table::number(std::size_t row, std::size_t col) const {
  const auto v = to_number(rows[row][col]);
  if (!v)
    throw core::ConfigError({{path, lines[row], 0, {}},
                             header[col],
                             "a number in column '" + header[col] + "'",
                             "\"" + rows[row][col] + "\"",
                             ""});
  return *v;
}

Table read_table(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::ConfigError({{path, 0, 0, {}}, "", "a readable CSV file", "no such file or no permission", ""});
  Table t;
  t.path = path;
  std::string line;
  std::vector<std::string> cells;
  std::vector<std::uint32_t> cols;
  std::uint32_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    if (const std::uint32_t open = split_csv(line, cells, cols))
      throw core::ConfigError({{path, n, open, line}, "", "a closing quote", "a quoted field that does not end", ""});
    if (t.header.empty()) {
      t.header = cells;
      continue;
    }
    if (cells.size() != t.header.size())
      throw core::ConfigError({{path, n, 1, line},
                               "",
                               std::to_string(t.header.size()) + " cells, as in the header",
                               std::to_string(cells.size()) + " cells",
                               ""});
    t.rows.push_back(cells);
    t.lines.push_back(n);
  }
  if (t.header.empty() || t.rows.empty())
    throw core::ConfigError({{path, std::max<std::uint32_t>(n, 1), 0, {}},
                             "",
                             "a header and at least one row",
                             t.header.empty() ? "an empty file" : "a header only",
                             ""});
  return t;
}

}  // namespace jg::calib::csv
