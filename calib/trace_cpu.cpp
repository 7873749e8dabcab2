// Trace readers for CPU and host meters (trace.hpp; shared parts in trace_internal.hpp): RAPL,
// perf stat -I, Kepler and generic CSV. The rules common to all layouts (blank and '#' lines,
// CSV quoting, times) are in trace.cpp.
//
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
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calib/trace_internal.hpp"

namespace jg::calib::detail {

// ---------------------------------------------------------------------------------------------
// RAPL

namespace {

constexpr double kRaplDefaultRange_uj = 4294967296.0;  // 2^32 uJ when max_energy_range_uj is unknown

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace jg::calib::detail
