// compare: when a policy takes effect, which runs are comparable, and the
// numbers as people read them.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "pcnsim/analysis/compare.hpp"
#include "pcnsim/kernel/outputs.hpp"

using namespace pcnsim;

namespace {

ComparedRun run_with(std::vector<std::pair<std::string, std::string>> parameters) {
  ComparedRun r;
  r.path = "x.h5";
  r.scenario_name = "x";
  r.seeds = {1, 2};
  r.population_source = "synthetic";
  r.practice_codes = {"A1", "A2"};
  r.outcomes = {{"arrs_wte_2023_24", "WTE", "ARRS staff", {10, 12}}};
  parameters.insert(parameters.begin(), {{"calendar.start", "2019-04-01"}, {"calendar.end", "2024-03-31"}});
  for (const auto& [name, value] : parameters) {
    r.parameter_names.push_back(name);
    r.parameter_values.push_back(value);
  }
  return r;
}

const char* const kPot = "2019-04-01: 1.1e+08; 2020-04-01: 4.3e+08; 2021-04-01: 7.46e+08";

}  // namespace

TEST_CASE("a policy takes effect where its parameters first differ", "[compare]") {
  const ComparedRun base = run_with({{"name", "base"}, {"funding.pot", kPot}, {"arrs.opens", "2020-04-01"}, {"seed", "1"}});
  SECTION("a dated series from its first differing entry") {
    const auto other = run_with({{"name", "pot"}, {"funding.pot", "2019-04-01: 1.1e+08; 2020-04-01: 4.3e+08; 2021-04-01: 9e+08"},
                                 {"arrs.opens", "2020-04-01"}, {"seed", "1"}});
    CHECK(compare_runs(base, other).takes_effect == "2021-04-01");
  }
  SECTION("an entry added where the other series has none") {
    const auto other = run_with({{"funding.pot", std::string(kPot) + "; 2022-10-01: 1e+09"}, {"arrs.opens", "2020-04-01"}});
    CHECK(compare_runs(base, other).takes_effect == "2022-10-01");
  }
  SECTION("the same step function written with a repeated value differs nowhere") {
    const auto other = run_with({{"funding.pot", std::string(kPot) + "; 2022-04-01: 7.46e+08"}, {"arrs.opens", "2020-04-01"}});
    const auto c = compare_runs(base, other);
    CHECK(std::any_of(c.parameters.begin(), c.parameters.end(), [](const auto& p) { return p.name == "funding.pot"; }));  // the text differs...
    CHECK(c.takes_effect.empty());    // ...but not the policy
  }
  SECTION("a date parameter from the earlier of the two dates") {
    const auto other = run_with({{"funding.pot", kPot}, {"arrs.opens", "2021-10-01"}});
    CHECK(compare_runs(base, other).takes_effect == "2020-04-01");
  }
  SECTION("a series starting before the calendar acts from the calendar start") {
    const auto other = run_with({{"funding.pot", "2018-04-01: 5; 2020-04-01: 4.3e+08; 2021-04-01: 7.46e+08"}, {"arrs.opens", "2020-04-01"}});
    CHECK(compare_runs(base, other).takes_effect == "2019-04-01");
  }
  SECTION("any other parameter from the calendar start; name, seed and output settings never") {
    auto other = run_with({{"name", "other"}, {"funding.pot", kPot}, {"arrs.opens", "2020-04-01"}, {"seed", "9"}, {"output.gzip_level", "4"}});
    CHECK(compare_runs(base, other).takes_effect.empty());
    other.parameter_names.push_back("formation.size_threshold");
    other.parameter_values.push_back("25000");
    CHECK(compare_runs(base, other).takes_effect == "2019-04-01");
  }
}

TEST_CASE("runs of other practices or calendars are not comparable", "[compare]") {
  const ComparedRun base = run_with({});
  CHECK(compare_runs(base, base).incompatibilities.empty());
  ComparedRun other = base;
  other.practice_codes.push_back("A3");
  auto why = compare_runs(base, other).incompatibilities;
  REQUIRE(why.size() == 1);
  CHECK(why[0].find("3 synthetic practices against 2 synthetic practices") != std::string::npos);
  other = run_with({});
  other.parameter_values[1] = "2023-03-31";  // calendar.end
  why = compare_runs(base, other).incompatibilities;
  REQUIRE(why.size() == 1);
  CHECK(why[0] == "its calendar.end is 2023-03-31, the base's 2024-03-31");
}

TEST_CASE("differences are paired by seed and starred only when the interval excludes zero", "[compare]") {
  const ComparedRun base = run_with({});
  ComparedRun other = base;
  other.outcomes[0].values = {11, 13};  // +1 in both replicates: a zero-width interval above zero
  const auto c = compare_runs(base, other);
  REQUIRE(c.outcomes.size() == 1);
  CHECK(c.outcomes[0].paired);
  CHECK(c.outcomes[0].difference == 1);
  CHECK(c.outcomes[0].significant());
  CHECK(format_comparisons({c}).find("* the 95% interval excludes zero") != std::string::npos);
  const auto same = compare_runs(base, base);
  CHECK_FALSE(same.outcomes[0].significant());
  CHECK(format_comparisons({same}).find('*') == std::string::npos);
}

TEST_CASE("numbers are shown in display units", "[compare][outputs]") {
  CHECK(display_units("GBP").label == "£m");
  CHECK(display_units("GBP").factor == 1e-6);
  CHECK(display_units("1").label == "%");
  CHECK(display_units("WTE").label == "WTE");
  CHECK(display_number(36296.4) == "36,296");
  CHECK(display_number(1234567) == "1,234,567");
  CHECK(display_number(-17948.2, true) == "-17,948");
  CHECK(display_number(17948.2, true) == "+17,948");
  CHECK(display_number(35.64) == "35.6");
  CHECK(display_number(2.466, true) == "+2.47");
  CHECK(display_number(0.0123) == "0.012");
  CHECK(display_number(0, true) == "0");
  CHECK(display_number(std::nan("")) == "n/a");
}
