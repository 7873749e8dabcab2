// Helpers shared by the trace readers (trace_internal.hpp): errors and text, dates, lines.
//
// Times: plain numbers are seconds as given; dates ("2025/07/27 00:34:45.155",
// "2025-07-27T00:34:45Z", "11-21-2026 10:00:00") are Unix seconds, UTC unless an offset is given.
#include "calib/trace_internal.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

namespace jg::calib::detail {
namespace {

using core::ConfigError;

constexpr std::size_t kLineTextMax = 400;  // longer lines are cut in error messages

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

// Header names of a time column and of a power column (trace_internal.hpp).
const std::vector<std::string_view> kTimeNames{"timestamp", "datetime", "time", "t", "time_s", "time_seconds"};
const std::vector<std::string_view> kPowerNames{"watts", "power", "power_w", "power_watts"};

// ---------------------------------------------------------------------------------------------
// Errors and text

[[noreturn]] void fail(const std::string& path, std::uint64_t line, std::uint32_t column, std::string_view line_text,
                       const std::string& key, const std::string& expected, const std::string& found,
                       const std::string& hint) {
  core::SourceLoc loc;
  loc.file = path;
  loc.line = static_cast<std::uint32_t>(std::min<std::uint64_t>(line, std::numeric_limits<std::uint32_t>::max()));
  loc.column = column;
  if (line_text.size() <= kLineTextMax) {
    loc.line_text = std::string(line_text);
  } else {
    loc.line_text = std::string(line_text.substr(0, kLineTextMax)) + " ...";
    if (column > kLineTextMax) loc.column = 0;
  }
  throw ConfigError({loc, key, expected, found, hint});
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string in_quotes(std::string_view s) {
  constexpr std::size_t kMax = 80;
  if (s.size() > kMax) return "'" + std::string(s.substr(0, kMax)) + "...'";
  return "'" + std::string(s) + "'";
}

/// Shortest text that reads back as the same double.
std::string num(double v) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : std::to_string(v);
}

/// Four significant digits, for durations in notes (intervals of epoch times carry float noise).
std::string num4(double v) {
  std::array<char, 32> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%.4g", v);
  return std::string(buf.data(), static_cast<std::size_t>(std::max(n, 0)));
}

std::string line_str(std::uint64_t line) { return std::to_string(line); }

/// Blank-separated tokens with their 1-based columns.
void split_blanks(std::string_view line, std::vector<std::string_view>& toks, std::vector<std::uint32_t>& cols) {
  toks.clear();
  cols.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) {
      toks.push_back(line.substr(start, i - start));
      cols.push_back(static_cast<std::uint32_t>(start + 1));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dates

namespace {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

/// Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar (y >= 1).
long long days_from_civil(int y, int m, int d) {
  // days from 0001-01-01 to January 1st of `year`: 365 a year plus one per leap year before it
  const auto days_before_year = [](long long year) {
    const long long p = year - 1;
    return p * 365 + p / 4 - p / 100 + p / 400;
  };
  static constexpr std::array<int, 12> kBeforeMonth{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return days_before_year(y) - days_before_year(1970) + kBeforeMonth[static_cast<std::size_t>(m - 1)] +
         (m > 2 && is_leap(y) ? 1 : 0) + (d - 1);
}

}  // namespace

/// Seconds: a plain number as given, or a date and time as Unix seconds: "2025/07/27 00:34:45.155",
/// "2025-07-27T00:34:45Z", "2025-07-27 00:34:45+02:00", "11-21-2026 10:00:00" (tegrastats).
/// UTC unless the text carries an offset.
std::optional<double> parse_timestamp(std::string_view s) {
  s = trim(s);
  if (auto v = to_number(s)) return v;
  const std::size_t n = s.size();
  std::size_t i = 0;
  const auto read_int = [&](std::size_t max_digits, int& out) {
    const std::size_t start = i;
    out = 0;
    while (i < n && is_digit(s[i]) && i - start < max_digits) out = out * 10 + (s[i++] - '0');
    return i - start;
  };
  int a = 0, b = 0, c = 0;
  const std::size_t na = read_int(4, a);
  if (na == 0 || i >= n || (s[i] != '/' && s[i] != '-')) return std::nullopt;
  const char sep = s[i++];
  if (read_int(2, b) == 0 || i >= n || s[i] != sep) return std::nullopt;
  ++i;
  const std::size_t nc = read_int(4, c);
  int year = 0, month = 0, day = 0;
  if (na == 4 && nc >= 1 && nc <= 2) {
    year = a, month = b, day = c;
  } else if (na <= 2 && nc == 4) {  // MM-DD-YYYY as tegrastats writes it
    month = a, day = b, year = c;
  } else {
    return std::nullopt;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  double secs = 0;
  if (i < n) {
    if (s[i] != ' ' && s[i] != 'T' && s[i] != 't') return std::nullopt;
    ++i;
    while (i < n && s[i] == ' ') ++i;
    int hh = 0, mm = 0;
    if (read_int(2, hh) == 0 || i >= n || s[i] != ':') return std::nullopt;
    ++i;
    if (read_int(2, mm) == 0) return std::nullopt;
    double ss = 0;
    if (i < n && s[i] == ':') {
      const std::size_t start = ++i;
      while (i < n && (is_digit(s[i]) || s[i] == '.')) ++i;
      auto v = to_number(s.substr(start, i - start));
      if (!v) return std::nullopt;
      ss = *v;
    }
    if (hh > 23 || mm > 59 || ss < 0 || ss >= 61) return std::nullopt;
    secs = hh * 3600.0 + mm * 60.0 + ss;
    const std::string_view zone = trim(s.substr(i));
    if (zone.empty() || zone == "Z" || zone == "z" || zone == "UTC") {
      // UTC
    } else if (zone.front() == '+' || zone.front() == '-') {
      std::string digits;
      for (char ch : zone.substr(1))
        if (ch != ':') digits += ch;
      if (digits.size() != 4 || !std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
      const double offset_s =
          ((digits[0] - '0') * 10 + (digits[1] - '0')) * 3600.0 + ((digits[2] - '0') * 10 + (digits[3] - '0')) * 60.0;
      secs -= zone.front() == '+' ? offset_s : -offset_s;
    } else {
      return std::nullopt;
    }
  }
  return static_cast<double>(days_from_civil(year, month, day)) * 86400.0 + secs;
}

// ---------------------------------------------------------------------------------------------
// Reading lines

bool skipped_line(std::string_view text) {
  const std::string_view t = trim(text);
  return t.empty() || t.front() == '#';
}

}  // namespace jg::calib::detail
