#include <catch2/catch.hpp>
#include <map>
#include <filesystem>
#include <fstream>

#include "pcnsim/engine/scenario.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

namespace {

std::vector<Diagnostic> problems_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    load_scenario_text(yaml, "test.yaml", overrides);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

const std::string kBaseline = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/baseline.yaml";

}  // namespace

TEST_CASE("a minimal scenario takes the documented defaults", "[scenario]") {
  const Scenario s = load_scenario_text("name: tiny\nseed: 5\n", "tiny.yaml");
  CHECK(s.name == "tiny");
  CHECK(s.seed == 5);
  CHECK(s.formation.size_threshold_patients == 30000);
  CHECK(s.calendar.start.iso() == "2019-04-01");
  CHECK(s.funding.core_gbp_per_patient.at(Date::from_ymd(2020, 1, 1)) == Approx(1.50));
  CHECK(s.funding.core_gbp_per_patient.at(Date::from_ymd(2019, 3, 31)) == 0.0);
}

TEST_CASE("unknown keys are reported with file, line, column and the closest key", "[scenario]") {
  const auto p = problems_of("name: x\nformation:\n  g_sise: 0.1\n  inertia: 0.1\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0].file == "test.yaml");
  CHECK(p[0].line == 3);
  CHECK(p[0].column == 3);
  CHECK(p[0].key == "formation.g_sise");
  CHECK_THAT(p[0].message, Catch::Contains("did you mean 'g_size'"));
}

TEST_CASE("wrong types and out-of-range values are all reported at once", "[scenario]") {
  const auto p = problems_of(
      "name: x\n"
      "seed: twelve\n"
      "formation:\n"
      "  inertia: -1\n"
      "  approve_rural_probability: 1.5\n"
      "  enabled: maybe\n"
      "relationships:\n"
      "  k_nearest: 2.5\n"
      "  lambda_km: .nan\n"
      "calendar:\n"
      "  start: 2019-02-30\n"
      "population:\n"
      "  source: mars\n");
  REQUIRE(p.size() == 8);
  std::map<std::string, Diagnostic> by_key;
  for (const auto& d : p) by_key[d.key] = d;
  CHECK_THAT(by_key["seed"].message, Catch::Contains("whole number"));
  CHECK(by_key["seed"].line == 2);
  CHECK_THAT(by_key["formation.inertia"].message, Catch::Contains("out of range"));
  CHECK_THAT(by_key["formation.approve_rural_probability"].message, Catch::Contains("[0, 1]"));
  CHECK_THAT(by_key["formation.enabled"].message, Catch::Contains("true or false"));
  CHECK_THAT(by_key["relationships.k_nearest"].message, Catch::Contains("whole number"));
  CHECK_THAT(by_key["relationships.lambda_km"].message, Catch::Contains("finite"));
  CHECK_THAT(by_key["calendar.start"].message, Catch::Contains("YYYY-MM-DD"));
  CHECK_THAT(by_key["population.source"].message, Catch::Contains("england, synthetic"));
}

TEST_CASE("structural mistakes are reported", "[scenario]") {
  CHECK_THAT(problems_of("name: x\nformation: 3\n").at(0).message, Catch::Contains("block of parameters"));
  CHECK_THAT(problems_of("name: [a, b]\n").at(0).message, Catch::Contains("single value"));
  CHECK_THAT(problems_of("- a\n- b\n").at(0).message, Catch::Contains("YAML map"));
  CHECK_THAT(problems_of("").at(0).message, Catch::Contains("empty"));
  const auto syntax = problems_of("name: x\nformation:\n  inertia: [1, 2\n");
  REQUIRE(syntax.size() == 1);
  CHECK_THAT(syntax[0].message, Catch::Contains("YAML syntax error"));
  CHECK(syntax[0].line > 0);
  const auto series = problems_of(
      "funding:\n  core_gbp_per_patient:\n    - {from: 2020-04-01, value: 1}\n    - {from: 2019-04-01, value: 2}\n"
      "    - {from: 2021-04-01, valu: 2}\n");
  REQUIRE(series.size() == 3);  // order, unknown key, missing value
  const auto consistency = problems_of("calendar:\n  start: 2020-01-01\n  end: 2019-01-01\n");
  REQUIRE(consistency.size() >= 1);
  CHECK(consistency[0].key == "calendar.end");
}

TEST_CASE("overrides given with --set are checked like the file", "[scenario]") {
  const Scenario s = load_scenario_text("name: x\n", "x.yaml", {{"formation.inertia", "0.5"}, {"seed", "9"}});
  CHECK(s.formation.inertia == 0.5);
  CHECK(s.seed == 9);
  const auto p = problems_of("name: x\n", {{"formation.inertai", "0.5"}, {"formation.g_size", "abc"}});
  REQUIRE(p.size() == 2);
  CHECK(p[0].file.rfind("--set", 0) == 0);
  CHECK_THAT(p[0].message + p[1].message, Catch::Contains("did you mean 'inertia'"));
  CHECK_THROWS_AS(parse_override("no-equals-sign"), InputError);
  CHECK(parse_override("a.b=c=d").value == "c=d");
}

TEST_CASE("extends merges files and errors name the file that holds the value", "[scenario]") {
  const fs::path dir = temp_dir("extends");
  write_file(dir / "parent.yaml", "name: parent\nseed: 3\nformation:\n  inertia: 0.2\n  g_pair: 0.3\n");
  write_file(dir / "child.yaml", "extends: parent.yaml\nname: child\nformation:\n  inertia: 0.4\n");
  const Scenario s = load_scenario((dir / "child.yaml").string());
  CHECK(s.name == "child");
  CHECK(s.seed == 3);
  CHECK(s.formation.inertia == 0.4);
  CHECK(s.formation.g_pair == 0.3);

  write_file(dir / "bad_parent.yaml", "name: parent\nformation:\n  g_pair: -3\n");
  write_file(dir / "bad_child.yaml", "extends: bad_parent.yaml\nsignup:\n  enabeld: true\n");
  try {
    load_scenario((dir / "bad_child.yaml").string());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 2);
    std::map<std::string, std::string> file_of;
    for (const auto& d : e.problems()) file_of[d.key] = d.file;
    REQUIRE(file_of.count("formation.g_pair") == 1);
    REQUIRE(file_of.count("signup.enabeld") == 1);
    CHECK(file_of["formation.g_pair"].find("bad_parent.yaml") != std::string::npos);
    CHECK(file_of["signup.enabeld"].find("bad_child.yaml") != std::string::npos);
  }
  write_file(dir / "loop_a.yaml", "extends: loop_b.yaml\n");
  write_file(dir / "loop_b.yaml", "extends: loop_a.yaml\n");
  CHECK_THROWS_WITH(load_scenario((dir / "loop_a.yaml").string()), Catch::Contains("cycle"));
  write_file(dir / "orphan.yaml", "extends: nowhere.yaml\n");
  CHECK_THROWS_WITH(load_scenario((dir / "orphan.yaml").string()), Catch::Contains("not found"));
  CHECK_THROWS_WITH(load_scenario((dir / "missing.yaml").string()), Catch::Contains("not found"));
  CHECK_THROWS_WITH(load_scenario(dir.string()), Catch::Contains("directory"));
  fs::remove_all(dir);
}

TEST_CASE("the resolved scenario reads back to the same parameters", "[scenario]") {
  const Scenario s = load_scenario(kBaseline, {{"formation.inertia", "0.125"}});
  const Scenario again = load_scenario_text(resolved_yaml(s), "resolved.yaml");
  const auto a = parameter_rows(s), b = parameter_rows(again);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].path == b[i].path);
    CHECK(a[i].value == b[i].value);
  }
}

TEST_CASE("baseline.yaml states exactly the built-in defaults", "[scenario]") {
  // The reference docs are generated from the C++ defaults; the baseline must agree.
  const auto baseline = parameter_rows(load_scenario(kBaseline));
  const auto defaults = parameter_rows(Scenario{});
  REQUIRE(baseline.size() == defaults.size());
  for (std::size_t i = 0; i < baseline.size(); ++i) {
    const auto& path = baseline[i].path;
    if (path == "name" || path == "description" || path.find("_csv") != std::string::npos) continue;
    if (path == "population.source") continue;
    INFO(path);
    CHECK(baseline[i].value == defaults[i].value);
  }
}

TEST_CASE("every parameter has a description", "[scenario]") {
  for (const auto& row : parameter_rows(Scenario{})) {
    INFO(row.path);
    CHECK_FALSE(row.description.empty());
  }
}

TEST_CASE("a scenario name that would lead outputs/<name>.h5 elsewhere is an input error", "[scenario]") {
  for (const std::string& good : std::vector<std::string>{"baseline", "arrs-pot-plus-50", "a.b_c-D9", std::string(100, 'x')}) {
    CHECK(name_problem(good).empty());
  }
  for (const std::string& bad : std::vector<std::string>{"", "../../x", "a/b", ".hidden", "..", "a b", "caf\xc3\xa9", std::string(101, 'x'),
                                std::string("a\0b", 3), "a\\b"}) {
    CHECK_FALSE(name_problem(bad).empty());
  }
  const auto escape = problems_of("seed: 1\nname: ../../x\n");
  REQUIRE(escape.size() == 1);
  CHECK(escape[0].to_string() == "test.yaml:2:7: 'name': must not start with '.' (it names the output file outputs/<name>.h5)");
  const auto separator = problems_of("seed: 1\nname: a/../../x\n");
  REQUIRE(separator.size() == 1);
  CHECK(separator[0].to_string() == "test.yaml:2:7: 'name': may hold only letters, digits, '.', '_' and '-' "
                                    "(it names the output file outputs/<name>.h5), got 'a/../../x'");
  const auto set = problems_of("name: x\n", {{"name", "a/b"}});
  REQUIRE(set.size() == 1);
  CHECK(set[0].file == "--set name=a/b");
  CHECK(set[0].key == "name");
  // (A command line cannot hold a NUL; an escape in the value can.)
  const auto nul = problems_of("name: x\n", {{"name", "\"a\\0b\""}});
  REQUIRE(nul.size() == 1);
  CHECK(nul[0].to_string() == "--set name=\"a\\0b\": 'name': a control character (U+0000) in a value; only tabs and line breaks are allowed");
  const auto description = problems_of("name: x\n", {{"description", "bell\x07"}});
  REQUIRE(description.size() == 1);
  CHECK(description[0].key == "description");
  CHECK(load_scenario_text("name: x\ndescription: |\n  two\n  lines\twith a tab\n", "t.yaml").description ==
        "two\nlines\twith a tab\n");
}

TEST_CASE("dates out of order are errors at their place, covid's also when the shock is off", "[scenario]") {
  const auto covid = problems_of("name: x\ncovid:\n  enabled: false\n  start: 2021-01-01\n  end: 2020-06-30\n");
  REQUIRE(covid.size() == 1);
  CHECK(covid[0].to_string() == "test.yaml:5:8: 'covid.end': must not be before covid.start (2021-01-01)");
  const auto timeline = problems_of("name: x\ntimeline:\n  signup_window_open: 2019-06-01\n  signup_window_close: 2019-05-01\n");
  REQUIRE(timeline.size() == 1);
  CHECK(timeline[0].to_string() == "test.yaml:4:24: 'timeline.signup_window_close': must not be before signup_window_open");
  const auto live = problems_of("name: x\ntimeline:\n  networks_live: 2019-05-01\n");
  REQUIRE(live.size() == 1);
  CHECK(live[0].key == "timeline.networks_live");
  // From --set there is no line to name.
  const auto set = problems_of("name: x\n", {{"covid.end", "2019-01-01"}});
  REQUIRE(set.size() == 1);
  CHECK(set[0].to_string() == "--set covid.end=2019-01-01: 'covid.end': must not be before covid.start (2020-03-23)");
}

TEST_CASE("extends chains are at most 16 files and a file extending itself is a cycle", "[scenario]") {
  const fs::path dir = temp_dir("extends-depth");
  write_file(dir / "s0.yaml", "name: s0\n");
  for (int k = 1; k <= 16; ++k) {
    write_file(dir / ("s" + std::to_string(k) + ".yaml"), "extends: s" + std::to_string(k - 1) + ".yaml\n");
  }
  CHECK(load_scenario((dir / "s15.yaml").string()).name == "s0");  // 16 files
  try {
    load_scenario((dir / "s16.yaml").string());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].key == "extends");
    CHECK(e.problems()[0].line == 1);
    CHECK(e.problems()[0].message == "a chain of more than 16 files through 'extends'");
  }
  write_file(dir / "self.yaml", "extends: self.yaml\n");
  CHECK_THROWS_WITH(load_scenario((dir / "self.yaml").string()), Catch::Contains("'extends' forms a cycle"));
  write_file(dir / "device.yaml", "extends: /dev/zero\n");
  CHECK_THROWS_WITH(load_scenario((dir / "device.yaml").string()),
                    "error: /dev/zero: is a character device, expected a scenario file (only regular files are read)");
  fs::remove_all(dir);
}

TEST_CASE("a --set value is bounded like a file: depth and self-reference", "[scenario]") {
  const auto deep = problems_of("name: x\n", {{"formation.inertia", std::string(100, '[') + std::string(100, ']')}});
  REQUIRE(deep.size() == 1);
  CHECK(deep[0].file.rfind("--set formation.inertia=", 0) == 0);
  CHECK_THAT(deep[0].message, Catch::Contains("nesting deeper than 64 levels"));
  const auto self = problems_of("name: x\n", {{"formation", "&x {inertia: *x}"}});
  REQUIRE(self.size() == 1);
  CHECK_THAT(self[0].message, Catch::Contains("self-referencing alias"));
}

TEST_CASE("a dated series can be given as a change of the one in force: {scale, from}", "[scenario]") {
  const Scenario base = load_scenario(kBaseline);
  const DatedSeries& pot = base.funding.arrs_national_pot_gbp;
  REQUIRE(pot.entries.size() == 5);
  auto check_scaled = [&](const DatedSeries& s) {
    REQUIRE(s.entries.size() == pot.entries.size());
    for (std::size_t i = 0; i < s.entries.size(); ++i) {
      INFO(i);
      CHECK(s.entries[i].from == pot.entries[i].from);
      const bool changed = pot.entries[i].from >= Date::from_ymd(2021, 4, 1);
      CHECK(s.entries[i].value == (changed ? 1.5 * pot.entries[i].value : pot.entries[i].value));
      CHECK((s.entries[i].source.find("(x1.5 from 2021-04-01)") != std::string::npos) == changed);
    }
  };
  SECTION("by --set, over the baseline file's list") {
    check_scaled(load_scenario(kBaseline, {{"funding.arrs_national_pot_gbp", "{scale: 1.5, from: 2021-04-01}"}})
                     .funding.arrs_national_pot_gbp);
  }
  SECTION("in a file that extends the baseline") {
    const fs::path dir = temp_dir("scale");
    write_file(dir / "more.yaml", "extends: " + kBaseline +
                                      "\nname: more\nfunding:\n  arrs_national_pot_gbp: {scale: 1.5, from: 2021-04-01}\n");
    check_scaled(load_scenario((dir / "more.yaml").string()).funding.arrs_national_pot_gbp);
  }
  SECTION("from a date between entries: the value in force then starts an entry") {
    const DatedSeries s =
        load_scenario(kBaseline, {{"funding.arrs_national_pot_gbp", "{scale: 2, from: 2021-10-01}"}}).funding.arrs_national_pot_gbp;
    REQUIRE(s.entries.size() == 6);
    CHECK(s.at(Date::from_ymd(2021, 9, 30)) == pot.at(Date::from_ymd(2021, 9, 30)));
    CHECK(s.at(Date::from_ymd(2021, 10, 1)) == 2 * pot.at(Date::from_ymd(2021, 10, 1)));
    CHECK(s.at(Date::from_ymd(2023, 6, 1)) == 2 * pot.at(Date::from_ymd(2023, 6, 1)));
  }
  SECTION("without from, every entry; over a built-in series the file does not list") {
    const Scenario tiny = load_scenario_text("name: t\nfunding:\n  core_gbp_per_patient: {scale: 2}\n", "t.yaml");
    CHECK(tiny.funding.core_gbp_per_patient.at(Date::from_ymd(2019, 4, 1)) == 3.0);  // 2 x the default 1.50
  }
  SECTION("mistakes are named") {
    auto problem = [](const std::string& value) {
      const auto p = problems_of("name: t\n", {{"funding.arrs_national_pot_gbp", value}});
      REQUIRE(!p.empty());
      return p.front();
    };
    const auto typo = problems_of("name: t\n", {{"funding.arrs_national_pot_gbp", "{scael: 1.5}"}});
    REQUIRE(typo.size() == 2);  // the unknown key and the missing scale, both at once
    CHECK(typo[0].key == "funding.arrs_national_pot_gbp.scael");
    CHECK(typo[0].message.find("scale") != std::string::npos);  // the suggestion
    CHECK(problem("{scale: -1}").key == "funding.arrs_national_pot_gbp.scale");
    CHECK(problem("{scale: 1.5, from: 2021-13-01}").key == "funding.arrs_national_pot_gbp.from");
    CHECK(problem("{from: 2021-04-01}").message.find("needs 'scale'") != std::string::npos);
    CHECK(problem("{scale: 1e5}").message.find("after scaling") != std::string::npos);
    CHECK(problem("{scale: 1e7}").key == "funding.arrs_national_pot_gbp.scale");  // the factor's own bound
    // Over the baseline's list the scaled entries are checked too, and the --set is named.
    const auto over = [&] {
      try {
        load_scenario(kBaseline, {{"funding.arrs_national_pot_gbp", "{scale: 1e5}"}});
      } catch (const InputError& e) {
        return e.problems();
      }
      return std::vector<Diagnostic>{};
    }();
    REQUIRE(!over.empty());
    CHECK(over.front().file.find("--set funding.arrs_national_pot_gbp") == 0);
  }
}

TEST_CASE("a dated series beginning after the calendar start is warned about where the built-in had a value",
          "[scenario]") {
  std::vector<Diagnostic> warnings;
  SECTION("a --set listing only the new entries") {
    load_scenario_text("name: x\n", "x.yaml",
                       {{"funding.arrs_national_pot_gbp", "[{from: 2021-04-01, value: 2.0e9}]"}}, &warnings);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].file.rfind("--set", 0) == 0);
    CHECK(warnings[0].key == "funding.arrs_national_pot_gbp");
    CHECK(warnings[0].message.find("begins on 2021-04-01, after the calendar start 2019-04-01") != std::string::npos);
    CHECK(warnings[0].message.find("{scale: F, from: 2021-04-01}") != std::string::npos);
  }
  SECTION("a scenario file: the warning names its line") {
    load_scenario_text("name: x\nfunding:\n  core_gbp_per_patient:\n    - {from: 2020-04-01, value: 1.5}\n", "x.yaml", {},
                       &warnings);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].file == "x.yaml");
    CHECK(warnings[0].line == 4);  // the series' first entry
  }
  SECTION("none for the defaults, a {scale, from} change, a series starting earlier, or where the built-in starts") {
    load_scenario_text("name: x\n", "x.yaml", {{"funding.arrs_national_pot_gbp", "{scale: 1.5, from: 2021-04-01}"}}, &warnings);
    load_scenario_text("name: x\nfunding:\n  leadership_management_gbp_per_weighted_patient:\n    - {from: 2020-04-01, value: 0.68}\n",
                       "x.yaml", {}, &warnings);
    load_scenario_text("name: x\nfunding:\n  care_home_premium_gbp_per_bed:\n    - {from: 2020-08-01, value: 100}\n",
                       "x.yaml", {}, &warnings);
    CHECK(warnings.empty());
  }
}
