// Malformed inputs: each fixture in tests/data/bad/ makes the CLI exit with code 2 and a message that names the
// file, line, column and key path and says what was expected, what was found and how to fix it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

const std::string kBadDir = "tests/data/bad/";

struct CliResult {
  int exit_code = -1;
  std::string output;
};

// Runs the joulegraph binary with `args` from the repository root; stdout and stderr are merged.
CliResult run_cli(const std::string& args) {
  const std::string command = "cd '" JG_SOURCE_DIR "' && '" JG_BINARY "' " + args + " 2>&1";
  CliResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

// Replaces every "%F" in `text` with the fixture's path relative to the repository root.
std::string expand(std::string text, const std::string& fixture_path) {
  for (std::size_t at = text.find("%F"); at != std::string::npos; at = text.find("%F", at + fixture_path.size()))
    text.replace(at, 2, fixture_path);
  return text;
}

struct BadCase {
  std::string name;                // the test's name: what it checks
  std::string fixture;             // file name in tests/data/bad/, empty when the case needs none
  std::string args;                // command line after the binary; %F is the fixture's path
  std::string where;               // "FILE:LINE:COL:" of the error (%F is the fixture's path)
  std::string key;                 // key path, empty when the error has none
  std::vector<std::string> words;  // distinctive words of expected / found / hint
};

const std::string kCheck = "check %F";
const std::string kOnDemo = "estimate --hw demo-a100-node --workload %F";

const std::vector<BadCase>& bad_cases() {
  static const std::vector<BadCase> cases = {
      {"syntax_error_names_line_and_toml",
       "syntax_error.toml",
       kCheck,
       "%F:11:9:",
       "",
       {"clock = \"1410 MHz", "expected: valid TOML", "found:    the next token is not a valid string",
        "check quotes"}},
      {"missing_dram_bandwidth_is_required",
       "missing_dram_bandwidth.toml",
       kCheck,
       "%F:22:1:",
       "devices.gpu.dram.bandwidth",
       {"expected: required key 'bandwidth'", "found:    it is missing", "hint:     e.g. bandwidth = "}},
      {"missing_stage_device_is_required",
       "missing_stage_device.toml",
       kCheck,
       "%F:8:1:",
       "stage[0].device",
       {"expected: required key 'device'", "found:    it is missing", "keys present here: name, kind, op"}},
      {"unknown_cache_key_suggests_capacity",
       "unknown_cache_key.toml",
       kCheck,
       "%F:19:",
       "devices.gpu.cache[0].capacty",
       {"one of the keys this table accepts", "unknown key 'capacty'", "did you mean 'capacity'?"}},
      {"clock_without_unit_asks_for_a_unit",
       "clock_without_unit.toml",
       kCheck,
       "%F:11:9:",
       "devices.gpu.pe.clock",
       {"expected: a frequency such as \"1.41 GHz\"", "the integer 1410 (a bare number has no unit)",
        "hint:     write the unit in a string"}},
      {"clock_in_watts_is_the_wrong_dimension",
       "clock_in_watts.toml",
       kCheck,
       "%F:11:9:",
       "devices.gpu.pe.clock",
       {"expected: a frequency", "the string \"3 W\", a power", "the unit must measure frequency (Hz)"}},
      {"negative_cache_capacity_is_rejected",
       "negative_cache_capacity.toml",
       kCheck,
       "%F:19:12:",
       "devices.gpu.cache[0].capacity",
       {"expected: a data size at least 0 B", "found:    the string \"-4 MiB\""}},
      {"negative_op_dimension_is_rejected",
       "negative_op_dimension.toml",
       kCheck,
       "%F:15:7:",
       "stage[0].op[0].m",
       {"expected: a non-negative size", "the string \"batch - 64\" = -32"}},
      {"stage_on_missing_device_suggests_a_device",
       "stage_on_missing_device.toml",
       kOnDemo,
       "%F:11:10:",
       "stage[0].device",
       {"expected: a device of platform 'demo-a100-node'", "the string \"tpu\"", "valid: cpu, gpu"}},
      {"stage_cycle_is_reported_with_its_path",
       "stage_cycle.toml",
       kCheck,
       "%F:9:14:",
       "stage[0].depends_on",
       {"stage dependencies without a cycle", "the cycle prepare -> infer -> prepare", "remove one depends_on entry"}},
      {"op_cycle_is_reported_with_its_path",
       "op_cycle.toml",
       kCheck,
       "%F:15:12:",
       "stage[0].op[0].inputs",
       {"op inputs without a cycle", "the cycle fc1 -> fc2 -> fc1", "remove one of these inputs"}},
      {"unknown_dram_model_suggests_nearest_kind",
       "unknown_dram_model.toml",
       kCheck,
       "%F:23:9:",
       "devices.gpu.dram.model",
       {"expected: a dram model", "the string \"dram.hbm9\"", "did you mean 'dram.hbm2'?"}},
      {"embodied_unknown_process_lists_the_act_nodes",
       "embodied_unknown_process.toml",
       kCheck,
       "%F:23:11:",
       "devices.gpu.embodied.process",
       {"expected: a logic node of the ACT model: 10nm, 14nm", "the string \"12nm\"", "process: \"14nm\""}},
      {"embodied_co2e_excludes_the_die_model",
       "embodied_co2e_with_die.toml",
       kCheck,
       "%F:23:16:",
       "devices.gpu.embodied.die_area_mm2",
       {"expected: no die_area_mm2 beside co2e", "found:    the integer 815"}},
      {"node_lifetime_must_be_a_time",
       "node_lifetime_in_watts.toml",
       kCheck,
       "%F:22:12:",
       "node.lifetime",
       {"expected: a time", "the string \"5 kW\", a power"}},
      {"unknown_op_type_suggests_gemm",
       "unknown_op_type.toml",
       kCheck,
       "%F:14:10:",
       "stage[0].op[0].type",
       {"expected: an op type", "the string \"gemmm\"", "did you mean 'gemm'?"}},
      {"unknown_stage_kind_suggests_inference",
       "unknown_stage_kind.toml",
       kCheck,
       "%F:10:8:",
       "stage[0].kind",
       {"expected: a stage kind", "the string \"inferance\"", "did you mean 'inference'?"}},
      {"unknown_expression_name_points_at_it",
       "unknown_expr_name.toml",
       kCheck,
       "%F:15:8:",
       "stage[0].op[0].m",
       {"an arithmetic expression over [params]", "unknown name 'batchh'", "numeric parameters: batch"}},
      {"fp8_gemm_on_demo_gpu_lists_supported_dtypes",
       "fp8_gemm_on_gpu.toml",
       kOnDemo,
       "%F:15:11:",
       "stage[0].op[0].dtype",
       {"expected: a data type that device 'gpu' computes", "fp8 in op 'fc' (gemm)",
        "supported: fp64, fp32, tf32, fp16, bf16, int8"}},
      {"h2d_to_unknown_peer_suggests_a_device",
       "h2d_unknown_peer.toml",
       kOnDemo,
       "%F:12:8:",
       "stage[0].op[0].to",
       {"as the peer of op 'copy' (h2d)", "found:    \"gpu1\"", "did you mean 'gpu'?"}},
      // The platform lacks the link; the error points at the `to` key of the shipped workload's h2d op.
      {"h2d_without_link_asks_for_a_link",
       "h2d_without_link.toml",
       "estimate --hw %F --workload demo-cnn-pipeline",
       "builtin:demo-cnn-pipeline:49:8:",
       "stage[0].op[4].to",
       {"expected: a link between 'cpu' and 'gpu' for op 'copy_to_gpu' (h2d)", "has no such link",
        "add [links.NAME] with connects = [\"cpu\", \"gpu\"]"}},
      {"network_link_names_one_device",
       "network_link_two_ends.toml",
       kCheck,
       "%F:12:12:",
       "links.ib.connects",
       {"expected: one device name (the device whose ports reach other nodes)", "found:    2 entries"}},
      {"collective_across_nodes_asks_for_a_network_link",
       "collective_across_nodes_without_network.toml",
       kOnDemo,
       "%F:10:3:",
       "stage[0].op[0]",
       {"a network link at 'gpu' for op 'all_reduce' (collective) across nodes", "has no link.network at device 'gpu'",
        "model = \"link.network\""}},
      {"collective_nodes_must_divide_ranks",
       "collective_nodes_not_dividing_ranks.toml",
       kCheck,
       "%F:15:11:",
       "stage[0].op[0].nodes",
       {"dividing ranks", "nodes = 3, ranks = 8"}},
      {"zoo_nodes_must_divide_the_ranks",
       "zoo_nodes_not_dividing_ranks.toml",
       "estimate --hw dgx-a100 --workload %F",
       "%F:8:9:",
       "params.nodes",
       {"a node count dividing data_parallel x tensor_parallel x pipeline_parallel", "nodes = 3 for 8 ranks",
        "raise data_parallel"}},
      {"stage_workers_are_whole_cores",
       "stage_workers_fractional.toml",
       kCheck,
       "%F:9:11:",
       "stage[0].workers",
       {"a whole number of PE units (cores) to use, 0 for all", "the number 2.5"}},
      {"stage_host_wait_is_a_nonnegative_time",
       "stage_host_wait_negative.toml",
       kCheck,
       "%F:9:13:",
       "stage[0].host_wait",
       {"a time the device waits for the host per repetition, 0 or more", "-2 ms"}},
      {"calibration_slot_unknown_to_the_platform",
       "calibration_unknown_slot.toml",
       "estimate --hw dgx-h100 --workload resnet50 --calibration %F",
       "%F:36:10:",
       "factor[0].slots[0]",
       {"a slot of platform 'dgx-h100'", "\"gpu.pe.idel\"", "did you mean 'gpu.pe.idle'"}},
      {"calibration_of_another_platform",
       "calibration_other_platform.toml",
       "estimate --hw dgx-h100 --workload resnet50 --calibration %F",
       "%F:3:12:",
       "platform",
       {"a calibration of platform 'dgx-h100'", "one of platform 'dgx-a100'", "estimate with --hw dgx-a100"}},
      {"wrong_schema_version_expects_1",
       "wrong_schema_version.toml",
       kCheck,
       "%F:2:18:",
       "schema_version",
       {"expected: schema_version = 1", "found:    the integer 2"}},
      {"unknown_platform_name_suggests_shipped_name",
       "",
       "estimate --hw demo-a100-nod --workload demo-cnn-pipeline",
       "error: --hw:",
       "",
       {"a platform file or a shipped platform name", "'demo-a100-nod', neither a file nor a shipped name",
        "did you mean 'demo-a100-node'?"}},
      {"unknown_platform_lists_nearest_names",
       "",
       "estimate --hw nvidia-a1000 --workload demo-cnn-pipeline",
       "error: --hw:",
       "",
       {"'nvidia-a1000', neither a file nor a shipped name", "did you mean 'nvidia-a10'?", "nearest: nvidia-a10"}},
      {"unknown_power_mode_lists_the_presets",
       "",
       "estimate --hw jetson-agx-orin-64gb --workload demo-cnn-pipeline --set power_mode=99W",
       "error: <--set power_mode=99W>:",
       "power_mode",
       {"expected: a power mode of platform 'jetson-agx-orin-64gb': MAXN, 15W, 30W, 50W",
        "found:    the string \"99W\"", "or set single knobs: cpu_cores, cpu_freq, gpu_freq"}},
      {"too_many_cpu_cores_lists_the_valid_counts",
       "",
       "estimate --hw jetson-nano --workload demo-cnn-pipeline --set cpu_cores=5",
       "error: <--set cpu_cores=5>:",
       "cpu_cores",
       {"expected: one of 1, 2, 3, 4", "found:    the integer 5", "the values device 'cpu' supports"}},
      {"unsupported_gpu_clock_lists_the_supported_clocks",
       "",
       "estimate --hw jetson-agx-orin-64gb --workload demo-cnn-pipeline --set cpu_cores=8,gpu_freq=999MHz",
       "error: <--set gpu_freq=999MHz>:",
       "gpu_freq",
       {"expected: one of 306 MHz, 408 MHz", "1.3005 GHz", "found:    the string \"999MHz\""}},
      {"bad_node_term_suggests_a_platform",
       "",
       "estimate --hw 8xa100-sxm4-80gb+2xepyc-7742x --workload demo-cnn-pipeline",
       "error: --hw:",
       "",
       {"expected: terms like 8xa100-sxm4-80gb joined by '+'", "'epyc-7742x' in", "did you mean 'epyc-7742'?"}},
      {"power_cap_outside_limit_range_names_the_range",
       "power_cap_outside_limit_range.toml",
       kCheck,
       "%F:7:13:",
       "devices.gpu.power_cap",
       {"expected: a power limit the device accepts: 100 W to 400 W", "found:    the string \"450 W\""}},
      {"extends_unknown_platform_suggests_nearest",
       "extends_unknown_platform.toml",
       kCheck,
       "%F:4:11:",
       "extends",
       {"expected: a shipped platform name or a platform file", "did you mean 'a100-sxm4-80gb'?"}},
      {"from_device_missing_lists_devices",
       "from_device_missing.toml",
       kCheck,
       "%F:7:15:",
       "devices.gpu.from_device",
       {"expected: a device of platform 'jetson-agx-orin-64gb'", "did you mean 'gpu'?"}},
      {"preset_value_not_in_knob_list_lists_values",
       "preset_value_not_in_knob_list.toml",
       kCheck,
       "%F:7:12:",
       "power_modes.presets.MAXN.gpu_freq",
       {"expected: one of 76.8 MHz", "921.6 MHz", "found:    the string \"900 MHz\""}},
      {"shared_dram_unknown_device_names_devices",
       "shared_dram_unknown_device.toml",
       kCheck,
       "%F:7:8:",
       "devices.cpu.dram",
       {"expected: the name of another device of this platform that has its own [dram] table",
        "found:    the string \"gpu\""}},
  };
  return cases;
}

class BadInput : public testing::TestWithParam<BadCase> {};

TEST_P(BadInput, exits_2_with_located_message) {
  const BadCase& c = GetParam();
  const std::string path = c.fixture.empty() ? std::string() : kBadDir + c.fixture;
  const CliResult r = run_cli(expand(c.args, path));
  SCOPED_TRACE("output:\n" + r.output);
  ASSERT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("error: ", 0), 0u) << "the message starts with 'error: '";
  EXPECT_NE(r.output.find(expand(c.where, path)), std::string::npos) << "location " << expand(c.where, path);
  if (!c.key.empty()) {
    EXPECT_NE(r.output.find("key '" + c.key + "':"), std::string::npos) << "key path " << c.key;
  }
  for (const auto& w : c.words) EXPECT_NE(r.output.find(w), std::string::npos) << "missing: " << w;
}

// Names the case instead of dumping its bytes when a parameterized test fails.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

INSTANTIATE_TEST_SUITE_P(fixtures, BadInput, testing::ValuesIn(bad_cases()),
                         [](const testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(BadInputFixtures, every_fixture_has_a_case) {
  std::set<std::string> covered;
  for (const auto& c : bad_cases())
    if (!c.fixture.empty()) covered.insert(c.fixture);
  std::size_t files = 0;
  // Subfolders (onnx/) hold binary fixtures with their own tests (onnx_import_test.cpp).
  for (const auto& entry : std::filesystem::directory_iterator(std::string(JG_SOURCE_DIR) + "/" + kBadDir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(covered.count(name), 1u) << kBadDir << name << " has no case in bad_input_test.cpp";
  }
  EXPECT_GT(files, 0u);
}

TEST(BadInputFixtures, every_case_fixture_exists) {
  for (const auto& c : bad_cases()) {
    if (!c.fixture.empty()) {
      EXPECT_TRUE(std::filesystem::is_regular_file(std::string(JG_SOURCE_DIR) + "/" + kBadDir + c.fixture))
          << c.fixture;
    }
  }
}

TEST(BadInputFixtures, every_fixture_starts_with_a_comment) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(JG_SOURCE_DIR) + "/" + kBadDir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("# ", 0), 0u) << entry.path().filename() << " should say what is wrong on its first line";
  }
}

}  // namespace
