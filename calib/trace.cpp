// Trace readers (trace.hpp). Each reader parses its own layout and hands samples to an Emitter,
// which checks time order per channel, folds duplicates (the later value is kept), measures
// intervals and gaps, and forwards the samples to the caller's sink.
//
// Accepted layouts. Blank lines and lines starting with '#' are skipped in every layout; CSV
// fields follow RFC 4180 (quoted fields may hold commas, "" is a quote); CRLF line ends are fine.
//
// The layouts of each format are described where they are read: trace_gpu.cpp (nvidia-smi,
// tegrastats) and trace_cpu.cpp (rapl, perf, kepler, csv). What the readers share (line reader,
// Emitter, CSV file with a header, time parsing) is in trace_internal.hpp and trace_internal.cpp;
// this file holds the entry points (format names and detection, read_trace, collect_trace),
// markers, WindowIntegrator and fixed_windows.
//
// Times: plain numbers are seconds as given; dates ("2025/07/27 00:34:45.155",
// "2025-07-27T00:34:45Z", "11-21-2026 10:00:00") are Unix seconds, UTC unless an offset is given.
#include "calib/trace.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <utility>

#include "calib/csv.hpp"
#include "calib/trace_internal.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

using csv::split_csv;
using csv::to_number;
using csv::trim;

using detail::contains;
using detail::CsvFile;
using detail::Emitter;
using detail::fail;
using detail::in_quotes;
using detail::is_digit;
using detail::kPowerNames;
using detail::kTimeNames;
using detail::line_str;
using detail::LineReader;
using detail::num;
using detail::read_generic_csv;
using detail::read_kepler;
using detail::read_nvidia_smi;
using detail::read_perf;
using detail::read_rapl;
using detail::read_tegrastats;
using detail::split_blanks;

constexpr std::size_t kSniffBytes = 64 * 1024;
constexpr std::size_t kSniffLines = 20;

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
