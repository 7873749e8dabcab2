// read_torch_profile (trace.hpp): the "X" (complete) events of a PyTorch profiler Chrome trace,
// {"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "aten::conv2d", "ts": 123.4, "dur": 56.7,
// "args": {"Input Dims": [[32, 3, 224, 224], [64, 3, 7, 7]]}}, ...]}, or a bare array of events.
// ts and dur are microseconds. The file is parsed whole (nlohmann-json, confined to this file).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "calib/trace.hpp"
#include "engine/core/error.hpp"

namespace jg::calib {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, std::uint32_t line, std::uint32_t column, std::string line_text,
                       const std::string& key, const std::string& expected, const std::string& found,
                       const std::string& hint = "") {
  core::SourceLoc loc{path, line, column, std::move(line_text)};
  throw core::ConfigError({loc, key, expected, found, hint});
}

/// "[[32, 3, 224, 224], [64, 3, 7, 7]]": arrays with ", " between elements, as the profiler writes them.
std::string shapes_text(const json& j) {
  if (!j.is_array()) return j.dump();
  std::string out = "[";
  for (std::size_t i = 0; i < j.size(); ++i) out += (i == 0 ? "" : ", ") + shapes_text(j[i]);
  return out + "]";
}

double micros(const std::string& path, const json& ev, const char* field, std::size_t index, bool required) {
  const std::string key = "traceEvents[" + std::to_string(index) + "]." + field;
  if (!ev.contains(field)) {
    if (!required) return 0;
    fail(path, 0, 0, "", key, "a time in microseconds", "no '" + std::string(field) + "' field",
         "complete events (\"ph\": \"X\") carry ts and dur");
  }
  const json& v = ev.at(field);
  if (!v.is_number()) fail(path, 0, 0, "", key, "a number of microseconds", v.dump());
  const double us = v.get<double>();
  if (!std::isfinite(us) || us < 0) fail(path, 0, 0, "", key, "a time in microseconds (>= 0)", v.dump());
  return us;
}

}  // namespace

std::vector<ProfiledOp> read_torch_profile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail(path, 0, 0, "", "", "a torch profiler trace (JSON)", "no such file", "check the path");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(path, 0, 0, "", "", "a readable torch profiler trace",
         std::string("it cannot be opened: ") + std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, 0, 0, "", "", "a readable torch profiler trace", "a read error");

  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte: 1-based position of the byte where parsing stopped
    const core::SourceLoc at = core::SourceLoc::at_byte(path, text, e.byte > 0 ? e.byte - 1 : 0);
    fail(path, at.line, at.column, at.line_text, "",
         "a Chrome trace in JSON ({\"traceEvents\": [...]}, as torch.profiler's export_chrome_trace writes)",
         text.empty() ? "an empty file" : core::json_parse_message(e.what()));
  }

  const json* events = nullptr;
  if (doc.is_array()) {
    events = &doc;
  } else if (doc.is_object() && doc.contains("traceEvents") && doc.at("traceEvents").is_array()) {
    events = &doc.at("traceEvents");
  } else {
    fail(path, 1, 0, "", "traceEvents", "a 'traceEvents' array of events",
         doc.is_object() ? (doc.contains("traceEvents") ? "'traceEvents' that is not an array" : "no 'traceEvents' key")
                         : "a JSON " + std::string(doc.type_name()),
         "export the trace with torch.profiler's export_chrome_trace");
  }

  std::vector<ProfiledOp> ops;
  for (std::size_t i = 0; i < events->size(); ++i) {
    const json& ev = (*events)[i];
    if (!ev.is_object()) continue;
    auto ph = ev.find("ph");
    if (ph == ev.end() || !ph->is_string() || ph->get<std::string>() != "X") continue;
    ProfiledOp op;
    if (auto name = ev.find("name"); name != ev.end() && name->is_string()) op.name = name->get<std::string>();
    if (auto cat = ev.find("cat"); cat != ev.end() && cat->is_string()) op.category = cat->get<std::string>();
    op.start_s = micros(path, ev, "ts", i, true) * 1e-6;
    op.duration_s = micros(path, ev, "dur", i, true) * 1e-6;
    if (auto args = ev.find("args"); args != ev.end() && args->is_object()) {
      if (auto dims = args->find("Input Dims"); dims != args->end()) op.input_shapes = shapes_text(*dims);
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace jg::calib
