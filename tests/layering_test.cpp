// Keeps the dependency rule of DESIGN.md §2 true: core <- {hwmodels, workloads} <- eval <- report
// <- cli, and third-party parsers confined to their few translation units.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::string>> includes_under(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::regex inc(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  for (const auto& e : fs::recursive_directory_iterator(std::string(JG_SOURCE_DIR) + "/" + dir)) {
    const auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream f(e.path());
    std::string line;
    std::smatch m;
    while (std::getline(f, line))
      if (std::regex_search(line, m, inc)) out.emplace_back(fs::relative(e.path(), JG_SOURCE_DIR).string(), m[1]);
  }
  return out;
}

TEST(Layering, EachLayerIncludesOnlyWhatItMayDependOn) {
  const std::map<std::string, std::set<std::string>> forbidden = {
      {"engine/core", {"engine/eval", "engine/report", "hwmodels", "workloads", "calib", "cli"}},
      {"hwmodels", {"engine/eval", "engine/report", "workloads", "calib", "cli"}},
      {"workloads", {"engine/eval", "engine/report", "hwmodels", "calib", "cli"}},
      {"engine/eval", {"engine/report", "calib", "cli"}},
      {"engine/report", {"calib", "cli"}},
      {"calib", {"engine/report", "cli"}},
  };
  for (const auto& [dir, bad] : forbidden)
    for (const auto& [file, inc] : includes_under(dir))
      for (const auto& b : bad) EXPECT_NE(inc.rfind(b + "/", 0), 0u) << file << " includes " << inc;
}

TEST(Layering, ThirdPartyHeadersStayInTheirTranslationUnits) {
  // header prefix -> the only files allowed to include it
  const std::map<std::string, std::set<std::string>> allowed = {
      {"toml", {"engine/core/config.cpp"}},
      {"tbb/", {"engine/core/parallel.hpp"}},
      {"Eigen/", {"calib/fit.cpp", "calib/lasso.cpp", "calib/transfer.cpp"}},
      {"nlohmann/", {"engine/report/json_report.cpp", "calib/torch_profile.cpp", "cli/validate.cpp",
                     "cli/report_reader.cpp", "cli/diff.cpp"}},
      {"onnx/",
       {"workloads/importers/onnx_import.cpp", "workloads/importers/onnx_fold.cpp",
        "workloads/importers/onnx_internal.hpp"}},
      {"google/protobuf",
       {"workloads/importers/onnx_import.cpp", "workloads/importers/onnx_fold.cpp",
        "workloads/importers/onnx_internal.hpp"}},
      // The importer's private header brings the ONNX headers with it.
      {"workloads/importers/onnx_internal.hpp",
       {"workloads/importers/onnx_import.cpp", "workloads/importers/onnx_fold.cpp"}},
  };
  for (const char* dir : {"engine", "hwmodels", "workloads", "calib", "cli"})
    for (const auto& [file, inc] : includes_under(dir))
      for (const auto& [prefix, files] : allowed)
        if (inc.rfind(prefix, 0) == 0) {
          EXPECT_TRUE(files.count(file)) << file << " includes " << inc;
        }
}

}  // namespace
