// Private to the trace readers (trace.cpp, trace_gpu.cpp, trace_cpu.cpp; defined in
// trace_internal.cpp): error reporting, text and time parsing, the line reader, the Emitter that
// checks samples on their way to the sink, the CSV file with a header, and the per-format read
// functions. Not part of the API (trace.hpp); the names live in jg::calib::detail.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calib/csv.hpp"
#include "calib/trace.hpp"
#include "engine/core/error.hpp"

namespace jg::calib::detail {

using csv::split_csv;
using csv::to_number;
using csv::trim;

constexpr std::size_t kMaxNotes = 10;
constexpr std::size_t kMedianIntervals = 1001;        // intervals of channel 0 that set the median
constexpr std::size_t kEarlyIntervalsMax = 1u << 16;  // intervals held until the median is known
constexpr double kGapFactor = 5.0;                    // a gap: an interval > 5x the median

// Header names (lower case) of a time column, the first present wins (absolute dates before
// relative seconds), and of a power column in W.
extern const std::vector<std::string_view> kTimeNames;
extern const std::vector<std::string_view> kPowerNames;

// ---------------------------------------------------------------------------------------------
// Errors and text (trace_internal.cpp)

/// ConfigError at `path`, `line` (0: the whole file), `column` (0: the whole line); long lines are
/// cut in the message.
[[noreturn]] void fail(const std::string& path, std::uint64_t line, std::uint32_t column, std::string_view line_text,
                       const std::string& key, const std::string& expected, const std::string& found,
                       const std::string& hint = "");

bool is_digit(char c);
bool contains(std::string_view s, std::string_view part);
/// In single quotes, cut after 80 characters.
std::string in_quotes(std::string_view s);
/// Shortest text that reads back as the same double.
std::string num(double v);
/// Four significant digits, for durations in notes (intervals of epoch times carry float noise).
std::string num4(double v);
std::string line_str(std::uint64_t line);
/// Blank-separated tokens with their 1-based columns.
void split_blanks(std::string_view line, std::vector<std::string_view>& toks, std::vector<std::uint32_t>& cols);

/// Seconds: a plain number as given, or a date and time as Unix seconds: "2025/07/27 00:34:45.155",
/// "2025-07-27T00:34:45Z", "2025-07-27 00:34:45+02:00", "11-21-2026 10:00:00" (tegrastats).
/// UTC unless the text carries an offset.
std::optional<double> parse_timestamp(std::string_view s);

/// Blank lines and '#' comments.
bool skipped_line(std::string_view text);

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
// Per-format readers: trace_gpu.cpp (nvidia-smi, tegrastats), trace_cpu.cpp (rapl, perf, kepler, csv)

void read_nvidia_smi(const std::string& path, Emitter& em);
void read_tegrastats(const std::string& path, Emitter& em);
void read_rapl(const std::string& path, Emitter& em);
void read_perf(const std::string& path, Emitter& em);
void read_kepler(const std::string& path, Emitter& em);
void read_generic_csv(const std::string& path, Emitter& em);

}  // namespace jg::calib::detail
