// Error types (DESIGN.md §3). Library code throws; only cli/ catches and maps to exit codes:
//   ConfigError -> 2 (the input is wrong), ModelError -> 3 (valid input outside a model's
//   validity domain), InternalError -> 70 (our bug).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jg::core {

/// Where a value came from: a file position, or a synthetic origin such as "--set".
struct SourceLoc {
  std::string file;                       ///< path as given by the user, or "<--set>", "<builtin:NAME>"
  std::uint32_t line = 0;                 ///< 1-based; 0 when unknown
  std::uint32_t column = 0;               ///< 1-based; 0 when unknown
  std::string line_text;                  ///< the whole source line, for a caret display (may be empty)
  [[nodiscard]] std::string str() const;  ///< "file:line:column" (parts omitted when unknown)
  /// The location of byte `at` (0-based) of `text`, the contents of `file`; long lines (over 400
  /// characters, e.g. minified JSON) are not quoted.
  static SourceLoc at_byte(const std::string& file, const std::string& text, std::size_t at);
};

/// A JSON parser's message without its "[json.exception.parse_error.101] parse error at line 1,
/// column 2: " prefix (the location is reported separately).
std::string json_parse_message(const std::string& what);

/// Input is wrong. Carries everything a user needs to fix it.
class ConfigError : public std::runtime_error {
 public:
  struct Detail {
    SourceLoc loc;
    std::string key_path;  ///< e.g. "devices.gpu.pe.clock"; empty for file-level errors
    std::string expected;  ///< what was expected, e.g. "a frequency such as \"1.41 GHz\""
    std::string found;     ///< what was found
    std::string hint;      ///< a fix or the nearest valid name; may be empty
  };
  explicit ConfigError(Detail d);
  [[nodiscard]] const Detail& detail() const { return m_detail; }

 private:
  Detail m_detail;
};

/// Input is valid but outside what a model can answer (e.g. rank-deficient fit).
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A broken invariant inside joulegraph: a bug, never the user's fault.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Throws InternalError with file/line when cond is false.
#define JG_ASSERT(cond, msg)                                                                   \
  do {                                                                                         \
    if (!(cond))                                                                               \
      throw ::jg::core::InternalError(std::string(__FILE__) + ":" + std::to_string(__LINE__) + \
                                      ": assertion failed: " #cond ": " + (msg));              \
  } while (false)

/// Formats the one-screen message of a ConfigError (used by what()).
std::string format_config_error(const ConfigError::Detail& d);

/// Levenshtein edit distance, for "did you mean" hints.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// ASCII lower case, for case-insensitive name matching.
std::string to_lower(std::string_view s);
/// The candidate closest to `name` (empty if none is reasonably close).
std::string nearest_name(const std::string& name, const auto& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(name, std::string(c));
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  return best_d <= limit ? best : std::string();
}
/// "did you mean 'x'? valid: a, b, c" style hint.
/// Longer candidate lists are not printed whole: only the kNearestShown nearest names.
inline constexpr std::size_t kFullListMax = 24;
inline constexpr std::size_t kNearestShown = 6;

/// The `n` candidates closest to `name` (case-insensitive edit distance), closest first.
std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t n);

std::string did_you_mean(const std::string& name, const auto& candidates) {
  std::vector<std::string> all;
  for (const auto& c : candidates) all.emplace_back(c);
  std::string near = nearest_name(name, all);
  std::string list;
  if (all.size() <= kFullListMax) {
    for (const auto& c : all) list += (list.empty() ? "" : ", ") + c;
    return (near.empty() ? std::string() : "did you mean '" + near + "'? ") + "valid: " + list;
  }
  for (const auto& c : nearest_names(name, all, kNearestShown)) list += (list.empty() ? "" : ", ") + c;
  return (near.empty() ? std::string() : "did you mean '" + near + "'? ") + "nearest: " + list;
}

}  // namespace jg::core
