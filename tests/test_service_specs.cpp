#include <catch2/catch.hpp>

#include "models/service_specs.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {


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
  REQUIRE(count > 0);
  return sum / count;
}

}  // namespace

TEST_CASE("IIF payments share out at most the national pot", "[iif]") {
  // Turbulent dynamics, so that networks end and split during the run and the
  // year-end membership differs from the final one.
  const RunResult run = run_small({{"dynamics.split_cost", "0"}, {"dynamics.merge_cost", "0"}, {"dynamics.switch_cost", "0"},
                               {"dynamics.conflict_per_year", "0.6"}, {"dynamics.conflict_affinity_loss", "3"}});
  const auto& iif = run.scenario.service_specs.iif;
  REQUIRE(run.finance.iif_achieved.size() == run.finance.years.size());
  int ended = 0;
  for (const auto& net : run.world.networks) ended += net.live() ? 0 : 1;
  REQUIRE(ended > 0);
  for (std::size_t y = 0; y < run.finance.years.size(); ++y) {
    const int fy = run.finance.years[y];
    INFO("year " << fy);
    const double pot = iif.national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
    // Networks with members in the year's last week are assessed; the others are not.
    int last = 0;
    for (int s = 0; s < run.calendar.steps(); ++s) {
      if (run.calendar.step_start(s).financial_year() == fy) last = s;
    }
    const MembershipSnapshot& snap = run.membership[membership_row(run, last)];  // with that year's lists (9a)
    const auto& column = snap.network_of;
    std::vector<double> weighted(run.world.networks.size(), 0.0);
    for (std::size_t i = 0; i < column.size(); ++i) {
      if (column[i] >= 0) weighted[column[i]] += snap.list_size[i] * snap.needs_index[i];
    }
    Pence paid = 0;
    double weighted_total = 0;
    for (std::size_t n = 0; n < run.world.networks.size(); ++n) {
      const int achieved = run.finance.iif_achieved[y][n];
      const Pence p = run.finance.lines[y][n * kFundingLines + FundingLine::iif];
      if (weighted[n] == 0) {
        REQUIRE(achieved == -1);
        REQUIRE(p == 0);
        continue;
      }
      REQUIRE(achieved >= 0);
      REQUIRE(achieved <= iif.indicators);
      REQUIRE(p >= 0);
      paid += p;
      weighted_total += weighted[n];
    }
    CHECK(to_gbp(paid) <= pot * weighted_total / run.scenario.funding.national_patients + 1.0);
    if (pot > 0) CHECK(paid > 0);
  }
}

TEST_CASE("more spare GP capacity means more IIF indicators achieved", "[iif][metamorphic]") {
  double tight = 0, roomy = 0;
  for (const std::string seed : {"1", "2", "3"}) {
    tight += mean_achievement(run_small({{"seed", seed}, {"gp_workload.max_hours_per_fte_week", "38"}}));
    roomy += mean_achievement(run_small({{"seed", seed}, {"gp_workload.max_hours_per_fte_week", "60"}}));
  }
  CHECK(roomy > tight);
  // Without GP workload no GP time is used at all: every network's capacity is spare.
  CHECK(mean_achievement(run_small({{"gp_workload.enabled", "false"}})) > mean_achievement(run_small()));
}

TEST_CASE("IIF switched off pays nothing and reinvestment funds managers", "[iif]") {
  const RunResult off = run_small({{"service_specs.iif.enabled", "false"}});
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
    return run_small(o);
  };
  const RunResult none = with("0"), all = with("1");
  const auto& a = none.recorder.at("networks_with_manager").value;
  const auto& b = all.recorder.at("networks_with_manager").value;
  const int mid_2021 = *none.calendar.step_of(Date::from_ymd(2021, 6, 1));
  CHECK(b[mid_2021] > a[mid_2021]);
}

TEST_CASE("service specifications add GP demand from their start dates", "[service_specs]") {
  const RunResult with = run_small(), without = run_small({{"service_specs.enabled", "false"}});
  const auto& a = with.recorder.at("gp_demand_hours").value;
  const auto& b = without.recorder.at("gp_demand_hours").value;
  const int before = *with.calendar.step_of(Date::from_ymd(2020, 9, 1));
  const int after = *with.calendar.step_of(Date::from_ymd(2020, 11, 2));
  CHECK(a[before] == Approx(b[before]));
  CHECK(a[after] > b[after]);
  const auto& setup = with.recorder.at("cd_hours_service_specifications").value;
  CHECK(setup[before] == 0.0);
  CHECK(setup[after] > 0.0);
}
