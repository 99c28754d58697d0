// The one YAML reading layer (yaml.hpp): duplicate keys found from the node
// marks on hand-written YAML, typed scalars, and the readers built on it.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/input_file.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/analysis/sweep.hpp"
#include "pcnsim/analysis/validate.hpp"
#include "pcnsim/kernel/yaml.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

namespace {

std::vector<Diagnostic> duplicates_in(const std::string& yaml) {
  DiagnosticList problems;
  parse_yaml_map(yaml, "f.yaml", "test file", problems);
  return problems.items();
}

std::vector<Diagnostic> problems_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

const std::string kSmall = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/synthetic-small.yaml";

}  // namespace

TEST_CASE("duplicate keys are found at every depth, each naming both lines", "[yaml]") {
  const auto d = duplicates_in(
      "name: a\n"                                  // 1
      "formation:\n"                               // 2
      "  g_pair: 0.3\n"                            // 3
      "  g_pair: 0.9\n"                            // 4
      "factors:\n"                                 // 5
      "  - {path: x, min: 0, max: 1, min: 2}\n"    // 6
      "name: b\n"                                  // 7
      "name: c\n");                                // 8
  REQUIRE(d.size() == 4);
  CHECK(d[0].to_string() == "f.yaml:4:3: 'formation.g_pair': duplicate key (first at line 3)");
  CHECK(d[1].to_string() == "f.yaml:6:31: 'factors[0].min': duplicate key (first at line 6)");
  CHECK(d[2].to_string() == "f.yaml:7:1: 'name': duplicate key (first at line 1)");
  CHECK(d[3].to_string() == "f.yaml:8:1: 'name': duplicate key (first at line 1)");
}

TEST_CASE("the same key in different maps, or as a value, is not a duplicate", "[yaml]") {
  CHECK(duplicates_in("a: {x: 1}\nb: {x: 1}\nc: [{x: 1}, {x: 2}]\nd: d\nx: {a: 1}\n").empty());
  CHECK(duplicates_in("formation:\n  g_pair: 0.3\nsignup:\n  g_pair: 0.9\n").empty());
}

TEST_CASE("a YAML file that is not a map, empty, or not UTF-8 stops the reading", "[yaml]") {
  CHECK(problems_of([] { duplicates_in(""); }).front().message == "the test file is empty");
  CHECK(problems_of([] { duplicates_in("- 1\n"); }).front().message == "a test file must be a YAML map");
  CHECK(problems_of([] { duplicates_in("a: [\n"); }).front().message.rfind("YAML syntax error", 0) == 0);
  const auto bad = problems_of([] { duplicates_in("a: caf\xe9\n"); });
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].to_string() == "f.yaml:1:7: bytes that are not valid UTF-8");
}

TEST_CASE("typed scalars say why a value is not of the wanted type or range", "[yaml]") {
  double x = 7;
  CHECK(read_scalar(YAML::Load("2.5"), x, 0, 10).empty());
  CHECK(x == 2.5);
  CHECK(read_scalar(YAML::Load("lots"), x) == "expected a number, got 'lots'");
  CHECK(read_scalar(YAML::Load("11"), x, 0, 10) == "value 11 is out of range; must be [0, 10]");
  CHECK(read_scalar(YAML::Load(".nan"), x) == "must be a finite number, got '.nan'");
  CHECK(read_scalar(YAML::Load("[1, 2]"), x) == "expected a single value, not a list or block");
  CHECK(x == 2.5);  // left as it was
  int n = 0;
  CHECK(read_scalar(YAML::Load("1.5"), n) == "expected a whole number, got '1.5'");
  CHECK(read_scalar(YAML::Load("3e9"), n) == "value 3e9 is out of range; must be [-2147483648, 2147483647]");
  bool b = false;
  CHECK(read_scalar(YAML::Load("yes"), b).empty());
  CHECK(b);
  CHECK(read_scalar(YAML::Load("maybe"), b) == "expected true or false, got 'maybe'");
}

TEST_CASE("scenarios report duplicate keys, also through extends, with the other problems", "[yaml][scenario]") {
  auto direct = problems_of([] {
    load_scenario_text("name: x\nformation: {g_pair: 0.3, g_pair: 0.9}\nseed: -1\n", "s.yaml");
  });
  REQUIRE(direct.size() == 2);
  CHECK(direct[0].to_string() == "s.yaml:2:26: 'formation.g_pair': duplicate key (first at line 2)");
  CHECK(direct[1].key == "seed");
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-test-yaml-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "parent.yaml") << "extends: " << kSmall << "\nformation:\n  g_pair: 0.3\n  g_pair: 0.9\n";
  const auto through = problems_of([&] { load_scenario_text("extends: parent.yaml\n", (dir / "child.yaml").string()); });
  REQUIRE(through.size() == 1);
  CHECK(through[0].file == (dir / "parent.yaml").string());
  CHECK(through[0].line == 4);
  CHECK(through[0].message == "duplicate key (first at line 3)");
  fs::remove_all(dir);
}

TEST_CASE("the targets file is strict: sections, keys, types and duplicates", "[yaml][validate]") {
  const fs::path file = fs::temp_directory_path() / ("pcnsim-test-targets-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << "formaton:\n"
                         "  networks: {observed: 1, tolerance: 1}\n"
                         "arrs:\n"
                         "  fte: {observed: 1, tolerance: 1, relativ: true}\n"
                         "  fte: {observed: real, tolerance: -1}\n";
  const auto p = problems_of([&] { read_targets(file.string()); });
  fs::remove(file);
  REQUIRE(p.size() == 4);
  CHECK(p[0].line == 5);
  CHECK(p[0].message == "duplicate key (first at line 4)");
  CHECK(p[1].key == "formaton");
  CHECK(p[1].message == "unknown key; did you mean 'formation'?");
  CHECK(p[2].key == "arrs.fte.relativ");
  CHECK(p[2].message == "unknown key; did you mean 'relative'?");
  CHECK(p[3].key == "arrs.fte.tolerance");
  CHECK(read_targets(std::string(PCNSIM_SOURCE_DIR) + "/data/targets.yaml").size() == 73);
}

TEST_CASE("CSV fields know their line and column", "[yaml][csv]") {
  const CsvTable t = parse_csv("row,a,\"b,c\"\n0,\"x\ny\",3\n", "d.csv");
  REQUIRE(t.header_places.size() == 3);
  CHECK(t.header_places[2].column == 7);
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].places[1].line == 2);
  CHECK(t.rows[0].places[1].column == 3);
  CHECK(t.rows[0].places[2].line == 3);
  CHECK(t.rows[0].places[2].column == 4);
}

TEST_CASE("set_number sets a typed value through describe() and checks it like a file", "[yaml][sweep]") {
  Scenario s = load_scenario(kSmall);
  set_number(s, "formation.inertia", 0.25, false, "test");
  CHECK(s.formation.inertia == 0.25);
  const double first = s.funding.core_gbp_per_patient.entries.front().value;
  set_number(s, "funding.core_gbp_per_patient", 2, true, "test");
  CHECK(s.funding.core_gbp_per_patient.entries.front().value == 2 * first);
  CHECK(dated_series(s, "funding.core_gbp_per_patient")->entries.front().value == 2 * first);
  CHECK_FALSE(dated_series(s, "formation.inertia"));
  CHECK(problems_of([&] { set_number(s, "formation.approve_rural_probability", 1.5, false, "test"); })
            .front()
            .to_string() == "test: 'formation.approve_rural_probability': value 1.5 is out of range; must be [0, 1]");
  CHECK(problems_of([&] { set_number(s, "relationships.k_nearest", 2.5, false, "test"); }).front().message ==
        "expected a whole number, got '2.5'");
  CHECK(problems_of([&] { set_number(s, "formation.nowhere", 1, false, "test"); }).front().message ==
        "not a number parameter");
}

// ---- Bounds (issue 14): every walk of a YAML tree is bounded before it starts.

TEST_CASE("a self-referencing alias is an input error naming its key and line", "[yaml]") {
  const auto map = problems_of([] { duplicates_in("name: a\nformation: &x\n  g_pair: 0.3\n  again: *x\n"); });
  REQUIRE(map.size() == 1);
  CHECK(map[0].to_string() ==
        "f.yaml:4:3: 'formation.again': a self-referencing alias: the anchor on line 2 contains its own alias");
  const auto flow = problems_of([] { duplicates_in("a: &x {b: *x}\n"); });
  REQUIRE(flow.size() == 1);
  CHECK(flow[0].key == "a.b");
  CHECK_THAT(flow[0].message, Catch::Contains("self-referencing alias"));
  const auto list = problems_of([] { duplicates_in("a: &x [1, *x]\n"); });
  REQUIRE(list.size() == 1);
  CHECK(list[0].key == "a[1]");
  CHECK_THAT(list[0].message, Catch::Contains("self-referencing alias"));
  // An alias of an earlier sibling is no cycle.
  CHECK(duplicates_in("a: &x {b: 1}\nc: *x\nd: [*x, *x]\n").empty());
}

TEST_CASE("nesting deeper than 64 levels is an input error, 64 are read", "[yaml]") {
  const auto nested = [](int depth) { return "a: " + std::string(depth, '[') + std::string(depth, ']') + "\n"; };
  CHECK(duplicates_in(nested(kMaxYamlDepth - 1)).empty());  // the root map is one level
  const auto deep = problems_of([&] { duplicates_in(nested(kMaxYamlDepth)); });
  REQUIRE(deep.size() == 1);
  CHECK(deep[0].file == "f.yaml");
  CHECK(deep[0].line == 1);
  CHECK(deep[0].message == "nesting deeper than 64 levels");
  CHECK_THAT(problems_of([&] { duplicates_in(nested(200)); }).at(0).message, Catch::Contains("deeper than 64"));
  // Deeper still, yaml-cpp's own guard stops the parser (before any recursion of ours).
  CHECK(problems_of([&] { duplicates_in(nested(20000)); }).at(0).message == "YAML syntax error: bad file");
}

TEST_CASE("an alias bomb stops at the node limit in well under a second", "[yaml]") {
  std::string bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {  // 10^10 values once expanded
    const std::string prev = "*l" + std::to_string(level - 1);
    bomb += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" + prev;
    for (int k = 1; k < 10; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto p = problems_of([&] { duplicates_in(bomb); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(p.size() == 1);
  CHECK(p[0].message == "more than 100000 YAML values once aliases are expanded (an alias bomb?)");
  CHECK(p[0].line > 1);
  CHECK(seconds < 1.0);
}

TEST_CASE("control characters in YAML text or in a value are input errors with their place", "[yaml]") {
  const auto raw = problems_of([] { duplicates_in(std::string("name: a\ndescription: b\0c\n", 25)); });
  REQUIRE(raw.size() == 1);
  CHECK(raw[0].to_string() == "f.yaml:2:15: a control character (U+0000); YAML text may hold tabs and line breaks only");
  CHECK(problems_of([] { duplicates_in("name: a\x1b[31m\n"); }).at(0).message.rfind("a control character (U+001B)", 0) == 0);
  // Escapes put them into values: every such value is named, the reading goes on.
  const auto escaped = duplicates_in("name: \"a\\0b\"\ndescription: \"bell\\a\"\nnote: \"tab\\tand\\nline\"\n");
  REQUIRE(escaped.size() == 2);
  CHECK(escaped[0].to_string() == "f.yaml:1:1: 'name': a control character (U+0000) in a value; only tabs and line breaks are allowed");
  CHECK(escaped[1].key == "description");
  CHECK_THAT(escaped[1].message, Catch::Contains("U+0007"));
}

TEST_CASE("only regular YAML files up to 16 MiB are read", "[yaml]") {
  CHECK_THROWS_WITH(read_yaml_file("/dev/zero", "scenario file"),
                    "error: /dev/zero: is a character device, expected a scenario file (only regular files are read)");
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-test-yaml-files-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string fifo = (dir / "fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(read_yaml_file(fifo, "sweep file"), Catch::Contains("is a FIFO (named pipe), expected a sweep file"));
  CHECK_THROWS_WITH(read_yaml_file(dir.string(), "sweep file"), Catch::Contains("is a directory"));
  const std::string big = (dir / "big.yaml").string();
  std::ofstream(big).close();
  fs::resize_file(big, kMaxYamlFileBytes + 1);  // sparse: nothing is written
  CHECK_THROWS_WITH(read_yaml_file(big, "scenario file"), Catch::Contains("is larger than the 16 MiB limit for a scenario file"));
  fs::resize_file(big, 3);
  CHECK(read_yaml_file(big, "scenario file") == std::string(3, '\0'));
  CHECK_THROWS_WITH(read_yaml_file((dir / "none.yaml").string(), "scenario file"), Catch::Contains("scenario file not found"));
  fs::remove_all(dir);
}
