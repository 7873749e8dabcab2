// Trace readers: measured power and usage counters from meters and profilers, streamed sample by
// sample (constant memory, multi-GB files), with timestamps in seconds on one clock.
//
// Clock: absolute timestamps (nvidia-smi's "2025/07/27 00:34:45.155", ISO dates, Unix epoch
// seconds) become Unix seconds (UTC assumed when the file carries no zone); files with only
// relative times (tegrastats without dates, perf -I) count from their first sample. Marker
// files use the same rule, so markers and traces align when both are absolute, and relative
// markers count from the trace's first sample.
//
// Problems that do not stop reading are reported in TraceIssues (duplicates, gaps, dropped
// lines); problems that make the trace untrustworthy are ConfigErrors naming file, line and
// column: a bad header, a non-numeric cell, time going backwards, an empty file, a truncated
// last line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jg::calib {

enum class TraceFormat : std::uint8_t { kNvidiaSmi, kTegrastats, kRapl, kPerf, kKepler, kTorchProfiler, kCsv };
inline constexpr std::size_t kTraceFormatCount = 7;
/// "nvidia-smi", "tegrastats", "rapl", "perf", "kepler", "torch-profiler", "csv".
std::string_view trace_format_name(TraceFormat f);
std::optional<TraceFormat> parse_trace_format(std::string_view name);
/// Guesses the format from the file's first lines; ConfigError if it cannot.
TraceFormat detect_trace_format(const std::string& path);

/// What a trace measures, channel by channel.
enum class ChannelKind : std::uint8_t {
  kPower,    ///< watts (integrated to joules over windows)
  kEnergy,   ///< a cumulative energy counter already converted to joules since the first sample
  kCounter,  ///< a usage metric (utilization %, clock Hz, events per second, ...), averaged over windows
};

struct Channel {
  std::string name;  ///< "gpu0.power", "VDD_GPU_SOC", "package-0", "cpu_cycles", "power"
  ChannelKind kind = ChannelKind::kPower;
  std::string unit;  ///< "W", "J", "%", "Hz", "1/s", as read
};

/// Receives a trace as it is read: the channels once, then samples in time order.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void channels(const std::vector<Channel>& list) = 0;
  /// `value` in the channel's unit (SI: W, J, Hz); `line` is the 1-based source line.
  virtual void sample(std::size_t channel, double t_s, double value, std::uint64_t line) = 0;
};

/// Reported, not hidden.
struct TraceIssues {
  std::uint64_t lines = 0;          ///< lines read
  std::uint64_t samples = 0;        ///< samples delivered (all channels)
  std::uint64_t duplicates = 0;     ///< samples at the same time as the previous one (kept: the later one)
  std::uint64_t gaps = 0;           ///< intervals longer than 5x the median interval
  double max_gap_s = 0;             ///< longest interval between samples
  double median_interval_s = 0;     ///< of the first channel
  std::uint64_t counter_wraps = 0;  ///< RAPL energy counters that wrapped around
  std::vector<std::string> notes;   ///< the first few issues with their line numbers
};

/// Reads `path` in format `f`, streaming into `sink`. ConfigError on malformed input.
TraceIssues read_trace(const std::string& path, TraceFormat f, TraceSink& sink);

/// A whole trace in memory (tests, small files).
struct CollectedTrace {
  std::vector<Channel> channels;
  std::vector<std::vector<double>> t_s, value;  ///< per channel
  TraceIssues issues;
};
CollectedTrace collect_trace(const std::string& path, TraceFormat f);

/// A named interval of the run: a stage, an op or a phase ("start_s,end_s,name" CSV).
struct Marker {
  double start_s = 0, end_s = 0;
  std::string name;
  std::uint64_t line = 0;
};
/// ConfigError on a bad line, end <= start, or overlapping markers of the same name.
std::vector<Marker> read_markers(const std::string& path);

/// One op of a PyTorch profiler Chrome trace ("ph": "X" events of category cpu_op/kernel).
struct ProfiledOp {
  std::string name;
  std::string category;  ///< "cpu_op", "kernel", "gpu_memcpy", ...
  double start_s = 0, duration_s = 0;
  std::string input_shapes;  ///< args["Input Dims"] as written, e.g. "[[32, 3, 224, 224], [64, 3, 7, 7]]"
};
std::vector<ProfiledOp> read_torch_profile(const std::string& path);

/// Energy and mean values per window, accumulated while a trace streams through: power is
/// integrated with the trapezoid rule, the segments cut at window edges by linear
/// interpolation; energy counters are differenced; counters are time-averaged.
class WindowIntegrator : public TraceSink {
 public:
  explicit WindowIntegrator(std::vector<Marker> windows);  ///< sorted by start, may not overlap
  void channels(const std::vector<Channel>& list) override;
  void sample(std::size_t channel, double t_s, double value, std::uint64_t line) override;
  [[nodiscard]] const std::vector<Channel>& channel_list() const { return m_channels; }
  [[nodiscard]] const std::vector<Marker>& windows() const { return m_windows; }
  /// Joules (power and energy channels) or time-weighted mean (counters), [window][channel].
  [[nodiscard]] const std::vector<std::vector<double>>& values() const { return m_values; }
  /// Seconds of each window covered by samples of each channel, [window][channel].
  [[nodiscard]] const std::vector<std::vector<double>>& covered_s() const { return m_covered; }

 private:
  std::vector<Marker> m_windows;
  std::vector<Channel> m_channels;
  std::vector<std::vector<double>> m_values, m_covered;
  std::vector<double> m_last_t, m_last_v;
  std::vector<std::size_t> m_first_window;  ///< per channel: first window not yet passed
};

/// Fixed windows of `length_s` from `start_s` to `end_s` (the last one shorter), named "w0", "w1", ...
std::vector<Marker> fixed_windows(double start_s, double end_s, double length_s);

}  // namespace jg::calib
