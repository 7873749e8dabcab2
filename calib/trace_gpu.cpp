// Trace readers for GPU meters (trace.hpp; shared parts in trace_internal.hpp): nvidia-smi and
// tegrastats. The rules common to all layouts (blank and '#' lines, CSV quoting, times) are in
// trace.cpp.
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
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "calib/trace_internal.hpp"

namespace jg::calib::detail {

// ---------------------------------------------------------------------------------------------
// nvidia-smi (and Zeus/NVML style CSV)

namespace {

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

}  // namespace

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

  // GPUs, in order of appearance: nvidia-smi writes one row per GPU per poll, so the ids of the
  // first poll (up to the first id seen again) are all of them; only those rows are read twice.
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
      if (!gpu_of.emplace(id, gpus.size()).second) break;  // the second poll has begun
      gpus.push_back(numeric_ids ? "gpu" + id : "gpu" + std::to_string(gpus.size()));
      if (!numeric_ids) em.note(0, gpus.back() + " is " + csv.header(*id_col) + " " + id);
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
        csv.fail_cell(*id_col, "a GPU id of the first poll (the rows before the first id repeats)",
                      csv.found_in(*id_col) + ", first seen here");
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

namespace {

constexpr double kTegrastatsInterval_s = 1.0;  // tegrastats' default --interval 1000

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

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

}  // namespace

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

}  // namespace jg::calib::detail
