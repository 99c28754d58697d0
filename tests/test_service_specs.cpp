#include <catch2/catch.hpp>

#include "models/service_specs.hpp"
#include "pcnsim/scenario.hpp"
#include "pcnsim/simulation.hpp"

using namespace pcnsim;

namespace {

const std::string kScenarios = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/";

RunResult small(std::vector<Override> overrides = {}) {
  return run_simulation(load_scenario(kScenarios + "synthetic-small.yaml", overrides));
}

double mean_achievement(const RunResult& run) {
  double sum = 0;
  int count = 0;
  for (const auto& year : run.finance.iif_achieved) {
    for (int a : year) {
      if (a >= 0) {
        sum += a;
        ++count;
      }
    }
  }
  return sum / count;
}

}  // namespace

TEST_CASE("IIF payments share out at most the national pot", "[iif]") {
  const RunResult run = small();
  const auto& iif = run.scenario.service_specs.iif;
  REQUIRE(run.finance.iif_achieved.size() == run.finance.years.size());
  for (std::size_t y = 0; y < run.finance.years.size(); ++y) {
    const int fy = run.finance.years[y];
    const double pot = iif.national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
    Pence paid = 0;
    for (const auto& net : run.world.networks) {
      const int achieved = run.finance.iif_achieved[y][net.id];
      REQUIRE(achieved >= 0);
      REQUIRE(achieved <= iif.indicators);
      const Pence p = run.finance.lines[y][net.id * kFundingLines + FundingLine::iif];
      REQUIRE(p >= 0);
      paid += p;
    }
    double weighted = 0;
    for (const auto& net : run.world.networks) weighted += run.world.network_weighted_list_size(net);
    CHECK(to_gbp(paid) <= pot * weighted / run.scenario.funding.national_patients + 1.0);
    if (pot > 0) CHECK(paid > 0);
  }
}

TEST_CASE("more spare GP capacity means more IIF indicators achieved", "[iif][metamorphic]") {
  double tight = 0, roomy = 0;
  for (const std::string seed : {"1", "2", "3"}) {
    tight += mean_achievement(small({{"seed", seed}, {"gp_workload.max_hours_per_fte_week", "38"}}));
    roomy += mean_achievement(small({{"seed", seed}, {"gp_workload.max_hours_per_fte_week", "60"}}));
  }
  CHECK(roomy > tight);
}

TEST_CASE("IIF switched off pays nothing and reinvestment funds managers", "[iif]") {
  const RunResult off = small({{"service_specs.iif.enabled", "false"}});
  for (const auto& year : off.finance.lines) {
    for (std::size_t n = 0; n < off.world.networks.size(); ++n) REQUIRE(year[n * kFundingLines + FundingLine::iif] == 0);
  }
  // Without leadership-and-management money or core-funded managers, only reinvested IIF pays for managers.
  const std::vector<Override> only_iif = {{"management.core_funded_probability", "0"},
                                          {"funding.leadership_management_national_gbp", "[]"},
                                          {"funding.leadership_management_gbp_per_weighted_patient", "[]"}};
  auto with = [&](const char* share) {
    auto o = only_iif;
    o.push_back({"service_specs.iif.reinvest_share", share});
    return small(o);
  };
  const RunResult none = with("0"), all = with("1");
  const auto& a = none.recorder.find("networks_with_manager")->value;
  const auto& b = all.recorder.find("networks_with_manager")->value;
  const int mid_2021 = *none.calendar.step_of(Date::from_ymd(2021, 6, 1));
  CHECK(b[mid_2021] > a[mid_2021]);
}

TEST_CASE("service specifications add GP demand from their start dates", "[service_specs]") {
  const RunResult with = small(), without = small({{"service_specs.enabled", "false"}});
  const auto& a = with.recorder.find("gp_demand_hours")->value;
  const auto& b = without.recorder.find("gp_demand_hours")->value;
  const int before = *with.calendar.step_of(Date::from_ymd(2020, 9, 1));
  const int after = *with.calendar.step_of(Date::from_ymd(2020, 11, 2));
  CHECK(a[before] == Approx(b[before]));
  CHECK(a[after] > b[after]);
  const auto& setup = with.recorder.find("cd_hours_service_specifications")->value;
  CHECK(setup[before] == 0.0);
  CHECK(setup[after] > 0.0);
}
