// Trace readers (trace.hpp). Each reader parses its own layout and hands samples to an Emitter,
// which checks time order per channel, folds duplicates (the later value is kept), measures
// intervals and gaps, and forwards the samples to the caller's sink.
//
// Accepted layouts. Blank lines and lines starting with '#' are skipped in every layout; CSV
// fields follow RFC 4180 (quoted fields may hold commas, "" is a quote); CRLF line ends are fine.
//
//   nvidia-smi  `nvidia-smi --query-gpu=timestamp,index,power.draw,clocks.sm,... --format=csv`:
//               header "power.draw [W]", cells "72.36 W"; or with header names without units and
//               plain numbers (the usual unit of each metric is assumed: power W, clocks MHz,
//               utilization %, memory MiB, temperature C). GPUs are told apart by index,
//               gpu_index, pci.bus_id or uuid; channels "gpu0.power", "gpu0.clocks.sm" (Hz), ...,
//               or "gpu.power", ... without such a column. Zeus/NVML style "timestamp,gpu_index,
//               power_mw" and "time_s,power_w" work too. "[N/A]" cells skip that sample (noted).
//   tegrastats  "[MM-DD-YYYY HH:MM:SS ]RAM 2448/7620MB ... VDD_IN 4321mW/4321mW VDD_SOC 1234mW/...",
//               older "POM_5V_GPU 123/456" and "GPU 123mW/456mW": one power channel per rail
//               (the instantaneous, first value, mW -> W), and "GR3D_FREQ 45%" (any *_FREQ) as a
//               % counter. Without timestamps the lines are taken as 1 s apart (tegrastats'
//               default --interval 1000), from t = 0.
//   rapl        long: "timestamp,domain,energy_uj[,max_energy_range_uj]", one row per domain and
//               time; wide: "time_s,package-0,dram,..." where every other column is a domain's
//               energy_uj (a "<domain>_energy_uj" name loses its suffix; a column
//               "<domain>_max_energy_range_uj" or "max_energy_range_uj" gives the wrap range).
//               Cumulative uJ become joules since the domain's first sample; a value below the
//               previous one is a wrap (+ max_energy_range_uj, or 2^32 uJ when unknown, noted).
//   perf        `perf stat -I <ms> -e ...` output ("   1.001   123,456,789   cycles  # ...") or
//               with -x, ("1.001,123456789,,cycles,..."). Times are interval ends in seconds since
//               perf started. Events in Joules (power/energy-*) become average power (W) over
//               the interval; msec events become s/s; other events become events per second.
//   kepler      "timestamp,<counters...>,<name>_power,...": *_power columns are power in W,
//               other columns numeric on the first row are counters (as read).
//   csv         "timestamp,watts[,rail]" (time: timestamp, datetime, time, t, time_s or
//               time_seconds, the first of these present; power: watts, power, power_w or
//               power_watts; rail: rail or channel): one channel "power", or one per rail.
//
// Times: plain numbers are seconds as given; dates ("2025/07/27 00:34:45.155",
// "2025-07-27T00:34:45Z", "11-21-2026 10:00:00") are Unix seconds, UTC unless an offset is given.
#include "calib/trace.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>
#include <utility>

#include "calib/csv.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

using csv::split_csv;
using csv::to_number;
using csv::trim;

using core::ConfigError;

constexpr std::size_t kMaxNotes = 10;
constexpr std::size_t kMedianIntervals = 1001;         // intervals of channel 0 that set the median
constexpr std::size_t kEarlyIntervalsMax = 1u << 16;   // intervals held until the median is known
constexpr double kGapFactor = 5.0;                     // a gap: an interval > 5x the median
constexpr std::size_t kLineTextMax = 400;              // longer lines are cut in error messages
constexpr double kTegrastatsInterval_s = 1.0;          // tegrastats' default --interval 1000
constexpr double kRaplDefaultRange_uj = 4294967296.0;  // 2^32 uJ when max_energy_range_uj is unknown
constexpr std::size_t kSniffBytes = 64 * 1024;
constexpr std::size_t kSniffLines = 20;

// Header names (lower case) of a time column, the first present wins (absolute dates before
// relative seconds), and of a power column in W.
const std::vector<std::string_view> kTimeNames{"timestamp", "datetime", "time", "t", "time_s", "time_seconds"};
const std::vector<std::string_view> kPowerNames{"watts", "power", "power_w", "power_watts"};

// ---------------------------------------------------------------------------------------------
// Errors and text

[[noreturn]] void fail(const std::string& path, std::uint64_t line, std::uint32_t column, std::string_view line_text,
                       const std::string& key, const std::string& expected, const std::string& found,
                       const std::string& hint = "") {
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

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

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

/// "72.36 W" -> 72.36 and "W"; "35 %" -> 35 and "%"; "12" -> 12 and "".
std::optional<std::pair<double, std::string_view>> split_value_unit(std::string_view cell) {
  cell = trim(cell);
  std::size_t i = 0;
  while (i < cell.size() && (is_digit(cell[i]) || cell[i] == '.' || cell[i] == '+' || cell[i] == '-' ||
                             ((cell[i] == 'e' || cell[i] == 'E') && i > 0 && i + 1 < cell.size() &&
                              (is_digit(cell[i + 1]) || cell[i + 1] == '-' || cell[i + 1] == '+'))))
    ++i;
  auto v = to_number(cell.substr(0, i));
  if (!v) return std::nullopt;
  return std::make_pair(*v, trim(cell.substr(i)));
}

struct UnitScale {
  double factor = 1;
  std::string_view si;
};

/// The SI unit a unit converts to and its factor; nullopt for units not known here.
std::optional<UnitScale> unit_scale(std::string_view unit) {
  struct Row {
    std::string_view name;
    double factor;
    std::string_view si;
  };
  static constexpr std::array kUnits{
      Row{"W", 1, "W"},      Row{"mW", 1e-3, "W"},  Row{"uW", 1e-6, "W"},  Row{"kW", 1e3, "W"},  Row{"Hz", 1, "Hz"},
      Row{"kHz", 1e3, "Hz"}, Row{"MHz", 1e6, "Hz"}, Row{"GHz", 1e9, "Hz"}, Row{"J", 1, "J"},     Row{"Joules", 1, "J"},
      Row{"mJ", 1e-3, "J"},  Row{"uJ", 1e-6, "J"},  Row{"%", 1, "%"},      Row{"C", 1, "C"},     Row{"MiB", 1, "MiB"},
      Row{"KiB", 1, "KiB"},  Row{"s", 1, "s"},      Row{"ms", 1e-3, "s"},  Row{"us", 1e-6, "s"}, Row{"V", 1, "V"},
      Row{"mV", 1e-3, "V"},  Row{"A", 1, "A"},      Row{"mA", 1e-3, "A"},  Row{"RPM", 1, "RPM"},
  };
  for (const auto& r : kUnits)
    if (r.name == unit) return UnitScale{r.factor, r.si};
  return std::nullopt;
}

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

/// Streams a file line by line: CR of CRLF and a UTF-8 byte order mark removed, and whether the
/// line ended with a newline (a last line without one may have been cut short).
class LineReader {
 public:
  explicit LineReader(std::string path) : m_path(std::move(path)) {
    std::error_code ec;
    if (!std::filesystem::exists(m_path, ec))
      fail(m_path, 0, 0, "", "", "a trace file", "no such file",
           "check the path (it is relative to the working folder)");
    if (std::filesystem::is_directory(m_path, ec)) fail(m_path, 0, 0, "", "", "a trace file", "a directory");
    m_in.open(m_path, std::ios::binary);
    if (!m_in)
      fail(m_path, 0, 0, "", "", "a readable trace file", std::string("it cannot be opened: ") + std::strerror(errno));
  }

  bool next() {
    if (!std::getline(m_in, m_text)) {
      if (m_in.bad()) fail(m_path, m_line + 1, 0, "", "", "a readable trace file", "a read error");
      return false;
    }
    ++m_line;
    m_complete = !m_in.eof();
    if (!m_text.empty() && m_text.back() == '\r') m_text.pop_back();
    if (m_line == 1 && m_text.starts_with("\xEF\xBB\xBF")) m_text.erase(0, 3);
    return true;
  }

  void rewind() {
    m_in.clear();
    m_in.seekg(0);
    m_line = 0;
    m_complete = true;
  }

  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] std::uint64_t line() const { return m_line; }
  /// False for a last line without a final newline.
  [[nodiscard]] bool complete() const { return m_complete; }

 private:
  std::string m_path;
  std::ifstream m_in;
  std::string m_text;
  std::uint64_t m_line = 0;
  bool m_complete = true;
};

bool skipped_line(std::string_view text) {
  const std::string_view t = trim(text);
  return t.empty() || t.front() == '#';
}

// ---------------------------------------------------------------------------------------------
// Emitter: checks and forwards samples

/// Where a sample was read: for error messages.
struct Where {
  std::uint64_t line = 0;
  std::string_view text;
  std::uint32_t time_col = 0;
};

class Emitter {
 public:
  Emitter(std::string path, TraceSink& sink, TraceIssues& issues)
      : m_path(std::move(path)), m_sink(sink), m_issues(issues) {}

  void channels(std::vector<Channel> list) {
    m_channels = std::move(list);
    m_pending.assign(m_channels.size(), Pending{});
    m_sink.channels(m_channels);
  }
  TraceIssues& issues() { return m_issues; }

  /// A sample is held until the channel's next one arrives, so that a duplicate replaces it.
  void sample(std::size_t ch, double t_s, double value, const Where& at) {
    JG_ASSERT(ch < m_pending.size(), "sample of channel " + std::to_string(ch) + " before its channel list");
    Pending& p = m_pending[ch];
    if (p.held) {
      const std::string& name = m_channels[ch].name;
      if (t_s < p.t_s)
        fail(m_path, at.line, at.time_col, at.text, "", "times that do not go backwards within channel '" + name + "'",
             "t = " + num(t_s) + " s at line " + line_str(at.line) + " after t = " + num(p.t_s) + " s at line " +
                 line_str(p.line),
             "sort the trace by time, or split it where the clock was reset");
      if (t_s == p.t_s) {
        ++m_issues.duplicates;
        note(at.line, "channel '" + name + "' has a second sample at t = " + num(t_s) + " s (first at line " +
                          line_str(p.line) + "); the later value is kept");
        p.value = value;
        p.line = at.line;
        return;
      }
      interval(ch, t_s - p.t_s, at.line);
      deliver(ch);
    }
    p = Pending{true, t_s, value, at.line};
  }

  /// An issue for TraceIssues::notes (the first kMaxNotes); `line` 0 for the whole file.
  void note(std::uint64_t line, const std::string& text) {
    if (m_issues.notes.size() >= kMaxNotes) {
      ++m_more_notes;
      return;
    }
    m_issues.notes.push_back(line > 0 ? "line " + line_str(line) + ": " + text : text);
  }

  void finish(std::uint64_t lines) {
    for (std::size_t ch = 0; ch < m_pending.size(); ++ch)
      if (m_pending[ch].held) deliver(ch);
    if (!m_median_known) settle_median();
    m_issues.lines = lines;
    if (m_more_notes > 0) m_issues.notes.push_back("(" + std::to_string(m_more_notes) + " more issues not listed)");
  }

 private:
  struct Pending {
    bool held = false;
    double t_s = 0, value = 0;
    std::uint64_t line = 0;
  };

  void deliver(std::size_t ch) {
    Pending& p = m_pending[ch];
    m_sink.sample(ch, p.t_s, p.value, p.line);
    ++m_issues.samples;
    p.held = false;
  }

  // Gaps: an interval longer than kGapFactor times the median interval of channel 0 (from its
  // first kMedianIntervals intervals; intervals before that are held and judged once it is known).
  // One gap per source line, so that a missing line of a many-rail log counts once.
  void interval(std::size_t ch, double dt_s, std::uint64_t line) {
    m_issues.max_gap_s = std::max(m_issues.max_gap_s, dt_s);
    if (ch == 0 && m_head.size() < kMedianIntervals) m_head.push_back(dt_s);
    if (m_median_known) {
      count_gap(dt_s, line);
      return;
    }
    m_early.emplace_back(dt_s, line);
    if (m_head.size() >= kMedianIntervals || m_early.size() >= kEarlyIntervalsMax) settle_median();
  }

  void settle_median() {
    std::vector<double> v = m_head;
    if (v.empty())
      for (const auto& e : m_early) v.push_back(e.first);
    if (!v.empty()) {
      const std::size_t mid = v.size() / 2;
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
      double median = v[mid];
      if (v.size() % 2 == 0)
        median = 0.5 * (median + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
      m_issues.median_interval_s = median;
    }
    m_median_known = true;
    for (const auto& [dt_s, line] : m_early) count_gap(dt_s, line);
    m_early.clear();
    m_early.shrink_to_fit();
    m_head.clear();
    m_head.shrink_to_fit();
  }

  void count_gap(double dt_s, std::uint64_t line) {
    const double median = m_issues.median_interval_s;
    if (median <= 0 || dt_s <= kGapFactor * median || line == m_last_gap_line) return;
    ++m_issues.gaps;
    m_last_gap_line = line;
    note(line, "gap of " + num4(dt_s) + " s before this sample (median interval " + num4(median) + " s)");
  }

  std::string m_path;
  TraceSink& m_sink;
  TraceIssues& m_issues;
  std::vector<Channel> m_channels;
  std::vector<Pending> m_pending;
  std::vector<double> m_head;                             // first intervals of channel 0
  std::vector<std::pair<double, std::uint64_t>> m_early;  // intervals (and lines) before the median
  bool m_median_known = false;
  std::uint64_t m_last_gap_line = 0;
  std::uint64_t m_more_notes = 0;
};

// ---------------------------------------------------------------------------------------------
// CSV files with a header

/// A CSV file with a header line (the first line that is not blank or a '#' comment). Header names
/// are matched lower-case, without a trailing " [unit]", which is kept apart.
class CsvFile {
 public:
  /// `what` names a data row in messages: "sample", "marker".
  CsvFile(const std::string& path, std::string what) : m_reader(path), m_what(std::move(what)) { read_header(); }

  void rewind() {
    m_reader.rewind();
    m_rows = 0;
    read_header();
  }

  /// The next data row; false at the end. ConfigError for a row with another cell count than the
  /// header, and for a file without data rows.
  bool next_row() {
    while (m_reader.next()) {
      if (skipped_line(m_reader.text())) continue;
      split(m_cells, m_cols);
      const std::size_t want = m_names.size(), got = m_cells.size();
      if (got != want) {
        if (got < want && !m_reader.complete())
          fail(path(), line(), static_cast<std::uint32_t>(text().size() + 1), text(), "", "a complete last line",
               "a line cut short after " + std::to_string(got) + " of " + std::to_string(want) + " cells",
               "was the file copied while it was still being written? remove the last line");
        fail(path(), line(), 0, text(), "",
             std::to_string(want) + " cells, as in the header (line " + line_str(m_header_line) + ")",
             std::to_string(got) + " cells");
      }
      ++m_rows;
      return true;
    }
    if (m_rows == 0)
      fail(path(), m_header_line, 0, m_header_text, "", "a trace with a header and at least one " + m_what,
           "a header and no " + m_what + "s");
    return false;
  }

  [[nodiscard]] std::size_t columns() const { return m_names.size(); }
  /// Lower case, without " [unit]".
  [[nodiscard]] const std::string& name(std::size_t i) const { return m_names[i]; }
  /// As written in the header.
  [[nodiscard]] const std::string& header(std::size_t i) const { return m_header[i]; }
  /// The unit in brackets after the name ("W" of "power.draw [W]"), or empty.
  [[nodiscard]] const std::string& header_unit(std::size_t i) const { return m_units[i]; }

  /// The first of `names` that the header has.
  [[nodiscard]] std::optional<std::size_t> find(const std::vector<std::string_view>& names) const {
    for (std::string_view want : names)
      for (std::size_t i = 0; i < m_names.size(); ++i)
        if (m_names[i] == want) return i;
    return std::nullopt;
  }

  /// Like find, but a missing column is a ConfigError: `role` is "a time column", `layout` the format.
  [[nodiscard]] std::size_t require(const std::vector<std::string_view>& names, const std::string& role,
                                    const std::string& layout) const {
    if (auto i = find(names)) return *i;
    std::string alternatives;
    std::size_t k = 0;
    for (std::string_view n : names) {
      alternatives += (k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + in_quotes(n);
      ++k;
    }
    std::string hint;
    std::vector<std::string> wanted;
    for (std::string_view n : names)
      if (n.size() >= 3) wanted.emplace_back(n);
    for (const auto& h : m_names) {
      if (h.size() < 3) continue;
      const std::string near = core::nearest_name(h, wanted);
      if (!near.empty()) {
        hint = "did you mean '" + near + "' instead of '" + h + "'? ";
        break;
      }
    }
    hint += "the " + layout;
    fail_header(role + " named " + alternatives, hint);
  }

  [[noreturn]] void fail_header(const std::string& expected, const std::string& hint = "") const {
    std::string found;
    for (const auto& h : m_header) found += (found.empty() ? "" : ", ") + h;
    fail(path(), m_header_line, 1, m_header_text, "", expected, "header columns: " + found, hint);
  }

  [[nodiscard]] const std::string& cell(std::size_t i) const { return m_cells[i]; }
  [[nodiscard]] std::uint32_t column(std::size_t i) const { return m_cols[i]; }

  [[noreturn]] void fail_cell(std::size_t i, const std::string& expected, const std::string& found,
                              const std::string& hint = "") const {
    fail(path(), line(), m_cols[i], text(), m_header[i], expected, found, hint);
  }

  /// The text of a bad cell, for messages: "'abc' in column 'watts'".
  [[nodiscard]] std::string found_in(std::size_t i) const {
    return (m_cells[i].empty() ? std::string("an empty cell") : in_quotes(m_cells[i])) + " in column '" + m_header[i] +
           "'";
  }

  [[nodiscard]] double number(std::size_t i) const {
    auto v = to_number(m_cells[i]);
    if (!v) fail_cell(i, "a number", found_in(i));
    return *v;
  }

  [[nodiscard]] double time(std::size_t i) const {
    auto v = parse_timestamp(m_cells[i]);
    if (!v)
      fail_cell(i, "a time: seconds, or a date and time such as '2025/07/27 00:34:45.155' or '2025-07-27T00:34:45Z'",
                found_in(i));
    return *v;
  }

  [[nodiscard]] Where where(std::size_t time_col) const { return Where{line(), text(), m_cols[time_col]}; }
  [[nodiscard]] const std::string& path() const { return m_reader.path(); }
  [[nodiscard]] std::uint64_t line() const { return m_reader.line(); }
  [[nodiscard]] const std::string& text() const { return m_reader.text(); }
  [[nodiscard]] std::uint64_t header_line() const { return m_header_line; }

 private:
  void split(std::vector<std::string>& cells, std::vector<std::uint32_t>& cols) const {
    if (std::uint32_t open = split_csv(text(), cells, cols))
      fail(path(), line(), open, text(), "", "a closing quote for the quoted field", "a line that ends inside quotes",
           "a quote inside a quoted field is written twice: \"\"");
  }

  void read_header() {
    while (m_reader.next()) {
      if (skipped_line(m_reader.text())) continue;
      split(m_header, m_cols);
      m_header_line = line();
      m_header_text = text();
      m_names.clear();
      m_units.clear();
      for (const auto& h : m_header) {
        std::string_view name = h;
        std::string unit;
        if (name.ends_with(']')) {
          const std::size_t open = name.rfind('[');
          if (open != std::string_view::npos) {
            unit = std::string(trim(name.substr(open + 1, name.size() - open - 2)));
            name = trim(name.substr(0, open));
          }
        }
        m_names.push_back(core::to_lower(trim(name)));
        m_units.push_back(std::move(unit));
      }
      return;
    }
    fail(path(), std::max<std::uint64_t>(line(), 1), 0, "", "", "a trace with a header and at least one " + m_what,
         line() == 0 ? "an empty file" : "only blank or comment lines");
  }

  LineReader m_reader;
  std::string m_what;
  std::vector<std::string> m_header, m_names, m_units, m_cells;
  std::vector<std::uint32_t> m_cols;
  std::string m_header_text;
  std::uint64_t m_header_line = 0;
  std::uint64_t m_rows = 0;
};

// ---------------------------------------------------------------------------------------------
// nvidia-smi (and Zeus/NVML style CSV)

/// The unit nvidia-smi uses for a metric when the header does not say.
std::string default_nvidia_unit(std::string_view name) {
  if (name.starts_with("power.") || name.starts_with("enforced.power")) return "W";
  if (name.starts_with("clocks.") || name.starts_with("clocks_")) return "MHz";
  if (name.starts_with("utilization.") || name.starts_with("fan.speed")) return "%";
  if (name.starts_with("memory.")) return "MiB";
  if (name.starts_with("temperature.")) return "C";
  return "";
}

bool is_missing_cell(std::string_view cell) {
  cell = trim(cell);
  return cell.starts_with('[') || cell == "N/A";
}

void read_nvidia_smi(const std::string& path, Emitter& em) {
  CsvFile csv(path, "sample");
  const std::string layout = "nvidia-smi CSV: --query-gpu=timestamp,index,power.draw,... --format=csv";
  const std::size_t time_col = csv.require(kTimeNames, "a time column", layout);
  const auto id_col = csv.find({"index", "gpu_index", "gpu", "pci.bus_id", "uuid"});
  const bool numeric_ids =
      id_col && (csv.name(*id_col) == "index" || csv.name(*id_col) == "gpu_index" || csv.name(*id_col) == "gpu");

  struct Metric {
    std::size_t col;
    std::string channel;
    ChannelKind kind;
    double factor;
    std::string unit;  // SI unit of the channel
  };
  std::vector<Metric> metrics;
  for (std::size_t i = 0; i < csv.columns(); ++i) {
    if (i == time_col || (id_col && i == *id_col)) continue;
    const std::string& n = csv.name(i);
    Metric m{i, n, ChannelKind::kCounter, 1.0, ""};
    std::string unit = csv.header_unit(i);
    if (n == "power_mw" || n == "power_w" || n == "power_watts") {
      m.channel = "power";
      m.kind = ChannelKind::kPower;
      unit = n == "power_mw" ? "mW" : "W";
    } else if (n.starts_with("power.draw")) {
      m.channel = "power" + n.substr(10);  // power.draw -> power, power.draw.average -> power.average
      m.kind = ChannelKind::kPower;
      if (unit.empty()) unit = "W";
    } else if (unit.empty()) {
      unit = default_nvidia_unit(n);
      if (unit.empty()) continue;  // name, pstate, driver_version, ...: not a metric
    }
    if (auto scale = unit_scale(unit)) {
      m.factor = scale->factor;
      m.unit = std::string(scale->si);
    } else {
      m.unit = unit;
    }
    metrics.push_back(std::move(m));
  }
  if (metrics.empty())
    csv.fail_header("a metric column such as 'power.draw [W]', 'clocks.sm [MHz]' or 'utilization.gpu [%]'", layout);

  // GPUs, in order of appearance: a first pass over the file when rows name them.
  std::vector<std::string> gpus;
  std::unordered_map<std::string, std::size_t> gpu_of;
  if (id_col) {
    while (csv.next_row()) {
      const std::string& id = csv.cell(*id_col);
      if (id.empty()) csv.fail_cell(*id_col, "a GPU index", csv.found_in(*id_col));
      if (numeric_ids) {
        auto v = to_number(id);
        if (!v || *v < 0 || *v != std::floor(*v))
          csv.fail_cell(*id_col, "a GPU index (0, 1, ...)", csv.found_in(*id_col));
      }
      if (gpu_of.emplace(id, gpus.size()).second) {
        gpus.push_back(numeric_ids ? "gpu" + id : "gpu" + std::to_string(gpus.size()));
        if (!numeric_ids) em.note(0, gpus.back() + " is " + csv.header(*id_col) + " " + id);
      }
    }
    csv.rewind();
  } else {
    gpus.emplace_back("gpu");
  }

  std::vector<Channel> list;
  for (const auto& g : gpus)
    for (const auto& m : metrics) list.push_back(Channel{g + "." + m.channel, m.kind, m.unit});
  em.channels(list);

  while (csv.next_row()) {
    const double t_s = csv.time(time_col);
    std::size_t gpu = 0;
    if (id_col) {
      auto it = gpu_of.find(csv.cell(*id_col));
      if (it == gpu_of.end())
        csv.fail_cell(*id_col, "a file that does not change while it is read", "a GPU id not seen on the first pass");
      gpu = it->second;
    }
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      const Metric& m = metrics[k];
      const std::size_t ch = gpu * metrics.size() + k;
      const std::string& cell = csv.cell(m.col);
      if (is_missing_cell(cell)) {
        em.note(csv.line(), list[ch].name + " is " + in_quotes(cell) + "; sample skipped");
        continue;
      }
      auto vu = split_value_unit(cell);
      const std::string expected =
          "a number" + (m.unit.empty() ? std::string() : " in " + m.unit + " (a unit after it is optional)");
      if (!vu) csv.fail_cell(m.col, expected, csv.found_in(m.col));
      double value = vu->first;
      if (vu->second.empty() || vu->second == csv.header_unit(m.col)) {
        value *= m.factor;
      } else {
        auto scale = unit_scale(vu->second);
        if (!scale || scale->si != m.unit) csv.fail_cell(m.col, expected, csv.found_in(m.col));
        value *= scale->factor;
      }
      em.sample(ch, t_s, value, csv.where(time_col));
    }
  }
  em.finish(csv.line());
}

// ---------------------------------------------------------------------------------------------
// tegrastats

/// A rail name: "VDD_IN", "POM_5V_GPU", "GPU", "SYS5V".
bool is_rail_name(std::string_view tok) {
  if (tok.empty() || !is_upper(tok.front())) return false;
  return std::all_of(tok.begin(), tok.end(), [](char c) { return is_upper(c) || is_digit(c) || c == '_'; });
}

/// "4321mW/4321mW" or "4321/4321" (mW): the instantaneous (first) value in W.
std::optional<double> rail_watts(std::string_view tok) {
  const std::size_t slash = tok.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto milliwatts = [](std::string_view part) -> std::optional<double> {
    if (part.ends_with("mW")) part.remove_suffix(2);
    if (part.empty() || !std::all_of(part.begin(), part.end(), [](char c) { return is_digit(c) || c == '.'; }))
      return std::nullopt;
    return to_number(part);
  };
  auto now = milliwatts(tok.substr(0, slash));
  auto avg = milliwatts(tok.substr(slash + 1));
  if (!now || !avg) return std::nullopt;
  return *now * 1e-3;
}

struct TegraLine {
  std::optional<double> t_s;
  std::uint32_t time_col = 0;
  std::vector<std::pair<std::string_view, double>> values;  // rails (W), then *_FREQ (%)
  std::size_t rails = 0;
  bool has_ram = false;
};

void parse_tegra_line(const LineReader& r, TegraLine& out, std::vector<std::string_view>& toks,
                      std::vector<std::uint32_t>& cols) {
  split_blanks(r.text(), toks, cols);
  std::size_t i = 0;
  if (!toks.empty() && is_digit(toks[0].front())) {
    std::optional<double> t;
    if (toks.size() > 1 && contains(toks[1], ":")) {
      const std::string both = std::string(toks[0]) + " " + std::string(toks[1]);
      t = parse_timestamp(both);
      i = 2;
    }
    if (!t) {
      t = parse_timestamp(toks[0]);
      i = 1;
    }
    if (!t)
      fail(r.path(), r.line(), cols[0], r.text(), "",
           "a tegrastats line, optionally after a timestamp such as '11-21-2026 10:00:00'",
           in_quotes(toks[0]) + " at the start of the line");
    out.t_s = t;
    out.time_col = cols[0];
  }
  std::vector<std::pair<std::string_view, double>> freqs;
  for (; i < toks.size(); ++i) {
    const std::string_view tok = toks[i];
    if (tok == "RAM") out.has_ram = true;
    if (i + 1 >= toks.size() || !is_rail_name(tok)) continue;
    const std::string_view next = toks[i + 1];
    if (auto w = rail_watts(next)) {
      out.values.emplace_back(tok, *w);
      ++i;
    } else if (tok.ends_with("_FREQ") && is_digit(next.front()) && contains(next, "%")) {
      // "GR3D_FREQ 45%" or the older "GR3D_FREQ 45%@1300"
      auto pct = to_number(next.substr(0, next.find('%')));
      if (!pct)
        fail(r.path(), r.line(), cols[i + 1], r.text(), std::string(tok), "a percentage such as '45%'",
             in_quotes(next));
      freqs.emplace_back(tok, *pct);
      ++i;
    }
  }
  out.rails = out.values.size();
  out.values.insert(out.values.end(), freqs.begin(), freqs.end());
}

void read_tegrastats(const std::string& path, Emitter& em) {
  LineReader r(path);
  std::vector<std::string_view> toks;
  std::vector<std::uint32_t> cols;
  std::unordered_map<std::string, std::size_t> channel_of;
  std::vector<Channel> list;
  bool started = false, timestamps = false;
  std::uint64_t first_line = 0, data_lines = 0;
  while (r.next()) {
    if (skipped_line(r.text())) continue;
    TegraLine tl;
    parse_tegra_line(r, tl, toks, cols);
    if (!started) {
      if (tl.values.empty())
        fail(path, r.line(), 1, r.text(), "",
             "a tegrastats line with power rails such as 'VDD_IN 4321mW/4321mW' or 'POM_5V_GPU 123/456'",
             tl.has_ram ? "a tegrastats line without power rails" : "a line that is not tegrastats output");
      for (std::size_t k = 0; k < tl.values.size(); ++k) {
        const std::string name(tl.values[k].first);
        if (!channel_of.emplace(name, list.size()).second) continue;
        list.push_back(k < tl.rails ? Channel{name, ChannelKind::kPower, "W"}
                                    : Channel{name, ChannelKind::kCounter, "%"});
      }
      timestamps = tl.t_s.has_value();
      first_line = r.line();
      if (!timestamps)
        em.note(0, "no timestamps: lines taken as " + num(kTegrastatsInterval_s) +
                       " s apart from t = 0 (tegrastats' default --interval 1000)");
      em.channels(list);
      started = true;
    } else {
      if (tl.t_s.has_value() != timestamps)
        fail(path, r.line(), 1, r.text(), "",
             timestamps ? "a timestamp at the start of the line, as on line " + line_str(first_line)
                        : "no timestamp, as on line " + line_str(first_line),
             timestamps ? "a line without a timestamp" : "a line with a timestamp");
      if (tl.values.size() < list.size()) {
        if (!r.complete())
          fail(path, r.line(), static_cast<std::uint32_t>(r.text().size() + 1), r.text(), "", "a complete last line",
               "a line cut short after " + std::to_string(tl.values.size()) + " of " + std::to_string(list.size()) +
                   " values",
               "was the log copied while tegrastats was still writing it? remove the last line");
        if (tl.values.empty() && !tl.has_ram)
          fail(path, r.line(), 1, r.text(), "", "a tegrastats line such as 'RAM 2448/7620MB ... VDD_IN 4321mW/4321mW'",
               in_quotes(trim(r.text())));
        em.note(r.line(), std::to_string(list.size() - tl.values.size()) + " of " + std::to_string(list.size()) +
                              " values missing");
      }
    }
    const double t_s = timestamps ? *tl.t_s : static_cast<double>(data_lines) * kTegrastatsInterval_s;
    const Where at{r.line(), r.text(), tl.time_col};
    for (const auto& [name, value] : tl.values) {
      auto it = channel_of.find(std::string(name));
      if (it == channel_of.end()) {
        em.note(r.line(),
                "'" + std::string(name) + "' is not on the first line (line " + line_str(first_line) + "); ignored");
        continue;
      }
      em.sample(it->second, t_s, value, at);
    }
    ++data_lines;
  }
  if (!started)
    fail(path, std::max<std::uint64_t>(r.line(), 1), 0, "", "", "a tegrastats log with at least one sample",
         r.line() == 0 ? "an empty file" : "only blank or comment lines");
  em.finish(r.line());
}

// ---------------------------------------------------------------------------------------------
// RAPL

struct RaplDomain {
  bool started = false;
  double first_uj = 0, last_uj = 0, offset_uj = 0;
  double range_uj = 0;  // 0: unknown
};

/// Joules since the domain's first sample; a value below the previous one is a wrap.
double rapl_joules(RaplDomain& d, double raw_uj, const std::string& name, Emitter& em, std::uint64_t line) {
  if (!d.started) {
    d.started = true;
    d.first_uj = d.last_uj = raw_uj;
    return 0;
  }
  if (raw_uj < d.last_uj) {
    double range = d.range_uj;
    std::string how = "max_energy_range_uj " + num(range);
    if (range <= 0) {
      range = kRaplDefaultRange_uj;
      how = "max_energy_range_uj unknown, 2^32 uJ assumed";
    }
    d.offset_uj += range;
    ++em.issues().counter_wraps;
    em.note(line, "energy counter '" + name + "' wrapped around (" + num(d.last_uj) + " -> " + num(raw_uj) + " uJ, " +
                      how + ")");
  }
  d.last_uj = raw_uj;
  return (raw_uj + d.offset_uj - d.first_uj) * 1e-6;
}

double rapl_energy_uj(const CsvFile& csv, std::size_t col) {
  const double v = csv.number(col);
  if (v < 0) csv.fail_cell(col, "a cumulative energy in uJ (>= 0)", csv.found_in(col));
  return v;
}

void read_rapl(const std::string& path, Emitter& em) {
  CsvFile csv(path, "sample");
  const std::string layout =
      "RAPL CSV: timestamp,domain,energy_uj[,max_energy_range_uj] or time_s,<domain>,... of energy_uj";
  const std::size_t time_col = csv.require(kTimeNames, "a time column", layout);
  const auto domain_col = csv.find({"domain", "zone", "name"});
  std::vector<Channel> list;
  std::vector<RaplDomain> domains;

  if (domain_col) {  // long layout: one row per domain and time
    const std::size_t energy_col = csv.require({"energy_uj"}, "an energy column", layout);
    const auto range_col = csv.find({"max_energy_range_uj"});
    std::unordered_map<std::string, std::size_t> index;
    while (csv.next_row()) {
      const std::string& name = csv.cell(*domain_col);
      if (name.empty()) csv.fail_cell(*domain_col, "a RAPL domain name such as 'package-0'", csv.found_in(*domain_col));
      if (index.emplace(name, list.size()).second) list.push_back(Channel{name, ChannelKind::kEnergy, "J"});
    }
    csv.rewind();
    domains.resize(list.size());
    em.channels(list);
    while (csv.next_row()) {
      const double t_s = csv.time(time_col);
      auto it = index.find(csv.cell(*domain_col));
      if (it == index.end())
        csv.fail_cell(*domain_col, "a file that does not change while it is read",
                      "a domain not seen on the first pass");
      RaplDomain& d = domains[it->second];
      if (range_col && !csv.cell(*range_col).empty()) d.range_uj = rapl_energy_uj(csv, *range_col);
      const double j = rapl_joules(d, rapl_energy_uj(csv, energy_col), it->first, em, csv.line());
      em.sample(it->second, t_s, j, csv.where(time_col));
    }
    em.finish(csv.line());
    return;
  }

  // wide layout: one column per domain
  std::vector<std::size_t> energy_cols;
  std::vector<std::optional<std::size_t>> range_cols;
  const auto all_range = csv.find({"max_energy_range_uj"});
  for (std::size_t i = 0; i < csv.columns(); ++i) {
    const bool other_time = std::find(kTimeNames.begin(), kTimeNames.end(), csv.name(i)) != kTimeNames.end();
    if (i == time_col || other_time || csv.name(i).ends_with("max_energy_range_uj")) continue;
    std::string name = csv.header(i);
    if (name.size() > 10 && core::to_lower(name).ends_with("_energy_uj")) name.resize(name.size() - 10);
    const std::string own_range = core::to_lower(name) + "_max_energy_range_uj";
    const auto range_col = csv.find({own_range});
    energy_cols.push_back(i);
    range_cols.push_back(range_col ? range_col : all_range);
    list.push_back(Channel{name, ChannelKind::kEnergy, "J"});
  }
  if (list.empty()) csv.fail_header("a column of cumulative energy in uJ per RAPL domain", layout);
  domains.resize(list.size());
  em.channels(list);
  while (csv.next_row()) {
    const double t_s = csv.time(time_col);
    for (std::size_t k = 0; k < energy_cols.size(); ++k) {
      RaplDomain& d = domains[k];
      if (range_cols[k] && !csv.cell(*range_cols[k]).empty()) d.range_uj = rapl_energy_uj(csv, *range_cols[k]);
      const double j = rapl_joules(d, rapl_energy_uj(csv, energy_cols[k]), list[k].name, em, csv.line());
      em.sample(k, t_s, j, csv.where(time_col));
    }
  }
  em.finish(csv.line());
}

// ---------------------------------------------------------------------------------------------
// perf stat -I

struct PerfRow {
  double t_s = 0;
  bool counted = true;
  double count = 0;
  std::string unit, event;
  std::uint32_t time_col = 1;
};

enum class PerfLine : std::uint8_t { kSkip, kText, kRow };

class PerfParser {
 public:
  PerfLine parse(const LineReader& r, PerfRow& row) {
    const std::string& text = r.text();
    const std::string_view t = trim(text);
    if (t.empty() || t.front() == '#') return PerfLine::kSkip;
    if (!is_digit(t.front()) && t.front() != '.') return PerfLine::kText;  // perf's own messages
    if (!m_mode_known) {
      const std::size_t comma = t.find(','), blank = t.find_first_of(" \t");
      m_csv = comma != std::string_view::npos && (blank == std::string_view::npos || comma < blank);
      m_mode_known = true;
    }
    std::string_view time_text, count_text;
    std::uint32_t count_col = 0;
    if (m_csv) {
      if (std::uint32_t open = split_csv(text, m_cells, m_cols))
        fail(r.path(), r.line(), open, text, "", "a closing quote for the quoted field",
             "a line that ends inside quotes");
      if (m_cells.size() < 4)
        fail(r.path(), r.line(), 0, text, "", "perf stat -x, fields: time,count,unit,event,...",
             std::to_string(m_cells.size()) + " fields");
      time_text = m_cells[0];
      count_text = m_cells[1];
      row.unit = m_cells[2];
      row.event = m_cells[3];
      row.time_col = m_cols[0];
      count_col = m_cols[1];
    } else {
      split_blanks(text, m_toks, m_tok_cols);
      std::size_t n = m_toks.size();
      for (std::size_t k = 0; k < n; ++k)
        if (m_toks[k].front() == '#') n = k;                                             // "# 1.50 insn per cycle"
      while (n > 0 && m_toks[n - 1].front() == '(' && m_toks[n - 1].back() == ')') --n;  // "(50.00%)"
      if (n < 3)
        fail(r.path(), r.line(), 0, text, "", "a perf stat -I line: time, count, [unit,] event",
             std::to_string(n) + " fields");
      time_text = m_toks[0];
      row.time_col = m_tok_cols[0];
      std::size_t k = 1;
      std::string count;
      if (m_toks[1].front() == '<') {  // "<not counted>", "<not supported>"
        while (k < n && m_toks[k].back() != '>') count += std::string(m_toks[k++]) + " ";
        if (k < n) count += std::string(m_toks[k++]);
      } else {
        for (char c : m_toks[k])  // thousands separators: "123,456,789"
          if (c != ',') count += c;
        ++k;
      }
      m_count = count;
      count_text = m_count;
      count_col = m_tok_cols[1];
      if (n - k == 1) {
        row.unit.clear();
        row.event = m_toks[k];
      } else if (n - k == 2) {
        row.unit = m_toks[k];
        row.event = m_toks[k + 1];
      } else {
        fail(r.path(), r.line(), k < n ? m_tok_cols[k] : 0, text, "", "a perf stat -I line: time, count, [unit,] event",
             std::to_string(n) + " fields",
             "per-socket, per-core, -A and cgroup columns are not read: record with plain -I");
      }
    }
    auto t_s = to_number(time_text);
    if (!t_s || *t_s < 0)
      fail(r.path(), r.line(), row.time_col, text, "", "an interval time in seconds (perf stat -I)",
           in_quotes(time_text));
    row.t_s = *t_s;
    row.counted = !count_text.starts_with('<');
    if (row.counted) {
      auto c = to_number(count_text);
      if (!c) fail(r.path(), r.line(), count_col, text, row.event, "a count", in_quotes(count_text));
      row.count = *c;
    }
    if (row.event.empty()) fail(r.path(), r.line(), 0, text, "", "an event name", "an empty event field");
    return PerfLine::kRow;
  }

 private:
  bool m_mode_known = false, m_csv = false;
  std::vector<std::string> m_cells;
  std::vector<std::uint32_t> m_cols;
  std::vector<std::string_view> m_toks;
  std::vector<std::uint32_t> m_tok_cols;
  std::string m_count;
};

void read_perf(const std::string& path, Emitter& em) {
  LineReader r(path);
  PerfRow row;
  // First pass: the events, in order of appearance.
  struct Event {
    double factor;  // per count, before dividing by the interval
  };
  std::vector<Channel> list;
  std::vector<Event> events;
  std::unordered_map<std::string, std::size_t> index;
  {
    PerfParser parser;
    while (r.next()) {
      if (parser.parse(r, row) != PerfLine::kRow || !index.emplace(row.event, list.size()).second) continue;
      if (row.unit == "Joules" || row.event.starts_with("power/energy-")) {
        list.push_back(Channel{row.event, ChannelKind::kPower, "W"});
        events.push_back(Event{1.0});
      } else if (row.unit == "msec") {
        list.push_back(Channel{row.event, ChannelKind::kCounter, "s/s"});
        events.push_back(Event{1e-3});
      } else {
        list.push_back(Channel{row.event, ChannelKind::kCounter, "1/s"});
        events.push_back(Event{1.0});
      }
    }
  }
  if (list.empty())
    fail(path, std::max<std::uint64_t>(r.line(), 1), 0, "", "", "perf stat -I output with at least one interval",
         r.line() == 0 ? "an empty file" : "no interval lines");
  r.rewind();
  em.channels(list);
  PerfParser parser;
  std::optional<double> block_t;  // the end of the current interval
  std::uint64_t block_line = 0;
  double prev_end = 0;  // the end of the previous interval (perf counts from 0)
  while (r.next()) {
    const PerfLine kind = parser.parse(r, row);
    if (kind == PerfLine::kSkip) continue;
    if (kind == PerfLine::kText) {
      em.note(r.line(), "not a perf interval line; skipped");
      continue;
    }
    if (!block_t || row.t_s != *block_t) {
      if (block_t && row.t_s < *block_t)
        fail(path, r.line(), row.time_col, r.text(), "", "interval times that do not go backwards",
             "t = " + num(row.t_s) + " s at line " + line_str(r.line()) + " after t = " + num(*block_t) +
                 " s at line " + line_str(block_line));
      if (block_t) prev_end = *block_t;
      block_t = row.t_s;
      block_line = r.line();
    }
    const double dt_s = row.t_s - prev_end;
    if (dt_s <= 0)
      fail(path, r.line(), row.time_col, r.text(), "", "an interval end after the start of the interval",
           "an interval of " + num(dt_s) + " s");
    auto it = index.find(row.event);
    if (it == index.end())
      fail(path, r.line(), 0, r.text(), "", "a file that does not change while it is read",
           "an event not seen on the first pass");
    if (!row.counted) {
      em.note(r.line(), "'" + row.event + "' not counted in this interval; sample skipped");
      continue;
    }
    em.sample(it->second, row.t_s, row.count * events[it->second].factor / dt_s,
              Where{r.line(), r.text(), row.time_col});
  }
  em.finish(r.line());
}

// ---------------------------------------------------------------------------------------------
// Kepler

void read_kepler(const std::string& path, Emitter& em) {
  CsvFile csv(path, "sample");
  const std::size_t time_col =
      csv.require(kTimeNames, "a time column", "Kepler CSV: timestamp,<counters>,<name>_power,...");
  std::vector<std::size_t> cols;
  std::vector<Channel> list;
  bool first = true;
  while (csv.next_row()) {
    if (first) {  // the columns numeric on the first row are channels
      for (std::size_t i = 0; i < csv.columns(); ++i) {
        if (i == time_col || std::find(kTimeNames.begin(), kTimeNames.end(), csv.name(i)) != kTimeNames.end()) continue;
        if (!to_number(csv.cell(i))) {
          em.note(csv.line(),
                  "column '" + csv.header(i) + "' is not numeric (" + in_quotes(csv.cell(i)) + "); ignored");
          continue;
        }
        const std::string& n = csv.name(i);
        cols.push_back(i);
        if (n.ends_with("_power"))
          list.push_back(Channel{csv.header(i), ChannelKind::kPower, "W"});
        else
          list.push_back(Channel{csv.header(i), ChannelKind::kCounter,
                                 n.ends_with("_us")      ? "us"
                                 : n.ends_with("_bytes") ? "B"
                                                         : ""});
      }
      if (list.empty()) csv.fail_header("numeric columns (counters and *_power in W)");
      em.channels(list);
      first = false;
    }
    const double t_s = csv.time(time_col);
    for (std::size_t k = 0; k < cols.size(); ++k) em.sample(k, t_s, csv.number(cols[k]), csv.where(time_col));
  }
  em.finish(csv.line());
}

// ---------------------------------------------------------------------------------------------
// Generic CSV

void read_generic_csv(const std::string& path, Emitter& em) {
  CsvFile csv(path, "sample");
  const std::string layout = "csv format: timestamp,watts[,rail]";
  const std::size_t time_col = csv.require(kTimeNames, "a time column", layout);
  const std::size_t power_col = csv.require(kPowerNames, "a power column", layout);
  const auto rail_col = csv.find({"rail", "channel"});
  std::vector<Channel> list;
  std::unordered_map<std::string, std::size_t> index;
  if (rail_col) {  // the rails, in order of appearance: a first pass
    while (csv.next_row()) {
      const std::string& rail = csv.cell(*rail_col);
      if (rail.empty()) csv.fail_cell(*rail_col, "a rail name", csv.found_in(*rail_col));
      if (index.emplace(rail, list.size()).second) list.push_back(Channel{rail, ChannelKind::kPower, "W"});
    }
    csv.rewind();
  } else {
    list.push_back(Channel{"power", ChannelKind::kPower, "W"});
  }
  em.channels(list);
  while (csv.next_row()) {
    const double t_s = csv.time(time_col);
    std::size_t ch = 0;
    if (rail_col) {
      auto it = index.find(csv.cell(*rail_col));
      if (it == index.end())
        csv.fail_cell(*rail_col, "a file that does not change while it is read", "a rail not seen on the first pass");
      ch = it->second;
    }
    em.sample(ch, t_s, csv.number(power_col), csv.where(time_col));
  }
  em.finish(csv.line());
}

// ---------------------------------------------------------------------------------------------
// Collecting

class Collector : public TraceSink {
 public:
  explicit Collector(CollectedTrace& out) : m_out(out) {}
  void channels(const std::vector<Channel>& list) override {
    m_out.channels = list;
    m_out.t_s.assign(list.size(), {});
    m_out.value.assign(list.size(), {});
  }
  void sample(std::size_t channel, double t_s, double value, std::uint64_t /*line*/) override {
    m_out.t_s[channel].push_back(t_s);
    m_out.value[channel].push_back(value);
  }

 private:
  CollectedTrace& m_out;
};

constexpr std::array<std::string_view, kTraceFormatCount> kFormatNames{"nvidia-smi", "tegrastats",     "rapl", "perf",
                                                                       "kepler",     "torch-profiler", "csv"};

/// A data line of perf stat -I output: "1.001 123,456 cycles" or "1.001,123456,,cycles,...".
bool looks_like_perf_row(std::string_view line) {
  line = trim(line);
  if (line.empty() || !is_digit(line.front())) return false;
  const std::size_t comma = line.find(','), blank = line.find_first_of(" \t");
  if (comma != std::string_view::npos && (blank == std::string_view::npos || comma < blank)) {
    std::vector<std::string> cells;
    std::vector<std::uint32_t> cols;
    return split_csv(line, cells, cols) == 0 && cells.size() >= 4 && to_number(cells[0]) && !cells[3].empty() &&
           !to_number(cells[3]);
  }
  std::vector<std::string_view> toks;
  std::vector<std::uint32_t> cols;
  split_blanks(line, toks, cols);
  std::size_t n = toks.size();
  for (std::size_t k = 0; k < n; ++k)
    if (toks[k].front() == '#') n = k;
  return n >= 3 && to_number(toks[0]) && !to_number(toks[n - 1]);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public

std::string_view trace_format_name(TraceFormat f) { return kFormatNames[static_cast<std::size_t>(f)]; }

std::optional<TraceFormat> parse_trace_format(std::string_view name) {
  std::string want = core::to_lower(trim(name));
  std::replace(want.begin(), want.end(), '_', '-');
  for (std::size_t i = 0; i < kFormatNames.size(); ++i)
    if (kFormatNames[i] == want) return static_cast<TraceFormat>(i);
  return std::nullopt;
}

TraceFormat detect_trace_format(const std::string& path) {
  LineReader probe(path);  // the same open errors as reading
  std::ifstream in(path, std::ios::binary);
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.starts_with("\xEF\xBB\xBF")) head.erase(0, 3);
  const std::string_view body = trim(head);
  if (body.empty())
    fail(path, 1, 0, "", "", "a trace with a header and at least one sample",
         head.empty() ? "an empty file" : "only blank lines");
  if (body.front() == '{' && (contains(body, "\"traceEvents\"") || head.size() + 3 >= kSniffBytes))
    return TraceFormat::kTorchProfiler;

  // The first lines, without blank ones; the first that is not a '#' comment is the header.
  std::string_view first;
  std::uint64_t first_line = 0, line_no = 0;
  std::size_t seen = 0, pos = 0;
  bool perf_header = false;
  while (pos < head.size() && seen < kSniffLines) {
    std::size_t end = head.find('\n', pos);
    if (end == std::string::npos) end = head.size();
    std::string_view line = std::string_view(head).substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    pos = end + 1;
    ++line_no;
    const std::string_view t = trim(line);
    if (t.empty()) continue;
    ++seen;
    if (t.front() == '#') {
      perf_header = perf_header || (contains(t, "time") && contains(t, "counts"));
      continue;
    }
    if (first.empty()) {
      first = line;
      first_line = line_no;
    }
  }
  if (perf_header) return TraceFormat::kPerf;
  if (first.empty())
    fail(path, std::max<std::uint64_t>(line_no, 1), 0, "", "", "a trace with a header and at least one sample",
         "only blank or comment lines");
  const std::string low = core::to_lower(first);
  if (contains(low, "power.draw") || contains(low, "power_mw")) return TraceFormat::kNvidiaSmi;
  if (contains(first, "RAM ") &&
      (contains(first, "mW") || contains(first, "VDD_") || contains(first, "POM_") || contains(first, "_FREQ")))
    return TraceFormat::kTegrastats;
  if (contains(low, "energy_uj")) return TraceFormat::kRapl;
  if (contains(low, "package_power") || (contains(low, "_power") && contains(low, "cpu_cycles")))
    return TraceFormat::kKepler;
  if (looks_like_perf_row(first)) return TraceFormat::kPerf;
  {
    std::vector<std::string> cells;
    std::vector<std::uint32_t> cols;
    split_csv(first, cells, cols);
    bool has_time = false, has_power = false;
    for (const auto& c : cells) {
      const std::string n = core::to_lower(c);
      has_time = has_time || std::find(kTimeNames.begin(), kTimeNames.end(), n) != kTimeNames.end();
      has_power = has_power || std::find(kPowerNames.begin(), kPowerNames.end(), n) != kPowerNames.end();
    }
    if (has_time && has_power) return TraceFormat::kCsv;
  }
  fail(path, first_line, 0, first, "",
       "a trace in one of the formats: nvidia-smi (CSV with power.draw), tegrastats (RAM ... VDD_IN 4321mW/4321mW), "
       "rapl (CSV with energy_uj), perf (perf stat -I output), kepler (CSV with *_power and cpu_cycles), "
       "torch-profiler (JSON with traceEvents), csv (timestamp,watts[,rail])",
       "a first line that fits none of them: " + in_quotes(trim(first)),
       "name the format explicitly: nvidia-smi, tegrastats, rapl, perf, kepler, torch-profiler or csv");
}

TraceIssues read_trace(const std::string& path, TraceFormat f, TraceSink& sink) {
  TraceIssues issues;
  Emitter em(path, sink, issues);
  switch (f) {
    case TraceFormat::kNvidiaSmi:
      read_nvidia_smi(path, em);
      break;
    case TraceFormat::kTegrastats:
      read_tegrastats(path, em);
      break;
    case TraceFormat::kRapl:
      read_rapl(path, em);
      break;
    case TraceFormat::kPerf:
      read_perf(path, em);
      break;
    case TraceFormat::kKepler:
      read_kepler(path, em);
      break;
    case TraceFormat::kCsv:
      read_generic_csv(path, em);
      break;
    case TraceFormat::kTorchProfiler:
      fail(path, 0, 0, "", "", "a power or counter trace (nvidia-smi, tegrastats, rapl, perf, kepler, csv)",
           "a torch profiler trace, which holds ops, not samples", "read it with read_torch_profile");
  }
  return issues;
}

CollectedTrace collect_trace(const std::string& path, TraceFormat f) {
  CollectedTrace out;
  Collector sink(out);
  out.issues = read_trace(path, f, sink);
  return out;
}

std::vector<Marker> read_markers(const std::string& path) {
  CsvFile csv(path, "marker");
  const std::string layout = "marker CSV: start_s,end_s,name (seconds or dates)";
  const std::size_t start_col = csv.require({"start", "start_s", "t0", "begin", "begin_s"}, "a start column", layout);
  const std::size_t end_col = csv.require({"end", "end_s", "t1", "stop", "stop_s"}, "an end column", layout);
  const std::size_t name_col = csv.require({"name", "label", "marker"}, "a name column", layout);
  std::vector<Marker> out;
  while (csv.next_row()) {
    Marker m;
    m.start_s = csv.time(start_col);
    m.end_s = csv.time(end_col);
    m.name = csv.cell(name_col);
    m.line = csv.line();
    if (m.end_s <= m.start_s)
      csv.fail_cell(end_col, "an end after the start (end > start)",
                    "start " + num(m.start_s) + " s, end " + num(m.end_s) + " s");
    out.push_back(std::move(m));
  }
  // Markers of one name may not overlap (the same stage cannot run twice at once).
  std::vector<std::size_t> order(out.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return out[a].name != out[b].name ? out[a].name < out[b].name : out[a].start_s < out[b].start_s;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const Marker& prev = out[order[k - 1]];
    const Marker& cur = out[order[k]];
    if (cur.name == prev.name && cur.start_s < prev.end_s) {
      const Marker& later = cur.line > prev.line ? cur : prev;
      const Marker& earlier = cur.line > prev.line ? prev : cur;
      fail(path, later.line, 0, "", "", "markers of the same name that do not overlap",
           "'" + later.name + "' [" + num(later.start_s) + ", " + num(later.end_s) + ") at line " +
               line_str(later.line) + " overlaps [" + num(earlier.start_s) + ", " + num(earlier.end_s) + ") at line " +
               line_str(earlier.line));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// WindowIntegrator

WindowIntegrator::WindowIntegrator(std::vector<Marker> windows) : m_windows(std::move(windows)) {
  for (std::size_t w = 0; w < m_windows.size(); ++w) {
    const Marker& m = m_windows[w];
    JG_ASSERT(std::isfinite(m.start_s) && std::isfinite(m.end_s) && m.end_s > m.start_s,
              "window '" + m.name + "' must end after it starts");
    if (w > 0)
      JG_ASSERT(m.start_s >= m_windows[w - 1].end_s, "windows must be sorted by start and may not overlap: '" +
                                                         m_windows[w - 1].name + "' and '" + m.name + "'");
  }
}

void WindowIntegrator::channels(const std::vector<Channel>& list) {
  m_channels = list;
  m_values.assign(m_windows.size(), std::vector<double>(list.size(), 0.0));
  m_covered.assign(m_windows.size(), std::vector<double>(list.size(), 0.0));
  m_last_t.assign(list.size(), std::numeric_limits<double>::quiet_NaN());
  m_last_v.assign(list.size(), 0.0);
  m_first_window.assign(list.size(), 0);
}

// The segment from the channel's previous sample to this one, linear in between, is cut at the
// window edges. A window before the segment's start is passed for good (m_first_window), so the
// work is O(samples + windows) per channel.
void WindowIntegrator::sample(std::size_t channel, double t_s, double value, std::uint64_t /*line*/) {
  JG_ASSERT(channel < m_channels.size(), "sample of channel " + std::to_string(channel) + " before its channel list");
  const double t0 = m_last_t[channel], v0 = m_last_v[channel];
  m_last_t[channel] = t_s;
  m_last_v[channel] = value;
  if (std::isnan(t0)) return;
  JG_ASSERT(t_s >= t0, "samples of channel '" + m_channels[channel].name + "' must arrive in time order");
  if (t_s == t0) return;
  const double slope = (value - v0) / (t_s - t0);
  std::size_t& first = m_first_window[channel];
  while (first < m_windows.size() && m_windows[first].end_s <= t0) ++first;
  for (std::size_t w = first; w < m_windows.size() && m_windows[w].start_s < t_s; ++w) {
    const double a = std::max(t0, m_windows[w].start_s), b = std::min(t_s, m_windows[w].end_s);
    if (b <= a) continue;
    const double va = v0 + slope * (a - t0), vb = v0 + slope * (b - t0);
    double& val = m_values[w][channel];
    double& covered = m_covered[w][channel];
    switch (m_channels[channel].kind) {
      case ChannelKind::kPower:
        val += 0.5 * (va + vb) * (b - a);
        break;
      case ChannelKind::kEnergy:
        val += slope * (b - a);
        break;
      case ChannelKind::kCounter:  // running time-weighted mean
        val += (0.5 * (va + vb) - val) * (b - a) / (covered + (b - a));
        break;
    }
    covered += b - a;
  }
}

std::vector<Marker> fixed_windows(double start_s, double end_s, double length_s) {
  JG_ASSERT(std::isfinite(start_s) && std::isfinite(end_s) && std::isfinite(length_s) && length_s > 0,
            "fixed_windows needs finite times and a positive length");
  JG_ASSERT((end_s - start_s) / length_s < 1e9, "fixed_windows: more than 1e9 windows");
  std::vector<Marker> out;
  for (std::size_t i = 0;; ++i) {
    const double a = start_s + static_cast<double>(i) * length_s;
    if (!(a < end_s)) break;
    double b = std::min(start_s + static_cast<double>(i + 1) * length_s, end_s);
    if (end_s - b < length_s * 1e-9) b = end_s;  // a rounding sliver is not a window of its own
    out.push_back(Marker{a, b, "w" + std::to_string(i), 0});
    if (b >= end_s) break;
  }
  return out;
}

}  // namespace jg::calib
