// CSV for the calibration readers: field splitting (RFC 4180 quotes, CRLF), numbers, and whole
// tables with located errors. One implementation for the trace readers and the tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jg::calib::csv {

/// Without leading and trailing blanks (space, tab, CR, LF).
std::string_view trim(std::string_view s);
/// A finite decimal number filling the whole text (blanks around it and a leading '+' allowed).
std::optional<double> to_number(std::string_view s);
/// Splits one CSV line into fields (RFC 4180: a quoted field may hold commas, "" is a quote);
/// unquoted fields are trimmed. `cols` receives each field's 1-based column. Returns the column
/// of an unterminated quote, or 0.
std::uint32_t split_csv(std::string_view line, std::vector<std::string>& cells, std::vector<std::uint32_t>& cols);

/// A CSV file with a header row, held whole (published tables: kilobytes).
struct Table {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint32_t> lines;                                     ///< source line of each row
  [[nodiscard]] std::size_t column(const std::string& name) const;      ///< ConfigError listing the header
  [[nodiscard]] double number(std::size_t row, std::size_t col) const;  ///< ConfigError with line and column name
  [[nodiscard]] const std::string& text(std::size_t row, std::size_t col) const { return rows[row][col]; }
};
/// ConfigError for a missing or empty file, an unterminated quote, or a row whose cell count
/// differs from the header's.
Table read_table(const std::string& path);

}  // namespace jg::calib::csv
